"""The classifier in gongzhi: trained from confirmed events by the command, served by the API and
the pages, and 更正分类 records what staff settled on."""
from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.events.models import Event, EventAction
from tests.conftest import report_payload


@pytest.fixture
def trained(district, settings, tmp_path):
    """A model trained from the demo's report texts (what confirmed events would hold)."""
    import random

    from gongzhi.demo.simulate import TEXTS
    from gongzhi.textclass.service import retrain
    settings.GONGZHI_CLASSIFIER_PATH = str(tmp_path / "classifier.joblib")
    rng = random.Random(3)
    kinds = {"dispute": "dispute", "safety": "hazard", "policy": "consult", "suggestion": "suggestion"}
    examples = [("", f"{rng.choice(['胜利路', '延安路', '瑞京路'])}{rng.randrange(300)}号{rng.choice(texts)}",
                 {"category": cat, "kind": next((k for p, k in kinds.items() if cat.startswith(p)), "complaint"),
                  "urgency": "urgent" if cat.startswith("safety") else "normal"})
                for cat, texts in TEXTS.items() for _ in range(8)]
    return retrain(examples, min_per_head=20)


def test_before_training_the_api_says_so(district, as_user, settings, tmp_path):
    settings.GONGZHI_CLASSIFIER_PATH = str(tmp_path / "none.joblib")
    st, err = as_user("comm11").post("/classify", {"text": "路灯不亮"})
    assert st == 503 and "train-classifier" in err["message"]
    with pytest.raises(Exception, match="太少"):
        call_command("train_classifier", stdout=StringIO())


def test_the_command_trains_from_confirmed_events(district, settings, tmp_path):
    from gongzhi.demo.simulate import simulate
    from gongzhi.events.classify import training_examples
    from gongzhi.textclass.service import current
    settings.GONGZHI_CLASSIFIER_PATH = str(tmp_path / "classifier.joblib")
    simulate(district, days=4, per_day=12)
    examples = training_examples()
    assert examples and len(examples) < Event.objects.count()      # only accepted (confirmed) events
    out = StringIO()
    call_command("train_classifier", "--min", "10", stdout=out)
    assert "category:" in out.getvalue() and "模型已写入" in out.getvalue()
    assert current().heads["category"].n == len(examples)


def test_suggestions(trained, as_user):
    st, s = as_user("comm11").post("/classify", {"text": "小区门口垃圾堆积多日无人清运，气味很大"})
    assert st == 200 and s["category"][0]["code"] == "urban-appearance"
    assert s["category"][0]["label"] and 0 < s["category"][0]["confidence"] <= 1
    assert s["kind"][0]["label"] in ("投诉", "求助", "咨询", "建议", "安全隐患", "矛盾纠纷", "举报", "紧急")
    assert s["model"]["heads"]["category"]["examples"] > 50
    st, err = as_user("comm11").post("/classify", {"text": ""})
    assert st == 422


def test_the_report_form_offers_the_suggestion(trained, district):
    from django.test import Client
    c = Client()
    c.force_login(district.users["resident1"])
    assert 'hx-post="/report/suggest"' in c.get("/report/").content.decode()
    html = c.post("/report/suggest", {"description": "楼下烧烤店深夜营业噪音扰民"}).content.decode()
    assert "智能建议" in html and 'data-apply-category="urban-noise"' in html
    assert c.post("/report/suggest", {"description": "短"}).content.decode().strip() == ""


def test_staff_correct_the_classification(trained, district, as_user):
    st, ev = as_user("resident1").post("/events", report_payload(district, category="livelihood-road",
                                                                 description="楼下烧烤店深夜营业噪音扰民"))
    desk = as_user("comm11")
    page = desk.client.get(f"/e/{ev['id']}/").content.decode()
    assert "更正分类" in page and "智能建议" in page
    st, out = desk.post(f"/events/{ev['id']}/reclassify", {"category": "urban-noise", "urgency": "urgent",
                                                          "note": "按内容更正"})
    assert st == 200 and out["category"] == "urban-noise" and out["urgency"] == "urgent"
    row = EventAction.objects.get(event_id=ev["id"], action="reclassify")
    assert row.data["before"]["category"] == "livelihood-road" and row.data["after"]["category"] == "urban-noise"
    assert row.data["suggested"]["category"] == "urban-noise"
    st, err = desk.post(f"/events/{ev['id']}/reclassify", {"category": "urban"})    # not a leaf
    assert st == 422 and err["fields"]["category"]
    st, err = as_user("grid111").post(f"/events/{ev['id']}/reclassify", {"kind": "help"})
    assert st == 403
    desk.post(f"/events/{ev['id']}/accept", {})
    Event.objects.filter(pk=ev["id"]).update(status="handling")
    st, err = desk.post(f"/events/{ev['id']}/reclassify", {"kind": "help"})
    assert st == 409                                   # once the work started, no more relabelling

"""The classifier core (no Django): learns from labelled text, suggests with confidences, and the
fast path gives exactly the pipeline's scores."""
import random

import numpy as np
import pytest

from gongzhi.textclass.model import TEMPERATURES, _rows, _scores, train

TOPICS = {
    "lamp": ["路灯不亮", "街灯坏了晚上一片漆黑", "小区照明灯损坏", "路灯闪烁不停", "夜里路灯全灭了"],
    "garbage": ["垃圾桶满了没人清运", "垃圾堆在路边发臭", "果皮箱溢出来了", "生活垃圾乱倒", "垃圾站气味很大"],
    "noise": ["夜间施工噪音扰民", "广场舞音响太吵", "楼下烧烤店深夜喧哗", "工地半夜还在打桩", "KTV噪音影响休息"],
}
PLACES = ["胜利路", "延安路", "瑞京路", "芝山路", "新华街", "元光路"]


def corpus(seed=1, n=10):
    rng = random.Random(seed)
    out = []
    for label, texts in TOPICS.items():
        for _ in range(n):
            t = rng.choice(texts)
            out.append((t[:6], f"{rng.choice(PLACES)}{rng.randrange(1, 200)}号附近{t}，希望尽快处理", label))
    return out


@pytest.fixture(scope="module")
def model():
    rows = corpus()
    return train([(t, b, {"category": lab, "urgency": "normal" if i % 3 else "urgent"})
                  for i, (t, b, lab) in enumerate(rows)], min_per_head=10)


def test_suggestions_rank_the_right_label_first_with_confidence(model):
    for text, label in [("路灯坏了不亮", "lamp"), ("垃圾没人清运臭气熏天", "garbage"), ("半夜施工噪音", "noise")]:
        s = model.suggest("", f"元光路88号{text}")["category"]
        assert s[0].label == label and s[0].confidence > s[1].confidence >= s[2].confidence
        assert 0 < s[0].confidence <= 1 and abs(sum(x.confidence for x in s) - 1) < 0.01


def test_the_fast_path_equals_the_pipeline(model):
    head = model.heads["category"]
    rows = _rows([(t, b) for t, b, _ in corpus(seed=9, n=4)] + [("", ""), ("完全无关的一句话", "")])
    slow = _scores(head.pipe, rows)
    fast = np.array([head.scores(r) for r in rows])
    assert np.abs(slow - fast).max() < 1e-9
    two = model.heads["urgency"]          # two labels: sklearn gives one column, we give two
    assert np.abs(_scores(two.pipe, rows) - np.array([two.scores(r) for r in rows])).max() < 1e-9


def test_cross_validation_and_temperature(model):
    head = model.heads["category"]
    assert head.cv_macro_f1 is not None and head.cv_macro_f1 > 0.8
    assert head.temperature in TEMPERATURES and head.n == 30


def test_heads_with_too_few_examples_are_left_out():
    rows = corpus(n=3)
    m = train([(t, b, {"category": lab}) for t, b, lab in rows], min_per_head=10)
    assert m.heads == {}
    m = train([(t, b, {"category": "only"}) for t, b, _ in corpus()], min_per_head=10)
    assert m.heads == {}                        # one label teaches nothing


def test_the_model_survives_pickling(model, tmp_path):
    import joblib
    model.suggest("", "路灯不亮")               # builds the fast path, which must not be pickled
    joblib.dump(model, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    assert again.suggest("", "垃圾桶满了")["category"][0].label == "garbage"

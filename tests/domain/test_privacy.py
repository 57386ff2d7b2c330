"""The privacy policy from tables written out here (not read back from domain.privacy)."""
import pytest

from gongzhi.domain.enums import Action, EventKind
from gongzhi.domain.privacy import (
    Disclosure,
    Person,
    Role,
    Row,
    Secrecy,
    Viewer,
    actor_label,
    disclosure,
    generalise_address,
    generalise_point,
    may_read,
    may_unmask,
    person_view,
    publishable,
    redact_text,
    row_view,
    row_visibility,
    secrecy_of,
    stays_confidential,
)

F, M, P, H = "full", "masked", "pseudonym", "hidden"
# secrecy → viewer → what shows: self, handler, supervisor, other staff, public
REPORTER_TABLE = {
    "normal":       (F, M, M, M, H),
    "anonymous":    (F, P, P, P, H),
    "confidential": (F, P, P, P, H),
}
PARTY_TABLE = (F, F, M, M, H)
VIEWERS = ("self", "handler", "supervisor", "staff", "public")


@pytest.mark.parametrize("secrecy", REPORTER_TABLE)
def test_what_each_viewer_sees_of_a_reporter(secrecy):
    got = tuple(disclosure(Secrecy(secrecy), Viewer(v)).value for v in VIEWERS)
    assert got == REPORTER_TABLE[secrecy]


def test_what_each_viewer_sees_of_a_party():
    assert tuple(disclosure(Secrecy.NORMAL, Viewer(v), Role.PARTY).value for v in VIEWERS) == PARTY_TABLE


UNMASK_TABLE = {   # who may ask for the full value (logged)
    "normal": {"handler", "supervisor"},
    "anonymous": {"supervisor"},
    "confidential": {"supervisor"},
}


@pytest.mark.parametrize("secrecy", UNMASK_TABLE)
def test_who_may_unmask(secrecy):
    assert {v for v in VIEWERS if may_unmask(Secrecy(secrecy), Viewer(v))} == UNMASK_TABLE[secrecy]


@pytest.mark.parametrize("kind, anonymous, confidential, expected", [
    ("tip_off", False, False, "confidential"),     # a 举报 is confidential whatever the flags say
    ("tip_off", True, False, "confidential"),
    ("complaint", False, True, "confidential"),    # once confidential, always
    ("complaint", True, False, "anonymous"),
    ("complaint", False, False, "normal"),
    ("help", False, False, "normal"),
])
def test_secrecy_of(kind, anonymous, confidential, expected):
    assert secrecy_of(kind, anonymous=anonymous, confidential=confidential) == expected


@pytest.mark.parametrize("new_kind, was, expected", [
    ("tip_off", False, True), ("complaint", True, True), ("complaint", False, False), ("tip_off", True, True),
])
def test_confidentiality_follows_the_kind_and_never_lapses(new_kind, was, expected):
    assert stays_confidential(new_kind, was) is expected


def test_person_views():
    sun = Person("孙丽华", "13800138000", "350602199001011234")
    assert person_view(sun, Secrecy.NORMAL, Viewer.HANDLER).__dict__ == {
        "name": "孙**", "phone": "138****8000", "id_number": "350***********1234", "masked": True,
        "disclosure": Disclosure.MASKED}
    assert person_view(sun, Secrecy.CONFIDENTIAL, Viewer.SUPERVISOR).__dict__ == {
        "name": "举报人", "phone": "", "id_number": "", "masked": True, "disclosure": Disclosure.PSEUDONYM}
    assert person_view(sun, Secrecy.ANONYMOUS, Viewer.STAFF).name == "匿名群众"
    assert person_view(sun, Secrecy.NORMAL, Viewer.PUBLIC).__dict__ == {
        "name": "", "phone": "", "id_number": "", "masked": True, "disclosure": Disclosure.HIDDEN}
    assert person_view(sun, Secrecy.CONFIDENTIAL, Viewer.SELF).phone == "13800138000"


@pytest.mark.parametrize("is_subject, system, secrecy, viewer, expected", [
    (True, False, "confidential", "handler", "举报人"),     # the first row of a 举报, to every handler
    (True, False, "confidential", "supervisor", "举报人"),
    (True, False, "anonymous", "staff", "匿名群众"),
    (True, False, "normal", "handler", "孙**"),             # masked like the field, never in full
    (True, False, "normal", "public", "报告人"),
    (True, False, "confidential", "self", "孙丽华"),
    (False, False, "confidential", "handler", "网格员小陈"),   # staff are named to staff
    (False, False, "normal", "self", "工作人员"),             # and not to the public
    (False, True, "normal", "handler", "系统"),
])
def test_how_a_timeline_row_names_its_actor(is_subject, system, secrecy, viewer, expected):
    actor = "孙丽华" if is_subject else "网格员小陈"
    assert actor_label(is_subject=is_subject, actor_name=actor, system=system, secrecy=Secrecy(secrecy),
                       viewer=Viewer(viewer), subject=Person("孙丽华", "13800138000")) == expected


READ_TABLE = {   # visibility → viewers who read the row
    "public": {"self", "handler", "supervisor", "staff", "public"},
    "internal": {"handler", "supervisor", "staff"},
    "confidential": {"supervisor"},
}


@pytest.mark.parametrize("visibility", READ_TABLE)
def test_who_reads_a_row(visibility):
    assert {v for v in VIEWERS if may_read(visibility, Viewer(v))} == READ_TABLE[visibility]


@pytest.mark.parametrize("action, expected", [
    (Action.REPORT, "public"), (Action.ACCEPT, "public"), (Action.REJECT, "public"), (Action.ANSWER, "public"),
    (Action.CLOSE, "public"), (Action.DISPATCH, "public"), (Action.NOTE, "internal"), (Action.RETURN, "internal"),
    (Action.SUPERVISE, "internal"), (Action.WHISTLE, "internal"), (Action.SLA_RED, "internal"),
    (Action.RECLASSIFY, "internal"), (Action.UNMASK, "confidential"),
    ("something_new", "internal"),                         # fails closed
])
def test_row_visibility_by_action(action, expected):
    assert row_visibility(action) == expected


def test_public_rows_show_words_only_where_they_are_written_for_the_reporter():
    dispatch = Row(action="dispatch", visibility="public", actor_name="王主任", is_subject=False, system=False,
                   note="内部：该户有上访史 13700002222", data={"area": "g1"})
    reject = Row(action="reject", visibility="public", actor_name="王主任", is_subject=False, system=False,
                 reason="不属于受理范围，请拨打12345")
    to_self = row_view(dispatch, secrecy=Secrecy.NORMAL, viewer=Viewer.SELF)
    assert to_self == {"actor": "工作人员", "note": "", "reason": "", "data": {}}
    assert row_view(dispatch, secrecy=Secrecy.NORMAL, viewer=Viewer.HANDLER)["note"].startswith("内部")
    assert row_view(reject, secrecy=Secrecy.NORMAL, viewer=Viewer.PUBLIC)["reason"] == "不属于受理范围，请拨打12345"
    note = Row(action="note", visibility="internal", actor_name="小陈", is_subject=False, system=False)
    assert row_view(note, secrecy=Secrecy.NORMAL, viewer=Viewer.SELF) is None


@pytest.mark.parametrize("kind, category_public, confidential, expected", [
    (EventKind.COMPLAINT, True, False, True),
    (EventKind.COMPLAINT, False, False, False),     # not opted in
    (EventKind.COMPLAINT, True, True, False),       # reclassified from a 举报
    (EventKind.TIP_OFF, True, False, False),
    (EventKind.DISPUTE, True, False, False),
    (EventKind.HELP, True, False, False),           # a vulnerable person's door
    (EventKind.HAZARD, True, False, True),
])
def test_what_a_public_feed_may_publish(kind, category_public, confidential, expected):
    assert publishable(kind, category_public=category_public, confidential=confidential) is expected


def test_points_are_snapped_to_the_centre_of_their_cell():
    # 100 m cells: 100 / 111320 ° of latitude; 24.512345 lies in cell 27287 → centre 27287.5 × 100 / 111320
    lon, lat = generalise_point(117.651234, 24.512345, 100)
    assert lat == pytest.approx(24.512666, abs=2e-6)
    assert abs(lon - 117.651234) * 111_320 * 0.91 <= 71 and abs(lat - 24.512345) * 111_320 <= 71
    # Two doors in one cell publish the same point; the exact one is never published.
    assert generalise_point(117.651250, 24.512400, 100) == (lon, lat)
    assert generalise_point(117.651234, 24.512345, 0) == (117.651234, 24.512345)
    assert generalise_point(None, None, 100) == (None, None)


@pytest.mark.parametrize("address, expected", [
    ("新华西路88号3栋201室", "新华西路"),
    ("芗城区胜利路", "芗城区胜利路"),
    ("瑞京路口", "瑞京路口"),
    ("", ""),
])
def test_addresses_are_cut_to_the_street(address, expected):
    assert generalise_address(address) == expected


@pytest.mark.parametrize("text, expected", [
    ("电话13812345678请回电", "电话138****5678请回电"),
    ("身份证350602199001011234", "身份证350***********1234"),
    ("身份证35060219900101123X。", "身份证350***********123X。"),
    ("门牌号 88 号，车牌闽E12345", "门牌号 88 号，车牌闽E12345"),
    ("订单号 138123456789012", "订单号 138123456789012"),     # 15 digits that are no mobile: kept
])
def test_numbers_typed_into_public_text_are_masked(text, expected):
    assert redact_text(text) == expected


def test_the_public_reads_fewer_words_than_the_reporter():
    revisit = Row(action="revisit", visibility="public", actor_name="王主任", is_subject=False, system=False,
                  note="电话回访王女士，表示满意")
    answer = Row(action="answer", visibility="public", actor_name="王主任", is_subject=False, system=False,
                 note="已清运")
    assert row_view(revisit, secrecy=Secrecy.NORMAL, viewer=Viewer.SELF)["note"] == "电话回访王女士，表示满意"
    assert row_view(revisit, secrecy=Secrecy.NORMAL, viewer=Viewer.PUBLIC)["note"] == ""
    assert row_view(answer, secrecy=Secrecy.NORMAL, viewer=Viewer.PUBLIC)["note"] == "已清运"


def test_published_text_names_nobody_and_no_door():
    from gongzhi.domain.privacy import publish_text, redact_people
    wang = Person("王秀兰", "13912345678", "350602199001011234")
    assert redact_people("王秀兰您好，13912345678 已登记", [wang]) == "王**您好，139****5678 已登记"
    assert redact_people("王 先生", [Person("王")]) == "王 先生"      # one character masks nothing
    assert publish_text("王秀兰反映瑞京路919号3栋201室门口垃圾", [wang]) == "王**反映瑞京路**号**栋**室门口垃圾"
    assert publish_text("路灯坏了 2 盏", [wang]) == "路灯坏了 2 盏"


# ---- free text on a party's case, read by someone who sees the parties masked ------------------

ZHANG = Person("张三丰", "13812345678", "35060219800101123X")
LI = Person("李四", "0596-2345678")


@pytest.mark.parametrize("text, people, expected", [
    # each party's full name, phone and ID number as the fields mask them
    ("张三丰与李四因宅基地发生纠纷", [ZHANG, LI], "张**与李*因宅基地发生纠纷"),
    ("张三丰（身份证35060219800101123X，电话13812345678）", [ZHANG],
     "张**（身份证350***********123X，电话138****5678）"),
    ("李四座机0596-2345678", [LI], "李*座机059****5678"),            # a landline, as stored
    # numbers of people who are no party are masked too (redact_text)
    ("证人电话13700002222", [ZHANG], "证人电话137****2222"),
    ("见证人身份证350602199001011234", [], "见证人身份证350***********1234"),
    # a longer name is not cut by a shorter one inside it
    ("张三丰和张三到场", [Person("张三"), ZHANG], "张**和张*到场"),
    # one-character names are left alone: they would star every such character
    ("王家村王某", [Person("王")], "王家村王某"),
    ("双方同意各让一步", [ZHANG, LI], "双方同意各让一步"),
    ("", [ZHANG], ""),
])
def test_free_text_is_redacted_by_the_parties(text, people, expected):
    from gongzhi.domain.privacy import redact_people
    assert redact_people(text, people) == expected


@pytest.mark.parametrize("row, by_reporter, expected", [
    ("public", False, "public"),          # a 办结 "after" photo, like its row
    ("internal", False, "internal"),      # a handler's note photo
    ("internal", True, "internal"),       # the row decides, whoever uploads
    ("confidential", False, "confidential"),
    (None, True, "public"),               # the reporter's own file, sent on its own
    (None, False, "internal"),            # anyone else's, on its own: fail closed
])
def test_a_file_takes_the_visibility_of_its_row(row, by_reporter, expected):
    from gongzhi.domain.privacy import file_visibility
    assert file_visibility(row, by_reporter=by_reporter).value == expected


@pytest.mark.parametrize("text, expected", [
    ("邻居张三丰（电话13812345678）在瑞京路5号302室堆放杂物", "邻居张**（电话138****5678）在瑞京路**号**室堆放杂物"),
    ("芗城区胜利路的王老板占道经营", "芗城区胜利路的王**占道经营"),
    ("小区门口垃圾堆积多日无人清运", "小区门口垃圾堆积多日无人清运"),
])
def test_a_feed_masks_names_of_people_nobody_registered(text, expected):
    from gongzhi.domain.privacy import publish_text
    assert publish_text(text) == expected

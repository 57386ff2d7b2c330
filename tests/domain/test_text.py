"""Clean text (gongzhi.domain.text): what inputs refuse, how stored text is mended."""
import pytest

from gongzhi.domain import text


@pytest.mark.parametrize("char, refused", [
    ("\x00", True), ("\x01", True), ("\x08", True),
    ("\t", False), ("\n", False),                       # tab and LF: ordinary text
    ("\x0b", True), ("\x0c", True),
    ("\r", False),                                      # CR: Windows line ends
    ("\x0e", True), ("\x1f", True),
    (" ", False), ("~", False),
    ("\x7f", True),                                     # DEL
    ("\x80", False), ("\x85", False), ("\xa0", False),  # C1 and NBSP: XML 1.0 holds them
    ("\ud7ff", False), ("\ud800", True), ("\udbff", True), ("\udc00", True), ("\udfff", True),
    ("\ue000", False), ("\ufffd", False), ("\ufffe", True), ("\uffff", True),
    ("\U00010000", False), ("\U0001f600", False), ("\U0010ffff", False),
    ("垃", False),
])
def test_refused_characters_are_exactly_those_xml_cannot_hold_plus_del(char, refused):
    assert (text.first_forbidden(f"前{char}后") == char) is refused
    assert (text.problem(f"前{char}后") is not None) is refused


@pytest.mark.parametrize("char, message", [
    ("\x00", "含有不允许的空字符（U+0000），请删除后重试"),
    ("\x0b", "含有不允许的控制字符（U+000B），请删除后重试"),
    ("\x1f", "含有不允许的控制字符（U+001F），请删除后重试"),
    ("\x7f", "含有不允许的控制字符（U+007F），请删除后重试"),
    ("\ud800", "含有不允许的无效字符（U+D800），请删除后重试"),
    ("\uffff", "含有不允许的无效字符（U+FFFF），请删除后重试"),
])
def test_the_message_names_the_code_point(char, message):
    assert text.message_for(char) == message
    assert text.problem(f"ab{char}cd") == message


def test_problem_looks_into_json_like_values_keys_included_and_names_the_first():
    assert text.problem({"plate": ["闽E", "12\x0b345"]}) == "含有不允许的控制字符（U+000B），请删除后重试"
    assert text.problem({"pl\x01ate": "ok"}) == "含有不允许的控制字符（U+0001），请删除后重试"
    assert text.problem(["a", ("b", "\x02\x0b")]) == "含有不允许的控制字符（U+0002），请删除后重试"
    assert text.problem({"n": 3, "b": True, "x": None, "t": "行一\n行二\t列"}) is None
    assert text.problem(42) is None and text.problem(None) is None
    assert text.problems({"a": "ok", "b": "x\x0cy", "c": {"d": "\x00"}}) == {
        "b": "含有不允许的控制字符（U+000C），请删除后重试", "c": "含有不允许的空字符（U+0000），请删除后重试"}


@pytest.mark.parametrize("stored, mended", [
    ("", ""),
    ("纠纷事实清楚", "纠纷事实清楚"),
    ("行一\n行二\r\n\t缩进", "行一\n行二\r\n\t缩进"),     # tab, LF, CR stay
    ("甲方\x0b乙方", "甲方 乙方"),                        # Word's manual line break: a space
    ("第一页\x0c第二页", "第一页 第二页"),                 # a page break: a space
    ("a\x1cb\x1dc\x1ed\x1fe", "a b c d e"),                # information separators: spaces
    ("\x00开头", "开头"),
    ("铃\x07声\x08退格", "铃声退格"),
    ("删除\x7f键", "删除键"),
    ("半个\ud83d代理", "半个代理"),
    ("非字符\ufffe\uffff", "非字符"),
    ("表情\U0001f600保留", "表情\U0001f600保留"),
    ("\x01\x02\x03", ""),
])
def test_sanitize_mends_stored_text(stored, mended):
    assert text.sanitize(stored) == mended
    assert text.first_forbidden(text.sanitize(stored)) is None


def test_sanitize_returns_clean_text_itself_and_mends_json_like_values():
    clean = "没有任何控制字符的文字"
    assert text.sanitize(clean) is clean
    assert text.sanitize_value({"k\x0b": ["v\x00", 3, None, {"n": "\x7f"}], "ok": True}) == {
        "k ": ["v", 3, None, {"n": ""}], "ok": True}
    assert text.sanitize_value(7) == 7 and text.sanitize_value(None) is None


def test_findings_give_the_path_of_every_refused_character():
    assert text.findings("clean") == [] and text.findings({"a": 1, "b": None, "c": ["x", {"d": "y"}]}) == []
    assert text.findings({
        "description": "甲\x0b乙", "parties": [{"name": "ok"}, {"name": "赵\x00六", "phone": "1\x7f"}],
        "fields": {"pl\x01ate": "v", "n": ["a", "b\ufffe"]}, "amount": 3,
    }) == [(("description",), "\x0b"), (("parties", 1, "name"), "\x00"), (("parties", 1, "phone"), "\x7f"),
           (("fields", "pl\x01ate"), "\x01"), (("fields", "n", 1), "\ufffe")]
    assert text.findings("a\x1fb\x0bc") == [((), "\x1f")]          # the first one per text

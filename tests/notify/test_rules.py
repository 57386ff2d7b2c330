"""domain.notify from tables written out: quiet hours at their edges, when a message may go,
the retry schedule, which channels a user gets, what an SMS may carry."""
from datetime import datetime, time

import pytest

from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.notify import (
    Channel as C,
    Topic as T,
    backoff,
    channels_for,
    headline,
    in_quiet,
    is_dead,
    not_before,
    sms_params,
    sms_text,
)

NIGHT = (time(22, 0), time(7, 0))          # over midnight
NOON = (time(12, 0), time(14, 0))          # inside one day


@pytest.mark.parametrize(("at", "span", "quiet"), [
    (time(21, 59, 59), NIGHT, False),
    (time(22, 0), NIGHT, True),             # the start is quiet
    (time(23, 59), NIGHT, True),
    (time(0, 0), NIGHT, True),
    (time(6, 59, 59), NIGHT, True),
    (time(7, 0), NIGHT, False),             # the end is not
    (time(11, 59), NOON, False),
    (time(12, 0), NOON, True),
    (time(13, 59, 59), NOON, True),
    (time(14, 0), NOON, False),
    (time(3, 0), (time(8, 0), time(8, 0)), False),    # start == end: no quiet hours
])
def test_quiet_hours_edges(at, span, quiet):
    assert in_quiet(at, *span) is quiet


def sh(*a):
    return datetime(*a, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("now", "channel", "goes"), [
    (sh(2026, 11, 2, 21, 59), C.SMS, sh(2026, 11, 2, 21, 59)),       # before quiet: at once
    (sh(2026, 11, 2, 22, 0), C.SMS, sh(2026, 11, 3, 7, 0)),          # at the start: next morning
    (sh(2026, 11, 2, 23, 30), C.WECHAT, sh(2026, 11, 3, 7, 0)),
    (sh(2026, 11, 3, 0, 10), C.SMS, sh(2026, 11, 3, 7, 0)),          # after midnight: this morning
    (sh(2026, 11, 3, 6, 59, 59), C.SMS, sh(2026, 11, 3, 7, 0)),
    (sh(2026, 11, 3, 7, 0), C.SMS, sh(2026, 11, 3, 7, 0)),           # at the end: at once
    (sh(2026, 11, 2, 23, 30), C.EMAIL, sh(2026, 11, 2, 23, 30)),     # email waits in an inbox anyway
    (sh(2026, 11, 2, 23, 30), C.INAPP, sh(2026, 11, 2, 23, 30)),     # in-app always
])
def test_not_before(now, channel, goes):
    assert not_before(now, channel, *NIGHT) == goes


@pytest.mark.parametrize(("attempt", "wait"), [(0, 0), (1, 30), (2, 60), (3, 120), (4, 240), (5, 480),
                                               (7, 1920), (8, 3600), (9, 3600), (20, 3600)])
def test_backoff_doubles_up_to_the_cap(attempt, wait):
    assert backoff(attempt, base=30, cap=3600) == wait


@pytest.mark.parametrize(("attempts", "dead"), [(5, False), (6, True), (7, True)])
def test_dead_after_max_attempts(attempts, dead):
    assert is_dead(attempts, 6) is dead


ALL_OUT = [C.SMS, C.WECHAT, C.EMAIL]


@pytest.mark.parametrize(("topic", "chosen", "enabled", "gets"), [
    (T.DISPATCH, None, ALL_OUT, {C.INAPP}),                          # default: in-app only
    (T.OVERDUE, None, ALL_OUT, {C.INAPP, C.SMS}),                    # default for what cannot wait
    (T.OVERDUE, None, [C.EMAIL], {C.INAPP}),                         # SMS not switched on here
    (T.DISPATCH, {"dispatch": ["sms", "email"]}, ALL_OUT, {C.INAPP, C.SMS, C.EMAIL}),
    (T.OVERDUE, {"overdue": []}, ALL_OUT, {C.INAPP}),                # chose nothing: in-app stays
    (T.SUPERVISE, {"dispatch": ["sms"]}, ALL_OUT, {C.INAPP, C.SMS}),  # another topic's choice: default here
    (T.DISPATCH, {"dispatch": ["fax"]}, ALL_OUT, {C.INAPP}),         # unknown channel ignored
])
def test_channels_for(topic, chosen, enabled, gets):
    assert channels_for(topic, chosen, enabled) == gets


def test_sms_carries_only_topic_number_link():
    p = sms_params(T.ANSWER, "XC20261102-0001", "https://gz.example.cn/e/1/")
    assert set(p) == {"topic", "number", "link"}
    assert sms_text(p) == "【共治】您有一条我的反映有答复：编号XC20261102-0001，详情 https://gz.example.cn/e/1/"


def test_headline_names_no_one():
    assert headline(T.DISPATCH, "XC1", "派遣") == "新派遣：XC1（派遣）"
    assert headline(T.SUPERVISE, "XC1", "督办") == "督办：XC1"

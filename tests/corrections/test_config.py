"""Every 社区矫正 number is configuration: GONGZHI_CORRECTIONS overrides the law's defaults, and a
value the law does not allow stops the start-up check."""
from datetime import date

import pytest

from gongzhi.corrections import services as s
from gongzhi.corrections.checks import legal_limits
from gongzhi.corrections.inputs import LeaveIn
from gongzhi.domain import corrections as dc


@pytest.fixture
def configured(configured_limits):
    return configured_limits


def test_a_configured_township_limit_moves_who_decides(corr, configured):
    subject = corr["subjects"]["active"][0]
    staff = subject.township.staff.first()
    six = LeaveIn(start=date(2026, 11, 10), end=date(2026, 11, 15), destination="福州市", reason="陪同家人就医")
    leave, _ = s.leave_apply(actor=staff, subject_id=subject.pk, data=six)
    assert leave.authority == dc.Authority.TOWNSHIP                  # the default: up to 7 days
    configured(leave_township_days=5)
    later = six.model_copy(update={"start": date(2026, 12, 1), "end": date(2026, 12, 6)})
    leave2, _ = s.leave_apply(actor=staff, subject_id=subject.pk, data=later)
    assert leave2.authority == dc.Authority.COUNTY


def test_an_unlawful_configuration_fails_the_start_up_check(configured):
    configured(report_days=12, monitor_months=4)
    messages = [m.msg for m in legal_limits()]
    assert len(messages) == 2
    assert any("报到期限不得超过十日" in m for m in messages) and any("三个月" in m for m in messages)
    configured(report_days=10)
    assert legal_limits() == []

"""Fake providers on 127.0.0.1 (gongzhi.notify.fakes), switched on through settings."""
import pytest

from gongzhi.notify.fakes import FakeGateway, FakeSmtp


@pytest.fixture
def gateway(settings):
    g = FakeGateway(secret="test-secret").start()
    settings.GONGZHI_NOTIFY_SMS_URL = g.url + "/sms"
    settings.GONGZHI_NOTIFY_SMS_SECRET = "test-secret"
    settings.GONGZHI_NOTIFY_WECHAT_URL = g.url + "/wechat"
    settings.GONGZHI_NOTIFY_WECHAT_TOKEN = "tok"
    settings.GONGZHI_PUBLIC_URL = "https://gz.example.cn"
    settings.GONGZHI_NOTIFY_KICK = "0"
    yield g
    g.stop()


@pytest.fixture
def smtp(settings):
    s = FakeSmtp().start()
    settings.GONGZHI_NOTIFY_SMTP = f"127.0.0.1:{s.port}"
    yield s
    s.stop()


@pytest.fixture
def world(district):
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    return district

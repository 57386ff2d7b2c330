"""Outbound channels behind one interface: ``send(Outgoing) -> provider id`` or ``SendFailed``.

- SMS: an HTTP gateway in the shape Chinese providers use (阿里云/腾讯云 style): a template code
  registered with the provider, its parameters as JSON, the signature 【共治】, our delivery key as
  the provider's out-id (so the provider can drop a duplicate), the request signed with HMAC-SHA256
  over its canonical form.  The parameters are domain.notify.sms_params: topic, number, link — never
  more.
- WeChat: an official-account template message / 企业微信 application message as JSON.
- Email: Django's mail over the configured relay.

Which channels are on is configuration (notify.conf): none but in-app by default.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import smtplib
import time
from dataclasses import dataclass
from typing import Protocol

import requests
from django.core.mail import EmailMessage, get_connection

from gongzhi.domain.notify import SMS_SIGNATURE, Channel, Topic, sms_params

from . import conf

TIMEOUT = 10      # seconds; a gateway slower than this is a failed attempt, retried with backoff


@dataclass(frozen=True)
class Outgoing:
    key: str            # the delivery's unique key: the provider's idempotency id
    channel: Channel
    address: str
    topic: Topic
    number: str
    subject: str        # domain.notify.headline: topic, number, action label
    link: str           # absolute


class SendFailed(Exception):
    """A send that did not go through.  ``permanent``: retrying cannot help (a bad number)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Adapter(Protocol):
    def send(self, msg: Outgoing) -> str: ...


def sign(secret: str, fields: dict[str, str]) -> str:
    """The request's signature: HMAC-SHA256 over the fields sorted by name, key=value joined by &."""
    canonical = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    return base64.b64encode(hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).digest()).decode()


def _post(url: str, body: dict, headers: dict | None = None) -> dict:
    try:
        r = requests.post(url, data=json.dumps(body, ensure_ascii=False).encode(), timeout=TIMEOUT,
                          headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    except requests.RequestException as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if r.status_code >= 500 or r.status_code == 429:
        raise SendFailed(f"HTTP {r.status_code}")
    try:
        answer = r.json()
    except ValueError as exc:
        raise SendFailed(f"HTTP {r.status_code}: not JSON") from exc
    if r.status_code >= 400:
        raise SendFailed(f"HTTP {r.status_code}: {answer}"[:300], permanent=True)
    return answer


# Provider codes that no retry can fix (the number, the template or our account is wrong).
PERMANENT_SMS = frozenset({"isv.MOBILE_NUMBER_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
                           "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "InvalidAccessKeyId"})


class SmsGateway:
    def __init__(self, url: str, key: str, secret: str, template: str):
        self.url, self.key, self.secret, self.template = url, key, secret, template

    def send(self, msg: Outgoing) -> str:
        fields = {"AccessKeyId": self.key, "PhoneNumbers": msg.address, "SignName": SMS_SIGNATURE,
                  "TemplateCode": self.template,
                  "TemplateParam": json.dumps(sms_params(msg.topic, msg.number, msg.link), ensure_ascii=False),
                  "OutId": msg.key, "Timestamp": str(int(time.time())), "SignatureNonce": secrets.token_hex(8)}
        answer = _post(self.url, fields, {"X-Signature": sign(self.secret, fields)})
        code = str(answer.get("Code", ""))
        if code != "OK":
            raise SendFailed(f"{code}: {answer.get('Message', '')}"[:300], permanent=code in PERMANENT_SMS)
        return str(answer.get("BizId", ""))


class WeChat:
    """Template message: {touser, template_id, url, data{first, keyword1, keyword2}}; 企业微信's
    application message takes the same body through its own endpoint (the token in the URL)."""

    def __init__(self, url: str, token: str, template: str):
        self.url, self.token, self.template = url, token, template

    def send(self, msg: Outgoing) -> str:
        body = {"touser": msg.address, "template_id": self.template, "url": msg.link, "client_msg_id": msg.key,
                "data": {"first": {"value": msg.topic.label}, "keyword1": {"value": msg.number},
                         "keyword2": {"value": msg.subject}}}
        sep = "&" if "?" in self.url else "?"
        answer = _post(f"{self.url}{sep}access_token={self.token}", body)
        if answer.get("errcode", 0) != 0:
            raise SendFailed(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300],
                             permanent=answer.get("errcode") in (40003, 43004))   # bad openid / unfollowed
        return str(answer.get("msgid", ""))


class Email:
    def __init__(self, host: str, port: int, sender: str):
        self.host, self.port, self.sender = host, port, sender

    def send(self, msg: Outgoing) -> str:
        mail = EmailMessage(subject=f"【共治】{msg.subject}", body=f"{msg.subject}\n{msg.link}\n",
                            from_email=self.sender, to=[msg.address],
                            headers={"Message-ID": f"<{msg.key.replace(':', '.')}@gongzhi>"},
                            connection=get_connection("django.core.mail.backends.smtp.EmailBackend",
                                                      host=self.host, port=self.port, timeout=TIMEOUT))
        try:
            mail.send()
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise SendFailed(str(exc)[:300], permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
        return msg.key


def adapters() -> dict[Channel, Adapter]:
    """The outbound channels switched on, from configuration read now (tests change it)."""
    on: dict[Channel, Adapter] = {}
    if conf.get("GONGZHI_NOTIFY_SMS_URL"):
        on[Channel.SMS] = SmsGateway(conf.get("GONGZHI_NOTIFY_SMS_URL"), conf.get("GONGZHI_NOTIFY_SMS_KEY"),
                                     conf.get("GONGZHI_NOTIFY_SMS_SECRET"), conf.get("GONGZHI_NOTIFY_SMS_TEMPLATE"))
    if conf.get("GONGZHI_NOTIFY_WECHAT_URL"):
        on[Channel.WECHAT] = WeChat(conf.get("GONGZHI_NOTIFY_WECHAT_URL"), conf.get("GONGZHI_NOTIFY_WECHAT_TOKEN"),
                                    conf.get("GONGZHI_NOTIFY_WECHAT_TEMPLATE"))
    if conf.get("GONGZHI_NOTIFY_SMTP"):
        host, _, port = conf.get("GONGZHI_NOTIFY_SMTP").rpartition(":")
        on[Channel.EMAIL] = Email(host or "127.0.0.1", int(port or 25), conf.get("GONGZHI_NOTIFY_EMAIL_FROM"))
    return on

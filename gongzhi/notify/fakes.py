"""Local stand-ins for the providers, for the tests and the demo (never the internet):

- :class:`FakeGateway`: a threaded HTTP server answering like an SMS provider (``{"Code": "OK",
  "BizId": …}``) and like WeChat (``{"errcode": 0, "msgid": …}``), checking the SMS signature and
  recording every request; ``fail_next(n)`` makes the next n answer 500 (a provider outage),
  and a repeated OutId is answered OK without a second message (what real providers do).
- :class:`FakeSmtp`: a threaded SMTP sink (HELO/EHLO, MAIL, RCPT, DATA, QUIT) recording messages.
  aiosmtpd is not in the lock and Python 3.11's smtpd is deprecated (gone in 3.12): ~60 lines of
  socketserver do what the tests need.

Both bind 127.0.0.1 only.
"""
from __future__ import annotations

import json
import socketserver
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gongzhi.domain.notify import sms_text

from .channels import sign


class FakeGateway:
    def __init__(self, port: int = 0, secret: str = "fake-secret"):
        self.secret = secret
        self.requests: list[dict] = []        # every request: path, headers, body (parsed JSON)
        self.messages: list[dict] = []        # messages actually "delivered" (one per OutId)
        self._fail = 0
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):      # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {}
                status, answer = gateway._answer(self.path, dict(self.headers), body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail_next(self, n: int) -> None:
        with self._lock:
            self._fail = n

    def _answer(self, path: str, headers: dict, body: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            if self._fail > 0:
                self._fail -= 1
                return 500, {"Code": "ServiceUnavailable", "Message": "fake outage"}
            if path.startswith("/sms"):
                fields = {k: str(v) for k, v in body.items()}
                if headers.get("X-Signature") != sign(self.secret, fields):
                    return 200, {"Code": "InvalidAccessKeyId", "Message": "signature does not match"}
                out_id = fields.get("OutId", "")
                if not any(m.get("OutId") == out_id for m in self.messages):
                    params = json.loads(fields.get("TemplateParam") or "{}")
                    self.messages.append({"channel": "sms", "OutId": out_id, "to": fields.get("PhoneNumbers"),
                                          "params": params, "text": sms_text(params)})
                return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.messages)}"}
            self.messages.append({"channel": "wechat", "to": body.get("touser"), "body": body})
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": len(self.messages)}

    def start(self) -> FakeGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self._say("220 fake-smtp ready")
        mail_from, rcpt = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").strip()
            verb = cmd[:4].upper()
            if verb in ("HELO", "EHLO"):
                self._say("250 fake-smtp")
            elif verb == "MAIL":
                mail_from, rcpt = cmd[10:].strip("<> "), []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpt.append(cmd[8:].strip("<> "))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                chunks = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                msg = message_from_bytes(b"".join(chunks), policy=policy.default)
                self.server.messages.append({"from": mail_from, "to": rcpt, "subject": str(msg["subject"]),
                                             "body": msg.get_body(("plain",)).get_content() if msg.get_body(("plain",))
                                             else ""})
                self._say("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpt = "", []
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


class FakeSmtp:
    def __init__(self, port: int = 0):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.messages = []          # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def messages(self) -> list[dict]:
        return self.server.messages        # type: ignore[attr-defined]

    def start(self) -> FakeSmtp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

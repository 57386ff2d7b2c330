import json
import signal
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.notify.fakes import FakeGateway, FakeSmtp


class Command(BaseCommand):
    help = ("演示与测试用的本地假网关：短信/微信 HTTP 网关与 SMTP 服务器（只监听 127.0.0.1，不连互联网），"
            "收到的每条消息写入 GONGZHI_VAR_DIR/fake-gateway.jsonl")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8025, help="HTTP 网关端口（短信 /sms，微信 /wechat）")
        parser.add_argument("--smtp-port", type=int, default=8026)
        parser.add_argument("--secret", default="demo-secret", help="短信请求签名密钥")

    def handle(self, *args, port, smtp_port, secret, **opts):
        gw, smtp = FakeGateway(port, secret=secret).start(), FakeSmtp(smtp_port).start()
        log = Path(settings.VAR_DIR) / "fake-gateway.jsonl"
        self.stdout.write("worker 的环境变量：\n"
                          f"  GONGZHI_NOTIFY_SMS_URL={gw.url}/sms GONGZHI_NOTIFY_SMS_SECRET={secret}\n"
                          f"  GONGZHI_NOTIFY_WECHAT_URL={gw.url}/wechat GONGZHI_NOTIFY_WECHAT_TOKEN=demo\n"
                          f"  GONGZHI_NOTIFY_SMTP=127.0.0.1:{smtp.port}\n"
                          f"收到的消息：{log}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        seen = {"gw": 0, "smtp": 0}
        try:
            while not stop.wait(0.5):
                upto = {"gw": len(gw.messages), "smtp": len(smtp.messages)}     # counted once: lists only grow
                fresh = [*gw.messages[seen["gw"]:upto["gw"]],
                         *({"channel": "email", **m} for m in smtp.messages[seen["smtp"]:upto["smtp"]])]
                seen = upto
                if fresh:
                    with log.open("a", encoding="utf-8") as f:
                        for m in fresh:
                            f.write(json.dumps({"at": time.time(), **m}, ensure_ascii=False) + "\n")
                            self.stdout.write(m.get("text") or m.get("subject") or json.dumps(m, ensure_ascii=False))
        except KeyboardInterrupt:
            pass
        finally:
            gw.stop()
            smtp.stop()

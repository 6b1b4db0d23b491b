"""Local fake servers for the channel tests: a minimal SMTP server and an HTTP group-robot endpoint."""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.test import override_settings


class FakeSMTP:
    def __init__(self):
        self.messages: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 fake ESMTP\r\n")
                data_mode, lines = False, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if data_mode:
                        if line in (b".\r\n", b".\n"):
                            outer.messages.append(b"".join(lines).decode("utf-8", "replace"))
                            data_mode, lines = False, []
                            self.wfile.write(b"250 OK\r\n")
                        else:
                            lines.append(line)
                        continue
                    cmd = line[:4].upper()
                    if cmd == b"EHLO":
                        self.wfile.write(b"250-fake\r\n250 8BITMIME\r\n")
                    elif cmd == b"DATA":
                        data_mode = True
                        self.wfile.write(b"354 go ahead\r\n")
                    elif cmd == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 OK\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeRobot:
    """Answers like 企业微信/钉钉 robots: {"errcode": 0}; set `fail` to answer an error."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.fail = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                outer.posts.append((self.path, json.loads(self.rfile.read(length).decode("utf-8"))))
                body = json.dumps(
                    {"errcode": 310000, "errmsg": "keywords not in content"}
                    if outer.fail
                    else {"errcode": 0, "errmsg": "ok"}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"

    def __enter__(self):
        # it stands for an intranet gateway the bureau has listed (a private address)
        self._allowed = override_settings(DANGJIAN_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])
        self._allowed.enable()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._allowed.disable()
        self.server.shutdown()
        self.server.server_close()


class _JSONServer:
    """A local HTTP server whose handler is the subclass's `answer(method, path, query, body, headers)`."""

    def __init__(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                from urllib.parse import parse_qs, urlsplit

                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", 0) or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, answer = outer.answer(method, parts.path, query, body, dict(self.headers))
                data = answer.encode("utf-8") if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeWeCom(_JSONServer):
    """企业微信's server API as far as 应用消息 go: /cgi-bin/gettoken and /cgi-bin/message/send, with its
    errcodes, `invaliduser`, token expiry, and its duplicate check (a message repeated within the interval is
    answered ok but not delivered again). `inbox` holds what reached people; `fail` answers an error."""

    CORP, SECRET, AGENT = "wwfakecorp", "fake-secret", "1000002"

    def __init__(self, known=("zhangsan", "member_a")):
        super().__init__()
        self.known = set(known)
        self.tokens_issued = 0
        self.token = ""
        self.sends: list[dict] = []
        self.inbox: list[tuple[str, str]] = []
        self.fail: tuple[int, str] | None = None
        self._seen: dict[tuple[str, str], float] = {}

    def expire_token(self):
        self.token = "expired"

    def answer(self, method, path, query, body, headers):
        import time

        if path == "/cgi-bin/gettoken":
            if query.get("corpid") != self.CORP or query.get("corpsecret") != self.SECRET:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            self.tokens_issued += 1
            self.token = f"TOKEN-{self.tokens_issued}"
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": self.token, "expires_in": 7200}
        if path == "/cgi-bin/message/send" and method == "POST":
            if query.get("access_token") != self.token or self.token == "expired":
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            msg = json.loads(body)
            self.sends.append(msg)
            if self.fail:
                return 200, {"errcode": self.fail[0], "errmsg": self.fail[1]}
            if str(msg.get("agentid")) != self.AGENT:
                return 200, {"errcode": 40056, "errmsg": "invalid agentid"}
            user, text = msg["touser"], msg["text"]["content"]
            if user not in self.known:
                return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": user, "msgid": ""}
            key = (user, text)
            now = time.time()
            dup = msg.get("enable_duplicate_check") == 1 and now - self._seen.get(key, -1e9) < msg.get(
                "duplicate_check_interval", 1800
            )
            if not dup:
                self.inbox.append(key)
                self._seen[key] = now
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg{len(self.sends)}"}
        return 404, {"errcode": 404, "errmsg": "not found"}

    def settings(self):
        return override_settings(
            DANGJIAN_WECOM_API=self.base,
            DANGJIAN_WECOM_CORP_ID=self.CORP,
            DANGJIAN_WECOM_AGENT_ID=self.AGENT,
            DANGJIAN_WECOM_SECRET=self.SECRET,
        )


class FakeSMSGateway(_JSONServer):
    """A generic SMS gateway: records each request; answers {"code": 0} (or `status` / `reply` when set)."""

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.status = 200
        self.reply: dict | str = {"code": 0, "msg": "提交成功"}

    def answer(self, method, path, query, body, headers):
        self.requests.append(
            {"method": method, "path": path, "query": query, "body": body, "headers": headers}
        )
        return self.status, self.reply

    def settings(self, **extra):
        values = {
            "DANGJIAN_SMS_URL": f"{self.base}/api/sms/send",
            "DANGJIAN_SMS_METHOD": "POST",
            "DANGJIAN_SMS_BODY": '{"mobile": "{phone}", "content": "{text}"}',
            "DANGJIAN_SMS_CONTENT_TYPE": "application/json; charset=utf-8",
            "DANGJIAN_SMS_HEADER": "Authorization: Bearer sms-test-key",
            "DANGJIAN_SMS_SUCCESS": '"code": 0',
            "DANGJIAN_SMS_SIGN": "【测试商务局】",
        }
        values.update(extra)
        return override_settings(**values)

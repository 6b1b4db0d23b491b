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

"""A fake DingTalk open API on loopback: records every request, answers as documented, fails on demand."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeDingTalk:
    def __init__(self, app_key: str = "key", app_secret: str = "secret"):
        self.app_key, self.app_secret = app_key, app_secret
        self.requests: list[dict] = []
        self.fail_next: list[int] = []  # HTTP statuses (or -1 for errcode -1 "busy") to answer the next sends with
        self.tokens_issued = 0
        self.expire_token = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"method": "GET", "path": url.path, "query": query})
                if url.path != "/gettoken":
                    return self._answer(404, {"errcode": 404})
                if query.get("appkey") != fake.app_key or query.get("appsecret") != fake.app_secret:
                    return self._answer(200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
                fake.tokens_issued += 1
                return self._answer(
                    200, {"errcode": 0, "errmsg": "ok", "access_token": f"T{fake.tokens_issued}", "expires_in": 7200}
                )

            def do_POST(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "method": "POST",
                        "path": url.path,
                        "query": query,
                        "json": body,
                        "type": self.headers.get("Content-Type"),
                    }
                )
                if url.path != "/topapi/message/corpconversation/asyncsend_v2":
                    return self._answer(404, {"errcode": 404})
                if fake.fail_next:
                    status = fake.fail_next.pop(0)
                    if status == -1:
                        return self._answer(200, {"errcode": -1, "errmsg": "系统繁忙"})
                    return self._answer(status, {"errcode": status})
                if fake.expire_token and query.get("access_token") == "T1":
                    return self._answer(200, {"errcode": 42001, "errmsg": "access_token超时"})
                if query.get("access_token") != f"T{fake.tokens_issued}":
                    return self._answer(200, {"errcode": 40014, "errmsg": "不合法的access_token"})
                return self._answer(200, {"errcode": 0, "task_id": 256271667526, "request_id": "4jzllmte0wau"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def sends(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def __enter__(self) -> FakeDingTalk:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

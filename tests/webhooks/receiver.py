"""A real HTTP receiver on loopback (http.server in a thread) that records every request."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: deque = field(default_factory=deque)  # status codes to answer, in order; then 200
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_receiver():
    """(receiver, stop): the receiver answers each POST with the next of ``answers`` (200 when none are left)."""
    box: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver = box["r"]
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                code = receiver.answers.popleft() if receiver.answers else 200
            self.send_response(code)
            if 300 <= code < 400:  # a redirect elsewhere on this receiver: the sender must not follow it
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return box["r"], stop

"""A small client of DingTalk's (钉钉) documented open API for work notifications (工作通知).

Two calls, as documented at open.dingtalk.com ("获取企业内部应用的 access_token" and
"发送工作通知"):

- ``GET {base}/gettoken?appkey=…&appsecret=…`` → ``{"errcode": 0, "access_token": "…", "expires_in": 7200}``
- ``POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=…`` with
  ``{"agent_id": 123, "userid_list": "u1,u2", "msg": {"msgtype": "markdown", "markdown": {…}}}``
  → ``{"errcode": 0, "task_id": 456, "request_id": "…"}``

Why not the official SDK (``alibabacloud-dingtalk``): it wraps the newer ``api.dingtalk.com`` endpoints,
where work notifications are not offered, and pulls in the Tea runtime; these two calls need only the
standard library, and tests point ``base_url`` at a fake server on loopback. 浙政钉 (专有钉钉) exposes the
same message on its own gateway with signed requests: docs/intake.md holds that plan.

The token is cached until shortly before it expires; a token DingTalk calls invalid or expired is fetched
again once; a failure of the network, a 5xx or DingTalk's "busy" (errcode -1) is retried with a short backoff.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
TOKEN_INVALID = {40014, 42001, 40001}
BUSY = {-1}
MAX_TEXT = 5000


class DingTalkError(Exception):
    """DingTalk refused the call, or could not be reached after the retries."""

    def __init__(self, message: str, errcode: int | None = None):
        super().__init__(message)
        self.errcode = errcode


@dataclass(frozen=True)
class DingTalkConfig:
    corp_id: str
    app_key: str
    app_secret: str
    agent_id: int
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 1.0

    @classmethod
    def from_settings(cls) -> DingTalkConfig | None:
        """The deployment's configuration (``settings.GONGFEN_DINGTALK``), or None when not configured."""
        from django.conf import settings

        conf = getattr(settings, "GONGFEN_DINGTALK", None) or {}
        if not (conf.get("app_key") and conf.get("app_secret") and conf.get("agent_id")):
            return None
        return cls(
            corp_id=conf.get("corp_id", ""),
            app_key=conf["app_key"],
            app_secret=conf["app_secret"],
            agent_id=int(conf["agent_id"]),
            base_url=(conf.get("base_url") or DEFAULT_BASE_URL).rstrip("/"),
            timeout=float(conf.get("timeout", 10.0)),
            attempts=int(conf.get("attempts", 3)),
            backoff=float(conf.get("backoff", 1.0)),
        )


class DingTalkClient:
    def __init__(self, config: DingTalkConfig):
        self.config = config
        self._token: str | None = None
        self._token_until = 0.0

    def _call(self, method: str, path: str, query: dict, body: dict | None = None) -> dict:
        url = f"{self.config.base_url}{path}?{urllib.parse.urlencode(query)}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
        last: Exception | None = None
        for attempt in range(self.config.attempts):
            if attempt:
                time.sleep(self.config.backoff * attempt)
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                    answer = json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500:
                    raise DingTalkError(f"钉钉接口返回 HTTP {exc.code}") from exc
                continue
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                last = exc
                continue
            if answer.get("errcode", 0) in BUSY:
                last = DingTalkError(answer.get("errmsg", "busy"), -1)
                continue
            return answer
        raise DingTalkError(f"钉钉接口 {path} 重试 {self.config.attempts} 次仍失败：{last}")

    def access_token(self, *, refresh: bool = False) -> str:
        if self._token and not refresh and time.monotonic() < self._token_until:
            return self._token
        answer = self._call("GET", "/gettoken", {"appkey": self.config.app_key, "appsecret": self.config.app_secret})
        if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
            raise DingTalkError(f"获取钉钉 access_token 失败：{answer.get('errmsg', '')}", answer.get("errcode"))
        self._token = answer["access_token"]
        self._token_until = time.monotonic() + max(int(answer.get("expires_in", 7200)) - 300, 60)
        return self._token

    def send_work_notice(self, *, userids: list[str], title: str, text: str) -> int:
        """Send a markdown work notification to DingTalk users; returns DingTalk's task id."""
        if not userids:
            raise DingTalkError("没有接收人")
        body = {
            "agent_id": self.config.agent_id,
            "userid_list": ",".join(userids),
            "msg": {"msgtype": "markdown", "markdown": {"title": title[:100], "text": text[:MAX_TEXT]}},
        }
        path = "/topapi/message/corpconversation/asyncsend_v2"
        answer = self._call("POST", path, {"access_token": self.access_token()}, body)
        if answer.get("errcode") in TOKEN_INVALID:
            answer = self._call("POST", path, {"access_token": self.access_token(refresh=True)}, body)
        if answer.get("errcode", 0) != 0:
            raise DingTalkError(f"钉钉工作通知发送失败：{answer.get('errmsg', '')}", answer.get("errcode"))
        return int(answer.get("task_id", 0))

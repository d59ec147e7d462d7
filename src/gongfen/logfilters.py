"""Log hygiene: no secret and no personal identifier leaves the process in a log line (docs/security.md).

``RedactFilter`` sits on every handler of ``settings.LOGGING``. It drops the request Django attaches to
its error records (so no handler can print a request body, cookies or headers), and masks what looks
like a password or token assignment, an 18-character 居民身份证号 and an 11-digit mobile number in the
message and in the formatted traceback.
"""

from __future__ import annotations

import logging
import re

MASK = "[已隐去]"
PATTERNS = (
    # password=..., 'password': '...', token: ..., csrfmiddlewaretoken=..., sessionid=...
    re.compile(
        r"(?i)((?:password\d?|passwd|secret|token|csrfmiddlewaretoken|sessionid|csrftoken)['\"]?\s*[:=]\s*\[?['\"]?)"
        r"[^\s'\"&,;\]}]+"
    ),
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),  # 居民身份证号
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile number
)


def redact(text: str) -> str:
    text = PATTERNS[0].sub(lambda m: m.group(1) + MASK, text)
    for pattern in PATTERNS[1:]:
        text = pattern.sub(MASK, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            del record.request  # Django's error records carry the whole request (POST body, cookies, META)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep it as it is rather than lose it
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True

"""Evidence files: the type is read from the content (not the name), the size is bounded, the name is random."""

from __future__ import annotations

import hashlib
import secrets
import weakref
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from gongfen.common import DomainError

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    extension: str


def sniff(content: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def check_upload(name: str, content: bytes) -> CheckedFile:
    if not content:
        raise DomainError(f"文件 {name} 是空的 (empty file)", field="evidence")
    if len(content) > MAX_BYTES:
        raise DomainError(f"文件 {name} 超过 {MAX_BYTES // (1024 * 1024)} MB (file too large)", field="evidence")
    kind = sniff(content)
    if kind is None:
        raise DomainError(f"文件 {name} 不是 PDF 或图片（PNG/JPEG/WebP）(only PDF and images)", field="evidence")
    return CheckedFile(Path(name).name[:255] or "file", content, *kind)


def check_uploads(files) -> list[CheckedFile]:
    """Every (name, content) of one declaration checked, and their number and total size bounded (settings)."""
    files = list(files)
    most, total = settings.GONGFEN_EVIDENCE_MAX_FILES, settings.GONGFEN_EVIDENCE_MAX_BYTES
    if len(files) > most:
        raise DomainError(f"佐证材料最多 {most} 个，本次 {len(files)} 个 (too many files)", field="evidence")
    if sum(len(content) for _, content in files) > total:
        raise DomainError(f"佐证材料合计不能超过 {total // (1024 * 1024)} MB (files too large)", field="evidence")
    return [check_upload(name, content) for name, content in files]


def evidence_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def store(checked: CheckedFile) -> tuple[str, str]:
    """Write the file under a random name; returns (token, sha256).

    Called inside the transaction that creates its Evidence row; if that
    transaction (or the savepoint around it) is rolled back, the file is
    removed again, so no stored file is ever left without its row.
    """
    token = secrets.token_urlsafe(32)
    root = evidence_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / token
    path.write_bytes(checked.content)
    _remove_on_rollback(path)
    return token, hashlib.sha256(checked.content).hexdigest()


def _remove_on_rollback(path: Path) -> None:
    """Remove ``path`` unless the current transaction commits.

    Django has on-commit hooks but no on-rollback one. A rollback (of the whole
    transaction or of the savepoint the file was stored in) drops the hooks
    registered in it without running them: so ``kept`` is a hook that only
    notes the commit, and a finaliser runs when Django lets go of the hook —
    right after running it (commit: the file stays) or when discarding it
    (rollback: the file goes). Outside a transaction the hook runs at once.
    """
    committed: list[bool] = []

    def kept() -> None:
        committed.append(True)

    weakref.finalize(kept, _unless_committed, path, committed)
    transaction.on_commit(kept)


def _unless_committed(path: Path, committed: list[bool]) -> None:
    if not committed:
        path.unlink(missing_ok=True)


def path_of(token: str) -> Path:
    return evidence_root() / token


INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp"}


def file_response(token: str, content_type: str, name: str):
    """A stored evidence file as a private download: its checked type, no sniffing, never cached, 404 if gone."""
    from urllib.parse import quote

    from django.http import FileResponse, Http404

    path = path_of(token)
    if not path.is_file():
        raise Http404("evidence file missing")
    response = FileResponse(path.open("rb"), content_type=content_type)
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Writing cadres and posts (干部与岗位): every change checked, in one transaction, with its audit row.

The checks are those a bundle's cadres and posts must pass (``gongfen load``):
codes as the bundle schema allows them, a post ends on or after it starts.
Which units a user may use is the view's business (``units_for``).
"""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from .models import Cadre, Post, Unit

CODE = re.compile(r"^[^\s/]{1,64}$")  # the bundle schema's code
NAME_MAX = 50
POSITION_MAX = 50


def _post_snapshot(post: Post) -> dict:
    return {
        "id": post.pk,
        "unit": post.unit.code,
        "position": post.position,
        "start": post.start.isoformat(),
        "end": post.end.isoformat() if post.end else None,
    }


def _check_post(*, cadre: Cadre | None, unit: Unit, position: str, start: date, end: date | None) -> str:
    position = (position or "").strip()
    if not position:
        raise DomainError("请填写职务类别 (position required)", field="position")
    if len(position) > POSITION_MAX:
        raise DomainError(f"职务类别最多 {POSITION_MAX} 个字 (position too long)", field="position")
    if start is None:
        raise DomainError("请填写任职开始日期 (start required)", field="start")
    if end is not None and end < start:
        raise DomainError(f"任职结束日期 {end} 早于开始日期 {start} (post ends before it starts)", field="end")
    if cadre is not None:
        overlapping = cadre.posts.filter(unit=unit, position=position).filter(Q(end__isnull=True) | Q(end__gte=start))
        if end is not None:
            overlapping = overlapping.filter(start__lte=end)
        clash = overlapping.first()
        if clash is not None:
            raise DomainError(
                f"{cadre.name} 在 {unit.name} 已有 {position} 岗位（{clash.start} 起），与新岗位时间重叠 "
                "(overlaps an existing post)",
                field="start",
            )
    return position


@transaction.atomic
def cadre_create(
    *, actor: Actor, code: str, name: str, unit: Unit, position: str, start: date, end: date | None = None
) -> Cadre:
    """A new cadre with a first post."""
    code, name = (code or "").strip(), (name or "").strip()
    if not CODE.match(code):
        raise DomainError("干部编码须为 1–64 个字符，不含空格和“/” (invalid code)", field="code")
    if not name or len(name) > NAME_MAX:
        raise DomainError(f"请填写姓名，最多 {NAME_MAX} 个字 (name required)", field="name")
    position = _check_post(cadre=None, unit=unit, position=position, start=start, end=end)
    if Cadre.objects.filter(code=code).exists():
        raise DomainError(f"干部编码 {code} 已被使用 (code in use)", field="code")
    try:
        with transaction.atomic():
            cadre = Cadre.objects.create(code=code, name=name)
    except IntegrityError:  # created meanwhile by someone else
        raise DomainError(f"干部编码 {code} 已被使用 (code in use)", field="code") from None
    post = Post.objects.create(cadre=cadre, unit=unit, position=position, start=start, end=end)
    audit_record(
        actor=actor,
        action="cadre.create",
        obj=cadre,
        after={"code": code, "name": name, "posts": [_post_snapshot(post)]},
    )
    return cadre


@transaction.atomic
def post_add(*, actor: Actor, cadre: Cadre, unit: Unit, position: str, start: date, end: date | None = None) -> Post:
    """A post of ``cadre`` in ``unit`` from ``start`` to ``end`` (inclusive; None = still held).

    A cadre may hold several posts at once (a task force, a village
    stationing), but not the same position in the same unit twice at a time.
    """
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    position = _check_post(cadre=cadre, unit=unit, position=position, start=start, end=end)
    post = Post.objects.create(cadre=cadre, unit=unit, position=position, start=start, end=end)
    audit_record(
        actor=actor, action="post.add", obj=cadre, summary=f"{position} @ {unit.code}", after=_post_snapshot(post)
    )
    return post


@transaction.atomic
def post_end(*, actor: Actor, post: Post, end: date) -> Post:
    """End a post still held on ``end`` (inclusive)."""
    post = Post.objects.select_for_update().select_related("cadre", "unit").get(pk=post.pk)
    if end is None:
        raise DomainError("请填写结束日期 (end required)", field="end")
    if post.end is not None:
        raise DomainError(f"该岗位已于 {post.end} 结束 (the post has ended)", field="end")
    if end < post.start:
        raise DomainError(f"任职结束日期 {end} 早于开始日期 {post.start} (post ends before it starts)", field="end")
    before = _post_snapshot(post)
    post.end = end
    post.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="post.end",
        obj=post.cadre,
        summary=f"{post.position} @ {post.unit.code} → {end}",
        before=before,
        after=_post_snapshot(post),
    )
    return post

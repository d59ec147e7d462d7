"""Objections (异议): filing in the row's window, upholding through the ledger with a republication, dismissing.

Every illegal step is refused with a clear message and nothing changed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gongfen.accounts.models import RoleKind, User
from gongfen.accounts.services import role_grant
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.notices.models import Notice, NoticeKind
from gongfen.org.models import Cadre, Unit
from gongfen.publication import services
from gongfen.publication.models import GroupPeriod, ObjectionStatus, PeriodState, Snapshot
from gongfen.publication.objections import Grant, objection_dismiss, objection_file, objection_uphold
from gongfen.publication.selectors import objection_window, snapshot_current, snapshot_diff
from gongfen.rankings.selectors import group_ranking
from gongfen.schemes.models import Rule
from gongfen.scoring.output import row_as_dict
from tests.publication.helpers import FRI, Q3, at, cadre_user, close_q3, publish_q3, qx, state_of_db
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import ACTOR, MINIMAL_PDF

MON = date(2026, 11, 23)


def user(name: str) -> User:
    return User.objects.get(username=name)


def file(username="a01", text="驻村天数少算了", entry=None, now=None, evidence=None, cadre=None):
    u = user(username)
    return objection_file(
        actor=Actor(u),
        group=qx(),
        period=Q3,
        cadre=cadre or u.cadre,
        text=text,
        entry=entry,
        evidence=evidence,
        now=now or at(MON),
    )


def refused(match, call, **kwargs):
    before = state_of_db()
    with pytest.raises(DomainError, match=match):
        call(**kwargs)
    assert state_of_db() == before


def rule(code):
    return Rule.objects.get(scheme__code="QX-2026", code=code)


def live_rows():
    return {r.cadre: row_as_dict(r) for r in group_ranking(qx(), Q3).rows}


# --- filing ---------------------------------------------------------------------------------------


def test_a_member_files_against_their_row_and_the_deciders_hear_of_it(county):
    publish_q3()
    notices_before = Notice.objects.count()
    objection = file()
    assert objection.status == ObjectionStatus.FILED and objection.entry is None
    assert objection.snapshot == snapshot_current(qx(), Q3) and objection.filed_by == user("a01")
    event = AuditEvent.objects.get(action="objection.file")
    assert event.after["cadre"] == "A01" and event.after["status"] == "filed"
    told = Notice.objects.filter(kind=NoticeKind.OBJECTION_FILED)
    # the deciders: 组织部 and 齐溪镇's administrator, not 桐村镇's, not the reviewer
    assert {n.user.username for n in told} == {"org", "qx_admin"}
    assert Notice.objects.count() == notices_before + 2


def test_a_member_files_against_their_own_entry_with_evidence(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publish_q3()
    objection = file(entry=Entry.objects.get(code="E01"), evidence=("驻村日志.pdf", MINIMAL_PDF))
    assert objection.entry.code == "E01"
    assert objection.evidence_name == "驻村日志.pdf" and objection.evidence_type == "application/pdf"
    assert (tmp_path / "evidence" / objection.evidence_token).read_bytes() == MINIMAL_PDF


def test_the_window_ends_at_the_end_of_its_last_day_in_shanghai(county):
    publish_q3()
    assert objection_window(qx(), Q3, "A01") == (FRI, date(2026, 11, 27))
    file(now=at(date(2026, 11, 27), 23, 59))  # the last minute of the last day
    late = datetime(2026, 11, 27, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 28th in Shanghai
    refused("异议期（2026-11-20 至 2026-11-27）已过", file, now=late)


def test_objecting_before_publication_is_refused(county):
    refused("尚未公示", file, now=at(MON))
    close_q3()
    refused("尚未公示", file, now=at(MON))


def test_objecting_to_a_final_quarter_is_refused(county):
    group = publish_q3()
    services.period_finalize(actor=ACTOR, group=group, period=Q3, today=date(2026, 11, 30))
    refused("已定稿", file, now=at(date(2026, 11, 30)))


def test_a_non_member_may_not_object(county):
    publish_q3()
    refused("甲七 不是 齐溪镇全体干部 2026Q3 排名组的成员", file, username="sk_lead")


def test_objecting_to_another_cadres_entry_is_refused(county):
    publish_q3()
    refused("不是 甲一 本人的记录", file, entry=Entry.objects.get(code="E11"))  # A04's entry


def test_objecting_to_an_entry_of_another_quarter_is_refused(county):
    q4 = ledger.entry_declare(
        actor=ACTOR, cadre=Cadre.objects.get(code="A01"), rule=rule("R-TASK"), occurred_on=date(2026, 10, 9)
    )
    publish_q3()
    refused("不属于", file, entry=q4)


def test_an_empty_objection_is_refused(county):
    publish_q3()
    refused("请写明异议", file, text="   ")


def test_evidence_that_is_not_a_pdf_or_an_image_is_refused(county):
    publish_q3()
    refused("不是 PDF 或图片", file, evidence=("a.exe", b"MZ\x90\x00"))


# --- dismissing ---------------------------------------------------------------------------------------


def test_dismiss_needs_a_reason_and_tells_the_objector(county):
    publish_q3()
    objection = file()
    refused(
        "不予采纳异议必须说明理由", objection_dismiss, actor=Actor(user("qx_admin")), objection=objection, reason=" "
    )
    objection_dismiss(actor=Actor(user("qx_admin")), objection=objection, reason="驻村天数核对无误")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.decided_by == user("qx_admin")
    assert objection.decision_reason == "驻村天数核对无误" and objection.resolved_version is None
    assert Snapshot.objects.count() == 1  # nothing republished
    notice = Notice.objects.get(kind=NoticeKind.OBJECTION)
    assert notice.user == user("a01") and "不予采纳" in notice.title and "驻村天数核对无误" in notice.body
    assert AuditEvent.objects.filter(action="objection.dismiss", reason="驻村天数核对无误").count() == 1


def test_deciding_twice_is_refused(county):
    publish_q3()
    objection = file()
    objection_dismiss(actor=Actor(user("qx_admin")), objection=objection, reason="核对无误")
    refused(
        "已处理（不予采纳），不能再次处理",
        objection_dismiss,
        actor=Actor(user("org")),
        objection=objection,
        reason="再议",
    )
    refused(
        "已处理",
        objection_uphold,
        actor=Actor(user("org")),
        objection=objection,
        reason="改判",
        grant=Grant(rule("R-TASK"), date(2026, 9, 1)),
    )


def test_nobody_decides_their_own_objection(county):
    publish_q3()
    a04 = user("a04")
    role_grant(actor=ACTOR, user=a04, kind=RoleKind.UNIT_ADMIN, unit=Unit.objects.get(code="QX"))
    objection = file(username="a04")
    refused("不能处理本人提出的异议", objection_dismiss, actor=Actor(a04), objection=objection, reason="无")


# --- upholding ----------------------------------------------------------------------------------------


def test_upholding_revokes_the_entry_republishes_and_v2_differs_exactly_in_the_corrected_rows(county):
    publish_q3()
    a05 = cadre_user("A05")
    v1 = snapshot_current(qx(), Q3)
    before = live_rows()
    objection = objection_file(
        actor=Actor(a05),
        group=qx(),
        period=Q3,
        cadre=a05.cadre,
        text="处分决定已于 9 月撤销",
        entry=Entry.objects.get(code="E14"),
        now=at(MON),
    )
    decider = user("qx_admin")
    done = objection_uphold(
        actor=Actor(decider), objection=objection, reason="处分已撤销，核实无误", revoke=True, today=date(2026, 11, 24)
    )
    after = live_rows()

    assert done.status == ObjectionStatus.UPHELD and done.resolved_version == 2
    assert Entry.objects.get(code="E14").status == EntryStatus.REVOKED
    assert Entry.objects.filter(reverses__code="E14", decided_by=decider).count() == 1
    v2 = snapshot_current(qx(), Q3)
    assert v2.version == 2 and v2.reason == "异议采纳：处分已撤销，核实无误"
    assert GroupPeriod.objects.get(group=qx(), period=Q3).state == PeriodState.PUBLISHED

    moved = {c for c in before if before[c] != after[c]}
    assert "A05" in moved and len(moved) < len(before)
    diff = snapshot_diff(v1, v2)
    assert diff.cadres == moved and sorted(moved) == v2.changed
    assert next(c for c in diff.changed if c.cadre == "A05").fields["vetoed"] == (True, False)
    # the window restarts for the changed rows only
    restarted = (date(2026, 11, 24), date(2026, 12, 1))
    assert objection_window(qx(), Q3, "A05") == restarted
    for cadre in before:
        assert objection_window(qx(), Q3, cadre) == (restarted if cadre in moved else (FRI, date(2026, 11, 27)))

    event = AuditEvent.objects.get(action="objection.uphold")
    assert event.after["revoked"] == "E14" and event.after["resolved_version"] == 2 and event.reason
    notice = Notice.objects.get(kind=NoticeKind.OBJECTION, user=a05)
    assert "已采纳" in notice.title and "第 2 版" in notice.title


def test_upholding_grants_the_claimed_points_as_declared_by_the_objector_and_approved_by_the_decider(county):
    publish_q3()
    a04 = user("a04")
    objection = file(username="a04", text="9 月 10 日完成的交办事项漏记 2 项")
    before = live_rows()["A04"]
    objection_uphold(
        actor=Actor(user("org")),
        objection=objection,
        reason="核实漏记",
        grant=Grant(rule("R-TASK"), date(2026, 9, 10), Decimal(2)),
        today=date(2026, 11, 24),
    )
    granted = Entry.objects.get(cadre__code="A04", occurred_on=date(2026, 9, 10))
    assert granted.period == Q3 and granted.status == EntryStatus.APPROVED and granted.amount == Decimal(3)
    assert granted.recorded_by == a04 and granted.decided_by == user("org")
    assert AuditEvent.objects.get(action="entry.declare", object_id=granted.code).after["objection"] == objection.pk
    after = live_rows()["A04"]
    assert Decimal(after["quantitative"]) == Decimal(before["quantitative"]) + 3
    v2 = snapshot_current(qx(), Q3)
    assert next(r for r in v2.data["ranking"]["rows"] if r["cadre"] == "A04")["quantitative"] == after["quantitative"]


def test_uphold_refusals_change_nothing(county):
    publish_q3()
    objection = file(entry=Entry.objects.get(code="E05"))
    row = file(text="排名有误")
    admin = Actor(user("qx_admin"))
    refused("采纳异议必须说明理由", objection_uphold, actor=admin, objection=objection, reason="", revoke=True)
    refused("至少选择一项更正", objection_uphold, actor=admin, objection=objection, reason="成立")
    refused("只有针对一条已通过记录", objection_uphold, actor=admin, objection=row, reason="成立", revoke=True)
    refused(
        "不是 .* 可申报的规则",
        objection_uphold,
        actor=admin,
        objection=row,
        reason="成立",
        grant=Grant(rule("B-GEN"), date(2026, 9, 1)),
    )
    refused(
        "不在 2026Q3 内",
        objection_uphold,
        actor=admin,
        objection=row,
        reason="成立",
        grant=Grant(rule("R-TASK"), date(2026, 10, 1)),
    )
    # a rule that needs evidence, for an objection without any: the ledger refuses, and the revocation is undone
    refused(
        "须上传佐证材料",
        objection_uphold,
        actor=admin,
        objection=objection,
        reason="成立",
        revoke=True,
        grant=Grant(rule("S-INV"), date(2026, 9, 1)),
    )
    assert Entry.objects.get(code="E05").status == EntryStatus.APPROVED


def test_ordinary_declaring_into_a_published_quarter_is_still_refused(county):
    publish_q3()
    with pytest.raises(DomainError, match="2026Q3 已关账"):
        ledger.entry_declare(
            actor=ACTOR, cadre=Cadre.objects.get(code="A04"), rule=rule("R-TASK"), occurred_on=date(2026, 9, 1)
        )
    services.period_finalize(actor=ACTOR, group=qx(), period=Q3, today=date(2026, 11, 30))
    with pytest.raises(DomainError, match="2026Q3 已关账"):  # an objection's correction never reaches a final quarter
        ledger.entry_declare(
            actor=ACTOR,
            cadre=Cadre.objects.get(code="A04"),
            rule=rule("R-TASK"),
            occurred_on=date(2026, 9, 1),
            upheld_objection=1,
        )


def test_finalizing_with_a_filed_objection_is_refused(county):
    publish_q3()
    objection = file()
    before = state_of_db()
    with pytest.raises(DomainError, match="还有 1 条异议待处理"):
        services.period_finalize(actor=ACTOR, group=qx(), period=Q3, today=date(2026, 11, 30))
    assert state_of_db() == before
    objection_dismiss(actor=Actor(user("qx_admin")), objection=objection, reason="核对无误")
    assert services.period_finalize(actor=ACTOR, group=qx(), period=Q3, today=date(2026, 11, 30)).state == "final"

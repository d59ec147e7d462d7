"""Rows of tests/audit/test_coverage.py's tables for the intake domain (kept apart so each domain adds its own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

Driver = Callable[[], object]


def _t():
    """tests.audit.test_coverage, imported late (it imports this module)."""
    from tests.audit import test_coverage

    return test_coverage


def _intake():
    from gongfen.intake import services

    return services


def _ledger():
    from gongfen.ledger import services

    return services


def _source():
    """Source YJS of 组织部, owned by qx_admin, pushing R-TASK for QX."""
    from gongfen.org.models import Unit

    t = _t()
    source, _ = _intake().source_register(
        actor=t.by("org"),
        code="YJS",
        name="一件事",
        owner=t.user("qx_admin"),
        rules=[t.rule("R-TASK")],
        units=[Unit.objects.get(code="QX")],
    )
    return source


def _linked():
    from gongfen.org.models import Cadre

    source = _source()
    _intake().person_link_set(
        actor=_t().by("org"), source=source, identifier="zzd-4", cadre=Cadre.objects.get(code="A04")
    )
    return source


def _received(source=None):
    record = {
        "source_record_id": "1",
        "person": "zzd-4",
        "scheme": "QX-2026",
        "rule": "R-TASK",
        "occurred_on": date(2026, 8, 3),
        "quantity": 1,
    }
    return _intake().batch_receive(source=source or _linked(), records=[record])


def _proposal():
    ((_, proposal),) = _received().created
    return proposal


def _draft():
    from gongfen.org.models import Cadre

    t = _t()
    return _ledger().entry_declare(
        actor=t.by("a04"),
        cadre=Cadre.objects.get(code="A04"),
        rule=t.rule("R-TASK"),
        occurred_on=date(2026, 8, 3),
        submit=False,
    )


def _warning():
    """The 2026Q3 last-tier warning of A05 in QX-ALL, as the warnings page finds it."""
    from django.utils import timezone

    from gongfen.analytics.warnings import warnings_for
    from gongfen.schemes.models import Scheme

    found = warnings_for(Scheme.objects.all(), "2026Q3", timezone.localdate())
    return next(w for w in found if (w.subject, w.group, w.reason) == ("A05", "QX-ALL", "last_tier"))


def _follow_up():
    from gongfen.analytics import services

    return services.warning_follow_up(actor=_t().by("qx_admin"), warning=_warning(), action="talked", note="已谈话提醒")


def _setting_save():
    from gongfen.reminders import services

    t = _t()
    return services.setting_save(
        actor=t.by("a01"), user=t.user("a01"), opted_out=False, quiet_start=time(21), quiet_end=time(8)
    )


# service -> (the audit action its call must write, a driver making one legal call on the county fixture)
WRITES: dict[str, tuple[str, Driver]] = {
    "gongfen.intake.services.source_register": ("intake.source.register", _source),
    "gongfen.intake.services.source_deactivate": (
        "intake.source.deactivate",
        lambda: _intake().source_deactivate(actor=_t().by("org"), source=_source()),
    ),
    "gongfen.intake.services.person_link_set": ("intake.person.link", _linked),
    "gongfen.intake.services.batch_receive": ("intake.batch.receive", _received),
    "gongfen.intake.services.proposal_confirm": (
        "intake.proposal.confirm",
        lambda: _intake().proposal_confirm(actor=_t().by("a04"), proposal=_proposal()),
    ),
    "gongfen.intake.services.proposal_decline": (
        "intake.proposal.decline",
        lambda: _intake().proposal_decline(actor=_t().by("a04"), proposal=_proposal(), reason="不是我办的"),
    ),
    "gongfen.reminders.services.setting_save": ("reminders.setting", _setting_save),
    "gongfen.ledger.services.entry_withdraw": (
        "entry.withdraw",
        lambda: _ledger().entry_withdraw(actor=_t().by("a04"), entry=_t().pending(), reason="填错了"),
    ),
    "gongfen.ledger.services.entry_draft_update": (
        "entry.edit",
        lambda: _ledger().entry_draft_update(
            actor=_t().by("a04"), entry=_draft(), occurred_on=date(2026, 8, 4), quantity=2, description="改"
        ),
    ),
    "gongfen.ledger.services.entry_draft_delete": (
        "entry.delete",
        lambda: _ledger().entry_draft_delete(actor=_t().by("a04"), entry=_draft(), reason="重复"),
    ),
    "gongfen.analytics.services.warning_follow_up": ("warning.follow_up", _follow_up),
}

# service -> why it is not an audited write of its own (a read, a helper, a step of an audited service)
NOT_WRITES: dict[str, str] = {
    "gongfen.intake.services.evidence_line": "read: formats a proposal's source as evidence text for proposal_confirm",
    "gongfen.intake.services.form_timing_record": (
        "access metadata: the form's fill time (填报用时) of an entry whose declaration entry_declare audited"
    ),
    "gongfen.reminders.services.digest_items": "read: counts what waits for a user",
    "gongfen.reminders.services.in_quiet_hours": "read: whether a moment is in a user's quiet hours",
    "gongfen.reminders.services.digests_send": (
        "sends reminders (cron, no actor): its Digest rows are the once-a-day throttle and its notices are"
        " messages, no record of the product"
    ),
}

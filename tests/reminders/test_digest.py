"""The daily digest: at most one per person per day (pinned clock), opt-out, quiet hours, DingTalk, the command."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongfen.accounts.models import User
from gongfen.common import Actor, DomainError
from gongfen.ledger import services as ledger
from gongfen.notices.models import Notice
from gongfen.org.models import Cadre
from gongfen.reminders import services
from gongfen.reminders.dingtalk import DingTalkClient, DingTalkConfig
from gongfen.reminders.models import Digest
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403

from .fake_dingtalk import FakeDingTalk

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 9, 21, 9, 0, tzinfo=SH)


@pytest.fixture
def waiting(county):
    """A04 declared an entry: qx_reviewer and org have a review waiting."""
    with time_machine.travel(datetime(2026, 9, 20, 10, 0, tzinfo=SH), tick=False):
        ledger.entry_declare(
            actor=Actor(User.objects.get(username="a04")),
            cadre=Cadre.objects.get(code="A04"),
            rule=Rule.objects.get(scheme__code="QX-2026", code="R-TASK"),
            occurred_on=datetime(2026, 9, 1).date(),
            quantity=Decimal(1),
        )


def digests(username):
    return Notice.objects.filter(user__username=username, title__startswith="工分提醒")


def test_one_digest_per_person_per_day(waiting):
    with time_machine.travel(MORNING, tick=False):
        report = services.digests_send()
    assert {"qx_reviewer", "org"} <= set(report.users)
    assert "条记录待您审核" in digests("qx_reviewer").get().body
    with time_machine.travel(datetime(2026, 9, 21, 15, 0, tzinfo=SH), tick=False):
        again = services.digests_send()
    assert again.sent == 0 and again.already >= 2
    assert digests("qx_reviewer").count() == 1
    with time_machine.travel(datetime(2026, 9, 22, 9, 0, tzinfo=SH), tick=False):
        services.digests_send()
    assert digests("qx_reviewer").count() == 2
    assert Digest.objects.filter(user__username="qx_reviewer").count() == 2


def test_nothing_waiting_nothing_sent(waiting):
    with time_machine.travel(MORNING, tick=False):
        services.digests_send()
    assert not digests("tc_admin").exists() and not digests("a01").exists()


def test_opted_out_and_quiet_hours(waiting):
    reviewer, org = User.objects.get(username="qx_reviewer"), User.objects.get(username="org")
    services.setting_save(actor=Actor(reviewer), user=reviewer, opted_out=True, quiet_start=None, quiet_end=None)
    services.setting_save(actor=Actor(org), user=org, opted_out=False, quiet_start=time(21, 0), quiet_end=time(9, 30))
    with time_machine.travel(MORNING, tick=False):
        report = services.digests_send()
    assert report.opted_out >= 1 and report.quiet == 1
    assert not digests("qx_reviewer").exists() and not digests("org").exists()
    with time_machine.travel(datetime(2026, 9, 21, 9, 30, tzinfo=SH), tick=False):
        services.digests_send()
    assert digests("org").count() == 1 and not digests("qx_reviewer").exists()


def test_settings_are_ones_own_and_consistent(county):
    a01, a04 = User.objects.get(username="a01"), User.objects.get(username="a04")
    with pytest.raises(DomainError, match="本人"):
        services.setting_save(actor=Actor(a01), user=a04, opted_out=True, quiet_start=None, quiet_end=None)
    with pytest.raises(DomainError, match="同时"):
        services.setting_save(actor=Actor(a01), user=a01, opted_out=False, quiet_start=time(22, 0), quiet_end=None)


def test_the_settings_page_saves(county, login):
    client = login("a01")
    assert client.get("/reminders/settings/").status_code == 200
    response = client.post(
        "/reminders/settings/", {"quiet_start": "22:00", "quiet_end": "07:00", "dingtalk_userid": "manager4220"}
    )
    assert response.status_code == 302
    setting = User.objects.get(username="a01").reminder_setting
    assert setting.quiet_start == time(22, 0) and setting.dingtalk_userid == "manager4220" and not setting.opted_out


def test_dingtalk_work_notification_for_those_with_an_id(waiting):
    reviewer = User.objects.get(username="qx_reviewer")
    services.setting_save(
        actor=Actor(reviewer),
        user=reviewer,
        opted_out=False,
        quiet_start=None,
        quiet_end=None,
        dingtalk_userid="dt-a02",
    )
    with FakeDingTalk() as fake:
        client = DingTalkClient(DingTalkConfig("c", "key", "secret", 9, base_url=fake.url, backoff=0))
        with time_machine.travel(MORNING, tick=False):
            report = services.digests_send(client=client)
        (send,) = fake.sends()
    assert report.dingtalk_sent == 1 and report.dingtalk_failed == 0
    assert send["json"]["userid_list"] == "dt-a02" and send["json"]["agent_id"] == 9
    assert "条记录待您审核" in send["json"]["msg"]["markdown"]["text"]
    assert Digest.objects.get(user=reviewer).channels == ["app", "dingtalk"]


def test_dingtalk_failure_keeps_the_in_app_digest(waiting):
    reviewer = User.objects.get(username="qx_reviewer")
    services.setting_save(
        actor=Actor(reviewer),
        user=reviewer,
        opted_out=False,
        quiet_start=None,
        quiet_end=None,
        dingtalk_userid="dt-a02",
    )
    with FakeDingTalk() as fake:
        fake.fail_next = [500, 500]
        client = DingTalkClient(DingTalkConfig("c", "key", "secret", 9, base_url=fake.url, backoff=0, attempts=2))
        with time_machine.travel(MORNING, tick=False):
            report = services.digests_send(client=client)
    assert report.dingtalk_failed == 1
    assert digests("qx_reviewer").count() == 1
    assert Digest.objects.get(user=reviewer).channels == ["app"]


def test_the_command(waiting, settings, capsys):
    from gongfen.cli import main

    with FakeDingTalk() as fake:
        settings.GONGFEN_DINGTALK = {"app_key": "key", "app_secret": "secret", "agent_id": "5", "base_url": fake.url}
        with time_machine.travel(MORNING, tick=False):
            assert main(["reminders", "send"]) == 0
    out = capsys.readouterr().out
    assert "已发送 (sent) 2，" in out and "无待办 (nothing due) 6" in out  # qx_reviewer and org; 6 have nothing
    assert digests("qx_reviewer").count() == 1

"""The DingTalk client against a fake server on loopback: the token fetch, the work notification, its JSON,
a failure and a retry, an expired token fetched again. Nothing leaves 127.0.0.1."""

import pytest

from gongfen.reminders.dingtalk import DingTalkClient, DingTalkConfig, DingTalkError

from .fake_dingtalk import FakeDingTalk


@pytest.fixture
def fake():
    with FakeDingTalk() as server:
        yield server


def client_for(fake, **kw) -> DingTalkClient:
    options = {"attempts": 3, "backoff": 0.0, "timeout": 5.0} | kw
    return DingTalkClient(
        DingTalkConfig(corp_id="ding1", app_key="key", app_secret="secret", agent_id=42, base_url=fake.url, **options)
    )


def test_token_then_work_notification_with_the_documented_json(fake):
    client = client_for(fake)
    task = client.send_work_notice(userids=["u1", "u2"], title="工分提醒", text="- 3 条记录待您审核")
    assert task == 256271667526
    token, send = fake.requests
    assert token == {"method": "GET", "path": "/gettoken", "query": {"appkey": "key", "appsecret": "secret"}}
    assert send["path"] == "/topapi/message/corpconversation/asyncsend_v2" and send["query"] == {"access_token": "T1"}
    assert send["type"].startswith("application/json")
    assert send["json"] == {
        "agent_id": 42,
        "userid_list": "u1,u2",
        "msg": {"msgtype": "markdown", "markdown": {"title": "工分提醒", "text": "- 3 条记录待您审核"}},
    }


def test_the_token_is_cached(fake):
    client = client_for(fake)
    client.send_work_notice(userids=["u1"], title="a", text="b")
    client.send_work_notice(userids=["u1"], title="a", text="b")
    assert [r["path"] for r in fake.requests].count("/gettoken") == 1


def test_a_server_error_and_a_busy_answer_are_retried(fake):
    fake.fail_next = [502, -1]
    assert client_for(fake).send_work_notice(userids=["u1"], title="a", text="b") == 256271667526
    assert len(fake.sends()) == 3


def test_giving_up_after_the_attempts(fake):
    fake.fail_next = [500, 500, 500]
    with pytest.raises(DingTalkError, match="重试 3 次"):
        client_for(fake).send_work_notice(userids=["u1"], title="a", text="b")
    assert len(fake.sends()) == 3


def test_an_expired_token_is_fetched_again_once(fake):
    fake.expire_token = True
    client = client_for(fake)
    client.send_work_notice(userids=["u1"], title="a", text="b")
    assert fake.tokens_issued == 2
    assert [r["query"]["access_token"] for r in fake.sends()] == ["T1", "T2"]


def test_a_wrong_secret_is_a_clear_error(fake):
    client = DingTalkClient(
        DingTalkConfig(corp_id="", app_key="key", app_secret="nope", agent_id=1, base_url=fake.url, backoff=0)
    )
    with pytest.raises(DingTalkError, match="access_token"):
        client.send_work_notice(userids=["u1"], title="a", text="b")
    assert fake.sends() == []


def test_configuration_comes_from_settings(settings):
    settings.GONGFEN_DINGTALK = {"app_key": "", "app_secret": "", "agent_id": ""}
    assert DingTalkConfig.from_settings() is None
    settings.GONGFEN_DINGTALK = {"corp_id": "c", "app_key": "k", "app_secret": "s", "agent_id": "7", "base_url": ""}
    config = DingTalkConfig.from_settings()
    assert config.agent_id == 7 and config.base_url == "https://oapi.dingtalk.com"

"""The inbox: newest first, unread bold, mark one (htmx or plain POST) or all read; the unread badge in the nav."""

from __future__ import annotations

from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.notices.models import Notice
from gongfen.notices.services import notify
from tests.web_fixtures import *  # noqa: F403

INBOX = reverse("notices:inbox")


def send(username: str, title: str) -> Notice:
    return notify([User.objects.get(username=username)], kind="other", title=title, url="/publication/")[0]


def test_the_inbox_lists_the_users_own_notices_newest_first(county, login, client):
    assert client.get(INBOX).status_code == 302  # anonymous: to the login page
    send("a01", "第一条")
    send("a01", "第二条")
    send("a04", "别人的")
    response = login("a01").get(INBOX)
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["第二条", "第一条"]
    body = response.content.decode()
    assert "别人的" not in body
    assert body.count('class="notice unread"') == 2


def test_the_nav_shows_the_unread_count(county, login):
    client = login("a01")
    assert 'class="badge unread-count"' not in client.get("/").content.decode()
    send("a01", "一")
    send("a01", "二")
    assert '<span class="badge unread-count">2</span>' in client.get(INBOX).content.decode()


def test_mark_one_read_by_htmx_and_by_plain_post(county, login):
    first, second = send("a01", "一"), send("a01", "二")
    client = login("a01")
    fragment = client.post(reverse("notices:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert 'class="notice"' in fragment.content.decode() and "标为已读" not in fragment.content.decode()
    assert Notice.objects.get(pk=first.pk).read_at is not None
    plain = client.post(reverse("notices:read", args=[second.pk]), {"next": "/publication/"})
    assert plain.status_code == 302 and plain["Location"] == "/publication/"
    assert not Notice.objects.filter(user__username="a01", read_at__isnull=True).exists()
    evil = send("a01", "三")
    assert client.post(reverse("notices:read", args=[evil.pk]), {"next": "https://evil.example/"})["Location"] == INBOX


def test_someone_elses_notice_is_404_and_stays_unread(county, login):
    other = send("a04", "别人的")
    response = login("a01").post(reverse("notices:read", args=[other.pk]))
    assert response.status_code == 404
    assert Notice.objects.get(pk=other.pk).read_at is None
    assert login("a01").get(reverse("notices:read", args=[other.pk])).status_code == 405


def test_mark_all_read_touches_only_the_users_notices(county, login):
    send("a01", "一")
    send("a01", "二")
    other = send("a04", "别人的")
    assert login("a01").post(reverse("notices:read_all")).status_code == 302
    assert not Notice.objects.filter(user__username="a01", read_at__isnull=True).exists()
    assert Notice.objects.get(pk=other.pk).read_at is None


def test_the_inbox_pins_its_query_count(county, login, django_assert_num_queries):
    for i in range(5):
        send("a01", f"通知 {i}")
    client = login("a01")
    with django_assert_num_queries(7):  # session, user, paginator count, roles, cadre name, unread badge, page
        client.get(INBOX)

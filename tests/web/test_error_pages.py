"""Error pages in Chinese, in the site's layout (issue 18): never Django's bare English "Not Found"."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import bad_request, server_error

from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_404_is_chinese_and_keeps_the_navigation(county, login):
    response = login("a01").get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "Not Found" not in html
    assert 'class="tabbar' in html and "回到首页" in html  # the phone's tab bar is still there


def test_404_for_anonymous_too(client):
    response = client.get("/ledger/entry/NOPE/")
    assert response.status_code in (302, 404)  # login first, then a Chinese 404
    assert "Not Found" not in client.get("/no-such-page/").content.decode()


def test_a_stale_form_says_so_in_chinese(county):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/display/", {"large": "1"})
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and "Forbidden" not in html


def test_400_and_500_pages_render_without_a_request_context():
    request = RequestFactory().get("/")
    failed = server_error(request)
    assert failed.status_code == 500 and "系统出错" in failed.content.decode()
    bad = bad_request(request, exception=None)
    assert bad.status_code == 400 and "请求有误" in bad.content.decode()

"""A NUL character in a query or form value is refused with 400 before any view or database sees it."""

from django.urls import reverse

from gongfen.ledger.models import Entry
from tests.web_fixtures import *  # noqa: F403


def test_a_nul_in_a_bulk_selection_is_refused_and_changes_nothing(county, login):
    client = login("qx_reviewer")
    before = Entry.objects.filter(status="approved").count()
    response = client.post(reverse("ledger:review_bulk"), {"entries": ["E01\x00"], "decision": "approve"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert Entry.objects.filter(status="approved").count() == before


def test_a_nul_in_a_query_is_refused(county, login):
    response = login("a01").get(reverse("ledger:mine"), {"period": "2026Q3\x00"})
    assert response.status_code == 400


def test_ordinary_requests_pass(county, login):
    assert login("a01").get(reverse("ledger:mine"), {"period": "2026Q3"}).status_code == 200


def test_a_nul_in_a_url_path_is_refused(county, login):
    """A code in the URL reaches a query: PostgreSQL would refuse the NUL with a 500."""
    response = login("org").get("/people/A0%001/")
    assert response.status_code == 400 and "空字符" in response.content.decode()

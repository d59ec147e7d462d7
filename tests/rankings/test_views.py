"""The ranking pages: who sees a board, the spec's numbers on it, every number of a row's breakdown, htmx, queries."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, URLResolver, path, reverse

import gongfen.urls
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry
from gongfen.rankings.page_selectors import default_period
from gongfen.schemes.models import Scheme
from tests.conftest import EXAMPLES, load_json
from tests.factories import ACTOR, example_bundle, load
from tests.web_fixtures import *  # noqa: F403

# --- base.html links to every section; pages other engineers are still building get a stand-in ---
# (only names that do not resolve yet: once they exist this urlconf is exactly gongfen.urls)
NAV_NAMES = ("ledger:mine", "ledger:declare", "ledger:declarations", "ledger:review", "schemes:list", "org:people")


def _with_stand_ins(patterns, names):
    missing = defaultdict(list)
    for name in names:
        try:
            reverse(name, urlconf=gongfen.urls)
        except NoReverseMatch:
            namespace, short = name.split(":")
            missing[namespace].append(path(f"stand-in/{short}/", lambda request: HttpResponse(), name=short))
    return [
        URLResolver(p.pattern, [*p.url_patterns, *missing[p.namespace]], p.default_kwargs, p.app_name, p.namespace)
        if isinstance(p, URLResolver) and p.namespace in missing
        else p
        for p in patterns
    ]


urlpatterns = _with_stand_ins(gongfen.urls.urlpatterns, NAV_NAMES)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ROOT_URLCONF = __name__
    # the fixture's eight users would take two seconds of Argon2 per test; these tests log in with force_login
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- reading pages -----------------------------------------------------------------


BLOCKS = {"p", "div", "li", "ul", "td", "th", "tr", "dt", "dd", "br", "h1", "h2", "h3", "h4", "section", "summary"}


class _Page(HTMLParser):
    """Rows marked ``data-<key>="…"``: their cells' text (and the row's class); and the whole text."""

    def __init__(self, key: str):
        super().__init__()
        self.key, self.rows, self.classes, self.texts = f"data-{key}", {}, {}, []
        self._row, self._cell, self._depth = None, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS:
            self.texts.append(" ")
        if tag == "tr":
            self._depth += 1
            if self.key in attrs and self._row is None:
                self._row, self._row_depth = attrs[self.key], self._depth
                self.rows[self._row], self.classes[self._row] = [], attrs.get("class", "")
        elif tag in ("td", "th") and self._row is not None and self._depth == self._row_depth:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.texts.append(" ")
        if tag in ("td", "th") and self._cell is not None and self._depth == self._row_depth:
            self.rows[self._row].append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr":
            if self._row is not None and self._depth == self._row_depth:
                self._row = None
            self._depth -= 1

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page(response, key: str = "cadre") -> _Page:
    parser = _Page(key)
    parser.feed(response.content.decode())
    parser.text = squash("".join(parser.texts))
    return parser


def board_url(group="QX-ALL", period="2026Q3"):
    return reverse("rankings:board", args=[group, period])


def row_url(cadre, group="QX-ALL", period="2026Q3"):
    return reverse("rankings:row", args=[group, period, cadre])


VIEWS = {
    "boards": lambda: reverse("rankings:boards"),
    "board": board_url,
    "row": lambda: row_url("A01"),
}
HTMX = {"HX-Request": "true"}


# --- who sees what -------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(county, client, view):
    url = VIEWS[view]()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url


@pytest.mark.parametrize("username", ["org", "qx_admin", "qx_reviewer"])
@pytest.mark.parametrize("view", VIEWS)
def test_administrators_and_reviewers_in_scope_see_the_board(county, login, username, view):
    response = login(username).get(VIEWS[view]())
    assert response.status_code == 200
    assert "齐溪镇全体干部" in response.content.decode()


@pytest.mark.parametrize("username", ["tc_admin", "tc_reviewer"])
@pytest.mark.parametrize("view", ["board", "row"])
def test_out_of_scope_is_not_found(county, login, username, view):
    assert login(username).get(VIEWS[view]()).status_code == 404


@pytest.mark.parametrize("username", ["tc_admin", "tc_reviewer"])
def test_out_of_scope_groups_are_not_listed(county, login, username):
    response = login(username).get(reverse("rankings:boards"))
    assert response.status_code == 200
    assert "QX-ALL" not in response.content.decode()
    assert "没有符合条件的排名组" in response.content.decode()


@pytest.mark.parametrize("username", ["a01", "a04", "sk_lead"])
@pytest.mark.parametrize("view", VIEWS)
def test_cadres_without_an_admin_or_reviewer_role_get_404(county, login, username, view):
    assert login(username).get(VIEWS[view]()).status_code == 404


@pytest.mark.parametrize("url", [board_url("NOPE"), row_url("A01", group="NOPE")])
def test_an_unknown_group_is_not_found(county, login, url):
    assert login("org").get(url).status_code == 404


@pytest.mark.parametrize("period", ["2026Q5", "2025Q4", "2027Q1", "2026q3", "junk"])
@pytest.mark.parametrize("make", [board_url, lambda **kw: row_url("A01", **kw)])
def test_a_period_the_scheme_does_not_have_is_not_found_with_a_reason(county, login, make, period):
    response = login("org").get(make(period=period))
    assert response.status_code == 404
    text = page(response).text
    assert "没有这个期间" in text and ("期间格式错误" in text or "属于 2026 年" in text)
    assert reverse("rankings:board", args=["QX-ALL", "2026Q3"]) in response.content.decode()  # the way back


@pytest.mark.parametrize("cadre", ["A07", "NOPE"])
def test_a_cadre_not_on_the_board_is_not_found(county, login, cadre):
    assert login("org").get(row_url(cadre)).status_code == 404


# --- the board -------------------------------------------------------------------------

ACTION_LABELS = {"recommend": "首位推荐", "retrain": "末位回炉", "adjust": "调整"}


def test_the_board_shows_the_spec_numbers(county, login):
    response = login("org").get(board_url())
    board = page(response)
    expected = load_json(EXAMPLES / "qixi-2026q3.expected.json")
    ranked = [code for code in board.rows if code != "A06"]
    assert ranked == [r["cadre"] for r in expected["rows"]]  # in rank order
    for r in expected["rows"]:
        cells = board.rows[r["cadre"]]
        assert cells[0] == str(r["rank"]) and cells[1] == r["cadre"] and cells[3] == r["tier"]
        assert cells[4:8] == [r["composite"], r["quantitative"], r["quantitative_normalized"], r["qualitative"] or "—"]
        assert cells[8] == ("一票否决" if r["vetoed"] else "")
        assert cells[9] == " ".join(ACTION_LABELS[a] for a in r["actions"])
    assert board.rows["A01"] == ["1", "A01", "甲一", "一档", "97.43", "99.50", "100.00", "91.43", "", "首位推荐", "92"]
    assert board.rows["A05"][3:] == ["四档", "68.70", "55.00", "55.28", "100.00", "一票否决", "末位回炉", "92"]
    assert board.rows["A06"] == ["甲六", "A06", "21", "不足 30 天"]  # unranked
    assert {code: board.classes[code] for code in ("A01", "A02", "A08", "A05")} == {
        "A01": "tier-0",
        "A02": "tier-1",
        "A08": "tier-2",
        "A05": "tier-last",
    }
    assert "参与排名 6 人" in board.text and "2026-07-01 – 2026-09-30" in board.text
    for bound in ("一档：名次 ≤ ⌊0.2×6⌋ = 1", "二档：名次 ≤ ⌊0.7×6⌋ = 4", "三档：名次 ≤ ⌊0.95×6⌋ = 5"):
        assert bound in board.text
    assert "四档：名次 ≤ ⌊1×6⌋ = 6，及一票否决者" in board.text


def test_a_row_opens_its_breakdown_inline_with_htmx_and_as_a_page_without(county, login):
    html = login("org").get(board_url()).content.decode()
    url = row_url("A01")
    assert f'href="{url}" hx-get="{url}" hx-target="next tr" hx-swap="outerHTML"' in html
    fragment = login("org").get(url, headers=HTMX)
    content = fragment.content.decode().strip()
    assert content.startswith('<tr class="detail"') and "<html" not in content
    assert "综合得分 = 0.7 × 折算分 + 0.3 × 定性分 = 0.7 × 100.00 + 0.3 × 91.43 ≈ 97.43" in page(fragment).text
    assert "<html" in login("org").get(url).content.decode()


def test_the_filter_returns_only_the_rows_with_htmx(county, login):
    client = login("org")
    by_name = client.get(board_url(), {"q": "甲一"}, headers=HTMX)
    assert "<html" not in by_name.content.decode() and "<tbody" not in by_name.content.decode()
    assert list(page(by_name).rows) == ["A01"]
    assert list(page(client.get(board_url(), {"q": "a0"}, headers=HTMX)).rows) == [
        "A01", "A02", "A04", "A03", "A08", "A05",
    ]  # fmt: skip
    assert list(page(client.get(board_url(), {"tier": "1"}, headers=HTMX)).rows) == ["A02", "A04", "A03"]
    empty = client.get(board_url(), {"q": "nobody"}, headers=HTMX)
    assert not page(empty).rows and "没有符合条件的干部" in empty.content.decode()


def test_the_filter_works_without_javascript(county, login):
    response = login("org").get(board_url(), {"tier": "3"})
    assert "<html" in response.content.decode()
    rows = page(response).rows
    assert [code for code in rows if code != "A06"] == ["A05"]  # the unranked list is not filtered
    assert 'name="tier"' in response.content.decode() and '<option value="3" selected>四档</option>' in (
        response.content.decode()
    )
    assert list(page(login("org").get(board_url(), {"tier": "9"})).rows) == [
        "A01", "A02", "A04", "A03", "A08", "A05", "A06",
    ]  # fmt: skip  # an unknown tier filters nothing


# --- one row's breakdown ---------------------------------------------------------------


def breakdown(login, cadre, **kw):
    response = login("org").get(row_url(cadre, **kw))
    assert response.status_code == 200
    return page(response, "rule"), page(response, "category-total"), page(response, "class")


def test_a01_breakdown_has_every_number_of_the_spec(county, login):
    rules, categories, classes = breakdown(login, "A01")
    assert rules.rows["B-GEN"] == [
        "B-GEN 岗位分（一般干部）",
        "60 × 92 / 92 = 60.00 岗位分 × 在岗天数 ÷ 季度天数，四舍五入到两位小数",
        "60.00",
        "—",
        "60.00",
    ]
    z_day = rules.rows["Z-DAY"]
    assert "E01 2026-07-15 0.5 × 30 = 15.00 已通过" in z_day[1] and "E02 2026-08-15 0.5 × 20 = 10.00 已通过" in z_day[1]
    assert z_day[2:] == ["25.00", "≤ 20", "20.00 已封顶"]
    assert "E03 2026-07-20 4 × 4 = 16.00 已通过" in rules.rows["S-RES"][1]
    assert rules.rows["S-RES"][2:] == ["16.00", "≤ 12", "12.00 已封顶"]
    assert "E04 2026-09-01 6 × 1 = 6.00 已通过" in rules.rows["S-INV"][1]
    assert rules.rows["S-INV"][2:] == ["6.00", "—", "6.00"]
    assert "E05 2026-09-30 1.5 × 3 = 4.50 已通过" in rules.rows["R-TASK"][1]
    assert rules.rows["R-TASK"][2:] == ["4.50", "—", "4.50"]
    assert categories.rows == {
        "base": ["岗位分小计", "60.00", "—", "60.00"],
        "stationing": ["驻村分小计", "20.00", "—", "20.00"],
        "routine": ["日常工作小计", "4.50", "—", "4.50"],
        "special": ["专项加分小计", "18.00", "≤ 15", "15.00 已封顶"],
        "deduction": ["扣分小计", "0.00", "≥ −20", "0.00"],
    }
    assert classes.rows == {
        "leader": ["领导评价", "0.4", "1", "否（不足 5 票）", "100.00"],
        "peer": ["同事互评", "0.3", "5", "是（5 票及以上）", "80.00"],
    }
    text = rules.text
    for line in (
        "工分 = 60.00 + 20.00 + 4.50 + 15.00 + 0.00 = 99.50",
        "扣分合计 = 0.00",
        "最高工分为 99.50",
        "折算分 = 100 × 工分 ÷ 组内最高工分 = 100 × 99.50 ÷ 99.50 = 100.00",
        "定性分 = (0.4 × 100.00 + 0.3 × 80.00) / (0.4 + 0.3) = 91.43",
        "综合得分 = 0.7 × 折算分 + 0.3 × 定性分 = 0.7 × 100.00 + 0.3 × 91.43 ≈ 97.43",
        "名次 1（共 6 人参与排名",
        "一档：名次 1 ≤ ⌊0.2×6⌋ = 1",
        "上季度（2026Q2）：二档，名次 2",
        "首位推荐：名次第一",
    ):
        assert line in text, line


def test_a03_breakdown_prorates_the_base_and_ignores_the_pending_entry(county, login):
    rules, categories, classes = breakdown(login, "A03")
    assert rules.rows["B-GEN"][1].startswith("60 × 61 / 92 = 39.78")
    assert rules.rows["B-GEN"][2:] == ["39.78", "—", "39.78"]
    assert "E09 2026-08-20 1.5 × 4 = 6.00 已通过" in rules.rows["R-TASK"][1]
    assert "E10" not in rules.text  # pending: not in the ledger's posted lines
    assert classes.rows == {"leader": ["领导评价", "0.4", "1", "否（不足 5 票）", "85.00"]}
    assert categories.rows["special"] == ["专项加分小计", "0.00", "≤ 15", "0.00"]
    text = rules.text
    for line in (
        "在组天数 61 / 92",
        "工分 = 39.78 + 6.00 + 0.00 + 0.00 = 45.78",
        "折算分 = 100 × 工分 ÷ 组内最高工分 = 100 × 45.78 ÷ 99.50 = 46.01",
        "定性分 = (0.4 × 85.00) / (0.4) = 85.00",
        "综合得分 = 0.7 × 折算分 + 0.3 × 定性分 = 0.7 × 46.01 + 0.3 × 85.00 ≈ 57.71",
        "二档：名次 4 ≤ ⌊0.7×6⌋ = 4，4 > ⌊0.2×6⌋ = 1（不在一档）",
        "上季度（2026Q2）未参与本组排名",
        "处理： 无",
    ):
        assert line in text, line


def test_a_vetoed_row_explains_its_deduction_cap_and_last_tier(county, login):
    rules, categories, _ = breakdown(login, "A05")
    assert "E14 2026-09-05 -50 × 1 = -50.00 已通过" in rules.rows["D-VETO"][1]
    assert categories.rows["deduction"] == ["扣分小计", "-50.00", "≥ −20", "-20.00 已封顶"]
    text = rules.text
    assert "工分 = 60.00 + 15.00 + 0.00 − 20.00 = 55.00" in text
    assert "扣分合计 = -20.00" in text
    assert "一票否决：排在未被否决者之后，列入末档（四档）" in text
    assert "末位回炉：本季度在末档（四档）" in text and "一票否决者不推荐首位" in text


def test_a_revoked_entry_and_its_reversal_both_show_and_cancel(county, login):
    ledger.entry_revoke(actor=ACTOR, entry=Entry.objects.get(code="E03"), reason="重复填报")
    rules, _, _ = breakdown(login, "A01")
    s_res = rules.rows["S-RES"]
    assert "E03 2026-07-20 4 × 4 = 16.00 已撤销" in s_res[1]
    assert "E03~R1 2026-07-20 -4 × 4 = -16.00 已通过 冲销" in s_res[1]
    assert s_res[2:] == ["0.00", "≤ 12", "0.00"]


def test_a_mean_that_does_not_terminate_is_shown_rounded_and_marked(county, login):
    bundle = web_bundle()  # ballots replace those of the scheme and quarter: the spec's, and three peers for A03
    bundle["ballots"] += [
        {"cadre": "A03", "scheme": "QX-2026", "period": "2026Q3", "class": "peer", "grade": grade}
        for grade in ("优秀", "良好", "较差")
    ]
    load(bundle)
    _, _, classes = breakdown(login, "A03")
    assert classes.rows["peer"] == ["同事互评", "0.3", "3", "否（不足 5 票）", "≈ 78.33"]  # 235 / 3
    # (0.4 × 85 + 0.3 × 235/3) / 0.7 = 82.142857…
    assert "定性分 = (0.4 × 85.00 + 0.3 × 78.33) / (0.4 + 0.3) = 82.14" in classes.text


def test_an_unranked_cadre_shows_days_and_entries(county, login):
    response = login("org").get(row_url("A06"))
    assert response.status_code == 200
    assert "本季度在本组 21 天，不足 30 天，不参与排名" in page(response).text


def test_streaks_show_the_previous_quarter(county, login):
    load(example_bundle("kh-heads-2026.json"))
    client = login("org")
    board = page(client.get(board_url("KH-TH", "2026Q2")))
    assert board.rows["H01"][0] == board.rows["H02"][0] == "1"  # a shared first rank
    assert board.rows["H01"][7] == "—"  # no ballots: L absent
    h01, _, _ = breakdown(login, "H01", group="KH-TH")
    for line in ("上季度（2026Q2）：一档，名次 1", "首位推荐：本季度与上季度均在一档", "综合得分 = 折算分 = 86.67"):
        assert line in h01.text, line
    assert "本组本季度参与排名者均无测评票" in h01.text
    h06, _, _ = breakdown(login, "H06", group="KH-TH")
    assert "上季度（2026Q2）：四档，名次 5" in h06.text and "调整：本季度与上季度均在末档（四档）" in h06.text
    q1, _, _ = breakdown(login, "H01", group="KH-TH", period="2026Q1")
    assert "第一季度：不看上季度" in q1.text


# --- the list of boards ----------------------------------------------------------------


def test_boards_lists_groups_by_scheme_with_the_quarters_of_its_year(county, login):
    load(example_bundle("kh-heads-2026.json"))
    response = login("org").get(reverse("rankings:boards"))
    html = response.content.decode()
    groups = page(response, "group").rows
    assert groups["QX-ALL"][:3] == ["齐溪镇全体干部", "QX-ALL", "单位：齐溪镇（含下级）"]
    assert groups["QX-ALL"][3] == "2026Q1 2026Q2 2026Q3 2026Q4"
    assert groups["KH-TH"][2] == "职务：乡镇长"
    for quarter in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        assert f'href="{board_url("QX-ALL", quarter)}"' in html
    assert 'data-scheme="QX-2026"' in html and 'data-scheme="KH-2026"' in html
    assert list(page(login("qx_admin").get(reverse("rankings:boards")), "group").rows) == ["QX-ALL"]


def test_boards_search_by_name_or_code_with_and_without_htmx(county, login):
    load(example_bundle("kh-heads-2026.json"))
    client = login("org")
    assert list(page(client.get(reverse("rankings:boards"), {"q": "qx-"}), "group").rows) == ["QX-ALL"]
    fragment = client.get(reverse("rankings:boards"), {"q": "乡镇长"}, headers=HTMX)
    assert "<html" not in fragment.content.decode()
    assert list(page(fragment, "group").rows) == ["KH-TH"]


def test_the_current_quarter_of_a_scheme_year(county):
    scheme = Scheme.objects.get(code="QX-2026")
    assert default_period(scheme, date(2026, 8, 1)).code == "2026Q3"
    assert default_period(scheme, date(2027, 2, 1)).code == "2026Q4"
    assert default_period(scheme, date(2025, 5, 1)).code == "2026Q1"


@pytest.mark.parametrize("url", [lambda: reverse("rankings:boards"), board_url, lambda: row_url("A01")])
def test_no_inline_script_or_style(county, login, url):
    html = login("org").get(url()).content.decode()
    assert " style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " hx-on" not in html


# --- queries -------------------------------------------------------------------------------


def web_bundle():
    """The bundle as the web fixture loads it (A01 in the task force, S-INV needing evidence)."""
    bundle = example_bundle()
    bundle["cadres"][0]["posts"].append({"unit": "SK", "position": "组员", "start": "2026-01-01", "end": None})
    for rule in bundle["schemes"][0]["rules"]:
        if rule["code"] == "S-INV":
            rule["evidence_required"] = True
    return bundle


def grow(extra: int):
    """The web fixture's bundle with ``extra`` more cadres of 齐溪镇, each with an approved entry."""
    bundle = web_bundle()
    for i in range(extra):
        code = f"X{i:02d}"
        bundle["cadres"].append(
            {"code": code, "name": f"某{i}", "posts": [{"unit": "QX", "position": "一般干部", "start": "2025-01-01"}]}
        )
        bundle["entries"].append(
            {
                "id": f"EX{i}",
                "cadre": code,
                "scheme": "QX-2026",
                "rule": "R-TASK",
                "occurred_on": "2026-08-01",
                "quantity": "2",
                "status": "approved",
            }
        )
    load(bundle)


# session, user, roles; the group, its rules; posts, totals, ballots (both quarters at once); names
BOARD_QUERIES = 9
PAGE_QUERIES = 1  # a whole page (not an htmx fragment): the unread notices of base.html
LIFECYCLE_QUERIES = 2  # the board's lifecycle panel: the quarter's state, the right to move it


def test_the_board_takes_a_fixed_number_of_queries_whatever_the_group_size(county, login, django_assert_num_queries):
    client = login("org")
    with django_assert_num_queries(BOARD_QUERIES + PAGE_QUERIES + LIFECYCLE_QUERIES):
        assert page(client.get(board_url())).text.count("不足 30 天") == 1
    grow(40)
    with django_assert_num_queries(BOARD_QUERIES + PAGE_QUERIES + LIFECYCLE_QUERIES):
        response = client.get(board_url())
    board = page(response)
    assert len(board.rows) == 47 and "参与排名 46 人" in board.text
    assert "一档：名次 ≤ ⌊0.2×46⌋ = 9" in board.text
    with django_assert_num_queries(BOARD_QUERIES):
        client.get(board_url(), {"q": "某"}, headers=HTMX)


def test_the_boards_list_takes_a_fixed_number_of_queries(county, login, django_assert_num_queries):
    client = login("org")
    # session, user, roles, groups with scheme and units; the unread notices
    with django_assert_num_queries(4 + PAGE_QUERIES):
        client.get(reverse("rankings:boards"))
    load(example_bundle("kh-heads-2026.json"))
    with django_assert_num_queries(4 + PAGE_QUERIES):
        assert len(page(client.get(reverse("rankings:boards")), "group").rows) == 2


def test_a_row_takes_a_fixed_number_of_queries(county, login, django_assert_num_queries):
    client = login("org")
    # the board's 9, the ledger lines, and the quarter before ranked by the core (posts, totals, ballots)
    with django_assert_num_queries(BOARD_QUERIES + 4 + PAGE_QUERIES):
        client.get(row_url("A01"))
    grow(40)
    with django_assert_num_queries(BOARD_QUERIES + 4 + PAGE_QUERIES):
        client.get(row_url("X07"))

"""The scheme editor's pages: who sees what, the same refusals as ``gongfen load``, versions, derive and diff."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from gongfen.interchange.selectors import bundle_dump
from gongfen.interchange.services import workspace_for
from gongfen.interchange.validate import check_bundle
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.schemes.forms import RuleForm, SchemeParamsForm
from gongfen.schemes.models import Rule, RuleVersion, Scheme
from tests.factories import load
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

BUNDLE = "gongfen-bundle/1"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The county's eight users are made with set_password; Argon2 would be most of each test's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def dumped(code: str) -> dict:
    """A scheme as ``gongfen dump`` writes it: what an administrator would edit and load from the command line."""
    return copy.deepcopy(next(s for s in bundle_dump()["schemes"] if s["code"] == code))


@pytest.fixture
def schemes(county):
    """Beside the example's QX-2026 (齐溪镇): the county template KH-2026 and 桐村镇's TC-2026 derived from it."""
    qx = dumped("QX-2026")
    kh = copy.deepcopy(qx) | {"code": "KH-2026", "name": "开化县2026年考评模板", "unit": "KH"}
    tc = copy.deepcopy(qx) | {"code": "TC-2026", "name": "桐村镇细则", "unit": "TC", "derived_from": "KH-2026"}
    load({"format": BUNDLE, "schemes": [kh, tc]})
    return county


def rules_state() -> list:
    return sorted(Rule.objects.values_list("scheme__code", "code", "version", "points", "cap", "category"))


def schemes_state() -> list:
    return sorted(Scheme.objects.values_list("code", "weight_qualitative", "tiers", "min_days"))


def rule_post(rule: Rule, **changes) -> dict:
    data = {k: v for k, v in RuleForm.initial_for(rule).items() if k != "code"}
    return data | changes


def params_post(scheme: Scheme, **changes) -> dict:
    data = {k: str(v) for k, v in SchemeParamsForm.initial_for(scheme).items()}
    return data | changes


def qx_rule(code: str) -> Rule:
    return Rule.objects.get(scheme__code="QX-2026", code=code)


# --- who may open what ---------------------------------------------------------------------------

PAGES = [
    ("schemes:detail", ["{s}"]),
    ("schemes:rule_add", ["{s}"]),
    ("schemes:rule_edit", ["{s}", "R-TASK"]),
    ("schemes:params", ["{s}"]),
]
IN_SCOPE = {"org": {"QX-2026", "TC-2026", "KH-2026"}, "qx_admin": {"QX-2026"}, "tc_admin": {"TC-2026"}}


def page_urls(scheme: str) -> list[str]:
    return [reverse(name, args=[a.format(s=scheme) for a in args]) for name, args in PAGES]


def test_anonymous_is_sent_to_log_in(client, schemes):
    urls = [reverse("schemes:list"), reverse("schemes:derive"), *page_urls("QX-2026")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    before = rules_state()
    response = client.post(reverse("schemes:rule_remove", args=["QX-2026", "B-MID"]), {"reason": "x"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert rules_state() == before


@pytest.mark.parametrize("username", ["org", "qx_admin", "tc_admin", "qx_reviewer", "a01"])
def test_who_sees_which_scheme(login, schemes, username):
    client = login(username)
    admin = username in IN_SCOPE
    for url in (reverse("schemes:list"), reverse("schemes:derive")):
        assert client.get(url).status_code == (200 if admin else 404), url
    for scheme in ("QX-2026", "TC-2026", "KH-2026"):
        expected = 200 if scheme in IN_SCOPE.get(username, ()) else 404
        for url in page_urls(scheme):
            assert client.get(url).status_code == expected, (username, url)


def test_the_list_shows_the_schemes_in_scope(login, schemes):
    body = login("qx_admin").get(reverse("schemes:list")).content.decode()
    assert "QX-2026" in body and "TC-2026" not in body and "KH-2026" not in body
    body = login("org").get(reverse("schemes:list")).content.decode()
    assert all(code in body for code in ("QX-2026", "TC-2026", "KH-2026"))
    assert "开化县2026年考评模板" in body  # TC-2026's template


@pytest.mark.parametrize("username", ["tc_admin", "qx_reviewer", "a01"])
def test_refused_writes_change_nothing(login, schemes, username):
    client = login(username)
    rules, params = rules_state(), schemes_state()
    r = qx_rule("R-TASK")
    posts = [
        (reverse("schemes:rule_edit", args=["QX-2026", "R-TASK"]), rule_post(r, points="9")),
        (reverse("schemes:rule_add", args=["QX-2026"]), rule_post(r, code="R-NEW")),
        (reverse("schemes:rule_remove", args=["QX-2026", "B-MID"]), {"reason": "不用"}),
        (reverse("schemes:params", args=["QX-2026"]), params_post(Scheme.objects.get(code="QX-2026"), min_days="9")),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    qx = Scheme.objects.get(code="QX-2026").unit_id
    data = {"unit": qx, "template": Scheme.objects.get(code="KH-2026").pk, "year": "2027"}
    response = client.post(reverse("schemes:derive"), data)
    if username == "tc_admin":  # an administrator, but 齐溪镇 is not among the units offered
        assert response.status_code == 200 and "unit" in response.context["form"].errors
    else:
        assert response.status_code == 404
    assert not Scheme.objects.filter(year=2027).exists()
    assert rules_state() == rules and schemes_state() == params


def test_a_unit_administrator_cannot_touch_the_county_template(login, schemes):
    client = login("qx_admin")
    rules = rules_state()
    r = Rule.objects.get(scheme__code="KH-2026", code="R-TASK")
    assert (
        client.post(reverse("schemes:rule_edit", args=["KH-2026", "R-TASK"]), rule_post(r, points="9")).status_code
        == 404
    )
    assert client.post(reverse("schemes:rule_remove", args=["KH-2026", "B-MID"]), {"reason": "x"}).status_code == 404
    assert rules_state() == rules


def test_removing_is_a_post(login, schemes):
    assert login("qx_admin").get(reverse("schemes:rule_remove", args=["QX-2026", "B-MID"])).status_code == 405


# --- the same refusals as gongfen load ------------------------------------------------------------


def load_messages(scheme: dict, path: str) -> list[str]:
    """The messages ``gongfen load`` prints at ``path`` for a bundle holding this scheme."""
    bundle = {"format": BUNDLE, "schemes": [scheme]}
    return [p.message for p in check_bundle(bundle, workspace_for(bundle)) if p.path == path]


def _cap_on_base(s):
    s["rules"][0]["cap"] = "5"


def _positive_deduction(s):
    s["rules"][6]["points"] = "2"


def _duplicate_code(s):
    s["rules"].append({"code": "R-TASK", "name": "又一项交办", "category": "routine", "points": "1"})


def _tiers_short_of_one(s):
    s["tiers"] = [
        {"name": "一档", "cumulative": "0.2"},
        {"name": "二档", "cumulative": "0.7"},
        {"name": "三档", "cumulative": "0.9"},
    ]


def _weights_over_one(s):
    s["weights"]["qualitative"] = "0.4"


def _tier_not_increasing(s):
    s["tiers"][1]["cumulative"] = "0.1"


NEW_RULE = {
    "code": "R-TASK",
    "name": "又一项交办",
    "category": "routine",
    "points": "1",
    "unit_label": "",
    "cap": "",
    "veto": "",
    "positions": "",
    "evidence_required": "",
}
PARITY = [
    ("cap on a base rule", "rule_edit", "B-GEN", {"cap": "5"}, _cap_on_base, "$.schemes[0].rules[0].cap", "cap"),
    (
        "positive deduction",
        "rule_edit",
        "D-ERR",
        {"points": "2"},
        _positive_deduction,
        "$.schemes[0].rules[6].points",
        "points",
    ),
    ("duplicate code", "rule_add", None, NEW_RULE, _duplicate_code, "$.schemes[0].rules[8].code", "code"),
    (
        "tiers not ending at 1",
        "params",
        None,
        {"tiers": "一档=0.2\n二档=0.7\n三档=0.9"},
        _tiers_short_of_one,
        "$.schemes[0].tiers[2].cumulative",
        "tiers",
    ),
    (
        "tiers not increasing",
        "params",
        None,
        {"tiers": "一档=0.2\n二档=0.1\n三档=0.95\n四档=1"},
        _tier_not_increasing,
        "$.schemes[0].tiers[1].cumulative",
        "tiers",
    ),
    (
        "weights not summing to 1",
        "params",
        None,
        {"weight_qualitative": "0.4"},
        _weights_over_one,
        "$.schemes[0].weights",
        "weight_qualitative",
    ),
]


@pytest.mark.parametrize(
    ("case", "view", "rule", "change", "mutate", "path", "field"), PARITY, ids=[p[0] for p in PARITY]
)
def test_the_form_says_what_gongfen_load_says(login, schemes, case, view, rule, change, mutate, path, field):
    scheme = dumped("QX-2026")
    mutate(scheme)
    expected = load_messages(scheme, path)
    assert expected, f"{case}: the loader finds nothing at {path}"
    qx = Scheme.objects.get(code="QX-2026")
    if view == "rule_edit":
        url, data = reverse("schemes:rule_edit", args=["QX-2026", rule]), rule_post(qx_rule(rule), **change)
    elif view == "rule_add":
        url, data = reverse("schemes:rule_add", args=["QX-2026"]), change
    else:
        url, data = reverse("schemes:params", args=["QX-2026"]), params_post(qx, **change)
    rules, params, versions = rules_state(), schemes_state(), RuleVersion.objects.count()
    response = login("qx_admin").post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == expected
    assert escape(expected[0]) in response.content.decode()
    assert rules_state() == rules and schemes_state() == params and RuleVersion.objects.count() == versions


def test_a_category_change_on_a_rule_with_entries_is_refused_as_on_load(login, schemes):
    scheme = dumped("QX-2026")
    scheme["rules"][3]["category"] = "special"
    expected = load_messages(scheme, "$.schemes[0].rules[3].category")
    response = login("qx_admin").post(
        reverse("schemes:rule_edit", args=["QX-2026", "R-TASK"]), rule_post(qx_rule("R-TASK"), category="special")
    )
    assert response.context["form"].errors["category"] == expected
    assert qx_rule("R-TASK").category == "routine"


def test_dropping_a_grade_used_by_ballots_is_refused_as_on_load(login, schemes):
    scheme = dumped("QX-2026")
    scheme["grades"] = {"优秀": "100", "良好": "85"}
    expected = load_messages(scheme, "$.schemes[0].grades")
    qx = Scheme.objects.get(code="QX-2026")
    response = login("qx_admin").post(
        reverse("schemes:params", args=["QX-2026"]), params_post(qx, grades="优秀=100\n良好=85")
    )
    assert expected and response.context["form"].errors["grades"] == expected
    assert len(Scheme.objects.get(code="QX-2026").grades) == 4


def test_a_value_the_bundle_cannot_hold_is_refused_as_on_load(login, schemes):
    scheme = dumped("QX-2026")
    scheme["rules"][3]["points"] = "1.5分"
    expected = load_messages(scheme, "$.schemes[0].rules[3].points")
    response = login("qx_admin").post(
        reverse("schemes:rule_edit", args=["QX-2026", "R-TASK"]), rule_post(qx_rule("R-TASK"), points="1.5分")
    )
    assert expected and response.context["form"].errors["points"] == expected


# --- editing, versions, history ------------------------------------------------------------------


def test_editing_a_rule_makes_a_new_version_and_keeps_approved_points(login, schemes):
    r = qx_rule("R-TASK")
    approved = dict(Entry.objects.filter(rule=r, status=EntryStatus.APPROVED).values_list("code", "amount"))
    client = login("qx_admin")
    page = client.get(reverse("schemes:rule_edit", args=["QX-2026", "R-TASK"])).content.decode()
    assert 'id="rescore-notice"' in page and "gongfen rescore" in page
    response = client.post(
        reverse("schemes:rule_edit", args=["QX-2026", "R-TASK"]),
        rule_post(r, points="2", reason="提高分值"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("schemes:detail", args=["QX-2026"])
    r.refresh_from_db()
    assert (r.version, r.points) == (2, Decimal(2))
    assert list(RuleVersion.objects.filter(rule=r).values_list("version", "points")) == [
        (1, Decimal("1.5")),
        (2, Decimal(2)),
    ]
    assert RuleVersion.objects.get(rule=r, version=2).created_by.username == "qx_admin"
    assert dict(Entry.objects.filter(code__in=approved).values_list("code", "amount")) == approved
    body = response.content.decode()
    assert "gongfen rescore" in body and 'id="changed-after-approval"' in body  # the notice, after and on the page
    assert "完成交办事项" in body.split('id="versions"')[1]


def test_a_rule_without_approved_entries_shows_no_rescore_notice(login, schemes):
    page = login("qx_admin").get(reverse("schemes:rule_edit", args=["QX-2026", "B-GEN"])).content.decode()
    assert 'id="rescore-notice"' not in page


def test_adding_and_removing_a_rule(login, schemes):
    client = login("qx_admin")
    data = NEW_RULE | {
        "code": "L-FIRE",
        "name": "森林防火巡查",
        "points": "0.5",
        "unit_label": "次",
        "positions": "一般干部、中层干部",
    }
    response = client.post(reverse("schemes:rule_add", args=["QX-2026"]), data)
    assert response.status_code == 302
    added = qx_rule("L-FIRE")
    assert (added.points, added.positions, added.version) == (Decimal("0.5"), ["一般干部", "中层干部"], 1)
    url = reverse("schemes:rule_remove", args=["QX-2026", "L-FIRE"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and Rule.objects.filter(pk=added.pk).exists()
    response = client.post(url, {"reason": "录入有误"})
    assert response.status_code == 302 and not Rule.objects.filter(pk=added.pk).exists()


def test_a_rule_named_by_entries_is_not_removed(login, schemes):
    client = login("qx_admin")
    page = client.get(reverse("schemes:rule_edit", args=["QX-2026", "D-ERR"])).content.decode()
    assert 'id="remove-refused"' in page
    response = client.post(reverse("schemes:rule_remove", args=["QX-2026", "D-ERR"]), {"reason": "不再扣分"})
    assert response.status_code == 400
    assert "不能删除" in response.content.decode()
    assert qx_rule("D-ERR").version == 1


def test_the_detail_page_shows_rules_parameters_and_versions(login, schemes):
    body = login("qx_admin").get(reverse("schemes:detail", args=["QX-2026"])).content.decode()
    for text in ("B-GEN", "D-VETO", "一档 0.2", "0.7", "优秀 100", "专项加分 15", 'id="versions"'):
        assert text in body, text
    assert 'id="diff"' not in body  # not derived from a template


# --- derive and diff ------------------------------------------------------------------------------


def test_derive_proposes_a_code_and_copies_the_template(login, schemes):
    client = login("qx_admin")
    template = Scheme.objects.get(code="KH-2026")
    query = {"unit": Scheme.objects.get(code="QX-2026").unit_id, "template": template.pk, "year": "2027"}
    page = client.get(reverse("schemes:derive"), query)
    assert page.context["form"]["code"].value() == "KH-QX-2027"
    fragment = client.get(reverse("schemes:derive"), query, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith("<form") and "KH-QX-2027" in fragment.content.decode()
    response = client.post(reverse("schemes:derive"), query | {"code": "", "name": ""})
    assert response.status_code == 302
    derived = Scheme.objects.get(code="KH-QX-2027")
    assert (derived.derived_from, derived.year, derived.name) == (template, 2027, "齐溪镇2027年干部实绩考评实施细则")
    assert list(derived.rules.values_list("code", "points")) == list(template.rules.values_list("code", "points"))
    body = client.get(reverse("schemes:detail", args=["KH-QX-2027"])).content.decode()
    assert "与模板相同" in body

    again = client.post(reverse("schemes:derive"), query | {"code": "QX-2027-B", "name": "又一个"})
    assert again.status_code == 200 and "每年只有一个方案" in again.content.decode()
    assert not Scheme.objects.filter(code="QX-2027-B").exists()


def test_the_diff_shows_what_the_unit_changed(login, schemes):
    client = login("qx_admin")
    template = Scheme.objects.get(code="KH-2026")
    unit = Scheme.objects.get(code="QX-2026").unit_id
    client.post(
        reverse("schemes:derive"), {"unit": unit, "template": template.pk, "year": "2027", "code": "", "name": ""}
    )
    derived = Scheme.objects.get(code="KH-QX-2027")
    r = derived.rules.get(code="S-RES")
    client.post(reverse("schemes:rule_edit", args=[derived.code, "S-RES"]), rule_post(r, cap="16"))
    client.post(reverse("schemes:rule_remove", args=[derived.code, "S-INV"]), {"reason": "本镇无招商任务"})
    client.post(reverse("schemes:rule_add", args=[derived.code]), NEW_RULE | {"code": "L-FIRE", "name": "森林防火巡查"})
    client.post(reverse("schemes:params", args=[derived.code]), params_post(derived, min_days="45"))
    body = client.get(reverse("schemes:detail", args=[derived.code])).content.decode()
    diff = body.split('id="diff"')[1].split("</table>")[0]
    assert 'class="diff-changed"' in diff and "S-RES" in diff and "季度上限" in diff and "16" in diff
    assert 'class="diff-removed"' in diff and "S-INV" in diff
    assert 'class="diff-added"' in diff and "L-FIRE" in diff
    assert "最少在岗天数" in diff and "45" in diff


def test_derive_only_for_a_unit_in_scope(login, schemes):
    client = login("qx_admin")
    tc = Scheme.objects.get(code="TC-2026").unit_id
    template = Scheme.objects.get(code="KH-2026").pk
    response = client.post(reverse("schemes:derive"), {"unit": tc, "template": template, "year": "2027"})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    other = Scheme.objects.get(code="TC-2026").pk  # 桐村镇's scheme is no template for 齐溪镇
    qx = Scheme.objects.get(code="QX-2026").unit_id
    response = client.post(reverse("schemes:derive"), {"unit": qx, "template": other, "year": "2027"})
    assert "template" in response.context["form"].errors
    assert not Scheme.objects.filter(year=2027).exists()


# --- query counts ---------------------------------------------------------------------------------


PAGE_QUERIES = 1  # a whole page: the unread notices of base.html


def test_the_list_page_query_count_does_not_grow_with_schemes(login, schemes, django_assert_num_queries):
    client = login("org")
    with django_assert_num_queries(4 + PAGE_QUERIES):
        assert client.get(reverse("schemes:list")).status_code == 200
    more = [dumped("QX-2026") | {"code": f"X-{i}", "derived_from": "KH-2026"} for i in range(5)]
    load({"format": BUNDLE, "schemes": more})
    with django_assert_num_queries(4 + PAGE_QUERIES):
        body = client.get(reverse("schemes:list")).content.decode()
    assert "X-4" in body


def test_the_detail_page_query_count_does_not_grow_with_rules(login, schemes, django_assert_num_queries):
    client = login("org")
    # the rules' 9, the groups (their publication units too once there is a group), the unread notices
    with django_assert_num_queries(9 + 1 + PAGE_QUERIES):
        assert client.get(reverse("schemes:detail", args=["TC-2026"])).status_code == 200
    tc = dumped("TC-2026")
    tc["rules"] += [{"code": f"R-{i}", "name": f"规则{i}", "category": "routine", "points": "1"} for i in range(10)]
    groups = [
        {"code": f"G-{i}", "name": f"组{i}", "scheme": "TC-2026", "select": {"unit": "TC"}}
        | ({"publish_scope": "units", "publish_units": ["TC"]} if i % 2 else {})
        for i in range(4)
    ]
    load({"format": BUNDLE, "schemes": [tc], "groups": groups})
    with django_assert_num_queries(9 + 2 + PAGE_QUERIES):
        assert client.get(reverse("schemes:detail", args=["TC-2026"])).status_code == 200


def test_a_malformed_code_on_derive_is_refused_as_on_load(login, schemes):
    template = dumped("KH-2026") | {"code": "QX 2027", "name": "细则", "unit": "QX", "year": 2027}
    template["derived_from"] = "KH-2026"
    expected = load_messages(template, "$.schemes[0].code")
    data = {
        "unit": Scheme.objects.get(code="QX-2026").unit_id,
        "template": Scheme.objects.get(code="KH-2026").pk,
        "year": "2027",
        "code": "QX 2027",
        "name": "细则",
    }
    response = login("qx_admin").post(reverse("schemes:derive"), data)
    assert expected and response.context["form"].errors["code"] == expected
    assert not Scheme.objects.filter(year=2027).exists()

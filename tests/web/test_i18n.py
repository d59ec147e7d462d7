"""The English translation: pages switch language with ``set_language``, and the catalogue is complete.

Simplified Chinese is the source language (msgids are Chinese); ``locale/en`` holds
the English catalogue, committed both as django.po and as the compiled django.mo.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

import gongfen
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import RankingGroup, Scheme
from tests.web_fixtures import *  # noqa: F403

SOURCE = Path(gongfen.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "en" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
# CJK ideographs, CJK punctuation (、。「」…) and full-width forms (（）：，)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


# --- reading pages -------------------------------------------------------------------


class Texts(HTMLParser):
    """The text of the elements that name things (title, nav, headings, table headers, labels), and the nav links."""

    TAGS = ("title", "nav", "h1", "h2", "h3", "h4", "th", "dt", "label")

    def __init__(self):
        super().__init__()
        self.found: dict[str, list[str]] = {tag: [] for tag in self.TAGS}
        self.nav_links: list[str] = []
        self.lang = ""
        self._open: list[tuple[str, list[str]]] = []
        self._in_select = 0
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang", "")
        if tag == "select":
            self._in_select += 1
        if tag in self.TAGS:
            self._open.append((tag, []))
        if tag == "a" and any(t == "nav" for t, _ in self._open):
            self._link = []

    def handle_endtag(self, tag):
        if tag == "select":
            self._in_select -= 1
        if tag == "a" and self._link is not None:
            self.nav_links.append(" ".join("".join(self._link).split()))
            self._link = None
            for _, parts in self._open:
                parts.append(" ")  # links sit side by side: keep their texts apart
        if self._open and self._open[-1][0] == tag:
            name, parts = self._open.pop()
            self.found[name].append(" ".join("".join(parts).split()))

    def handle_data(self, data):
        if self._in_select:  # options are data (units, tiers), not labels
            return
        for _, parts in self._open:
            parts.append(data)
        if self._link is not None:
            self._link.append(data)


def read(response) -> Texts:
    assert response.status_code == 200
    texts = Texts()
    texts.feed(response.content.decode())
    return texts


def data_names() -> list[str]:
    """Names that are data, not interface: they stay as entered (longest first, so a name inside another goes last)."""
    names = [
        *Cadre.objects.values_list("name", flat=True),
        *Unit.objects.values_list("name", flat=True),
        *Scheme.objects.values_list("name", flat=True),
        *RankingGroup.objects.values_list("name", flat=True),
    ]
    return sorted({n for n in names if n}, key=len, reverse=True)


def leftover_cjk(texts: Texts) -> dict[str, list[str]]:
    """The title, nav, headings, table headers and labels that still hold CJK once data names are taken out."""
    names = data_names()
    left: dict[str, list[str]] = {}
    for tag, found in texts.found.items():
        for text in found:
            for name in names:
                text = text.replace(name, "")
            if CJK.search(text):
                left.setdefault(tag, []).append(text)
    return left


def starts_with(links: list[str], expected: list[str]) -> bool:
    """The nav begins with ``expected`` (sections added later come after these)."""
    return links[: len(expected)] == expected


def to_english(client, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302 and response.url == next_url
    return client


# --- (a) the same pages in Chinese, then in English -------------------------------------------


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_english_after_switching(client):
    page = read(client.get(reverse("login")))
    assert page.lang == "zh-hans"
    assert page.found["h1"] == ["登录"] and page.found["label"] == ["用户名", "密码"]
    assert "English" in client.get(reverse("login")).content.decode()  # the switch offers the other language

    to_english(client, reverse("login"))
    response = client.get(reverse("login"))
    page = read(response)
    assert page.lang == "en"
    assert page.found["h1"] == ["Log in"] and page.found["label"] == ["Username", "Password"]
    assert page.found["title"] == ["Log in · Work Points & Ranking"]
    assert "登录" not in response.content.decode() and "中文" in response.content.decode()


def test_dashboard_nav_and_panels_switch_language(county, login):
    client = login("a01")
    page = read(client.get(reverse("dashboard")))
    assert page.lang == "zh-hans"
    assert starts_with(page.nav_links, ["首页", "我的工分", "申报", "我的申报"])
    assert page.found["h1"] == ["甲一，您好"] and "我的工分" in page.found["h2"]

    to_english(client)
    response = client.get(reverse("dashboard"))
    page = read(response)
    assert page.lang == "en"
    assert starts_with(page.nav_links, ["Home", "My points", "Declare", "My declarations"])
    assert page.found["h1"] == ["Hello, 甲一"] and "My points" in page.found["h2"]
    html = response.content.decode()
    assert "Declare points" in html and "View ledger" in html and "Log out" in html
    assert leftover_cjk(page) == {}

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert read(client.get(reverse("dashboard"))).nav_links[0] == "首页"


@time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_administrator_nav_in_both_languages(county, login):
    # pinned far from the year's end: near it the dashboard also warns of next year's missing holiday calendar
    client = login("org")
    chinese = read(client.get(reverse("dashboard"))).nav_links
    assert starts_with(chinese, ["首页", "录入", "待审核", "排名", "考核方案", "人员与岗位"])
    to_english(client)
    page = read(client.get(reverse("dashboard")))
    assert starts_with(
        page.nav_links, ["Home", "Record points", "Pending review", "Rankings", "Schemes", "People & posts"]
    )
    assert page.found["h2"] == ["Waiting for my review", "Within my scope"]


# --- (b) data pages in English: only data stays Chinese -------------------------------------------


def test_my_ledger_in_english(county, login):
    client = to_english(login("a01"))
    response = client.get(reverse("ledger:mine"), {"period": "2026Q3"})
    page = read(response)
    assert page.found["h1"] == ["My points · 甲一 2026Q3"]
    assert starts_with(page.nav_links, ["Home", "My points", "Declare", "My declarations"])
    assert {"By category", "By rule", "Rank over the year"} <= set(page.found["h3"])
    assert page.found["h2"][-1] == "Entries for 2026Q3"
    assert {"Category", "Accumulated", "Counted", "Cap", "Rule", "Quantity", "Status"} <= set(page.found["th"])
    html = response.content.decode()
    # category and status labels come from model choices
    assert "Base (position) points" in html and "Village-stationing points" in html and ">Approved<" in html
    assert leftover_cjk(page) == {}


def test_ranking_board_in_english(county, login):
    client = to_english(login("org"))
    response = client.get(reverse("rankings:board", args=["QX-ALL", "2026Q3"]))
    page = read(response)
    group = RankingGroup.objects.get(code="QX-ALL")
    assert page.found["h1"] == [f"{group.name} · 2026Q3"]
    assert starts_with(
        page.nav_links, ["Home", "Record points", "Pending review", "Rankings", "Schemes", "People & posts"]
    )
    assert page.found["h2"] == [
        "Quarter state: Open",
        "Tiers (rank bounds rounded down)",
        "Ranking table",
        "Not ranked",
    ]
    assert page.found["th"][:4] == ["Rank", "Code", "Name", "Tier"]
    assert {"Ranking group", "Scheme", "Period", "Ranked", "Not ranked"} <= set(page.found["dt"])
    html = response.content.decode()
    assert "Provisional ranking (not yet published)" in html and "Recommended (top)" in html
    assert "One-vote veto" in html and "Retraining (bottom)" in html
    assert leftover_cjk(page) == {}


def test_ranking_board_stays_chinese_by_default(county, login):
    page = read(login("org").get(reverse("rankings:board", args=["QX-ALL", "2026Q3"])))
    assert page.found["h2"] == ["季度状态：进行中", "分档（按名次向下取整）", "排名表", "未参与排名"]
    assert page.nav_links[0] == "首页"


# --- (c) the catalogue ------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete ``#~`` entries left out): msgctxt, msgid, msgid_plural, msgstr, flags.

    ``msgstr`` is a string, or a list of the plural forms.
    """
    entries: list[dict] = []
    entry: dict | None = None
    key: tuple | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid_plural": None, "msgstr": None, "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key[0] == "msgstr[]":
                entry["msgstr"][key[1]] += value
            else:
                entry[key[0]] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                index = int(keyword[len("msgstr[") : -1])
                entry["msgstr"] = entry["msgstr"] or []
                entry["msgstr"].append(value)
                assert len(entry["msgstr"]) == index + 1, f"plural forms out of order: {line}"
                key = ("msgstr[]", index)
            else:
                entry[keyword] = value
                key = (keyword,)
    return entries


def po_entries() -> list[dict]:
    entries = parse_po(PO)
    assert entries and entries[0]["msgid"] == "", "the catalogue starts with its header"
    return entries[1:]


def label(entry: dict) -> str:
    return f"{entry['msgctxt']}|{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def test_catalogue_header_is_english_with_two_plural_forms():
    header = parse_po(PO)[0]
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 400
    fuzzy = [label(e) for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries (check and remove the flag): {fuzzy}"
    untranslated = [
        label(e)
        for e in entries
        if (e["msgid_plural"] is None and not e["msgstr"])
        or (e["msgid_plural"] is not None and (len(e["msgstr"] or []) != 2 or not all(e["msgstr"])))
    ]
    assert not untranslated, f"untranslated entries: {untranslated}"
    copied = [
        label(e)
        for e in entries
        if CJK.search(e["msgid"])
        and (e["msgstr"] == e["msgid"] or e["msgid"] in (e["msgstr"] if e["msgid_plural"] else []))
    ]
    assert not copied, f"msgstr copied from the Chinese msgid: {copied}"


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in po_entries():
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        forms = [entry["msgstr"]] if entry["msgid_plural"] is None else entry["msgstr"]
        wrong += [(label(entry), form) for form in forms if sorted(PLACEHOLDER.findall(form)) != wanted]
    assert not wrong, f"placeholders differ from the msgid: {wrong}"


def test_compiled_catalogue_matches_the_po():
    """django.mo is committed too (a fresh machine may lack gettext): it must hold what django.po says."""
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    assert mo.info().get("language") == "en"
    stale = []
    for e in po_entries():
        ctx, msgid, plural = e["msgctxt"], e["msgid"], e["msgid_plural"]
        if plural is None:
            got = mo.pgettext(ctx, msgid) if ctx else mo.gettext(msgid)
            if got != e["msgstr"]:
                stale.append((label(e), got))
        else:
            for n, wanted in ((1, e["msgstr"][0]), (2, e["msgstr"][1])):
                got = mo.npgettext(ctx, msgid, plural, n) if ctx else mo.ngettext(msgid, plural, n)
                if got != wanted:
                    stale.append((label(e), n, got))
    assert not stale, f"django.mo is stale, run compilemessages: {stale}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs the gettext tools (xgettext, msgmerge)")
def test_catalogue_has_every_string_of_the_source(tmp_path):
    """``makemessages`` on a copy of the source finds exactly the catalogue's strings (none new, none gone)."""
    copy = tmp_path / "gongfen"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongfen.settings",
        "GONGFEN_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(SOURCE.parent),
    }
    command = [sys.executable, "-m", "django", "makemessages", "-l", "en"]
    command += ["--ignore", "*/migrations/*", "--ignore", "*/tests/*", "--verbosity", "0"]
    # the copy has its own locale/ directory, so makemessages writes there and never into the real one
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True, timeout=120)
    fresh = parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]

    def keys(entries):
        return {(e["msgctxt"], e["msgid"], e["msgid_plural"]) for e in entries}

    new = keys(fresh) - keys(po_entries())
    gone = keys(po_entries()) - keys(fresh)
    assert not new, f"strings not in the catalogue yet (run makemessages, translate, compilemessages): {new}"
    assert not gone, f"catalogue entries no longer in the source (run makemessages): {gone}"

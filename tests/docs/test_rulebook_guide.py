"""docs/rulebook-guide.md: every example rulebook under docs/rulebooks/ loads whole through ``gongfen load`` and
ranks, in the product, exactly as the pure core ranks the same file — every group, every period of the scheme's
year and, where the scheme has ``annual``, the year's grades — on SQLite and PostgreSQL; and the guide names every
example file."""

import json
import re

import pytest

from gongfen import cli
from gongfen.scoring import PERIOD_KINDS
from gongfen.scoring.bundle import rank_bundle
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "rulebook-guide.md"
RULEBOOKS = ROOT / "docs" / "rulebooks"
FILES = sorted(RULEBOOKS.glob("*.json"))


def periods_of(scheme: dict) -> list[str]:
    """Every period code the scheme is ranked for (scoring-v2 §2), and ``YYYYY`` for an annual grading (§12)."""
    kind = scheme.get("period", "quarter")
    codes = [p.code for p in PERIOD_KINDS[kind].all_of_year(scheme["year"])]
    if "annual" in scheme:
        codes.append(f"{scheme['year']}Y")
    return codes


def cases() -> list[tuple[str, str, str]]:
    out = []
    for path in FILES:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        schemes = {s["code"]: s for s in bundle["schemes"]}
        for group in bundle["groups"]:
            out += [(path.name, group["code"], p) for p in periods_of(schemes[group["scheme"]])]
    return out


def test_there_are_examples_and_every_one_is_a_v2_bundle():
    assert len(FILES) >= 8
    for path in FILES:
        assert json.loads(path.read_text(encoding="utf-8"))["format"] == "gongfen-bundle/2", path.name


def test_the_guide_links_every_example_file_and_no_missing_one():
    text = GUIDE.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(rulebooks/([^)]+\.json)\)", text))
    assert linked == {p.name for p in FILES}


def test_the_guide_is_chinese_first_with_an_english_summary():
    text = GUIDE.read_text(encoding="utf-8")
    assert text.lstrip().startswith("#") and re.search(r"[\u4e00-\u9fff]", text.splitlines()[0])
    assert text.index("English summary") > len(text) // 2


@pytest.mark.django_db
@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_an_example_loads_whole_and_ranks_in_the_product_as_in_the_core(name, capsys):
    bundle = json.loads((RULEBOOKS / name).read_text(encoding="utf-8"))
    assert cli.main(["load", str(RULEBOOKS / name)]) == 0
    _, err = capsys.readouterr()
    assert "错误" not in err
    assert cli.main(["dump"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    for kind in ("units", "cadres", "groups", "entries"):
        assert {x.get("code", x.get("id")) for x in dumped[kind]} == {x.get("code", x.get("id")) for x in bundle[kind]}
    assert len(dumped["ballots"]) == len(bundle["ballots"])
    ranked_someone = False
    for file, group, period in cases():
        if file != name:
            continue
        assert cli.main(["rank", "--group", group, "--period", period, "--format", "json"]) == 0
        out, err = capsys.readouterr()
        product = json.loads(out)
        assert product == rank_bundle(bundle, group, period), (group, period)
        ranked_someone = ranked_someone or bool(product["rows"])
    assert ranked_someone

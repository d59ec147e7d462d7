"""The README's command-line tour, taken from the README itself and run in order on a fresh demo county.

Every ``sh`` block under the heading "命令行 / On the command line" (up to the next heading) is
read line by line, as a reader pastes it: ``export NAME=value`` sets the environment of the lines
that follow, ``. .venv/bin/activate`` puts this test's ``gongfen`` first on PATH, and every other
line runs in bash. Each must exit 0 and print something (a line that redirects its output must
fill the file). The tour runs in a copy of the checkout (symbolic links to its files, its own
``var/``), with the demo county built there as ``python3 dev.py demo`` builds it.

The tour is of the SQLite demo the README describes, so it runs in the SQLite pass of the suite.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, database_vendor

pytestmark = pytest.mark.skipif(
    database_vendor() != "sqlite", reason="the README's tour is of the SQLite demo: it runs in the SQLite pass"
)
HEADING = "### 命令行 / On the command line"
BIN = Path(sys.executable).parent
NOT_COPIED = {"var", ".venv", ".git", "test-output", ".pytest_cache", ".ruff_cache"}


def tour_lines(readme: str) -> list[str]:
    """The command lines of the sh blocks of the tour section, in order (comments and blank lines dropped)."""
    _, found, rest = readme.partition(f"\n{HEADING}\n")
    assert found, f"README.md has no heading {HEADING!r}"
    section = re.split(r"\n#{2,3} ", rest, maxsplit=1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.M | re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_tour_is_found_and_names_the_commands_it_promises():
    lines = tour_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert lines[0].startswith("export GONGFEN_HOME=") and lines[1].startswith(". ")
    commands = " ".join(lines)
    for needed in ("rank", "check", "verify", "dump", "export", "import entries 明细.xlsx --dry-run", "load", "diff"):
        assert f"gongfen {needed}" in commands
    assert "rescore" in commands


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the checkout (links to its files) with the demo county in its own var/demo."""
    assert (BIN / "gongfen").exists(), f"no gongfen command beside {sys.executable}"
    here = tmp_path_factory.mktemp("checkout")
    for entry in ROOT.iterdir():
        if entry.name not in NOT_COPIED:
            (here / entry.name).symlink_to(entry)
    built = subprocess.run(
        [str(BIN / "gongfen"), "demo"],
        cwd=here,
        env=base_env() | {"GONGFEN_HOME": "var/demo"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    assert "演示县已就绪" in built.stdout
    return here


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != BIN)
    return env | {"PYTHONIOENCODING": "utf-8"}


def redirect_target(line: str) -> str | None:
    words = shlex.split(line, comments=True)
    return words[words.index(">") + 1] if ">" in words else None


def test_every_command_of_the_tour_works_in_order_on_a_fresh_demo(checkout):
    env = base_env()
    outputs: dict[str, str] = {}
    for line in tour_lines((ROOT / "README.md").read_text(encoding="utf-8")):
        words = shlex.split(line, comments=True)
        if words[0] == "export":
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                env[name] = value
            continue
        if words[0] in (".", "source"):
            assert words[1:] == [".venv/bin/activate"], line  # the venv python3 dev.py makes
            env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
            env["VIRTUAL_ENV"] = str(BIN.parent)
            continue
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line], cwd=checkout, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
        target = redirect_target(line)
        if target is None:
            assert done.stdout.strip(), f"{line} printed nothing"
        else:
            assert (checkout / target).stat().st_size > 0, f"{line} wrote nothing to {target}"
        outputs[line] = done.stdout
    said = {line.split("#")[0].strip(): out for line, out in outputs.items()}

    # what the README says about these outputs is what they say
    heads = json.loads(said["gongfen rank --group G-HEADS --period 2026Q3 --format json"])
    assert heads["size"] == 16 and not heads["unranked"]  # 16 rows for 15 townships (README)
    rescored = next(out for line, out in said.items() if line.startswith("gongfen rescore"))
    assert "re-scored 0 entries" in rescored and "规则没有改变" in rescored
    preview = said["gongfen import entries 明细.xlsx --dry-run"]
    assert "预览完成，未写入" in preview and "编号已存在，未改动" in preview
    loaded = next(out for line, out in said.items() if "gongfen load" in line)
    assert "新建工作区" in loaded and "gongfen-bundle/1" in loaded
    assert (checkout / "var" / "mine" / "gongfen.sqlite3").exists()

"""The scoring core imports nothing from Django or from the rest of gongfen."""

import ast
import subprocess
import sys
from pathlib import Path

import gongfen.scoring

CORE = Path(gongfen.scoring.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_sources_import_no_django_and_no_other_gongfen_module():
    for path in CORE.glob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith("django"), f"{path.name} imports {name}"
            assert not name.startswith("gongfen") or name.startswith("gongfen.scoring"), f"{path.name} imports {name}"


def test_importing_the_core_loads_no_django():
    code = "import sys, gongfen.scoring; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

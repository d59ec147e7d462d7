import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The worked examples of shared/spec, vendored so that a clone runs on its own;
# tests/scoring/test_examples.py checks the copy against shared/ when it is there.
EXAMPLES = ROOT / "tests" / "fixtures" / "spec-examples"
SHARED_EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"


def example_cases() -> list[dict]:
    return json.loads((EXAMPLES / "index.json").read_text(encoding="utf-8"))

"""Spreadsheet (.xlsx / CSV) import and export of units, cadres and posts, rules, entries and ballots.

See docs/spreadsheets.md. The web layer calls :func:`template_bytes`, :func:`import_plan`,
:func:`import_apply` and :func:`export_bytes`.
"""

from .columns import KINDS
from .exporter import export_bytes, template_bytes
from .importer import ImportInvalid, ImportProblem, Plan, import_apply, import_plan

__all__ = [
    "KINDS",
    "ImportInvalid",
    "ImportProblem",
    "Plan",
    "export_bytes",
    "import_apply",
    "import_plan",
    "template_bytes",
]

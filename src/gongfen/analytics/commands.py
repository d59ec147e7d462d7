"""``gongfen whatif``: parse, replay, print (the command's body, kept here so cli.py stays a list of commands)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _draft(args):
    """(target scheme, draft dict, bundle format, source label) from ``--scheme`` and ``--onto``."""
    from gongfen.common import DomainError
    from gongfen.interchange.services import read_bundle
    from gongfen.interchange.validate import format_problem
    from gongfen.schemes.selectors import scheme_by_code

    from .whatif import BUNDLE_FORMAT, draft_from_bundle, draft_of_scheme

    path = Path(args.scheme)
    if path.is_file():
        bundle = read_bundle(path)
        problem = format_problem(bundle)
        if problem is not None:
            raise DomainError(f"{path.name}: {problem}", field="scheme")
        draft, fmt = draft_from_bundle(bundle, args.onto)
        target = scheme_by_code(args.onto or str(draft.get("code")))
        return target, draft, fmt, path.name
    if args.onto is None:
        raise DomainError(f"找不到文件 {args.scheme}；已存方案作草案时须用 --onto 指明试算的方案", code="not_found")
    stored = scheme_by_code(args.scheme)
    return scheme_by_code(args.onto), draft_of_scheme(stored), BUNDLE_FORMAT, stored.code


def whatif_command(args) -> int:
    from gongfen.common import Actor
    from gongfen.interchange.validate import BundleInvalid

    from .exports import whatif_as_dict, whatif_sheets
    from .whatif import period_codes, whatif_replay

    if args.format == "xlsx" and args.output is None:
        print("错误 (error): --format xlsx 须用 --output 指定文件 (an output file)", file=sys.stderr)
        return EXIT_USAGE
    target, draft, fmt, source = _draft(args)
    periods = period_codes(args.periods, target.period_kind)
    try:
        result = whatif_replay(
            actor=Actor.cli(), scheme=target, draft=draft, periods=periods, k=args.k, source=source, bundle_format=fmt
        )
    except BundleInvalid as exc:
        print(f"草案有 {len(exc.problems)} 处错误，未试算 (the draft is invalid):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        sys.stdout.write(json.dumps(whatif_as_dict(result), ensure_ascii=False, indent=1) + "\n")
    elif args.format == "xlsx":
        from gongfen.outputs.xlsx import workbook_bytes

        args.output.write_bytes(workbook_bytes(whatif_sheets(result)))
        print(f"{result.summary}；已写入 {args.output}")
    else:
        _table(result)
    return EXIT_OK


def _table(result) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from gongfen.scoring import fmt2

    console = Console(highlight=False, soft_wrap=False, width=max(120, Console().width))
    console.print(f"{result.scheme_name}（{result.scheme}）方案试算，草案 {result.source}：{result.summary}")
    if result.changed_rules:
        console.print(f"草案修改的规则：{'、'.join(result.changed_rules)}")
    if result.removed_rules:
        console.print(f"草案删去的规则（试算中不计分）：{'、'.join(result.removed_rules)}")
    for board in result.boards:
        table = Table(title=f"{board.group_name}（{board.group}）{board.period} 试算前后", box=box.SIMPLE_HEAVY)
        for header in (
            "编码",
            "姓名",
            "原名次",
            "新名次",
            "变化",
            "原档次",
            "新档次",
            "原得分",
            "新得分",
            "得分变化",
            "",
        ):
            table.add_column(header, no_wrap=True)
        for c in board.changes:
            b, a = c.before, c.after
            delta = c.rank_delta
            table.add_row(
                c.cadre,
                c.name,
                str(b.rank) if b else "—",
                str(a.rank) if a else "—",
                "—" if delta is None else f"{delta:+d}",
                b.tier if b else "—",
                a.tier if a else "—",
                fmt2(b.composite) if b else "—",
                fmt2(a.composite) if a else "—",
                "—" if c.score_delta is None else fmt2(c.score_delta),
                f"变动超过 {result.k} 位" if c.big_move else "",
                style="bold" if c.big_move else None,
            )
        console.print(table)

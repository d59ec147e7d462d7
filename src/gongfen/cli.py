"""The ``gongfen`` command: parse, call a service or selector, print. No business rule lives here."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def setup(settings: str = "gongfen.settings", migrate: bool = True) -> None:
    """Configure Django and apply any pending migrations (first use of any command)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()
    if migrate:
        migrate_pending()


def migrate_pending() -> int:
    """Apply the migrations the database lacks; how many there were."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", verbosity=0, interactive=False)
    return len(plan)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gongfen", description="工分+排名：干部实绩考评 (work points + ranking)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "init", help="新建空工作区（建库建表），已存在则升级 / create an empty workspace, or bring one up to date"
    )

    load = sub.add_parser("load", help="导入数据包（全部成功或全部不导入）/ load a bundle, all or nothing")
    load.add_argument("bundle", type=Path)
    load.add_argument(
        "--as",
        dest="operator",
        metavar="USER",
        help="以该用户身份操作并留痕（工作区已有用户时审核决定必填）/ act and be audited as this user",
    )

    dump = sub.add_parser("dump", help="导出整个工作区为数据包 / write the workspace as a bundle")
    dump.add_argument("output", nargs="?", type=Path, help="file (default: standard output)")

    kinds = ["units", "cadres", "rules", "entries", "ballots"]
    imp = sub.add_parser(
        "import", help="导入 Excel/CSV 表格（全部成功或全部不导入）/ import a spreadsheet, all or nothing"
    )
    imp.add_argument("kind", choices=kinds)
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only")
    imp.add_argument("--scheme", help="规则写入的考核方案编码 / scheme code (rules)")
    imp.add_argument("--approve", action="store_true", help="工分明细直接通过 / record entries as approved")
    imp.add_argument(
        "--as",
        dest="operator",
        metavar="USER",
        help="以该用户身份操作并留痕（工作区已有用户时审核决定必填）/ act and be audited as this user",
    )
    exp = sub.add_parser(
        "export", help="导出为 Excel 表格（与模板同格式）/ export a spreadsheet in the template layout"
    )
    exp.add_argument("kind", choices=kinds)
    exp.add_argument("file", type=Path)
    exp.add_argument("--scheme", help="只导出该考核方案 / only this scheme")
    exp.add_argument("--period", help="只导出该期间，如 2026Q3 / only this period")
    tpl = sub.add_parser("template", help="下载空白导入模板 / write an empty import template")
    tpl.add_argument("kind", choices=kinds)
    tpl.add_argument("file", type=Path)

    rank = sub.add_parser("rank", help="计算排名 / rank a group (or all groups) for a period")
    who = rank.add_mutually_exclusive_group(required=True)
    who.add_argument("--group", help="排名组编码 / group code")
    who.add_argument("--all", action="store_true", help="所有排名组 / every group")
    rank.add_argument("--period", required=True, help="期间，如 2026Q3 / period, e.g. 2026Q3")
    rank.add_argument("--format", choices=["json", "table", "csv"], default="table")

    demo = sub.add_parser("demo", help="生成演示县（开化县，虚构人员）/ build the demo county")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--cadres", type=int, default=1200)

    rescore = sub.add_parser(
        "rescore", help="按规则现行版本重算历史记录（留痕）/ re-score history under a rule's current version"
    )
    rescore.add_argument("--scheme", required=True)
    rescore.add_argument("--rule", required=True)
    rescore.add_argument("--period", action="append", help="only these periods (repeatable)")
    rescore.add_argument("--reason", required=True)
    rescore.add_argument(
        "--as",
        dest="operator",
        metavar="USER",
        help="以该用户身份操作并留痕（工作区已有用户时审核决定必填）/ act and be audited as this user",
    )

    serve = sub.add_parser("serve", help="启动网页服务（生产级 WSGI 服务器）/ run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument(
        "--demo", action="store_true", help="先生成演示县并打印各角色登录账号 / load the demo county first"
    )

    whatif = sub.add_parser(
        "whatif", help="方案试算：草案在过去期间的排名前后对比（不保存）/ replay a draft scheme over past periods"
    )
    whatif.add_argument(
        "--scheme", required=True, help="草案：数据包文件或已存方案编码 / a bundle file or a scheme code"
    )
    whatif.add_argument("--onto", help="在哪个方案的台账上试算（默认草案同编码的方案）/ the scheme whose ledger")
    whatif.add_argument("--periods", required=True, help="如 2026Q1..2026Q3 或 2026Q1,2026Q3")
    whatif.add_argument("--k", type=int, default=3, help="名次变动超过 k 位时标出 / highlight moves of more than k")
    whatif.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
    whatif.add_argument("--output", type=Path, help="xlsx 文件 / the .xlsx file (required for xlsx)")

    diff = sub.add_parser("diff", help="考核方案与其模板的差异（量体裁衣）/ what a scheme changed against its template")
    diff.add_argument("--scheme", required=True)

    sub.add_parser("check", help="核对维护的小计与台账重算是否一致 / check maintained totals against the ledger")

    verify = sub.add_parser(
        "verify", help="核验防篡改日志：由台账重算每片叶子 / recompute the tamper-evident log from the stored rows"
    )
    verify.add_argument(
        "--since", metavar="SIZE:ROOT", help="并证明当前日志是该早先公布树头的延续 / prove the log extends this head"
    )

    holidays = sub.add_parser("holidays", help="节假日与调休（异议期按工作日计算）/ the holiday calendar")
    hsub = holidays.add_subparsers(dest="holidays_command", required=True, metavar="ACTION")
    hload = hsub.add_parser(
        "load",
        help="导入节假日文件（CSV：日期,上班/休息,名称；或 JSON 列表），全部成功或全部不导入 / load, all or nothing",
    )
    hload.add_argument("file", type=Path)
    hlist = hsub.add_parser("list", help="列出节假日与调休上班日 / list the calendar")
    hlist.add_argument("--year", type=int)

    backup = sub.add_parser(
        "backup", help="在线备份整个数据库（服务运行时亦可）/ a consistent online backup of the database"
    )
    backup.add_argument("file", type=Path, help="新的备份文件 / a new file")
    restore = sub.add_parser("restore", help="把备份恢复到空数据库 / restore a backup into an empty database")
    restore.add_argument("file", type=Path)

    webhooks = sub.add_parser("webhooks", help="Webhook 推送 / webhook deliveries (docs/webhooks.md)")
    wsub = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")
    wrun = wsub.add_parser("run", help="发送到期的推送（持续运行）/ send due deliveries, polling")
    wrun.add_argument("--once", action="store_true", help="只发送一轮后退出 / send what is due, then exit")
    wrun.add_argument("--interval", type=float, default=5.0, help="轮询间隔秒数 / seconds between polls")

    jobs = sub.add_parser("jobs", help="网页上传的表格导入任务 / spreadsheet import jobs (docs/spreadsheets.md)")
    jsub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    jrun = jsub.add_parser("run", help="运行排队的导入任务（持续运行）/ run queued import jobs, polling")
    jrun.add_argument("--once", action="store_true", help="运行完当前排队的任务后退出 / run what is queued, then exit")
    jrun.add_argument("--interval", type=float, default=2.0, help="轮询间隔秒数 / seconds between polls")

    reminders = sub.add_parser("reminders", help="每日提醒 / daily digests (docs/intake.md)")
    rsub = reminders.add_subparsers(dest="reminders_command", required=True, metavar="ACTION")
    rsub.add_parser("send", help="发送今天到期的每日提醒（每人每天至多一条）/ send today's due digests")

    manage = sub.add_parser("manage", help="Django 管理命令 / run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    refused = open_workspace(args)
    if refused is not None:
        return refused
    from gongfen.common import DomainError

    handler = {
        "init": cmd_init,
        "load": cmd_load,
        "dump": cmd_dump,
        "import": cmd_import,
        "export": cmd_export,
        "template": cmd_template,
        "rank": cmd_rank,
        "demo": cmd_demo,
        "rescore": cmd_rescore,
        "check": cmd_check,
        "verify": cmd_verify,
        "manage": cmd_manage,
        "diff": cmd_diff,
        "whatif": cmd_whatif,
        "serve": cmd_serve,
        "holidays": cmd_holidays,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "webhooks": cmd_webhooks,
        "jobs": cmd_jobs,
        "reminders": cmd_reminders,
    }[args.command]
    try:
        return handler(args)
    except DomainError as exc:
        print(f"错误 (error): {exc.message}", file=sys.stderr)
        return EXIT_USAGE if exc.code in ("unknown_group", "bad_period", "not_found", "not_derived") else EXIT_INVALID
    except KeyboardInterrupt:
        print("已中断，未完成的操作已回滚 (interrupted; the unfinished change was rolled back)", file=sys.stderr)
        return 130
    except Exception as exc:
        # A defect, not bad input: say so plainly; the traceback is for GONGFEN_DEBUG=1.
        from django.conf import settings

        if settings.DEBUG:
            raise
        print(f"内部错误 (internal error): {type(exc).__name__}: {exc}", file=sys.stderr)
        print("未做任何更改；请报告此问题 (nothing was changed; please report this)", file=sys.stderr)
        return 3


def open_workspace(args) -> int | None:
    """Set Django up on the workspace, refusing (an exit code) when there is none and the command may not create one.

    Sets ``args.new_workspace`` (this command starts the workspace) and ``args.migrated``.
    """
    from django.conf import settings

    from gongfen import workspace

    if args.command == "load" and not args.bundle.is_file():  # before a new workspace is made for it
        print(f"错误 (error): 找不到文件 {args.bundle} (no such file)", file=sys.stderr)
        return EXIT_USAGE
    creating = workspace.creates(args.command, demo=getattr(args, "demo", False) is True)
    # in-process under a test runner Django is set up already, on the test database
    looked = not settings.configured and workspace.sqlite_file() is not None  # a SQLite file: looked at already
    missing = None if settings.configured else workspace.missing_before_setup()
    if missing and not creating:
        print(workspace.refusal(missing), file=sys.stderr)
        return EXIT_USAGE
    if missing and workspace.sqlite_file() is not None:
        workspace.sqlite_file().parent.mkdir(parents=True, exist_ok=True)
    setup(migrate=False)
    # a new SQLite workspace starts as a copy of an empty migrated one when one is kept (workspace.py)
    fresh = bool(missing) and workspace.sqlite_file() is not None and args.command not in ("manage", "restore")
    seeded = fresh and workspace.seed_new_sqlite(workspace.sqlite_file())
    if missing is None and not looked and args.command not in ("manage", "restore"):  # those two look themselves
        try:
            missing = workspace.missing_after_setup()
        except workspace.Unreachable as exc:
            print(f"错误 (error): {exc}", file=sys.stderr)
            return EXIT_INVALID
        if missing and not creating:
            print(workspace.refusal(missing), file=sys.stderr)
            return EXIT_USAGE
    args.new_workspace = bool(missing) and args.command not in ("manage", "restore")
    # management commands (makemigrations…) decide for themselves; backup and restore take the database as it is
    args.migrated = migrate_pending() if args.command not in ("manage", "backup", "restore") else 0
    if fresh and not seeded and args.migrated:
        workspace.keep_template(workspace.sqlite_file())
    if args.new_workspace and args.command != "init":
        print(f"新建工作区 (new workspace): {workspace.describe()}")
    return None


@contextmanager
def progress_bar():
    """A ``progress(step, done, total)`` callback drawing rich progress bars on standard error."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield update


def _print_load_report(report) -> None:
    kinds = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
    parts = [
        f"{k}: +{report.created.get(k, 0)} ~{report.updated.get(k, 0)} ={report.unchanged.get(k, 0)}" for k in kinds
    ]
    print("已导入 (loaded) — " + "; ".join(parts))
    print(f"sha256 {report.sha256}")


def cmd_init(args) -> int:
    from gongfen import workspace

    where = workspace.describe()
    if args.new_workspace:
        print(f"已新建工作区 (new workspace): {where}")
    elif args.migrated:
        print(f"工作区已存在，已升级数据库 (workspace exists; {args.migrated} migrations applied): {where}")
    else:
        print(f"工作区已存在，数据库已是最新 (workspace exists and is up to date): {where}")
    print("下一步 (next):")
    print("  gongfen load 数据包.json          导入数据包 (load a bundle, docs/bundle.md)")
    print("  gongfen template units 单位.xlsx  或下载表格模板，填好后 gongfen import units 单位.xlsx (spreadsheets)")
    print("  gongfen manage createsuperuser    第一个组织部管理员 (the first administrator)")
    print("  gongfen serve                     启动网页服务 (serve the web application)")
    return EXIT_OK


def _operator(args):
    """Who the command acts as: ``--as USER`` (audited and four-eyed as that user), else the login (``cli:<login>``),
    which decides no entry once the workspace has user accounts (docs/trust.md)."""
    from gongfen.common import Actor

    name = getattr(args, "operator", None)
    return Actor.operator(name) if name else Actor.cli()


def cmd_load(args) -> int:
    from gongfen.interchange.services import bundle_load, read_bundle
    from gongfen.interchange.validate import BundleInvalid, format_problem

    empty = "；新建的工作区仍是空的 (the new workspace is empty)" if args.new_workspace else ""
    try:
        bundle = read_bundle(args.bundle)
        unreadable = format_problem(bundle)
        if unreadable is not None:  # one line, before anything else is checked
            print(f"错误 (error): {args.bundle.name}: {unreadable}{empty}", file=sys.stderr)
            return EXIT_INVALID
        with progress_bar() as progress:
            report = bundle_load(actor=_operator(args), bundle=bundle, progress=progress, source=args.bundle.name)
    except BundleInvalid as exc:
        print(exc.message + empty, file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    print(f"数据包 (bundle): {args.bundle.name}，格式 (format) {bundle['format']}")
    _print_load_report(report)
    return EXIT_OK


def cmd_import(args) -> int:
    from gongfen.interchange.excel import ImportInvalid, import_apply, import_plan

    if not args.file.is_file():
        print(f"错误 (error): 找不到文件 {args.file} (no such file)", file=sys.stderr)
        return EXIT_USAGE
    actor, options = _operator(args), {"scheme": args.scheme, "approve": args.approve}
    try:
        with progress_bar() as progress:
            if args.dry_run:  # the preview runs the load in a transaction it rolls back
                plan = import_plan(args.kind, args.file, actor, progress=progress, **options)
                if plan.problems:
                    raise ImportInvalid(plan.problems)
            else:
                plan = import_apply(args.file, actor, kind=args.kind, progress=progress, **options)
    except ImportInvalid as exc:
        print(exc.message, file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    _print_plan(plan)
    print("预览完成，未写入 (dry run: nothing written)" if args.dry_run else f"已导入 {args.file.name} (imported)")
    return EXIT_OK


def _print_plan(plan) -> None:
    kinds = sorted(set(plan.created) | set(plan.changed) | set(plan.unchanged))
    for kind in kinds:
        print(
            f"{kind}: 新增 {plan.created.get(kind, 0)}，修改 {plan.changed.get(kind, 0)}，"
            f"不变 {plan.unchanged.get(kind, 0)} (created/changed/unchanged)"
        )
    for note in plan.notes:
        print(note)


def cmd_export(args) -> int:
    from gongfen.interchange.excel import export_bytes

    args.file.write_bytes(export_bytes(args.kind, scheme=args.scheme, period=args.period))
    print(f"已导出 {args.file} (exported)")
    return EXIT_OK


def cmd_template(args) -> int:
    from gongfen.interchange.excel import template_bytes

    args.file.write_bytes(template_bytes(args.kind))
    print(f"已写出模板 {args.file} (template written)")
    return EXIT_OK


def cmd_dump(args) -> int:
    from gongfen.interchange.selectors import bundle_counts, bundle_digest, bundle_dump

    bundle = bundle_dump()
    text = json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        where, say = f"{args.output}", sys.stdout
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
        where, say = "标准输出 (standard output)", sys.stderr  # the bundle itself is on standard output
    counts = "; ".join(f"{kind}: {n}" for kind, n in bundle_counts(bundle).items())
    size = len(text.encode("utf-8"))
    print(f"已写出数据包 (wrote a {bundle['format']} bundle) → {where}，{size:,} bytes", file=say)
    print(f"  {counts}", file=say)
    print(f"  sha256 {bundle_digest(bundle)}（gongfen load 此文件时报告同一值 / what gongfen load reports）", file=say)
    return EXIT_OK


def cmd_rank(args) -> int:
    from gongfen.rankings.selectors import group_by_code, group_ranking, rank_all
    from gongfen.scoring import PERIOD_KINDS, PeriodError, parse_period

    if args.all:
        for kind in PERIOD_KINDS:  # a code of any kind: 2026M07, 2026Q3, 2026H2, 2026Y
            try:
                parse_period(args.period, kind)
                break
            except PeriodError:
                continue
        else:
            try:
                parse_period(args.period)
            except PeriodError as exc:
                print(f"错误 (error): 期间格式错误：{exc}", file=sys.stderr)
            return EXIT_USAGE
        skipped: list = []
        rankings = rank_all(args.period, skipped=skipped)
        for group, why in skipped:
            print(f"跳过 (skipped) {group.code}: {why}", file=sys.stderr)
        if not rankings:
            print(f"错误 (error): 没有排名组的考核方案包含期间 {args.period}", file=sys.stderr)
            return EXIT_USAGE
    else:
        rankings = [group_ranking(group_by_code(args.group), args.period)]
    write_rankings(rankings, args.format, sys.stdout, as_list=args.all)
    return EXIT_OK


def write_rankings(rankings, fmt: str, out, as_list: bool = False) -> None:
    """json: one ranking object for --group, a list of them for --all."""
    from gongfen.scoring import ranking_as_dict

    if fmt == "json":
        data = [ranking_as_dict(r) for r in rankings]
        out.write(json.dumps(data if as_list else data[0], ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        write_csv(rankings, out)
    else:
        write_table(rankings)


ACTION_LABELS = {"recommend": "首位推荐", "retrain": "末位回炉", "adjust": "调整"}
CSV_HEADER = [
    "排名组",
    "期间",
    "名次",
    "干部编码",
    "姓名",
    "档次",
    "工分",
    "工分折算",
    "定性评价",
    "综合得分",
    "一票否决",
    "措施",
    "在组天数",
]


def _names(rankings) -> dict[str, str]:
    from gongfen.org.models import Cadre

    codes = {row.cadre for r in rankings for row in r.rows} | {u.cadre for r in rankings for u in r.unranked}
    names: dict[str, str] = {}
    codes_list = sorted(codes)
    for start in range(0, len(codes_list), 2000):
        names.update(Cadre.objects.filter(code__in=codes_list[start : start + 2000]).values_list("code", "name"))
    return names


class _SafeCsvWriter:
    """``csv.writer`` whose fields no spreadsheet runs as formulas (a name ``=HYPERLINK(…)`` gets a leading ')."""

    def __init__(self, buffer):
        from gongfen.cellsafety import csv_safe

        self._writer, self._safe = csv.writer(buffer), csv_safe

    def writerow(self, row) -> None:
        self._writer.writerow([self._safe(v) for v in row])


def write_csv(rankings, out) -> None:
    """UTF-8 with BOM and CRLF, so that Excel opens it with the Chinese intact."""
    from gongfen.scoring import fmt2

    names = _names(rankings)
    buffer = io.StringIO()
    writer = _SafeCsvWriter(buffer)
    writer.writerow(CSV_HEADER)
    for r in rankings:
        for row in r.rows:
            writer.writerow(
                [
                    r.group,
                    r.period.code,
                    row.rank,
                    row.cadre,
                    names.get(row.cadre, ""),
                    row.tier,
                    fmt2(row.quantitative),
                    fmt2(row.normalized),
                    fmt2(row.qualitative) or "",
                    fmt2(row.composite),
                    "是" if row.vetoed else "",
                    "、".join(ACTION_LABELS[a] for a in row.actions),
                    row.breakdown.days,
                ]
            )
        for u in r.unranked:
            writer.writerow(
                [r.group, r.period.code, "不排名", u.cadre, names.get(u.cadre, ""), "", "", "", "", "", "", "", u.days]
            )
    data = "\ufeff" + buffer.getvalue()
    if hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(data.encode("utf-8"))
        out.buffer.flush()
    else:
        out.write(data)


def write_table(rankings) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from gongfen.schemes.models import RankingGroup
    from gongfen.scoring import fmt2

    console = Console(highlight=False, soft_wrap=False, width=max(120, Console().width))
    names = _names(rankings)
    titles = dict(RankingGroup.objects.filter(code__in=[r.group for r in rankings]).values_list("code", "name"))
    for r in rankings:
        table = Table(
            title=f"{titles.get(r.group, r.group)}（{r.group}）{r.period.code} 排名  共 {r.size} 人",
            box=box.SIMPLE_HEAVY,
        )
        for header, justify in [
            ("名次", "right"),
            ("编码", "left"),
            ("姓名", "left"),
            ("档次", "left"),
            ("工分", "right"),
            ("折算", "right"),
            ("定性", "right"),
            ("综合", "right"),
            ("否决", "center"),
            ("措施", "left"),
        ]:
            table.add_column(header, justify=justify, no_wrap=True)
        for row in r.rows:
            table.add_row(
                str(row.rank),
                row.cadre,
                names.get(row.cadre, ""),
                row.tier,
                fmt2(row.quantitative),
                fmt2(row.normalized),
                fmt2(row.qualitative) or "—",
                fmt2(row.composite),
                "是" if row.vetoed else "",
                "、".join(ACTION_LABELS[a] for a in row.actions),
            )
        console.print(table)
        if r.unranked:
            listed = "，".join(f"{u.cadre} {names.get(u.cadre, '')}（{u.days} 天）" for u in r.unranked)
            console.print(f"  不足在岗天数、不参加排名：{listed}")
        console.print()


def cmd_demo(args) -> int:
    import time

    from django.utils import timezone

    from gongfen.common import Actor
    from gongfen.demo import build_demo_bundle
    from gongfen.demo.lifecycle import demo_lifecycle
    from gongfen.demo.patterns import plant_patterns, plant_reviews
    from gongfen.interchange.services import bundle_load
    from gongfen.publication.holidays import OFFICIAL_2026, holidays_load_file

    started = time.perf_counter()
    with progress_bar() as progress:
        bundle = plant_patterns(build_demo_bundle(seed=args.seed, cadres=args.cadres, progress=progress))
        # the demo county is the product's own fiction, generated here: no person decides its entries
        demo = Actor(None, Actor.cli().label)
        report = bundle_load(actor=demo, bundle=bundle, progress=progress, source=f"demo seed={args.seed}")
    _print_load_report(report)
    created, updated = holidays_load_file(actor=Actor.cli(), path=OFFICIAL_2026)
    print(f"2026 年节假日与调休 (official 2026 holidays): +{created} ~{updated}")
    counts = demo_lifecycle()
    print(
        f"季度流程 (quarter lifecycle): {counts['groups']} 个排名组 2026Q1–Q2 已定稿、2026Q3 公示中、2026Q4 进行中；"
        f"审核通过 {counts['approved']} 条，异议 {counts['objections']} 条"
    )
    published_on = counts["q3_published_on"]
    if published_on == timezone.localdate():
        print(f"2026Q3 于今天 {published_on} 公示，异议期进行中 (published today, objection window open)")
    else:  # docs/demo.md "Dates"
        print(
            f"2026Q3 按 2026 年的日期于 {published_on} 公示：从今天起算的异议期要用到尚未录入节假日安排的年份，"
            f"演示不按推算的日历计算 (published on {published_on}: a window from today needs a holiday calendar "
            f"nobody has recorded)"
        )
    plant_reviews()
    print(
        "埋设的异常 (planted patterns, docs/analytics.md): 中村乡期末突击、林山乡大锅饭、芹阳办事处极端高分、马金镇宽松审核人"
    )
    from gongfen.intake.demo import demo_intake

    intake = demo_intake()
    print(
        f"来源系统 (source systems): {intake['sources']} 个，推送 {intake['proposed']} 条，"
        f"确认 {intake['confirmed']} 条，异议 {intake['declined']} 条"
    )
    print(f"演示县已就绪 (demo county ready) in {time.perf_counter() - started:.1f}s")
    return EXIT_OK


def cmd_rescore(args) -> int:
    from gongfen.common import DomainError
    from gongfen.interchange.selectors import dec
    from gongfen.ledger.selectors import rescore_survey
    from gongfen.ledger.services import rule_rescore
    from gongfen.schemes.models import Rule

    try:
        rule = Rule.objects.select_related("scheme").get(scheme__code=args.scheme, code=args.rule)
    except Rule.DoesNotExist:
        raise DomainError(f"考核方案 {args.scheme} 中没有规则 {args.rule}", code="not_found") from None
    survey = rescore_survey(rule, args.period)
    print(
        f"规则 {args.scheme}/{rule.code} {rule.name}：现行第 {survey.version} 版，{dec(survey.points)} 分"
        f"{'/' + rule.unit_label if rule.unit_label else ''}"
        f" (rule {rule.code}, current version {survey.version})"
    )
    for p in survey.periods:
        state = "已定稿，历史不变，不重算 (final: left alone)" if p.final else f"按现行版本计分 {p.current} 条"
        print(f"  {p.period}：已通过 {p.approved} 条 (approved)，{state}")
    created = rule_rescore(actor=_operator(args), rule=rule, periods=args.period, reason=args.reason)
    print(f"已按第 {rule.version} 版重算 {len(created)} 条记录 (re-scored {len(created)} entries)")
    if not created:
        print(f"原因 (why): {survey.why_nothing()}")
    return EXIT_OK


FIELD_LABELS = {
    "name": "名称",
    "category": "类别",
    "points": "分值",
    "unit_label": "计量单位",
    "cap": "季度上限",
    "veto": "一票否决",
    "positions": "适用职务",
    "evidence_required": "需佐证",
    "weight_quantitative": "定量权重",
    "weight_qualitative": "定性权重",
    "grades": "评价等次",
    "evaluator_classes": "评价主体",
    "tiers": "分档",
    "category_caps": "类别上限",
    "min_days": "最少在岗天数",
    "objection_days": "异议期（工作日）",
}


def _show(value) -> str:
    from decimal import Decimal

    from gongfen.interchange.selectors import dec

    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cmd_diff(args) -> int:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from gongfen.schemes.selectors import scheme_by_code, scheme_diff

    diff = scheme_diff(scheme_by_code(args.scheme))
    console = Console(highlight=False, width=max(120, Console().width))
    title = f"{diff.scheme.name}（{diff.scheme.code}）对比模板 {diff.template.name}（{diff.template.code}）"
    if diff.unchanged:
        console.print(f"{title}：与模板相同 (same as the template)")
        return EXIT_OK
    table = Table(title=title, box=box.SIMPLE_HEAVY)
    for header in ("变化", "规则", "项目", "模板", "本方案"):
        table.add_column(header, no_wrap=header != "模板" and header != "本方案")
    kinds = {"added": "新增", "removed": "删除", "changed": "修改"}
    for name, (old, new) in diff.parameters.items():
        table.add_row("修改", "（方案参数）", FIELD_LABELS.get(name, name), _show(old), _show(new))
    for change in diff.rules:
        if change.kind != "changed":
            table.add_row(kinds[change.kind], f"{change.code} {change.name}", "", "", "")
        for name, (old, new) in change.fields.items():
            table.add_row("修改", f"{change.code} {change.name}", FIELD_LABELS.get(name, name), _show(old), _show(new))
    console.print(table)
    return EXIT_OK


def cmd_whatif(args) -> int:
    from gongfen.analytics.commands import whatif_command

    return whatif_command(args)


def cmd_serve(args) -> int:
    """waitress (a production WSGI server) with WhiteNoise serving the static files."""
    import waitress

    from gongfen.wsgi import application

    if args.demo:
        from gongfen.accounts.demo import demo_users
        from gongfen.org.models import Cadre

        if not Cadre.objects.exists():
            cmd_demo(argparse.Namespace(seed=2026, cadres=1200))
        print("演示账号 (demo logins):")
        for label, username, password in demo_users():
            print(f"  {label:<16} {username:<10} {password}")
    print(f"gongfen 网页服务 http://{args.host}:{args.port}/  (Ctrl+C 停止)", flush=True)
    waitress.serve(
        application, host=args.host, port=args.port, threads=args.threads, ident="gongfen", **waitress_proxy()
    )
    return EXIT_OK


def waitress_proxy() -> dict:
    """waitress's trusted-proxy options from the settings (GONGFEN_TRUSTED_PROXY): none without a proxy."""
    from django.conf import settings

    if not settings.GONGFEN_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.GONGFEN_TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": set(settings.GONGFEN_TRUSTED_PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def cmd_check(args) -> int:
    from gongfen.ledger.selectors import totals_mismatches

    mismatches = totals_mismatches()
    if not mismatches:
        print("小计与台账一致 (maintained totals equal a recomputation)")
        return EXIT_OK
    for key, want, have in mismatches[:50]:
        print(f"不一致 (mismatch) {key}: ledger {want} maintained {have}", file=sys.stderr)
    return EXIT_INVALID


def cmd_verify(args) -> int:
    from gongfen.trust.selectors import log_consistency, log_verify, parse_head

    since = None
    if args.since is not None:
        try:
            since = parse_head(args.since)
        except ValueError as exc:
            print(f"错误 (error): {exc}", file=sys.stderr)
            return EXIT_USAGE
    result = log_verify()
    if not result.intact:
        for problem in result.problems[:50]:
            print(f"不符 (mismatch): {problem}", file=sys.stderr)
        if len(result.problems) > 50:
            print(f"……另有 {len(result.problems) - 50} 处不符 ({len(result.problems)} in all)", file=sys.stderr)
        return EXIT_INVALID
    print(f"日志完好 intact: {result.size} leaves, root {result.root}")
    print("每条记录的状态与分值、工分小计、公示快照的内容均与日志相符 (entries replay, totals and snapshots match)")
    if since is not None:
        ok, message = log_consistency(*since)
        print(message, file=sys.stdout if ok else sys.stderr)
        return EXIT_OK if ok else EXIT_INVALID
    return EXIT_OK


def cmd_holidays(args) -> int:
    from gongfen.common import Actor
    from gongfen.publication.holidays import HolidaysInvalid, holidays_load_file, holidays_of

    if args.holidays_command == "load":
        if not args.file.is_file():
            print(f"错误 (error): 找不到文件 {args.file} (no such file)", file=sys.stderr)
            return EXIT_USAGE
        try:
            created, updated = holidays_load_file(actor=Actor.cli(), path=args.file)
        except HolidaysInvalid as exc:
            print(exc.message, file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return EXIT_INVALID
        print(f"已导入节假日 (loaded): 新增 {created}，更新 {updated} (+{created} ~{updated})")
        return EXIT_OK
    days = list(holidays_of(args.year))
    for day in days:
        kind = "上班" if day.working else "休息"
        print(f"{day.day.isoformat()}  周{'一二三四五六日'[day.day.weekday()]}  {kind}  {day.name}")
    if not days:
        print("没有记录节假日 (no holidays recorded)")
    return EXIT_OK


def cmd_backup(args) -> int:
    from gongfen.backup import BackupError, backup

    try:
        done = backup(args.file)
    except BackupError as exc:
        print(f"错误 (error): {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    print(f"已备份 (backed up, {done.kind}) → {done.path}  {done.size:,} bytes")
    return EXIT_OK


def cmd_restore(args) -> int:
    from gongfen.backup import BackupError, restore

    try:
        done = restore(args.file)
    except BackupError as exc:
        print(f"错误 (error): {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    print(f"已恢复 (restored, {done.kind}) ← {done.path}；请运行 gongfen check 核对 (now run gongfen check)")
    return EXIT_OK


def cmd_webhooks(args) -> int:
    from gongfen.webhooks.dispatch import run_due, run_forever

    def say(report) -> None:
        print(
            f"已送达 (delivered) {report.delivered}，待重试 (retrying) {report.retrying}，放弃 (failed) {report.failed}",
            flush=True,
        )

    if args.once:
        say(run_due())
        return EXIT_OK
    run_forever(interval=max(args.interval, 0.5), on_report=say)
    return EXIT_OK


def cmd_jobs(args) -> int:
    import time

    from gongfen.interchange.jobs.runner import mark_interrupted, run_next

    failed = mark_interrupted()
    if failed:
        print(f"{failed} 个中断的导入任务已标记为失败 (interrupted jobs marked failed)", flush=True)
    while True:
        ran = 0
        while run_next():
            ran += 1
        if ran:
            print(f"已运行 {ran} 个导入任务步骤 (job steps run)", flush=True)
        if args.once:
            return EXIT_OK
        time.sleep(max(args.interval, 0.5))


def cmd_reminders(args) -> int:
    from gongfen.reminders.services import digests_send

    r = digests_send()
    print(
        f"已发送 (sent) {r.sent}，今日已发 (already today) {r.already}，无待办 (nothing due) {r.nothing}，"
        f"免打扰 (quiet hours) {r.quiet}，已退订 (opted out) {r.opted_out}；"
        f"钉钉 (DingTalk) 成功 {r.dingtalk_sent} 失败 {r.dingtalk_failed}",
        flush=True,
    )
    return EXIT_OK if not r.dingtalk_failed else EXIT_INVALID


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongfen manage", *args.args])
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

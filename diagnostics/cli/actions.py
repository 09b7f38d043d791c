"""`python -m diagnostics actions ...`: the action register from the command line.

`list` prints the register in follow-up order (overdue first), `export` writes the sheet for
an issue tracker, `import` reads it back (by action id, nothing duplicated; a sheet with a
cell it cannot read changes nothing). Same database as the app: `DATABASE_URL`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from pathlib import Path

from diagnostics.cli.common import EXIT_OK, _print_json, add_database_option, migrated_engine
from diagnostics.errors import DiagnosticError


def _action_json(action, today: date, words) -> dict:
    data = asdict(action)
    data.pop("history")
    data["status_label"] = words.label(action.status)
    data["scope"] = action.scope
    data["overdue"] = action.overdue(today)
    data["days_overdue"] = action.days_overdue(today)
    data["history"] = [asdict(change) for change in action.history]
    return data


def _cmd_list(args: argparse.Namespace) -> int:
    from diagnostics.actions import register
    from diagnostics.actions.vocabulary import vocabulary

    today = date.today()
    words = vocabulary()
    actions = register.list_actions(
        migrated_engine(args), pilot_name=args.pilot, overdue_only=args.overdue, today=today
    )
    if args.json:
        _print_json([_action_json(a, today, words) for a in actions])
        return EXIT_OK
    if not actions:
        print("No action in the register" + (" matches." if args.pilot or args.overdue else "."))
        return EXIT_OK
    for a in actions:
        due = a.due_date.isoformat() if a.due_date else "no due date"
        late = f", {a.days_overdue(today)} days overdue" if a.overdue(today) else ""
        print(f"#{a.id:<5} {words.label(a.status):<12} {a.scope} · {a.owner_or_none} · {due}{late}")
        print(f"       {a.title}")
    counts = register.counts(actions, today)
    print(
        f"\n{register.plural(len(actions), 'action')}: {counts['to_do']} to do "
        f"({counts['overdue']} overdue), "
        f"{counts['done']} done, {counts['dropped']} dropped."
    )
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from diagnostics.actions import exchange, register
    from diagnostics.framework.content import load_content

    path = Path(args.file)
    ext = path.suffix.lower().lstrip(".")
    if ext not in ("csv", "xlsx"):
        raise DiagnosticError(f"{path}: name the file .csv or .xlsx, the two formats exported.")
    actions = register.list_actions(migrated_engine(args), pilot_name=args.pilot)
    path.write_bytes(exchange.export_bytes(actions, load_content(args.content), ext))
    print(f"Wrote {register.plural(len(actions), 'action')} to {path}.")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from diagnostics.actions import exchange

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DiagnosticError(f"{path}: file not found.") from None
    report = exchange.import_sheet(migrated_engine(args), data, path.name)
    if args.json:
        _print_json(
            {
                "created": report.created,
                "updated": [asdict(c) for c in report.updated],
                "unchanged": report.unchanged,
            }
        )
        return EXIT_OK
    print(report.summary())
    for change in report.updated:
        print(f"  #{change.action_id} {change.title[:60]}: {', '.join(change.changes)}")
    return EXIT_OK


def register(sub) -> None:
    """Add `actions list | export | import`."""
    parser = sub.add_parser("actions", help="the action register: list, export, import")
    group = parser.add_subparsers(dest="actions_command", required=True, metavar="ACTION")

    p = group.add_parser("list", help="the actions, overdue first")
    p.add_argument("--pilot", metavar="NAME", help="only the actions of this pilot")
    p.add_argument("--overdue", action="store_true", help="only actions past their due date")
    p.add_argument("--json", action="store_true", help="print the actions as JSON")
    add_database_option(p)
    p.set_defaults(func=_cmd_list)

    p = group.add_parser("export", help="write the register as csv or xlsx for an issue tracker")
    p.add_argument("file", help="where to write: a .csv or .xlsx file name")
    p.add_argument("--pilot", metavar="NAME", help="only the actions of this pilot")
    add_database_option(p)
    p.set_defaults(func=_cmd_export)

    p = group.add_parser("import", help="update the register from an exported sheet (by action id)")
    p.add_argument("file", help="the csv or xlsx exported before, edited")
    p.add_argument("--json", action="store_true", help="print what changed as JSON")
    add_database_option(p)
    p.set_defaults(func=_cmd_import)

"""The first commands: the framework, a pilot, the database, a portfolio, its cost, the profile."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from diagnostics.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    _print_json,
    _read_json_file,
    add_database_option,
)
from diagnostics.errors import DiagnosticError
from diagnostics.formats import count_of
from diagnostics.framework.content import load_content

# content ------------------------------------------------------------------------------


def _cmd_content(args: argparse.Namespace) -> int:
    content = load_content(args.content)
    _print_json(content.summary())
    return EXIT_OK


# assess -------------------------------------------------------------------------------


def _cmd_assess(args: argparse.Namespace) -> int:
    from diagnostics.framework.scoring import score, validate_answers

    content = load_content(args.content)
    raw = _read_json_file(args.answers)
    if not isinstance(raw, dict):
        raise DiagnosticError(
            f'{args.answers}: expected a JSON object like {{"question_id": "yes"}}.'
        )
    answers = validate_answers(raw, content)
    position = _position_for_phase(args.phase, content) if args.phase else args.position
    result = score(answers, content, position=position)
    if args.json:
        data = result.to_dict()
        data["phase"] = args.phase or _phase_of_position(position, content)
        _print_json(data)
    else:
        print(_render_result(result, content))
    return EXIT_OK


PHASE_TO_POSITION = {"start": "about_to_start", "during": "running", "decision": "decision_point"}


def _position_for_phase(phase: str, content) -> str:
    position = PHASE_TO_POSITION[phase]
    if position not in content.positions_by_key:
        raise DiagnosticError(f"The content file has no position {position!r} for phase {phase}.")
    return position


def _phase_of_position(position: str, content) -> str:
    return content.positions_by_key[position].scored_phases[-1]


def _render_result(result, content) -> str:
    lines = [
        f"Verdict: {result.verdict_label} ({result.decision})",
        f"Why: {result.why}",
        "",
        "Readiness per reason (0-100, higher is better):",
    ]
    for r in result.reasons:
        value = "not scored" if r.readiness is None else f"{r.readiness:5.1f}  {r.band_label}"
        lines.append(f"  {r.title:<45} {value}")
    overall = "n/a" if result.overall is None else f"{result.overall:.1f}"
    lines.append(f"Overall: {overall}   Weakest link: {result.weakest}")
    lines.append(f"Don't know answers: {result.uncertainty}")
    if result.knockouts:
        lines.append("Blockers: " + ", ".join(result.knockouts))
    if result.unanswered:
        lines.append(f"Unanswered ({len(result.unanswered)}): " + ", ".join(result.unanswered))
    if result.upcoming_questions:
        lines.append(f"Coming up later ({len(result.upcoming_questions)} questions not scored)")
    lines += ["", "Most urgent actions:"]
    for i, action in enumerate(result.top_actions, 1):
        lines.append(f"  {i}. {action.text} (owner: {action.owner}; {action.reason_title})")
    return "\n".join(lines)


# init-db ------------------------------------------------------------------------------


def _cmd_init_db(args: argparse.Namespace) -> int:
    from diagnostics.storage import store

    engine = store.make_engine(args.database_url)
    store.migrate(engine)
    seeded = False
    if args.demo:
        from diagnostics.demo import seed_demo

        seeded = seed_demo(engine, load_content(args.content))
    where = engine.url.render_as_string(hide_password=True)
    print(f"Database ready at {where} (schema {store.current_revision(engine)}).")
    if args.demo:
        print("Demo data added." if seeded else "Demo data already present.")
    return EXIT_OK


# hash-password / check-db (team deployment) ---------------------------------------------


def _read_new_password() -> str:
    """Ask twice on a terminal; read one line when piped (scripts, containers)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("New team password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise DiagnosticError("The two passwords differ; nothing was made. Try again.")
    return first


def _cmd_hash_password(args: argparse.Namespace) -> int:
    from diagnostics.auth import PASSWORD_HASH_ENV, hash_password

    print(hash_password(_read_new_password(), method=args.method))
    print(
        f"Put this line in {PASSWORD_HASH_ENV} (it is a hash, not the password).", file=sys.stderr
    )
    return EXIT_OK


def _cmd_check_db(args: argparse.Namespace) -> int:
    from diagnostics.storage import store
    from diagnostics.storage.health import check_database

    health = check_database(store.make_engine(args.database_url))
    _print_json(health.to_dict())
    if not health.up_to_date:
        print(
            f"error: the schema is at {health.revision or 'nothing (empty database)'}, this "
            f"version needs {health.head}: run `python -m diagnostics init-db`.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return EXIT_OK


# profile ------------------------------------------------------------------------------


def _cmd_profile(args: argparse.Namespace) -> int:
    from diagnostics.organisation.answer_sheet import read_answer_sheet
    from diagnostics.organisation.answers import sheet_pilots
    from diagnostics.organisation.profile import (
        organisation_profile,
        profile_summary,
        render_profile_text,
    )

    content = load_content(args.content)
    path = Path(args.file)
    if not path.is_file():
        raise DiagnosticError(f"{args.file}: file not found.")
    sheet = read_answer_sheet(path, path.name, content, sheet=args.sheet)
    profile = organisation_profile(sheet_pilots(sheet), content)
    if args.json:
        data = profile_summary(profile, gaps=args.gaps)
        data["problems"] = [
            {
                "cell": p.cell,
                "row": p.row,
                "column": p.column,
                "value": p.value,
                "message": p.message,
            }
            for p in sheet.problems
        ]
        data["warnings"] = sheet.warnings
        _print_json(data)
        return EXIT_OK
    if sheet.problems or sheet.warnings:
        print(f"{len(sheet.problems)} cell(s) could not be used and were left unanswered:")
        for line in sheet.problem_lines():
            print(f"  {line}")
        for warning in sheet.warnings:
            print(f"  note: {warning}")
        print()
    print(render_profile_text(profile, content, gaps=args.gaps))
    return EXIT_OK


# portfolio ----------------------------------------------------------------------------


def _cmd_portfolio(args: argparse.Namespace) -> int:
    import pandas as pd

    from diagnostics.portfolio.analysis import analyse_portfolio
    from diagnostics.portfolio.importer import import_portfolio
    from diagnostics.portfolio.symptoms import COMPUTABLE_SYMPTOMS

    path = Path(args.file)
    content = load_content(args.content)
    imported = import_portfolio(path, path.name, sheet=args.sheet, profile=args.profile)
    assessed, sheet = _portfolio_answers(args, imported.frame, content)
    analysis = analyse_portfolio(imported.frame, content, assessed=assessed)
    data = imported.summary()
    units = analysis.units
    data["business_units"] = [
        {
            "business_unit": row["business_unit"],
            "pilots": int(row["pilots"]),
            "production": int(row["production"]),
            "production_rate": None
            if pd.isna(row["production_rate"])
            else round(float(row["production_rate"]), 4),
            "symptoms": {
                key: None if pd.isna(row[key]) else bool(row[key]) for key in COMPUTABLE_SYMPTOMS
            },
        }
        for row in units.to_dict("records")
    ]
    data.update(_portfolio_decisions(analysis, assessed, sheet))
    if args.json:
        _print_json(data)
    else:
        print(_render_portfolio(data))
    return EXIT_OK


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _portfolio_answers(args: argparse.Namespace, frame, content):
    """With --answers: the answer sheet's pilots, scored and joined to the rows by id, else
    by name (see portfolio.assessed); the sheet's own answer columns count too."""
    from diagnostics.portfolio.assessed import portfolio_readiness

    if not getattr(args, "answers", None):
        return portfolio_readiness(frame, content), None
    from diagnostics.organisation.answer_sheet import read_answer_sheet
    from diagnostics.organisation.answers import sheet_pilots

    path = Path(args.answers)
    if not path.is_file():
        raise DiagnosticError(f"{args.answers}: file not found.")
    sheet = read_answer_sheet(path, path.name, content)
    return portfolio_readiness(frame, content, sheet_pilots(sheet)), sheet


def _portfolio_decisions(analysis, assessed, sheet) -> dict:
    from diagnostics.portfolio.assessed import pilots_summary, recommendation_counts

    data: dict = {
        "recommendation_counts": recommendation_counts(analysis),
        "pilots": pilots_summary(analysis),
    }
    if sheet is not None:
        matched = set(assessed.matching.matches["pilot_key"])
        data["answers"] = {
            "file": sheet.filename,
            "rows": len(sheet.pilots),
            "matched": len(matched),
            "unmatched": [
                p.pilot_id or p.name
                for p in sheet.pilots
                if (p.pilot_id or f"row-{p.row}") not in matched
            ],
            "problems": len(sheet.problems),
        }
    return data


def _render_portfolio(data: dict) -> str:
    rate = data["production_rate"]
    lines = [
        f"{data['file']}: sheet {data['sheet'] or '-'}, header on row {data['header_row']}"
        + (f", profile {data['profile']}" if data["profile"] else ""),
        f"Rows imported: {data['rows_imported']:,} ({data['rows_with_warnings']:,} with warnings)",
        "",
        "Column mapping (confidence):",
    ]
    for field, match in data["column_mapping"].items():
        column = (match["column"] or "-").replace("\n", " ")[:60]
        shown = f"{match['confidence']:.2f} {match['source']}" if match["column"] else ""
        lines.append(f"  {field:<24} {column:<62} {shown}")
    lines += ["", "Pilots per stage:"]
    for stage, count in data["stage_counts"].items():
        lines.append(f"  {stage:<12} {count:>8,}")
    lines.append(
        "Production rate: " + ("n/a (no pilot started)" if rate is None else f"{rate:.1%}")
    )
    lines.append(f"Business units: {data['business_unit_count']}")
    if data.get("business_unit_column"):
        lines[-1] += f", from column {_one_line(data['business_unit_column'])!r}"
    if data.get("business_subunit_column"):
        lines.append(
            f"Sub-units: {data['business_subunit_count']}, from column "
            f"{_one_line(data['business_subunit_column'])!r}"
        )
    dates = [
        f"{key.removesuffix('_date').replace('decision', 'go-live')} date {_one_line(col)!r}"
        for key, col in (data.get("date_columns") or {}).items()
        if col
    ]
    lines.append("Date columns: " + ("; ".join(dates) if dates else "none found"))
    named = data.get("currencies") or []
    lines.append(
        "Currency of the amounts: "
        + (
            named[0]
            if len(named) == 1
            else f"several ({', '.join(named)})"
            if named
            else "none named"
        )
    )
    if data.get("stage_texts"):
        lines += ["", "Stage texts (rows) -> stage:"]
        for text in data["stage_texts"][:30]:
            rows = "1 row" if text["rows"] == 1 else f"{text['rows']:,} rows"
            lines.append(f"  {_one_line(text['text'])[:70]!r} ({rows}) -> {text['stage']}")
        if len(data["stage_texts"]) > 30:
            lines.append(f"  … and {len(data['stage_texts']) - 30} more (see --json)")
    if data.get("missing"):
        lines += ["", "Missing:"] + [f"  - {gap['message']}" for gap in data["missing"]]
    counts = data.get("recommendation_counts") or {}
    if counts:
        from diagnostics.portfolio.recommendations import RECOMMENDATIONS

        lines.append(
            "Recommendations: "
            + ", ".join(f"{RECOMMENDATIONS[k]} {n:,}" for k, n in counts.items())
        )
    if data["warnings"]:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in data["warnings"]]
    return "\n".join(lines)


# cost ---------------------------------------------------------------------------------


def _cost_assumptions(args: argparse.Namespace, content):
    from diagnostics.cost import ASSUMPTIONS, CostAssumptions

    values: dict = {}
    if args.assumptions:
        raw = _read_json_file(args.assumptions)
        if not isinstance(raw, dict):
            raise DiagnosticError(
                f'{args.assumptions}: expected a JSON object like {{"monthly_team_cost": 25000}}.'
            )
        values.update(raw)
    for spec in ASSUMPTIONS:
        given = getattr(args, spec.key, None)
        if given is not None:
            values[spec.key] = given
    return CostAssumptions.from_content(content, **values)


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-30") from None


def _cmd_cost(args: argparse.Namespace) -> int:
    from diagnostics.cost import STOP_SELECTIONS, compute_cost, stop_now, stop_selection
    from diagnostics.portfolio.importer import import_portfolio

    content = load_content(args.content)
    assumptions = _cost_assumptions(args, content)
    path = Path(args.file)
    if not path.is_file():
        raise DiagnosticError(f"{args.file}: file not found.")
    imported = import_portfolio(path, path.name, sheet=args.sheet, profile=args.profile)
    result = compute_cost(imported.frame, assumptions)
    scenario = None
    if args.stop != "none":
        chosen = stop_selection(imported.frame, assumptions, content, args.stop)
        scenario = stop_now(imported.frame, assumptions, chosen)
    if args.json:
        data = {"file": path.name, **result.to_dict(), "caveats": result.caveats()}
        if scenario is not None:
            data["stop_now"] = {"selection": STOP_SELECTIONS[args.stop], **scenario.to_dict()}
        data["import_warnings"] = list(imported.warnings)
        _print_json(data)
    else:
        print(_render_cost(path.name, result, scenario, args.stop))
    return EXIT_OK


def _render_cost(name: str, result, scenario, stop: str) -> str:
    from diagnostics.cost import STOP_SELECTIONS

    t = result.totals
    lines = [
        f"Cost of the PoC trap in {name}, as of {result.assumptions.as_of.isoformat()}",
        f"Total {t['total']:,.0f} = direct {t['direct']:,.0f} + opportunity "
        f"{t['opportunity']:,.0f}",
        f"Pilots: {t['pilots']:,}; with a cost {t['pilots_with_cost']:,} (open past the decision "
        f"point {t['pilots_stuck']:,}, stopped late {t['pilots_stopped_late']:,}, live late "
        f"{t['pilots_live_late']:,}); left out {t['pilots_left_out']:,}",
        *(f"Note: {line}" for line in result.caveats()),
        "",
        "By business unit (trust signals: stuck now, stopped and live in the last 12 months):",
        f"  {'unit':<28} {'direct':>14} {'opportunity':>14} {'total':>14} "
        f"{'stuck':>6} {'stopped':>8} {'live':>5}  signal",
    ]
    for row in result.by_unit.to_dict("records"):
        unit = " ".join(str(row["business_unit"]).split())[:28]
        lines.append(
            f"  {unit:<28} {row['direct_cost']:>14,.0f} {row['opportunity_cost']:>14,.0f} "
            f"{row['total_cost']:>14,.0f} {row['stuck_now']:>6} {row['stopped_12m']:>8} "
            f"{row['live_12m']:>5}  {row['trust_signal']}"
        )
    left_out = result.left_out_counts()
    lines += ["", "Left out:" if left_out else "Left out: none"]
    lines += [f"  {count:,} {why}" for why, count in left_out.items()]
    lines += ["", "Missing data:"] + [f"  - {line}" for line in result.missing_statement()]
    if scenario is not None:
        lines += [
            "",
            f"Stop now ({STOP_SELECTIONS[stop].lower()}): {count_of(scenario.stopped, 'pilot')}; "
            f"saving {scenario.saving:,.0f} by {scenario.horizon_end.isoformat()} "
            f"(cost then {scenario.keep_total:,.0f} if they run on, "
            f"{scenario.stop_total:,.0f} if stopped today)",
        ]
    lines += ["", "Assumptions:"]
    lines += [
        f"  {row['assumption']}: {row['value']} {row['unit']}" for row in result.assumptions.rows()
    ]
    return "\n".join(lines)


def _add_cost_parser(sub) -> None:
    from diagnostics.cost import ASSUMPTIONS, STOP_SELECTIONS

    p = sub.add_parser(
        "cost", help="the cost of the trap for a spreadsheet of pilots (totals, units, stop now)"
    )
    p.add_argument("file", help="xlsx, xlsm, xls, ods or csv: one row per pilot")
    p.add_argument("--sheet", help="the sheet to read (default: the one most like a pilot list)")
    p.add_argument("--profile", help="a saved column-mapping profile (name or YAML path)")
    p.add_argument("--assumptions", help="JSON file of assumptions; the options below win")
    for spec in ASSUMPTIONS:
        p.add_argument(
            "--" + spec.key.replace("_", "-"),
            dest=spec.key,
            type={"as_of": _iso_date, "currency": str}.get(spec.key, float),
            metavar={"as_of": "YYYY-MM-DD", "currency": "CODE"}.get(spec.key, "N"),
            help=f"{spec.help} ({spec.unit})".replace("%", "%%"),
        )
    p.add_argument(
        "--stop",
        choices=[*STOP_SELECTIONS, "none"],
        default="recommended",
        help="pilots the stop-now scenario stops: the portfolio review's recommendations "
        "(default), every open pilot past the recommended path, or none",
    )
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.set_defaults(func=_cmd_cost)


# commands -----------------------------------------------------------------------------


def register(sub) -> None:
    """Add the framework, pilot, database, portfolio, cost and profile commands."""

    p = sub.add_parser("content", help="summarise the framework content file as JSON")
    p.set_defaults(func=_cmd_content)

    p = sub.add_parser("assess", help="score a pilot from a JSON file of answers")
    p.add_argument("answers", help='JSON file: {"question_id": "yes|partly|no|dont_know|na"}')
    p.add_argument(
        "--phase",
        choices=sorted(PHASE_TO_POSITION),
        help="where the pilot stands; later phases' questions are left for later",
    )
    p.add_argument("--position", default="decision_point", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(func=_cmd_assess)

    p = sub.add_parser("init-db", help="create or upgrade the database schema")
    p.add_argument("--demo", action="store_true", help="add demo pilots when the database is empty")
    add_database_option(p)
    p.set_defaults(func=_cmd_init_db)

    p = sub.add_parser("hash-password", help="make a hash for POCTRAP_PASSWORD_HASH")
    p.add_argument("--method", choices=["scrypt", "pbkdf2_sha256"], default="scrypt")
    p.set_defaults(func=_cmd_hash_password)

    p = sub.add_parser("check-db", help="report the schema revision and row counts (health)")
    add_database_option(p)
    p.set_defaults(func=_cmd_check_db)

    p = sub.add_parser(
        "profile", help="the organisation's risk profile from a spreadsheet of answers"
    )
    p.add_argument("file", help="xlsx or csv: one row per pilot, one column per question id")
    p.add_argument("--sheet", help="the sheet to read (default: 'Answers', else the first)")
    p.add_argument("--gaps", type=int, default=10, help="how many gaps to list (default 10)")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(func=_cmd_profile)

    p = sub.add_parser(
        "portfolio", help="import a spreadsheet of pilots and summarise it (funnel, mapping)"
    )
    p.add_argument("file", help="xlsx, xlsm, xls, ods or csv: one row per pilot")
    p.add_argument("--sheet", help="the sheet to read (default: the one most like a pilot list)")
    p.add_argument("--profile", help="a saved column-mapping profile (name or YAML path)")
    p.add_argument(
        "--answers",
        help="an answer sheet (xlsx or csv: pilot_id and/or pilot_name, one column per "
        "question id); each row is scored and joined to its pilot by id, else by name",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_portfolio)

    _add_cost_parser(sub)

"""`python -m diagnostics report ANSWERS.json --format pdf --output FILE`: a pilot's report
from an answers file, the same page, brief, deck or workbook as the results page offers.

The answers file is either `{"question_id": "yes", ...}` (as for `assess`) or
`{"answers": {...}, "comments": {...}, "pilot": {"name": ..., "start_date": "2026-01-05",
"expected_annual_value": 520000, ...}}`; options on the command line win over the file.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from diagnostics.cli.common import EXIT_OK, _read_json_file
from diagnostics.errors import DiagnosticError
from diagnostics.render.files import PILOT_FORMATS

_NUMBERS = ("expected_annual_value", "pilot_budget")


def _day(value: object, what: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DiagnosticError(f"{what} {value!r} is not a date like 2026-01-05.") from None


def _amount(value: object, what: str) -> float:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise DiagnosticError(f"{what} {value!r} is not a number; write it like 520000.") from None
    if amount < 0 or amount != amount:
        raise DiagnosticError(f"{what} must be zero or more, not {value!r}.")
    return amount


def _split(raw: object, path: str) -> tuple[dict, dict, dict]:
    """The answers, comments and pilot details from either shape of answers file."""
    if not isinstance(raw, dict):
        raise DiagnosticError(f'{path}: expected a JSON object like {{"question_id": "yes"}}.')
    if "answers" not in raw:
        return raw, {}, {}
    answers, comments, pilot = raw["answers"], raw.get("comments") or {}, raw.get("pilot") or {}
    for value, key in ((answers, "answers"), (comments, "comments"), (pilot, "pilot")):
        if not isinstance(value, dict):
            raise DiagnosticError(f'{path}: "{key}" must be a JSON object.')
    unknown = sorted(set(raw) - {"answers", "comments", "pilot"})
    if unknown:
        raise DiagnosticError(
            f"{path}: unknown keys {', '.join(unknown)}; expected answers, comments and pilot."
        )
    from diagnostics.storage.store import PILOT_DETAILS

    extra = sorted(set(pilot) - set(PILOT_DETAILS))
    if extra:
        raise DiagnosticError(
            f"{path}: unknown pilot fields {', '.join(extra)}; use {', '.join(PILOT_DETAILS)}."
        )
    return answers, comments, pilot


def build_review_from_file(args: argparse.Namespace, content):
    """The same `PilotReview` the results page renders, from the file and the options."""
    from diagnostics.cli.commands import PHASE_TO_POSITION, _position_for_phase
    from diagnostics.formats import normalise_currency
    from diagnostics.framework.review import build_review
    from diagnostics.framework.scoring import validate_answers
    from diagnostics.storage.store import AnswerRecord, AssessmentRecord, PilotRecord

    answers_raw, comments, details = _split(_read_json_file(args.answers), args.answers)
    answers = validate_answers(answers_raw, content)
    if not answers:
        raise DiagnosticError(
            f"{args.answers}: no answers to report on; give at least one question id with "
            "yes, partly, no, dont_know or na."
        )
    overrides = {
        "name": args.pilot_name,
        "business_unit": args.business_unit,
        "owner": args.owner,
        "start_date": args.start_date,
        "expected_annual_value": args.expected_annual_value,
        "pilot_budget": args.pilot_budget,
        "currency": args.currency,
    }
    details = {**details, **{k: v for k, v in overrides.items() if v is not None}}
    name = str(details.get("name") or "").strip() or "Pilot"
    start = details.get("start_date")
    pilot_kwargs = {
        "business_unit": details.get("business_unit") or None,
        "owner": details.get("owner") or None,
        "start_date": _day(start, "start_date") if start else None,
    }
    for key in _NUMBERS:
        if details.get(key) not in (None, ""):
            pilot_kwargs[key] = _amount(details[key], key)
    currency = normalise_currency(details.get("currency"))
    pilot = PilotRecord(id=0, name=name, currency=currency, **pilot_kwargs)
    today = _day(args.today, "--today") if args.today else date.today()
    moment = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    position = (
        _position_for_phase(args.phase, content) if args.phase else PHASE_TO_POSITION["decision"]
    )
    assessment = AssessmentRecord.unsaved(position, content.version, answered_at=moment)
    records = {
        qid: AnswerRecord(qid, value, str(comments[qid]) if comments.get(qid) else None)
        for qid, value in answers.items()
    }
    return build_review(content, pilot=pilot, assessment=assessment, answers=records, today=today)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix in PILOT_FORMATS:
        return suffix
    raise DiagnosticError(
        f"Say which format to write with --format ({'|'.join(PILOT_FORMATS)}), or give "
        "--output a file name ending in one of them."
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from diagnostics.framework.content import load_content
    from diagnostics.render.files import pilot_file

    content = load_content(args.content)
    fmt = _format(args)
    review = build_review_from_file(args, content)
    data = pilot_file(review, content, fmt)
    output = Path(args.output)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise DiagnosticError(
            f"Cannot write {output}: {exc.strerror or exc}. Choose a folder that exists and "
            "that you may write to."
        ) from None
    r = review.result
    print(f"Wrote {output} ({fmt}, {len(data) / 1024:,.0f} KB): {r.verdict_label}. {r.why}")
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="write a pilot's report (html, pdf brief, pptx deck, xlsx) from an answers file",
        description=__doc__.split("\n\n")[0].replace("`", ""),
    )
    p.add_argument(
        "answers",
        metavar="ANSWERS.json",
        help='JSON: {"question_id": "yes|partly|no|dont_know|na"}, or {"answers": ..., '
        '"comments": ..., "pilot": {...}}',
    )
    p.add_argument(
        "--format",
        choices=PILOT_FORMATS,
        help="html page, one-page pdf brief, pptx deck, xlsx workbook or csv of answers "
        "(default: from the --output file name)",
    )
    p.add_argument("--output", "-o", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--phase",
        choices=("start", "during", "decision"),
        help="where the pilot stands (default: decision); later phases' questions wait",
    )
    p.add_argument("--pilot-name", help="the pilot's name on the report (default: Pilot)")
    p.add_argument("--business-unit", help="the business unit running the pilot")
    p.add_argument("--owner", help="the pilot's owner or sponsor")
    p.add_argument("--start-date", help="YYYY-MM-DD: places the pilot on its timeline")
    p.add_argument(
        "--expected-annual-value", help="value a year once live: prices the cost of delay"
    )
    p.add_argument("--pilot-budget", help="the pilot's budget")
    p.add_argument("--currency", help="three-letter code shown with amounts, e.g. EUR, USD, TRY")
    p.add_argument("--today", help="YYYY-MM-DD: the report's date (default: today)")
    p.set_defaults(func=_cmd_report)

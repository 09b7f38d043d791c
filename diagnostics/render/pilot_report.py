"""Reports to forward: a self-contained HTML page and an xlsx/csv of the answers and results.

Both are rendered from the same `PilotReview` the results screen shows. The HTML embeds the
charts and plotly.js once, so it opens offline and prints to PDF from any browser. Every
piece of text that did not come from us (pilot name, unit, owner, comments) is escaped with
`safe_export.escape_html`, and our own text is escaped too, so nothing in the page is ever
read as markup; spreadsheets go through `safe_export`, which neutralises formulas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from diagnostics.formats import format_money
from diagnostics.framework import figures
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.timeline import format_day
from diagnostics.sheets.safe_export import escape_html, frame_to_csv_bytes, frames_to_xlsx_bytes

REPORT_PREFIX = "poc-trap-report"
STATUS_LABELS = {
    "done": "Done",
    "partly": "Partly",
    "missing": "Missing",
    "unknown": "Don't know",
    "not_applicable": "N/A",
    "unanswered": "Not answered",
    "upcoming": "Coming up",
}
DECISION_COLORS = {"proceed": "#009E73", "fix_first": "#E69F00", "stop": "#D55E00"}


def report_filename(pilot_name: str, day: date, extension: str) -> str:
    """`poc-trap-report-<pilot>-<date>.<ext>`, the pilot's name reduced to safe characters."""
    ascii_name = unicodedata.normalize("NFKD", pilot_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "pilot"
    return f"{REPORT_PREFIX}-{slug}-{day.isoformat()}.{extension}"


def answer_label(content: Content, key: str | None) -> str:
    if key is None:
        return "Not answered"
    option = content.answers_by_key.get(key)
    return option.label if option else key


def position_label(content: Content, key: str) -> str:
    position = content.positions_by_key.get(key)
    return position.label if position else key


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- tables (shared by the xlsx, the csv and the HTML) --------------------------------------


def summary_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    r, pilot = review.result, review.pilot
    weakest = content.reasons_by_key[r.weakest].title if r.weakest else None
    rows = [
        ("Pilot", pilot.name),
        ("Business unit", pilot.business_unit),
        ("Owner / sponsor", pilot.owner),
        ("Start date", pilot.start_date.isoformat() if pilot.start_date else None),
        ("Where the pilot stands", position_label(content, review.assessment.position)),
        ("Verdict", r.verdict_label),
        ("Why", r.why),
        ("Overall readiness (0-100)", _one_decimal(r.overall)),
        ("Weakest reason", weakest),
        ("Weakest reason readiness (0-100)", _one_decimal(r.weakest_readiness)),
        ("Don't know answers", r.uncertainty),
        ("Blockers", ", ".join(content.questions_by_id[k].short_label for k in r.knockouts)),
        ("Questions scored", len(r.scored_questions)),
        ("Questions unanswered", len(r.unanswered)),
        ("Timeline", review.progress.message if review.progress else None),
        ("Cost of delay", review.delay.message),
        ("Report date", review.today.isoformat()),
        ("Content version", r.content_version),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"]).astype(object)


def scores_frame(review: PilotReview) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Reason": s.title,
                "Readiness (0-100)": _one_decimal(s.readiness),
                "Risk (0-100)": _one_decimal(s.risk),
                "Band": s.band_label,
                "Questions scored": s.scored_questions,
                "Answered": s.answered,
                "Don't know": s.dont_know,
            }
            for s in review.result.reasons
        ]
    )


def answers_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    scored = set(review.result.scored_questions)
    rows = []
    for q in content.questions:
        saved = review.answers.get(q.id)
        rows.append(
            {
                "Reason": content.reasons_by_key[q.reason].title,
                "Question id": q.id,
                "Question": q.text,
                "Phase": content.phase_labels.get(q.phase, q.phase),
                "Scored now": "yes" if q.id in scored else "coming up",
                "Answer": answer_label(content, saved.value if saved else None),
                "Comment": saved.comment if saved and saved.comment else "",
            }
        )
    return pd.DataFrame(rows)


def actions_frame(review: PilotReview) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Priority": i,
                "Action": a.text,
                "Owner": a.owner,
                "Reason": a.reason_title,
                "Stage": f"{a.stage}. {a.stage_title}",
                "Blocker": "yes" if a.knockout else "",
                "Answer now": a.answer or "not answered",
            }
            for i, a in enumerate(review.result.actions, 1)
        ],
        columns=["Priority", "Action", "Owner", "Reason", "Stage", "Blocker", "Answer now"],
    )


def checklist_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Phase": content.phase_labels.get(c.phase, c.phase),
                "Item": c.label,
                "Status": STATUS_LABELS.get(c.status, c.status),
            }
            for c in review.result.checklist
        ]
    )


def history_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    rows = []
    for h in review.history:
        row = {
            "Assessed": h.created_at.date().isoformat(),
            "Position": h.position_label,
            "Verdict": h.verdict_label,
            "Overall": _one_decimal(h.overall),
        }
        for reason in content.reasons:
            row[reason.title] = _one_decimal(h.readiness.get(reason.key))
        rows.append(row)
    return pd.DataFrame(rows)


def report_xlsx(review: PilotReview, content: Content) -> bytes:
    """The workbook: summary, answers with comments, scores, actions, checklist, history."""
    return frames_to_xlsx_bytes(
        {
            "Summary": summary_frame(review, content),
            "Answers": answers_frame(review, content),
            "Scores": scores_frame(review),
            "Actions": actions_frame(review),
            "Checklist": checklist_frame(review, content),
            "History": history_frame(review, content),
        }
    )


def answers_csv(review: PilotReview, content: Content) -> bytes:
    return frame_to_csv_bytes(answers_frame(review, content))


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body{font-family:Inter,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2433;margin:0 auto;
max-width:980px;padding:24px;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 8px;
border-bottom:2px solid #e4e7ec;padding-bottom:4px}h3{font-size:1rem;margin:16px 0 6px}
.meta{color:#5b6475;font-size:.9rem}.verdict{border-left:8px solid;padding:12px 16px;
background:#f7f8fa;margin:16px 0}.verdict strong{font-size:1.3rem}
.kpis{display:flex;flex-wrap:wrap;gap:12px}.kpi{flex:1 1 160px;border:1px solid #e4e7ec;
border-radius:6px;padding:10px}.kpi b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:6px 0}
th,td{border:1px solid #e4e7ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7}.chart{page-break-inside:avoid;break-inside:avoid;margin:8px 0}
.band{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.comment{white-space:pre-wrap;color:#3d4556}footer{margin-top:32px;font-size:.8rem;
color:#5b6475;border-top:1px solid #e4e7ec;padding-top:8px}
@media print{body{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(value: object) -> str:
    return escape_html(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(fig: go.Figure, first: bool) -> str:
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=first,
        config={"displayModeBar": False, "responsive": True},
        default_width="100%",
    )
    return f'<div class="chart">{html}</div>'


def report_figures(review: PilotReview, content: Content) -> list[tuple[str, go.Figure]]:
    """The charts the report and the screen share, with their headings."""
    out = [
        ("Readiness per reason", figures.readiness_radar(review.result, content)),
        ("Risk per reason", figures.risk_bars(review.result, content)),
    ]
    if review.path is not None:
        out.append(
            (
                "Timeline against the recommended path",
                figures.timeline_chart(
                    review.path,
                    review.today,
                    content,
                    severity=review.progress.severity if review.progress else 0,
                    milestones=milestones(review),
                ),
            )
        )
    if len(review.history) > 1:
        out.append(("Trend across assessments", figures.history_trend(review.history, content)))
    return out


def milestones(review: PilotReview) -> list[tuple[date, str]]:
    """The pilot's own dates for the timeline: its start and each assessment."""
    points: list[tuple[date, str]] = []
    if review.pilot.start_date:
        points.append((review.pilot.start_date, "Start"))
    for i, h in enumerate(review.history, 1):
        points.append((h.created_at.date(), f"Assessment {i} ({h.verdict_label})"))
    return points


def report_html(review: PilotReview, content: Content) -> str:
    """The whole report as one HTML document (about 5 MB: plotly.js is embedded once)."""
    r, pilot = review.result, review.pilot
    color = DECISION_COLORS.get(r.decision, "#8a94a6")
    verdict = content.verdicts_by_key[r.verdict]
    weakest = content.reasons_by_key[r.weakest].title if r.weakest else "none yet"
    meta = " · ".join(
        _e(part)
        for part in (
            pilot.business_unit,
            pilot.owner and f"Owner: {pilot.owner}",
            pilot.start_date and f"Started {format_day(pilot.start_date)}",
            f"Stands: {position_label(content, review.assessment.position)}",
            f"Assessed {format_day(review.assessment.updated_at.date())}",
        )
        if part
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e('PoC Trap report: ' + pilot.name)}</title><style>{_CSS}</style></head>",
        "<body><header>",
        "<p class='meta'>PoC Trap Diagnostic: assessment report</p>",
        f"<h1 id='pilot-name'>{_e(pilot.name)}</h1><p class='meta'>{meta}</p></header>",
        f"<section class='verdict' style='border-color:{color}'>",
        f"<strong id='verdict'>{_e(r.verdict_label)}</strong>",
        f"<p id='why'>{_e(r.why)}</p><p>{_e(verdict.summary)}</p></section>",
        "<div class='kpis'>",
        _kpi("Overall readiness", _score(r.overall), "kpi-overall"),
        _kpi(f"Weakest reason: {weakest}", _score(r.weakest_readiness), "kpi-weakest"),
        _kpi("Don't know answers", str(r.uncertainty), "kpi-uncertainty"),
        _kpi("Blockers", str(len(r.knockouts)), "kpi-blockers"),
        "</div>",
    ]
    if r.knockouts:
        items = "".join(
            f"<li>{_e(content.questions_by_id[k].short_label)}</li>" for k in r.knockouts
        )
        parts.append(
            f"<h3>Blockers: these stop production whatever the average</h3><ul>{items}</ul>"
        )
    if review.progress or review.pilot.start_date:
        parts.append("<h2>Timeline and cost of delay</h2>")
        if review.progress:
            parts.append(f"<p id='progress'>{_e(review.progress.message)}</p>")
        parts.append(f"<p id='delay'>{_e(review.delay.message)}</p>")
        if review.delay.cost_so_far:
            parts.append(
                f"<p>Forgone so far: <b>{_e(format_money(review.delay.cost_so_far))}</b></p>"
            )
    parts.append("<h2>Risk profile</h2>")
    parts.append(
        _table(
            ["Reason", "Readiness", "Risk", "Band", "Answered", "Don't know"],
            (
                (
                    f"<span class='band' style='background:{_e(s.color or '#8a94a6')}'>"
                    f"</span>{_e(s.title)}",
                    _e(_score(s.readiness)),
                    _e(_score(s.risk)),
                    _e(s.band_label or "not scored"),
                    _e(f"{s.answered} of {s.scored_questions}"),
                    _e(s.dont_know),
                )
                for s in r.reasons
            ),
        )
    )
    for i, (title, fig) in enumerate(report_figures(review, content)):
        parts.append(f"<h3>{_e(title)}</h3>{_figure_html(fig, first=i == 0)}")
    parts.append("<h2>The three most urgent actions</h2>")
    parts.append(_actions_list(r.top_actions) if r.top_actions else "<p>No open actions.</p>")
    if len(r.actions) > 3:
        parts.append("<h2>All actions by stage</h2>")
        for stage in content.stages:
            in_stage = [a for a in r.actions if a.stage == stage.number]
            if in_stage:
                parts.append(f"<h3>Stage {stage.number}: {_e(stage.title)}</h3>")
                parts.append(_actions_list(in_stage))
    parts.append("<h2>Checklist</h2>")
    for phase, label in content.phase_labels.items():
        rows = [c for c in r.checklist if c.phase == phase]
        parts.append(f"<h3>{_e(label)}</h3>")
        parts.append(
            _table(
                ["Item", "Status"],
                ((_e(c.label), _e(STATUS_LABELS.get(c.status, c.status))) for c in rows),
            )
        )
    if r.upcoming_questions:
        items = "".join(
            f"<li>{_e(content.questions_by_id[q].text)}</li>" for q in r.upcoming_questions
        )
        parts.append(f"<h2>Coming up: prepare for these</h2><ul>{items}</ul>")
    if review.previous is not None:
        parts.append(
            f"<h2>What changed since {_e(format_day(review.previous.created_at.date()))}</h2>"
        )
        if review.changes:
            parts.append(
                _table(
                    ["Question", "Before", "Now"],
                    (
                        (
                            _e(c.label),
                            _e(answer_label(content, c.before)),
                            _e(answer_label(content, c.after)),
                        )
                        for c in review.changes
                    ),
                )
            )
        else:
            parts.append("<p>No answer changed.</p>")
    if len(review.history) > 1:
        frame = history_frame(review, content)
        parts.append("<h2>History</h2>")
        parts.append(_table(list(frame.columns), ([_e(v) for v in row] for row in frame.values)))
    parts.append("<h2>Answers</h2>")
    parts.append(_answers_table(review, content))
    src = content.source
    parts.append(
        "<footer>"
        + _e(
            f"Framework adapted from “{src.title}” by {src.author} ({src.date}). Questions, "
            "labels and recommendations are written for this tool. "
            f"Generated on {format_day(review.today)} with content version {r.content_version}."
        )
        + "</footer></body></html>"
    )
    return "".join(parts)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}/100"


def _kpi(label: str, value: str, element_id: str) -> str:
    return f"<div class='kpi'>{_e(label)}<b id='{element_id}'>{_e(value)}</b></div>"


def _actions_list(actions) -> str:
    items = "".join(
        f"<li><b>{_e(a.text)}</b><br><span class='meta'>Owner: {_e(a.owner)} · "
        f"{_e(a.reason_title)} · Stage {a.stage}"
        + (" · blocker" if a.knockout else "")
        + f"</span><br><span class='meta'>Why: {_e(a.why)}</span></li>"
        for a in actions
    )
    return f"<ol>{items}</ol>"


def _answers_table(review: PilotReview, content: Content) -> str:
    frame = answers_frame(review, content)
    rows = (
        (
            _e(row["Reason"]),
            _e(row["Question"]),
            _e(row["Answer"] if row["Scored now"] == "yes" else f"{row['Answer']} (coming up)"),
            f"<span class='comment'>{_e(row['Comment'])}</span>",
        )
        for _, row in frame.iterrows()
    )
    return _table(["Reason", "Question", "Answer", "Comment"], rows)

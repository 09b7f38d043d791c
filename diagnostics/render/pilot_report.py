"""A pilot's report to forward: a self-contained HTML page and an xlsx/csv of its answers.

Both are rendered from the same `PilotReview` the results screen shows, through the shared
rendering layer (`diagnostics.render.html`, `charts`, `workbook`). The HTML carries its charts
as static SVG, so it opens offline, weighs a few hundred kilobytes and prints to PDF from any
browser. Every text, ours and the user's, is escaped; spreadsheets neutralise formulas. The
one-page PDF brief and the slide deck (`brief`, `deck`) reuse the tables and charts here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pandas as pd

from diagnostics.actions.register import plural
from diagnostics.actions.vocabulary import vocabulary
from diagnostics.formats import format_money, with_currency
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.timeline import format_day
from diagnostics.render import charts
from diagnostics.render.html import chart, credit, document, e, kpi, kpis, table, td, verdict_box
from diagnostics.render.workbook import Sheet, workbook_bytes
from diagnostics.sheets.safe_export import frame_to_csv_bytes

STATUS_LABELS = {
    "done": "Done",
    "partly": "Partly",
    "missing": "Missing",
    "unknown": "Don't know",
    "not_applicable": "N/A",
    "unanswered": "Not answered",
    "upcoming": "Coming up",
}


def report_filename(pilot_name: str, day: date, extension: str, kind: str = "report") -> str:
    """`poc-trap-<kind>-<pilot>-<date>.<ext>`, the pilot's name reduced to safe characters."""
    ascii_name = unicodedata.normalize("NFKD", pilot_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "pilot"
    return f"poc-trap-{kind}-{slug}-{day.isoformat()}.{extension}"


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


def pilot_currency(review: PilotReview) -> str | None:
    """The currency the pilot's amounts were entered in, if one was named."""
    return review.pilot.currency


def decision_label(content: Content, key: str) -> str:
    decision = content.decisions_by_key.get(key)
    return decision.label if decision else key


def decision_color(content: Content, key: str) -> str:
    decision = content.decisions_by_key.get(key)
    return decision.color if decision else charts.NEUTRAL


def summary_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    r, pilot = review.result, review.pilot
    currency = pilot_currency(review)
    weakest = content.reasons_by_key[r.weakest].title if r.weakest else None
    rows = [
        ("Pilot", pilot.name),
        ("Business unit", pilot.business_unit),
        ("Owner / sponsor", pilot.owner),
        ("Start date", pilot.start_date),
        (with_currency("Expected annual value", currency), pilot.expected_annual_value),
        (with_currency("Pilot budget", currency), pilot.pilot_budget),
        ("Currency", currency or "not set"),
        ("Where the pilot stands", position_label(content, review.assessment.position)),
        ("Decision", decision_label(content, r.decision)),
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
        (with_currency("Expected value forgone so far", currency), review.delay.cost_so_far),
        ("Report date", review.today),
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


def actions_frame(review: PilotReview, content: Content) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Priority": i,
                "Action": a.text,
                "Owner": a.owner,
                "Reason": a.reason_title,
                "Stage": f"{a.stage}. {a.stage_title}",
                "Blocker": "yes" if a.knockout else "",
                "Answer now": answer_label(content, a.answer),
            }
            for i, a in enumerate(review.result.actions, 1)
        ],
        columns=["Priority", "Action", "Owner", "Reason", "Stage", "Blocker", "Answer now"],
    )


REGISTER_HEADINGS = ("Action", "Owner", "Due", "Status")


def register_rows(review: PilotReview) -> list[tuple[str, str, str, str]]:
    """The pilot's open actions from the register, overdue first: the action, its owner,
    its due date and its status (with how long overdue)."""
    words = vocabulary()
    rows = []
    for action in review.register:
        status = words.label(action.status)
        if action.overdue(review.today):
            status += f", {plural(action.days_overdue(review.today), 'day')} overdue"
        rows.append(
            (
                action.title,
                action.owner or "No owner yet",
                format_day(action.due_date) if action.due_date else "No due date",
                status,
            )
        )
    return rows


def register_caption(review: PilotReview) -> str:
    """How many of the pilot's register actions are open and how many overdue."""
    late = sum(a.overdue(review.today) for a in review.register)
    text = f"{plural(len(review.register), 'action')} still to do in the action register"
    return text + (f", {late} overdue." if late else ".")


def register_more(more: int) -> str:
    """The sentence after the caption when a brief or deck lists only the first actions."""
    if more <= 0:
        return ""
    return " One more is in the register." if more == 1 else f" {more} more are in the register."


def register_frame(review: PilotReview) -> pd.DataFrame:
    return pd.DataFrame(register_rows(review), columns=list(REGISTER_HEADINGS))


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
            "Assessed": h.created_at.date(),
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
    return workbook_bytes(
        {
            "Summary": Sheet(summary_frame(review, content)),
            "Answers": Sheet(answers_frame(review, content)),
            "Scores": Sheet(scores_frame(review)),
            "Actions": Sheet(actions_frame(review, content)),
            **({"Register": Sheet(register_frame(review))} if review.register else {}),
            "Checklist": Sheet(checklist_frame(review, content)),
            "History": Sheet(history_frame(review, content)),
        }
    )


def answers_csv(review: PilotReview, content: Content) -> bytes:
    return frame_to_csv_bytes(answers_frame(review, content))


# --- HTML ------------------------------------------------------------------------------------


def milestones(review: PilotReview) -> list[tuple[date, str]]:
    """The pilot's own dates for the timeline: its start and each assessment."""
    points: list[tuple[date, str]] = []
    if review.pilot.start_date:
        points.append((review.pilot.start_date, "Start"))
    for i, h in enumerate(review.history, 1):
        points.append((h.created_at.date(), f"Assessment {i} ({h.verdict_label})"))
    return points


def report_charts(review: PilotReview, content: Content) -> list[charts.Chart]:
    """The report's charts, in the order they appear: readiness, timeline, trend."""
    out = [charts.readiness_bars(review.result, content)]
    if review.path is not None:
        out.append(timeline_chart(review, content))
    if len(review.history) > 1:
        out.append(charts.history_trend(review.history, content))
    return out


def timeline_chart(review: PilotReview, content: Content, **kwargs) -> charts.Chart:
    return charts.timeline(
        review.path,
        review.today,
        content,
        severity=review.progress.severity if review.progress else 0,
        milestones=milestones(review),
        **kwargs,
    )


def timeline_caption(review: PilotReview) -> str:
    path = review.path
    window = path.decision_window
    dates = "; ".join(f"{text}: {format_day(day)}" for day, text in milestones(review))
    return (
        f"Solid: the shortest recommended duration; pale: up to the longest. Shaded: the "
        f"decision window, {format_day(window.start)} to {format_day(path.decision_due)}. "
        f"Dashed line: today. This pilot's dates: {dates}."
    )


def meta_line(review: PilotReview, content: Content) -> list[str]:
    """The pilot's details in a few words each, for the report's header."""
    pilot, currency = review.pilot, pilot_currency(review)
    return [
        part
        for part in (
            pilot.business_unit,
            pilot.owner and f"Owner: {pilot.owner}",
            pilot.start_date and f"Started {format_day(pilot.start_date)}",
            f"Stands: {position_label(content, review.assessment.position)}",
            pilot.expected_annual_value
            and f"Expected value {format_money(pilot.expected_annual_value, currency)} a year",
            pilot.pilot_budget and f"Pilot budget {format_money(pilot.pilot_budget, currency)}",
            f"Assessed {format_day(review.assessment.updated_at.date())}",
        )
        if part
    ]


def report_html(review: PilotReview, content: Content) -> str:
    """The whole report as one self-contained HTML document with SVG charts (no script)."""
    r = review.result
    parts = _verdict_section(review, content)
    parts += _urgent_section(review, content)
    parts += _register_section(review)
    parts += _risk_section(review, content)
    if review.progress or review.pilot.start_date:
        parts += _timeline_section(review, content)
    if len(r.actions) > 3:
        parts += _stages_section(review, content)
    parts += _checklist_section(review, content)
    if review.previous is not None:
        parts += _changes_section(review, content)
    if len(review.history) > 1:
        parts += _history_section(review, content)
    parts.append("<h2>Answers</h2>")
    parts.append(_answers_table(review, content))
    parts.append(
        credit(
            content,
            f"Generated on {format_day(review.today)} with content version {r.content_version}.",
        )
    )
    return document(f"PoC Trap report: {review.pilot.name}", "assessment report", parts)


def weakest_title(review: PilotReview, content: Content) -> str:
    """The title of the pilot's weakest reason, or "none yet"."""
    r = review.result
    return content.reasons_by_key[r.weakest].title if r.weakest else "none yet"


def verdict_title(review: PilotReview, content: Content) -> str:
    """The decision, with the verdict in brackets when it says something else."""
    r = review.result
    decision = decision_label(content, r.decision)
    return decision if decision == r.verdict_label else f"{decision} ({r.verdict_label})"


def _verdict_section(review: PilotReview, content: Content) -> list[str]:
    """The pilot's name and details, the verdict and why, and the key figures."""
    r, pilot = review.result, review.pilot
    weakest = weakest_title(review, content)
    return [
        f"<header><h1 id='pilot-name'>{e(pilot.name)}</h1>",
        f"<p class='meta'>{' · '.join(e(p) for p in meta_line(review, content))}</p></header>",
        verdict_box(
            f"{decision_label(content, r.decision)}: {r.verdict_label}"
            if decision_label(content, r.decision) != r.verdict_label
            else r.verdict_label,
            decision_color(content, r.decision),
            r.why,
            content.verdicts_by_key[r.verdict].summary,
        ),
        kpis(
            kpi("Overall readiness", score_text(r.overall), "kpi-overall"),
            kpi(f"Weakest reason: {weakest}", score_text(r.weakest_readiness), "kpi-weakest"),
            kpi("Don't know answers", str(r.uncertainty), "kpi-uncertainty"),
            kpi("Blockers", str(len(r.knockouts)), "kpi-blockers"),
        ),
    ]


def _urgent_section(review: PilotReview, content: Content) -> list[str]:
    """The blockers, if any, and the three most urgent actions."""
    r = review.result
    parts = []
    if r.knockouts:
        items = "".join(
            f"<li>{e(content.questions_by_id[k].short_label)}</li>" for k in r.knockouts
        )
        parts.append(
            f"<h3>Blockers: these stop production whatever the average</h3><ul>{items}</ul>"
        )
    parts.append("<h2>The three most urgent actions</h2>")
    parts.append(_actions_list(r.top_actions) if r.top_actions else "<p>No open actions.</p>")
    return parts


def _register_section(review: PilotReview) -> list[str]:
    """The pilot's open actions from the register, with owner, due date and status."""
    if not review.register:
        return []
    return [
        "<h2>Open actions in the register</h2>",
        f"<p class='meta'>{e(register_caption(review))}</p>",
        table(REGISTER_HEADINGS, register_rows(review), id_="register-actions"),
    ]


def _risk_section(review: PilotReview, content: Content) -> list[str]:
    """The readiness chart and the table of each reason's readiness and band."""
    r = review.result
    bars = charts.readiness_bars(r, content)
    return [
        "<h2>Risk profile</h2>",
        chart(bars.svg(), bars.title, "0 = not ready, 100 = ready; weakest first."),
        table(
            ["Reason", "Readiness (0–100)", "Band", "Answered", "Don't know"],
            (
                (
                    td(None, html=_swatch(s.color) + e(s.title)),
                    td(_number(s.readiness), "num"),
                    s.band_label or "not scored",
                    td(f"{s.answered} of {s.scored_questions}", "num"),
                    td(s.dont_know, "num"),
                )
                for s in r.reasons
            ),
            id_="risk-table",
        ),
    ]


def _timeline_section(review: PilotReview, content: Content) -> list[str]:
    """Where the pilot is on the recommended path, and the value its delay forgoes."""
    parts = ["<h2>Timeline and cost of delay</h2>"]
    if review.progress:
        parts.append(f"<p id='progress'>{e(review.progress.message)}</p>")
    if review.path is not None:
        line = timeline_chart(review, content)
        parts.append(chart(line.svg(), line.title, timeline_caption(review)))
    parts.append(f"<p id='delay'>{e(review.delay.message)}</p>")
    if review.delay.cost_so_far:
        money = format_money(review.delay.cost_so_far, pilot_currency(review))
        parts.append(f"<p>Forgone so far: <b id='forgone'>{e(money)}</b></p>")
    return parts


def _stages_section(review: PilotReview, content: Content) -> list[str]:
    """Every open action, grouped by the stage it belongs to."""
    parts = ["<h2>All actions by stage</h2>"]
    for stage in content.stages:
        in_stage = [a for a in review.result.actions if a.stage == stage.number]
        if in_stage:
            parts.append(f"<h3>Stage {stage.number}: {e(stage.title)}</h3>")
            parts.append(_actions_list(in_stage))
    return parts


def _checklist_section(review: PilotReview, content: Content) -> list[str]:
    """The checklist per phase, then the questions coming up later."""
    r = review.result
    parts = ["<h2>Checklist</h2>"]
    for phase, label in content.phase_labels.items():
        rows = [c for c in r.checklist if c.phase == phase]
        parts.append(f"<h3>{e(label)}</h3>")
        parts.append(
            table(
                ["Item", "Status"], ((c.label, STATUS_LABELS.get(c.status, c.status)) for c in rows)
            )
        )
    if r.upcoming_questions:
        items = "".join(
            f"<li>{e(content.questions_by_id[q].text)}</li>" for q in r.upcoming_questions
        )
        parts.append(f"<h2>Coming up: prepare for these</h2><ul>{items}</ul>")
    return parts


def _changes_section(review: PilotReview, content: Content) -> list[str]:
    """The answers changed since the previous assessment."""
    parts = [f"<h2>What changed since {e(format_day(review.previous.created_at.date()))}</h2>"]
    if not review.changes:
        return [*parts, "<p>No answer changed.</p>"]
    parts.append(
        table(
            ["Question", "Before", "Now"],
            (
                (c.label, answer_label(content, c.before), answer_label(content, c.after))
                for c in review.changes
            ),
        )
    )
    return parts


def _history_section(review: PilotReview, content: Content) -> list[str]:
    """The readiness trend across assessments and their table."""
    trend = charts.history_trend(review.history, content)
    frame = history_frame(review, content)
    frame["Assessed"] = frame["Assessed"].map(format_day)
    return [
        "<h2>History</h2>",
        chart(trend.svg(), trend.title),
        table(list(frame.columns), frame.itertuples(index=False)),
    ]


def _swatch(color: str | None) -> str:
    return f"<span class='band' style='background:{e(color or charts.NEUTRAL)}'></span>"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def score_text(value: float | None) -> str:
    """A readiness score as "48/100", or "–" when there is none."""
    return "–" if value is None else f"{value:.0f}/100"


def _actions_list(actions) -> str:
    items = "".join(
        f"<li><b>{e(a.text)}</b><br><span class='meta'>Owner: {e(a.owner)} · "
        f"{e(a.reason_title)} · Stage {a.stage}"
        + (" · blocker" if a.knockout else "")
        + f"</span><br><span class='meta'>Why: {e(a.why)}</span></li>"
        for a in actions
    )
    return f"<ol>{items}</ol>"


def _answers_table(review: PilotReview, content: Content) -> str:
    frame = answers_frame(review, content)
    rows = (
        (
            row["Reason"],
            row["Question"],
            row["Answer"] if row["Scored now"] == "yes" else f"{row['Answer']} (coming up)",
            td(None, html=f"<span class='comment'>{e(row['Comment'])}</span>"),
        )
        for _, row in frame.iterrows()
    )
    return table(["Reason", "Question", "Answer", "Comment"], rows, id_="answers-table")

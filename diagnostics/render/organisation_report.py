"""The organisation report for a steering committee: one HTML page and the data as xlsx.

It answers, in order: are we in the PoC trap (and why we think so), where do our pilots
stand across the six reasons, which gaps are the organisation's rather than the projects',
what to do about each and how many pilots that would free, and what the trap costs where the
portfolio says. Built on the shared rendering layer: the page needs no script (the spread is
an SVG chart, the heatmap a coloured table), so it opens offline, forwards by e-mail and
prints; the workbook is laid out by `render.workbook`, which neutralises formulas. The
two-page PDF brief and the deck (`brief`, `deck`) reuse the same pieces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from diagnostics.formats import format_money, with_currency
from diagnostics.framework.content import Content
from diagnostics.organisation.answers import SOURCE_LABELS
from diagnostics.organisation.profile import OrganisationProfile
from diagnostics.organisation.trap_check import TrapCheck
from diagnostics.render import charts
from diagnostics.render.html import (
    Markup,
    chart,
    credit,
    document,
    e,
    kpi,
    kpis,
    table,
    td,
    verdict_box,
)
from diagnostics.render.workbook import PERCENT, Sheet, workbook_bytes

REPORT_PREFIX = "poc-trap-organisation"
MAX_PILOT_ROWS = 200
MAX_GAP_ROWS = 10
# Gap (and its reason), pilots with it, frees, what to change, owner: percent of the width
GAP_COLUMN_WIDTHS = (24, 16, 9, 37, 14)
# The trap check's verdicts take the risk band colours: in the trap = high risk.
_VERDICT_BAND = {"in_trap": 0, "at_risk": 1, "clear": 2}
# The two parts of the trap's cost, as the page, the workbook and the deck name them.
COST_LABELS = {
    "direct": "Spent on pilots past their decision point",
    "opportunity": "Value not delivered (delay)",
}


def report_filename(day: date, extension: str) -> str:
    """`poc-trap-organisation-2026-11-25.html`: sortable, the same stem for every format."""
    return f"{REPORT_PREFIX}-{day.isoformat()}.{extension}"


def verdict_color(content: Content, verdict: str) -> str:
    index = _VERDICT_BAND.get(verdict)
    if index is None:
        return charts.NEUTRAL
    return content.bands[min(index, len(content.bands) - 1)].color


def decision_labels(content: Content) -> dict[str, str]:
    return {d.key: d.label for d in content.decisions}


def number_text(value: object, digits: int = 0) -> str:
    """A score as shown in tables: 48, or "–" when there is none."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.{digits}f}"


FINDING_STATUS = {"present": "Shows", "absent": "Does not show", "unknown": "Not known"}
FINDING_SOURCE = {"portfolio": "portfolio", "answer": "answered", "none": "–"}


def sources_text(profile: OrganisationProfile) -> str:
    """Where the answers came from: "30 imported, 4 self-assessed", or "" when none."""
    return ", ".join(
        f"{row['pilots']} {row['label'].lower()}" for _, row in profile.sources.iterrows()
    )


def decision_counts(profile: OrganisationProfile) -> dict[str, int]:
    """How many pilots each decision (proceed, fix first, stop) holds."""
    return dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))


def median_readiness(profile: OrganisationProfile) -> float | None:
    """The median overall readiness across pilots, None when there are none."""
    return profile.pilots["overall"].median() if len(profile.pilots) else None


def holding_back(profile: OrganisationProfile, n: int = 3) -> pd.DataFrame:
    """The `n` reasons that are the weakest for the most pilots."""
    return profile.reasons.sort_values("weakest_count", ascending=False).head(n)


def gap_rows(gaps: pd.DataFrame) -> list[tuple]:
    """The shared gaps as brief rows: gap, how many pilots have it, frees, change, owner."""
    return [
        (
            row["label"],
            f"{int(row['gaps'])} of {int(row['asked'])} ({row['share']:.0%})",
            int(row["unblocks"]),
            row["systemic_action"],
            row["action_owner"],
        )
        for _, row in gaps.iterrows()
    ]


def largest_units(profile: OrganisationProfile, content: Content, n: int):
    """The `n` units with the most pilots: their median matrix (with the count as `_n`) and
    rows of "unit (pilots)" followed by the median per reason."""
    counts = profile.unit_pilots
    matrix = profile.unit_matrix.copy()
    matrix["_n"] = [int(counts.get(u, 0)) for u in matrix.index]
    matrix = matrix.sort_values("_n", ascending=False).head(n)
    rows = [
        [f"{unit} ({int(values['_n'])})"]
        + [number_text(values.get(r.key)) for r in content.reasons]
        for unit, values in matrix.iterrows()
    ]
    return matrix, rows


def _reason_title(content: Content, key: object) -> str:
    return content.reasons_by_key[key].title if isinstance(key, str) else "–"


def _decision_td(decision: str, content: Content):
    found = content.decisions_by_key.get(decision)
    color = found.color if found else charts.INK
    return td(found.label if found else decision, style=f"color:{color};font-weight:600")


def _heat_cell(value: object, content: Content):
    if value is None or pd.isna(value):
        return td("–", "cell empty")
    color = content.band_for(float(value)).color
    return td(number_text(value), "cell", f"background:{color}")


def _heat_table(matrix: pd.DataFrame, content: Content, first: str, counts=None) -> str:
    reasons = list(content.reasons)
    rows = []
    for label, values in matrix.iterrows():
        name = f"{label} ({int(counts.get(label, 0))})" if counts is not None else label
        rows.append([td(name)] + [_heat_cell(values.get(r.key), content) for r in reasons])
    return table([first] + [r.short for r in reasons], rows, id_="units-table")


def _trap_section(check: TrapCheck, content: Content) -> list[str]:
    color = verdict_color(content, check.verdict)
    rows = []
    for f in check.findings:
        evidence = f.evidence
        if f.pilots:
            evidence += " Pilots: " + ", ".join(f.pilots) + "."
        if f.units:
            evidence += " Units: " + ", ".join(f.units) + "."
        rows.append([f.text, FINDING_STATUS[f.status], FINDING_SOURCE[f.source], evidence])
    return [
        "<h2>Are we in the PoC trap?</h2>",
        verdict_box(check.label, color, check.summary, label_id="trap-verdict"),
        table(["Symptom", "Status", "From", "Evidence"], rows, id_="trap-table"),
    ]


def cost_currency(cost) -> str | None:
    """The currency named in the cost assumptions, if any."""
    return getattr(cost.assumptions, "currency", None) if cost is not None else None


def money_sentence(cost) -> str:
    """Which currency the report's amounts are in, the same sentence in every format."""
    currency = cost_currency(cost)
    if currency:
        return f"Amounts in {currency}, the currency the portfolio's spreadsheet is written in."
    return (
        "Amounts as the portfolio's spreadsheet gives them: it names no single currency, "
        "so none is shown and nothing is converted."
    )


def _cost_section(cost) -> list[str]:
    if cost is None:
        return []
    totals, currency = cost.totals, cost_currency(cost)
    return [
        "<h2>What the trap costs</h2>",
        kpis(
            kpi(
                COST_LABELS["direct"],
                format_money(totals["direct"], currency),
                "cost-direct",
            ),
            kpi(
                COST_LABELS["opportunity"],
                format_money(totals["opportunity"], currency),
                "cost-opportunity",
            ),
            kpi("Total", format_money(totals["total"], currency), "cost-total"),
        ),
        f"<p class='meta' id='cost-currency'>{e(money_sentence(cost))}</p>",
        f"<p class='small'>{e(cost.assumptions.caption())} "
        + e(" ".join(cost.missing_statement()))
        + "</p>",
    ]


@dataclass(frozen=True)
class OrganisationReport:
    """What the organisation's report says in every format: the profile, the trap check and
    the cost when there are any, the day, and which pilots it covers (`scope`)."""

    profile: OrganisationProfile
    content: Content
    check: TrapCheck | None = None
    cost: object = None  # a cost.CostResult
    today: date = field(default_factory=date.today)
    scope: str | None = None
    title: str = "Our AI pilots: the organisation's view"


def organisation_report_html(report: OrganisationReport) -> str:
    """The steering-committee report as one self-contained HTML document."""
    profile, content, check, today = report.profile, report.content, report.check, report.today
    parts = _header(profile, report.title, today, report.scope)
    if check is not None:
        parts += _trap_section(check, content)
    parts += _standing_section(profile, content)
    parts += _reasons_section(profile, content)
    parts += _gaps_section(profile)
    parts += _units_section(profile, content)
    parts += _pilots_section(profile, content)
    parts += _cost_section(report.cost)
    parts.append(credit(content, f"Generated on {today.isoformat()}."))
    return document(report.title, "organisation report", parts)


def scope_sentence(scope: str | None) -> str | None:
    """Which pilots an organisation report covers, one sentence in every format."""
    return f"In view: {' '.join(scope.split())}" if scope and scope.strip() else None


def _header(profile: OrganisationProfile, title: str, today: date, scope: str | None) -> list[str]:
    """The title, the date, how many pilots and where their answers came from, the scope."""
    sources = sources_text(profile)
    in_view = scope_sentence(scope)
    return [
        f"<header><h1 id='report-title'>{e(title)}</h1>",
        f"<p class='meta'>{e(today.isoformat())} · {e(len(profile.pilots))} pilots assessed"
        + (f" ({e(sources)})" if sources else "")
        + "</p>"
        + (f"<p class='meta' id='report-scope'>{e(in_view)}</p>" if in_view else "")
        + "</header>",
    ]


def _standing_section(profile: OrganisationProfile, content: Content) -> list[str]:
    """Where the pilots stand: how many, how many per decision, the median readiness."""
    pilots = profile.pilots
    labels = decision_labels(content)
    decisions = decision_counts(profile)
    median_overall = median_readiness(profile)
    return [
        "<h2>Where the pilots stand</h2>",
        kpis(
            kpi("Pilots assessed", str(len(pilots)), "kpi-pilots"),
            kpi(labels["proceed"], str(decisions.get("proceed", 0)), "kpi-proceed"),
            kpi(labels["fix_first"], str(decisions.get("fix_first", 0)), "kpi-fix-first"),
            kpi(labels["stop"], str(decisions.get("stop", 0)), "kpi-stop"),
            kpi("Median overall readiness", number_text(median_overall), "kpi-median"),
        ),
    ]


def _reasons_section(profile: OrganisationProfile, content: Content) -> list[str]:
    """Readiness per reason across pilots: the spread chart and its table."""
    parts = ["<h2>Readiness per reason across pilots</h2>"]
    if len(profile.pilots):
        spread = charts.reason_spread(profile.reasons, content)
        parts.append(
            chart(
                spread.svg(),
                spread.title,
                "Bar: the middle half of the pilots (lower to upper quartile); dot: the median; "
                "tick: the lowest pilot. 0 = not ready, 100 = ready.",
                heading=False,
            )
        )
    parts.append(
        table(
            ["Reason", "Pilots", "Median", "Spread (quartiles)", "Lowest", "Weakest for"],
            (
                [
                    row["title"],
                    int(row["pilots"]),
                    number_text(row["median"]),
                    f"{number_text(row['q1'])}–{number_text(row['q3'])}",
                    number_text(row["min"]),
                    int(row["weakest_count"]),
                ]
                for _, row in profile.reasons.iterrows()
            ),
            id_="reasons-table",
            numeric=(1, 2, 3, 4, 5),
        )
    )
    return parts


def _gaps_section(profile: OrganisationProfile) -> list[str]:
    """The organisation's most common gaps, with what to change and who owns it."""
    gaps = profile.top_gaps(MAX_GAP_ROWS)
    parts = ["<h2>Organisational gaps and what to do about them</h2>"]
    if not len(gaps):
        return [*parts, "<p>No question is answered No or Don't know by any pilot.</p>"]
    parts.append(
        "<p class='small'>Questions most often answered No or Don't know. When most pilots "
        "share a gap, the fix is one change in how the organisation works, not one action "
        "per project. “Frees” counts the pilots for which closing the gap lifts a blocker "
        "or improves the decision.</p>"
    )
    parts.append(
        table(
            ["Gap", "Pilots with the gap", "Frees", "What to change", "Owner"],
            (
                [
                    td(
                        None,
                        html=Markup(
                            f"{e(row['label'])}<br><span class='meta'>{e(row['reason_title'])}"
                            "</span>"
                        ),
                    ),
                    td(
                        None,
                        html=Markup(
                            f"{int(row['gaps'])} of {int(row['asked'])} ({row['share']:.0%})<br>"
                            f"<span class='meta'>{int(row['no'])} No, {int(row['dont_know'])} "
                            "Don&#x27;t know</span>"
                        ),
                    ),
                    int(row["unblocks"]),
                    row["systemic_action"],
                    row["action_owner"],
                ]
                for _, row in gaps.iterrows()
            ),
            id_="gaps-table",
            numeric=(2,),
            # What to change is the longest text: it gets the largest share of an A4 page.
            widths=GAP_COLUMN_WIDTHS,
        )
    )
    return parts


def _units_section(profile: OrganisationProfile, content: Content) -> list[str]:
    """The heatmap of business units by reason, when the pilots name their units."""
    if not len(profile.unit_matrix):
        return []
    return [
        "<h2>Business units × reasons</h2>",
        "<p class='small'>Median readiness of each unit's pilots (number of pilots in "
        "brackets).</p>",
        _heat_table(profile.unit_matrix, content, "Business unit", profile.unit_pilots),
    ]


def _pilots_section(profile: OrganisationProfile, content: Content) -> list[str]:
    """The least ready pilots first, up to MAX_PILOT_ROWS, with their decision."""
    pilots = profile.pilots
    shown = pilots.sort_values("overall", na_position="first").head(MAX_PILOT_ROWS)
    parts = [
        "<h2>Pilots</h2>",
        table(
            ["Pilot", "Business unit", "Answers from", "Overall", "Weakest reason", "Decision"],
            (
                [
                    row["pilot"],
                    row["business_unit"],
                    SOURCE_LABELS.get(row["source"], row["source"]),
                    number_text(row["overall"]),
                    _reason_title(content, row["weakest"]),
                    _decision_td(row["decision"], content),
                ]
                for _, row in shown.iterrows()
            ),
            id_="pilots-table",
            numeric=(3,),
        ),
    ]
    if len(pilots) > MAX_PILOT_ROWS:
        parts.append(
            f"<p class='small'>The {MAX_PILOT_ROWS} least ready of {len(pilots)} pilots are "
            "listed; the workbook holds them all.</p>"
        )
    return parts


def organisation_sheets(
    profile: OrganisationProfile,
    content: Content,
    *,
    check: TrapCheck | None = None,
    cost=None,
) -> dict[str, Sheet]:
    """The report's data, one laid-out sheet per table, with the words used on screen."""
    sheets: dict[str, Sheet] = {}
    if check is not None:
        sheets["Trap check"] = _trap_sheet(check)
    sheets.update(
        {
            "Pilots": Sheet(_pilots_frame(profile, content)),
            "Reasons": Sheet(_reasons_frame(profile)),
            "Systemic gaps": Sheet(_gaps_frame(profile, content), {"Share of pilots": PERCENT}),
            "Business units": Sheet(_units_frame(profile, content)),
            "Decisions": Sheet(
                profile.decisions.drop(columns=["decision"]).rename(
                    columns={"label": "Decision", "pilots": "Pilots", "share": "Share of pilots"}
                ),
                {"Share of pilots": PERCENT},
            ),
            "Answers": Sheet(_answers_frame(profile, content)),
        }
    )
    if cost is not None:
        sheets["Cost of the trap"] = _cost_sheet(cost)
    return sheets


def _trap_sheet(check: TrapCheck) -> Sheet:
    """The trap check's verdict, then each symptom with its status and evidence."""
    trap = pd.concat(
        [
            pd.DataFrame(
                [{"symptom": "Verdict", "status": check.label, "evidence": check.summary}]
            ),
            check.to_frame(),
        ],
        ignore_index=True,
    )
    trap.columns = [str(c).replace("_", " ").capitalize() for c in trap.columns]
    return Sheet(trap)


_PILOT_COLUMNS = {
    "pilot": "Pilot",
    "business_unit": "Business unit",
    "source": "Answers from",
    "position": "Where it stands",
}


def _in_words(frame: pd.DataFrame, content: Content, **labels: Mapping) -> pd.DataFrame:
    """A copy of `frame` without the pilot's key, with where its answers came from, where it
    stands and each column named in `labels` as labels (a key without a label stays)."""
    positions = {p.key: p.label for p in content.positions}
    frame = frame.drop(columns=["pilot_key"])
    for column, words in {"source": SOURCE_LABELS, "position": positions, **labels}.items():
        frame[column] = _labelled(frame[column], words)
    return frame


def _labelled(keys: pd.Series, labels: Mapping) -> pd.Series:
    return keys.map(lambda key: labels.get(key, key))


def _pilots_frame(profile: OrganisationProfile, content: Content) -> pd.DataFrame:
    """One row per pilot, keys replaced by the labels shown on screen."""
    reason_titles = {r.key: r.title for r in content.reasons}
    verdicts = {v.key: v.label for v in content.verdicts}
    pilots = _in_words(profile.pilots, content, decision=decision_labels(content), verdict=verdicts)
    pilots["weakest"] = pilots["weakest"].map(reason_titles)
    return pilots.rename(
        columns={
            **reason_titles,
            **_PILOT_COLUMNS,
            "answered": "Questions answered",
            "overall": "Overall readiness (0-100)",
            "weakest": "Weakest reason",
            "weakest_readiness": "Weakest reason readiness (0-100)",
            "dont_know": "Don't know answers",
            "blockers": "Blockers",
            "decision": "Decision",
            "verdict": "Verdict",
            "why": "Why",
        }
    )


def _reasons_frame(profile: OrganisationProfile) -> pd.DataFrame:
    """The readiness statistics of each reason across pilots."""
    return profile.reasons.drop(columns=["reason", "short"]).rename(
        columns={
            "title": "Reason",
            "pilots": "Pilots",
            "median": "Median",
            "mean": "Mean",
            "min": "Lowest",
            "q1": "Lower quartile",
            "q3": "Upper quartile",
            "max": "Highest",
            "weakest_count": "Weakest for (pilots)",
        }
    )


def _gaps_frame(profile: OrganisationProfile, content: Content) -> pd.DataFrame:
    """Every question asked of some pilot: its answers, how shared the gap, what to change."""
    answers = {a.key: a.label for a in content.answer_scale}
    return (
        profile.gaps[profile.gaps["asked"] > 0]
        .drop(columns=["reason"])
        .assign(
            knockout=lambda f: f["knockout"].map({True: "yes", False: ""}),
            systemic=lambda f: f["systemic"].map({True: "yes", False: ""}),
        )
        .rename(
            columns={
                "question_id": "Question id",
                "reason_title": "Reason",
                "label": "Gap",
                "question": "Question",
                "knockout": "Blocks production",
                "asked": "Pilots asked",
                "yes": answers["yes"],
                "partly": answers["partly"],
                "no": answers["no"],
                "dont_know": answers["dont_know"],
                "na": answers["na"],
                "unanswered": "Not answered",
                "gaps": "No or don't know",
                "share": "Share of pilots",
                "systemic": "Shared by most pilots",
                "unblocks": "Pilots it frees",
                "to_proceed": "Pilots it moves to proceed",
                "systemic_action": "What to change",
                "action_owner": "Owner",
                "pilots_with_gap": "Pilots with the gap",
            }
        )
    )


def _units_frame(profile: OrganisationProfile, content: Content) -> pd.DataFrame:
    """Each business unit's pilot count and median readiness per reason."""
    units = profile.unit_matrix.rename(columns={r.key: r.title for r in content.reasons})
    units = units.reset_index()
    if len(units):
        units.insert(1, "pilots", units["business_unit"].map(profile.unit_pilots).astype("int64"))
    return units.rename(columns={"business_unit": "Business unit", "pilots": "Pilots"})


def _answers_frame(profile: OrganisationProfile, content: Content) -> pd.DataFrame:
    """Every pilot's answer to every question, in the words used on screen."""
    return _in_words(
        profile.answers,
        content,
        reason={r.key: r.title for r in content.reasons},
        phase=content.phase_labels,
        answer={a.key: a.label for a in content.answer_scale},
    ).rename(
        columns={
            **_PILOT_COLUMNS,
            "question_id": "Question id",
            "reason": "Reason",
            "phase": "Phase",
            "answer": "Answer",
        }
    )


def _cost_sheet(cost) -> Sheet:
    """The cost of the trap in the portfolio's currency, and how many pilots it covers."""
    currency, totals = cost_currency(cost), cost.totals
    amounts = [
        (COST_LABELS["direct"], totals["direct"]),
        (COST_LABELS["opportunity"], totals["opportunity"]),
        ("Total cost of the trap", totals["total"]),
    ]
    counts = [
        ("Pilots in the portfolio", totals.get("pilots")),
        ("Pilots carrying a cost", totals.get("pilots_with_cost")),
        ("Pilots left out (dates or stage missing)", totals.get("pilots_left_out")),
    ]
    return Sheet(
        pd.DataFrame(
            [{"Measure": m, with_currency("Amount", currency): round(v)} for m, v in amounts]
            + [{"Measure": m, "Pilots": n} for m, n in counts if n is not None]
            + [{"Measure": "Currency", "Note": money_sentence(cost)}]
        )
    )


def organisation_report_xlsx(report: OrganisationReport) -> bytes:
    sheets = organisation_sheets(
        report.profile, report.content, check=report.check, cost=report.cost
    )
    if report.scope:
        sheets = {"Scope": pd.DataFrame([{"In view": report.scope}]), **sheets}
    return workbook_bytes(sheets)

"""The organisation report for a steering committee: one HTML page and the data as xlsx.

It answers, in order: are we in the PoC trap (and why we think so), where do our pilots
stand across the six reasons, which gaps are the organisation's rather than the projects',
what to do about each and how many pilots that would free, and what the trap costs where the
portfolio says. The page needs no script (the heatmap is a coloured table), so it opens
offline, forwards by e-mail and prints. Every text, ours and the user's, goes through
`safe_export.escape_html`; the workbook through `frames_to_xlsx_bytes`, which neutralises
formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd

from diagnostics.formats import format_money
from diagnostics.framework.content import Content
from diagnostics.organisation.profile import DECISION_LABELS, SOURCE_LABELS, OrganisationProfile
from diagnostics.organisation.trap_check import TrapCheck
from diagnostics.sheets.safe_export import escape_html, frames_to_xlsx_bytes

REPORT_PREFIX = "organisation-view"
VERDICT_COLORS = {"in_trap": "#D55E00", "at_risk": "#E69F00", "clear": "#009E73"}
DECISION_COLORS = {"proceed": "#009E73", "fix_first": "#E69F00", "stop": "#D55E00"}
MAX_PILOT_ROWS = 200
MAX_GAP_ROWS = 10

_CSS = """
body{font-family:Inter,Segoe UI,Helvetica,Arial,sans-serif;color:#1d2433;max-width:1000px;
margin:0 auto;padding:24px;line-height:1.45}h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.2rem;margin-top:28px;border-bottom:2px solid #e4e7ec;padding-bottom:4px}
.meta{color:#5b6475;font-size:.9rem}.verdict{border-left:6px solid;padding:10px 16px;
background:#f7f8fa;margin:16px 0}.verdict strong{font-size:1.3rem}
.kpis{display:flex;flex-wrap:wrap;gap:12px}.kpi{flex:1 1 150px;border:1px solid #e4e7ec;
border-radius:6px;padding:10px}.kpi b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:6px 0}
th,td{border:1px solid #e4e7ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;white-space:nowrap}
td.cell{text-align:center;color:#fff;font-weight:600}td.empty{background:#eef0f3;color:#5b6475}
.small{font-size:.82rem;color:#5b6475}footer{margin-top:32px;font-size:.8rem;color:#5b6475;
border-top:1px solid #e4e7ec;padding-top:8px}
@media print{body{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def report_filename(day: date, extension: str) -> str:
    """`organisation-view-2026-11-25.html`: sortable, and the same for HTML and xlsx."""
    return f"{REPORT_PREFIX}-{day.isoformat()}.{extension}"


def _e(value: object) -> str:
    return escape_html(value)


def _num(value: object, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.{digits}f}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, id_: str = "") -> str:
    """`rows` hold HTML that is already escaped (cells built with _e or _td)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    ident = f" id='{_e(id_)}'" if id_ else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: object, cls: str = "") -> str:
    klass = f" class='{cls}'" if cls else ""
    return f"<td{klass}>{_e(value)}</td>"


def _kpi(label: str, value: str, element_id: str) -> str:
    return (
        f"<div class='kpi'><span>{_e(label)}</span><b id='{_e(element_id)}'>{_e(value)}</b></div>"
    )


def _reason_title(content: Content, key: object) -> str:
    return content.reasons_by_key[key].title if isinstance(key, str) else "–"


def _decision_td(decision: str) -> str:
    color = DECISION_COLORS.get(decision, "#1d2433")
    label = DECISION_LABELS.get(decision, decision)
    return f"<td style='color:{_e(color)};font-weight:600'>{_e(label)}</td>"


def _heat_cell(value: object, content: Content) -> str:
    if value is None or pd.isna(value):
        return "<td class='cell empty'>–</td>"
    color = content.band_for(float(value)).color
    return f"<td class='cell' style='background:{_e(color)}'>{_e(_num(value))}</td>"


def _heat_table(matrix: pd.DataFrame, content: Content, first: str, counts=None) -> str:
    reasons = list(content.reasons)
    rows = []
    for label, values in matrix.iterrows():
        name = f"{label} ({int(counts.get(label, 0))})" if counts is not None else label
        rows.append([_td(name)] + [_heat_cell(values.get(r.key), content) for r in reasons])
    return _table([first] + [r.short for r in reasons], rows)


def _trap_section(check: TrapCheck) -> list[str]:
    color = VERDICT_COLORS.get(check.verdict, "#8a94a6")
    rows = []
    for f in check.findings:
        evidence = f.evidence
        if f.pilots:
            evidence += " Pilots: " + ", ".join(f.pilots) + "."
        if f.units:
            evidence += " Units: " + ", ".join(f.units) + "."
        status = {"present": "Shows", "absent": "Does not show", "unknown": "Not known"}[f.status]
        source = {"portfolio": "portfolio", "answer": "answered", "none": "–"}[f.source]
        rows.append([_td(f.text), _td(status), _td(source), _td(evidence)])
    return [
        "<h2>Are we in the PoC trap?</h2>",
        f"<section class='verdict' style='border-color:{color}'>",
        f"<strong id='trap-verdict'>{_e(check.label)}</strong>",
        f"<p id='trap-summary'>{_e(check.summary)}</p></section>",
        _table(["Symptom", "Status", "From", "Evidence"], rows, id_="trap-table"),
    ]


def _cost_section(cost) -> list[str]:
    if cost is None:
        return []

    totals = cost.totals
    return [
        "<h2>What the trap costs</h2>",
        "<div class='kpis'>",
        _kpi(
            "Spent on pilots past their decision point",
            format_money(totals["direct"]),
            "cost-direct",
        ),
        _kpi(
            "Value not delivered (delay)", format_money(totals["opportunity"]), "cost-opportunity"
        ),
        _kpi("Total", format_money(totals["total"]), "cost-total"),
        "</div>",
        f"<p class='small'>{_e(cost.assumptions.caption())} "
        + _e(" ".join(cost.missing_statement()))
        + "</p>",
    ]


def organisation_report_html(
    profile: OrganisationProfile,
    content: Content,
    *,
    check: TrapCheck | None = None,
    cost=None,
    title: str = "Our AI pilots: the organisation's view",
    today: date | None = None,
) -> str:
    """The steering-committee report as one self-contained HTML document."""
    today = today or date.today()
    pilots = profile.pilots
    decisions = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    median_overall = pilots["overall"].median() if len(pilots) else None
    sources = ", ".join(
        f"{row['pilots']} {row['label'].lower()}" for _, row in profile.sources.iterrows()
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><header>",
        "<p class='meta'>PoC Trap Diagnostic: organisation report</p>",
        f"<h1 id='report-title'>{_e(title)}</h1>",
        f"<p class='meta'>{_e(today.isoformat())} · {_e(len(pilots))} pilots assessed"
        + (f" ({_e(sources)})" if sources else "")
        + "</p></header>",
    ]
    if check is not None:
        parts += _trap_section(check)
    parts += [
        "<h2>Where the pilots stand</h2><div class='kpis'>",
        _kpi("Pilots assessed", str(len(pilots)), "kpi-pilots"),
        _kpi(DECISION_LABELS["proceed"], str(decisions.get("proceed", 0)), "kpi-proceed"),
        _kpi(DECISION_LABELS["fix_first"], str(decisions.get("fix_first", 0)), "kpi-fix-first"),
        _kpi(DECISION_LABELS["stop"], str(decisions.get("stop", 0)), "kpi-stop"),
        _kpi("Median overall readiness", _num(median_overall), "kpi-median"),
        "</div>",
        "<h2>Readiness per reason across pilots</h2>",
        "<p class='small'>0 = not ready, 100 = ready. The spread runs from the lower to the "
        "upper quartile; “weakest for” counts the pilots held back most by that reason.</p>",
        _table(
            ["Reason", "Pilots", "Median", "Spread (quartiles)", "Lowest", "Weakest for"],
            (
                [
                    _td(row["title"]),
                    _td(int(row["pilots"]), "num"),
                    _td(_num(row["median"]), "num"),
                    _td(f"{_num(row['q1'])}–{_num(row['q3'])}", "num"),
                    _td(_num(row["min"]), "num"),
                    _td(int(row["weakest_count"]), "num"),
                ]
                for _, row in profile.reasons.iterrows()
            ),
            id_="reasons-table",
        ),
    ]
    gaps = profile.top_gaps(MAX_GAP_ROWS)
    parts.append("<h2>Organisational gaps and what to do about them</h2>")
    if len(gaps):
        parts.append(
            "<p class='small'>Questions most often answered No or Don't know. When most pilots "
            "share a gap, the fix is one change in how the organisation works, not one action "
            "per project. “Frees” counts the pilots for which closing the gap lifts a blocker "
            "or improves the decision.</p>"
        )
        parts.append(
            _table(
                ["Gap", "Reason", "No", "Don't know", "Share", "Frees", "What to change", "Owner"],
                (
                    [
                        _td(row["label"]),
                        _td(row["reason_title"]),
                        _td(int(row["no"]), "num"),
                        _td(int(row["dont_know"]), "num"),
                        _td(
                            f"{int(row['gaps'])} of {int(row['asked'])} ({row['share']:.0%})", "num"
                        ),
                        _td(int(row["unblocks"]), "num"),
                        _td(row["systemic_action"]),
                        _td(row["action_owner"]),
                    ]
                    for _, row in gaps.iterrows()
                ),
                id_="gaps-table",
            )
        )
    else:
        parts.append("<p>No question is answered No or Don't know by any pilot.</p>")
    if len(profile.unit_matrix):
        parts += [
            "<h2>Business units × reasons</h2>",
            "<p class='small'>Median readiness of each unit's pilots (number of pilots in "
            "brackets).</p>",
            _heat_table(profile.unit_matrix, content, "Business unit", profile.unit_pilots),
        ]
    shown = pilots.sort_values("overall", na_position="first").head(MAX_PILOT_ROWS)
    parts += [
        "<h2>Pilots</h2>",
        _table(
            ["Pilot", "Business unit", "Answers from", "Overall", "Weakest reason", "Decision"],
            (
                [
                    _td(row["pilot"]),
                    _td(row["business_unit"]),
                    _td(SOURCE_LABELS.get(row["source"], row["source"])),
                    _td(_num(row["overall"]), "num"),
                    _td(_reason_title(content, row["weakest"])),
                    _decision_td(row["decision"]),
                ]
                for _, row in shown.iterrows()
            ),
            id_="pilots-table",
        ),
    ]
    if len(pilots) > MAX_PILOT_ROWS:
        parts.append(
            f"<p class='small'>The {MAX_PILOT_ROWS} least ready of {len(pilots)} pilots are "
            "listed; the workbook holds them all.</p>"
        )
    parts += _cost_section(cost)
    src = content.source
    parts.append(
        f"<footer>Framework adapted from “{_e(src.title)}” by {_e(src.author)} "
        f"({_e(src.date)}); questions, labels and actions written for this tool.</footer>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def organisation_sheets(
    profile: OrganisationProfile,
    content: Content,
    *,
    check: TrapCheck | None = None,
    cost=None,
) -> dict[str, pd.DataFrame]:
    """The report's data, one frame per sheet, with plain column names."""
    reason_titles = {r.key: r.title for r in content.reasons}
    pilots = profile.pilots.rename(columns=reason_titles).drop(columns=["pilot_key"])
    pilots["weakest"] = pilots["weakest"].map(reason_titles)
    pilots["decision"] = pilots["decision"].map(DECISION_LABELS)
    pilots["source"] = pilots["source"].map(lambda s: SOURCE_LABELS.get(s, s))
    reasons = profile.reasons.drop(columns=["reason", "short"]).rename(
        columns={"title": "reason", "weakest_count": "weakest for (pilots)"}
    )
    gaps = profile.gaps[profile.gaps["asked"] > 0].drop(columns=["reason"])
    units = profile.unit_matrix.rename(columns=reason_titles).reset_index()
    if len(units):
        units.insert(1, "pilots", units["business_unit"].map(profile.unit_pilots).astype("int64"))
    sheets: dict[str, pd.DataFrame] = {}
    if check is not None:
        sheets["Trap check"] = pd.concat(
            [
                pd.DataFrame(
                    [{"symptom": "Verdict", "status": check.label, "evidence": check.summary}]
                ),
                check.to_frame(),
            ],
            ignore_index=True,
        )
    sheets.update(
        {
            "Pilots": pilots,
            "Reasons": reasons,
            "Systemic gaps": gaps,
            "Business units": units,
            "Decisions": profile.decisions,
            "Answers": profile.answers.drop(columns=["pilot_key"]),
        }
    )
    if cost is not None:
        sheets["Cost of the trap"] = pd.DataFrame(
            [{"measure": k, "value": v} for k, v in cost.totals.items()]
        )
    return sheets


def organisation_report_xlsx(
    profile: OrganisationProfile,
    content: Content,
    *,
    check: TrapCheck | None = None,
    cost=None,
) -> bytes:
    return frames_to_xlsx_bytes(organisation_sheets(profile, content, check=check, cost=cost))

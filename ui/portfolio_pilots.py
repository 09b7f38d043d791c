"""The portfolio dashboard's last part, every pilot and what to do with it: how many pilots
each recommendation holds (push, fix, stop, decide now, assess, no action), the panel matching
saved assessments to rows (`pilot_matching.py`), the pilot table with its filters (by
recommendation, unit, stage, technology and text) whose selected row opens a self-assessment
prefilled from the sheet, and the downloads: the enriched portfolio as xlsx and csv, and the
empty template. Session keys start with `portfolio_`."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.framework.content import Content
from diagnostics.portfolio.analysis import TIME_BUCKETS, PortfolioAnalysis, filter_pilots
from diagnostics.portfolio.recommendations import ACTION_ORDER, QUADRANTS, RECOMMENDATIONS
from diagnostics.portfolio.stages import CANONICAL_STAGES, STAGE_LABELS
from diagnostics.storage import portfolios as portfolio_store
from ui import cache, pilot_matching
from ui.portfolio_view import PREFIX, template_button
from ui.report_downloads import ReportFile, prepared_row


def pilots_section(
    engine: Engine,
    content: Content,
    record,
    analysis: PortfolioAnalysis,
    as_of: str,
    readiness: str,
) -> None:
    """Every pilot of the saved version `record`, what to do with it, and the files."""
    st.subheader("Every pilot, and what to do with it")
    _recommendation_counts(analysis)
    matched = cache.portfolio_readiness(record.id, readiness)
    pilot_matching.matching_panel(engine, record, analysis, matched)
    _pilot_table(analysis, content, engine)
    _downloads(record, as_of, readiness)


def _recommendation_counts(analysis: PortfolioAnalysis) -> None:
    """How many pilots fall in each category, decisions first."""
    counts = analysis.pilots["recommendation"].value_counts()
    row = st.container(horizontal=True, gap="small")
    for key in ACTION_ORDER:
        row.metric(
            RECOMMENDATIONS[key],
            f"{int(counts.get(key, 0)):,}",
            help=RECOMMENDATION_HELP[key].format(
                r=analysis.thresholds.readiness, w=analysis.thresholds.weakest
            ),
            width=130,
        )


RECOMMENDATION_HELP = {
    "stop": "Assessed and told to stop, late with low readiness, low value and low readiness, "
    "or never assessed and far past the recommended path.",
    "decide_now": "Past the decision point and never assessed: assess within two weeks or stop.",
    "push": "Ready: readiness {r:g}/100 or more with no reason below {w:g}, or an assessment "
    "that says proceed: plan the move to production.",
    "fix": "Not ready, or ready but below the median value: fix the named gap first.",
    "assess": "Not assessed yet, before its decision is due (or without a start date).",
    "none": "Live or retired.",
}


def _pilot_table(analysis: PortfolioAnalysis, content: Content, engine: Engine) -> None:
    """The pilots the filters let through; a selected row offers its self-assessment."""
    pilots = analysis.pilots
    shown = _filtered_pilots(analysis)
    view = _pilot_view(shown, content)
    st.caption(f"{len(shown):,} of {len(pilots):,} pilots shown. Select a row to assess it.")
    event = st.dataframe(
        view,
        hide_index=True,
        key=f"{PREFIX}pilots",
        on_select="rerun",
        selection_mode="single-row",
        height=420,
        column_config={
            "Readiness": st.column_config.NumberColumn(format="%.0f"),
            "Weakest score": st.column_config.NumberColumn(
                format="%.0f", help="The weakest reason's readiness (0-100)"
            ),
            "Weeks in pilot": st.column_config.NumberColumn(format="%.0f"),
            "Expected annual value": st.column_config.NumberColumn(format="localized"),
            # wide enough for "Readiness 78/100, but Organisational buy-in scores 20 (below
            # 50): fix it first." on one line
            "Why": st.column_config.TextColumn(width=480),
        },
    )
    selected = event.selection.rows if event else []
    if selected:
        row = shown.iloc[selected[0]]
        _selected_why(row)
        _assess_button(row, content, engine)


def _selected_why(row: pd.Series) -> None:
    """The selected pilot's recommendation and its whole reason, which a narrow screen cuts
    in the table."""
    name = str(row["name"]) if pd.notna(row["name"]) else str(row["pilot_id"])
    label = RECOMMENDATIONS[str(row["recommendation"])]
    st.text(f"{name}: {label}. {row['recommendation_reason']}")  # as written, no markup


def _filtered_pilots(analysis: PortfolioAnalysis) -> pd.DataFrame:
    """The pilots the recommendation, unit, stage, technology and text filters let through."""
    pilots = analysis.pilots
    counts = pilots["recommendation"].value_counts()
    choice = st.segmented_control(
        "Recommendation",
        list(RECOMMENDATIONS),
        format_func=lambda k: f"{RECOMMENDATIONS[k]} ({int(counts.get(k, 0)):,})",
        selection_mode="multi",
        key=f"{PREFIX}filter_rec",
        help="Push: plan production. Fix: fix the named gap first. Stop: stop on time. "
        "Decide now: past the decision point and never assessed; assess it within two weeks "
        "or stop it. Assess: not assessed yet, before its decision is due. No action: live "
        "or retired.",
    )
    left, middle, right, search = st.columns(4)
    units = left.multiselect(
        "Business unit",
        sorted(pilots["business_unit_shown"].unique()),
        key=f"{PREFIX}filter_unit",
        help="Show only these units.",
    )
    stages = middle.multiselect(
        "Stage",
        list(CANONICAL_STAGES),
        format_func=STAGE_LABELS.get,
        key=f"{PREFIX}filter_stage",
        help="Show only these stages.",
    )
    techs = right.multiselect(
        "Technology / vendor",
        analysis.technologies["technology"].tolist(),
        key=f"{PREFIX}filter_tech",
        help="Show only pilots on these technologies.",
    )
    text = search.text_input(
        "Search",
        key=f"{PREFIX}filter_text",
        placeholder="name, id, owner…",
        help="Finds the text in the id, name, owner, unit or technology.",
    )
    return filter_pilots(
        analysis.pilots_by_action,
        recommendations=choice or None,
        units=units,
        stages=stages,
        technologies=techs,
        text=text,
    )


def _pilot_view(shown: pd.DataFrame, content: Content) -> pd.DataFrame:
    """The pilot table's columns, in the words on screen."""
    titles = {r.key: r.title for r in content.reasons}
    return pd.DataFrame(
        {
            "Name": shown["name"],
            "Recommendation": shown["recommendation"].map(RECOMMENDATIONS),
            "Why": shown["recommendation_reason"],
            "Business unit": shown["business_unit_shown"],
            "Stage": shown["stage_label"],
            "Weeks in pilot": shown["weeks_in_pilot"],
            "Timeframe": shown["time_status"].map(TIME_BUCKETS),
            "Readiness": shown["readiness"],
            "Readiness from": _readiness_from(shown),
            "Weakest": shown["weakest_reason"].map(titles),
            # rounded down, as the reason words it: 49.6 is short of 50
            "Weakest score": shown["weakest_readiness"] // 1,
            "Matrix": shown["quadrant"].map(QUADRANTS),
            "Expected annual value": shown["expected_annual_value"],
            "Technology": shown["technology"],
            "ID": shown["pilot_id"],
        }
    )


def _readiness_from(pilots: pd.DataFrame) -> pd.Series:
    """Where each pilot's readiness comes from, with the date of its assessment."""
    source = pilots["readiness_source"].astype(object)
    when = pd.to_datetime(pilots["readiness_date"], errors="coerce").dt.strftime("%d %b %Y")
    return source.where(when.isna(), source + " · " + when.astype(object))


def _assess_button(row: pd.Series, content: Content, engine: Engine) -> None:
    """A button that opens a self-assessment of the selected pilot, prefilled from the sheet."""
    label = str(row["name"]) if pd.notna(row["name"]) else str(row["pilot_id"])
    if st.button(
        f"Assess “{label[:60]}” in a self-assessment",
        key=f"{PREFIX}assess",
        icon=":material/assignment:",
        help="Opens the questionnaire with what the sheet knows filled in.",
    ):
        record = portfolio_store.assess_portfolio_pilot(engine, content, row.to_dict())
        from ui import assessment

        assessment.open_assessment(record.token)
        st.switch_page("pages/assess.py")


def _downloads(record, as_of: str, readiness: str) -> None:
    """The enriched portfolio as xlsx and csv, prepared on demand, beside the template."""
    stem = f"{file_stem(record.name)}-v{record.version}-{as_of}"
    files, template = st.columns([2, 1])
    with files:
        prepared_row(
            [
                ReportFile(
                    "Enriched portfolio (xlsx)",
                    "xlsx",
                    lambda: cache.portfolio_export_xlsx(record.id, as_of, readiness),
                    f"{stem}.xlsx",
                    "Every pilot with its normalised stage, time in pilot, readiness, quadrant, "
                    "recommendation and why.",
                ),
                ReportFile(
                    "Enriched portfolio (csv)",
                    "csv",
                    lambda: cache.portfolio_export_csv(record.id, as_of, readiness),
                    f"{stem}.csv",
                    "The same table as csv (UTF-8).",
                ),
            ],
            f"{PREFIX}export_",
            # The version, the day and every saved answer: a change drops files built before.
            basis=(record.id, as_of, readiness),
            per_row=2,
            help="Builds the enriched portfolio as xlsx and csv; the download buttons appear "
            "here when they are ready.",
            hint=f"Every one of the {record.row_count:,} pilots, in both files: about a second "
            "for a portfolio of 3,600.",
        )
    template_button(
        template,
        "Empty template (xlsx)",
        key=f"{PREFIX}template_dash",
        help="Our columns with a stage dropdown, for organisations that keep no list yet.",
    )


def file_stem(name: str) -> str:
    """A safe file-name part from a portfolio name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return stem[:60] or "portfolio"

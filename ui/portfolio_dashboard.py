"""The portfolio page's dashboard tab: one saved version of the portfolio, chosen among all
versions, as the headline figures (pilots, in production, production rate, past the decision
point, median weeks in pilot), how far pilots get and how long they have been in pilot, the
production rate and the symptoms per business unit (and per sub-unit on request), readiness
against value, the spread over technologies, the pilots silently dropped since the previous
version, then every pilot with what to do with it (`portfolio_pilots.py`). Every figure comes
from one cached engine call; nothing is computed here. Session keys start with `portfolio_`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError
from diagnostics.formats import count_of
from diagnostics.framework.content import Content
from diagnostics.portfolio.analysis import PortfolioAnalysis
from diagnostics.portfolio.coverage import kpi_reasons, portfolio_gaps
from diagnostics.portfolio.drill import subunit_table, units_with_subunits
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.stages import STAGE_LABELS
from diagnostics.render.portfolio_charts import chart_units, symptom_cell
from diagnostics.storage import portfolios as portfolio_store
from ui import cache
from ui.components import CHART_CONFIG, picture, plain, show_problem
from ui.portfolio_pilots import pilots_section
from ui.portfolio_view import PICK_KEY, PREFIX, gap_banner


def dashboard(engine: Engine, content: Content, records: list, today: date) -> None:
    """The dashboard of one saved portfolio version."""
    if not records:
        st.info(
            "No portfolio saved yet. Open “Import a spreadsheet” to upload the list of pilots "
            "your organisation keeps, or download the template there.",
            icon=":material/table_chart:",
        )
        return
    record = _pick_version(records)
    pid = record.id
    as_of = today.isoformat()
    try:
        with st.spinner("Analysing the portfolio…"):
            readiness = cache.readiness_key()
            analysis = cache.portfolio_analysis(pid, as_of, readiness)
            charts = cache.portfolio_charts(pid, as_of, readiness)
    except DiagnosticError as exc:
        show_problem(exc)
        return
    if record.is_demo:
        st.info(
            "A demo portfolio of made-up pilots, so you can see what the dashboard shows. "
            "Import your own spreadsheet to replace it.",
            icon=":material/info:",
        )
    gap_banner(portfolio_gaps(analysis.pilots))
    _kpis(analysis, content, kpi_reasons(analysis.pilots))
    _progress_charts(analysis, charts, content)
    _units_section(analysis, charts)
    _drill_down(analysis)
    _matrix_section(analysis, pid, as_of, readiness)
    _technology_section(analysis)
    _dropped_section(engine, pid)
    pilots_section(engine, content, record, analysis, as_of, readiness)


def _pick_version(records: list):
    """The saved version to show: the newest (records come newest first) until one is picked."""
    by_id = {r.id: r for r in records}
    if st.session_state.get(PICK_KEY) not in by_id:
        st.session_state[PICK_KEY] = records[0].id
    pid = st.selectbox(
        "Portfolio",
        list(by_id),
        format_func=lambda i: by_id[i].label,
        key=PICK_KEY,
        help="Every upload is kept as a version; pick any of them.",
    )
    return by_id[pid]


def _kpis(analysis: PortfolioAnalysis, content: Content, reasons: dict[str, str]) -> None:
    """The headline figures; one the portfolio cannot give shows a dash and why, never 0."""
    k = analysis.kpis
    timeframes = content.timeframes
    # A wrapping row: five tiles side by side on a laptop, two or three a row on a phone.
    row = st.container(horizontal=True, gap="small")
    columns = [row] * 5
    columns[0].metric(
        "Pilots", f"{k.pilots:,}", help="Rows in the portfolio, every stage.", width=150
    )
    columns[1].metric(
        "In production", f"{k.in_production:,}", help="Pilots whose stage is production.", width=150
    )
    columns[2].metric(
        "Production rate",
        "–" if k.production_rate is None else f"{k.production_rate:.0%}",
        help=f"In production ÷ pilots that started (development to retired): "
        f"{k.in_production:,} of {k.started:,}.",
        width=150,
    )
    past = reasons.get("past_decision_point")
    columns[3].metric(
        "Past the decision point",
        "–" if past else f"{k.past_decision_point:,}",
        help=(f"{past} " if past else "")
        + f"Open pilots more than {k.decision_point_weeks:g} weeks after their start "
        f"(a {timeframes.pilot.label} pilot and a {timeframes.decision.label} decision) "
        "without a decision.",
        width=190,
    )
    median = reasons.get("median_weeks_in_pilot")
    columns[4].metric(
        "Median weeks in pilot",
        "–" if median or k.median_weeks_in_pilot is None else f"{k.median_weeks_in_pilot:.0f}",
        help=(f"{median} " if median else "")
        + f"Open pilots, from start to today; recommended: {timeframes.pilot.label}.",
        width=190,
    )


def _progress_charts(analysis, charts: dict, content: Content) -> None:
    """How far pilots get, beside how long the open ones have been in pilot."""
    left, right = st.columns(2)
    with left:
        st.subheader("How far pilots get")
        picture(charts["funnel"])
    with right:
        st.subheader("Time in pilot")
        st.caption(
            f"Open pilots against the recommended {content.timeframes.pilot.label} pilot and "
            f"a decision by week {analysis.kpis.decision_point_weeks:g}."
        )
        picture(charts["time"])


def _units_section(analysis, charts: dict) -> None:
    """Production rate and symptoms per business unit, side by side, and as a table."""
    st.subheader("Where the trap bites: business units")
    shown, total = len(chart_units(analysis)), len(analysis.units)
    which = f"the {shown:,} with the most pilots, of {total:,}" if shown < total else "all"
    st.caption(
        f"Both charts list the same business units ({which}), in the same order, so a unit's "
        "rate sits level with its symptoms; the full list is in the table below them."
    )
    left, right = st.columns(2)
    with left:
        st.caption(
            "Share of started pilots in production, per unit; the first bar is all units "
            "together. A unit whose pilots have not started yet has no rate."
        )
        picture(charts["units"])
    with right:
        st.caption(
            "The three symptoms a spreadsheet can show. Grey: the sheet cannot tell "
            "(a column is missing, or fewer than three pilots carry it)."
        )
        picture(charts["symptoms"])
    with st.expander("Symptoms and production rate per unit, as a table"):
        _symptom_table(analysis.units, "Business unit", key=f"{PREFIX}units_table")


SYMPTOM_COLUMNS = {
    "many_pilots_none_live": "Many new pilots, none live",
    "fragmented_technology": "Every pilot its own technology",
    "results_without_users": "Results but no live users",
}


def _symptom_table(units: pd.DataFrame, unit_label: str, *, key: str) -> None:
    """Units (or sub-units) with their rate and each symptom as yes, no or can't tell, and why.

    The unit's column is pinned: on a phone the table scrolls sideways, and a symptom's
    column without its unit beside it would not say whose it is."""
    table = pd.DataFrame(
        {
            unit_label: units["business_unit"],
            "Pilots": units["pilots"],
            "Production rate": units["production_rate"] * 100,
        }
    )
    for key, label in SYMPTOM_COLUMNS.items():
        answer = units[key].map({True: "yes", False: "no"}).fillna("can't tell")
        detail = [symptom_cell(row, key) for _, row in units.iterrows()]
        table[label] = [f"{a} ({d})" for a, d in zip(answer, detail, strict=True)]
    st.dataframe(
        table,
        hide_index=True,
        key=key,
        column_config={
            unit_label: st.column_config.TextColumn(pinned=True),
            "Production rate": st.column_config.NumberColumn(format="%.0f%%"),
        },
    )


def _drill_down(analysis: PortfolioAnalysis) -> None:
    """A unit's sub-units (an agency's bureaus), when the sheet names both."""
    units = units_with_subunits(analysis.pilots)
    if not units:
        return
    unit = st.selectbox(
        "Drill into a unit",
        units,
        key=f"{PREFIX}drill_unit",
        help="The same figures for the sub-units (bureaus, offices) of one unit.",
    )
    table = subunit_table(analysis.pilots, unit, analysis.as_of)
    st.caption(f"{plain(unit)}: {count_of(len(table), 'sub-unit')}, largest first.")
    _symptom_table(table, "Sub-unit", key=f"{PREFIX}drill_table")


@st.fragment
def _matrix_section(analysis, pid: int, as_of: str, readiness: str) -> None:
    """Readiness against expected value, or what the matrix needs. The chart, the page's only
    interactive one, is drawn when asked for: the dashboard's first view loads no chart
    script, and showing it reruns this section alone."""
    st.subheader("Readiness × value")
    thresholds = analysis.thresholds
    if analysis.has_readiness and analysis.has_value and thresholds.value:
        st.caption(
            f"Open pilots with a readiness and an expected value. Ready means "
            f"{thresholds.readiness:g}/100 or more with no reason below "
            f"{thresholds.weakest:g} and, for an assessed pilot, that its assessment says "
            f"proceed: a blocker or a weak link keeps a high score among the not ready "
            f"(hover for why). Valuable means at least the median expected value, "
            f"{thresholds.value:,.0f} a year."
        )
        if st.toggle(
            "Show the matrix",
            key=f"{PREFIX}show_matrix",
            help="One point per pilot; hover a point for its name, unit, recommendation and why.",
        ):
            st.plotly_chart(
                cache.portfolio_matrix(pid, as_of, readiness),
                key=f"{PREFIX}chart_matrix",
                config=CHART_CONFIG,
            )
    else:
        st.info(
            "The matrix needs per-reason scores or checklist answers, and an expected annual "
            "value: map those columns when you import, assess pilots one by one (select a row "
            "below), or add an answer sheet on the organisation page."
        )


def _technology_section(analysis) -> None:
    """How the pilots spread over technologies and vendors."""
    techs = analysis.technologies
    st.subheader("Technology and vendor spread")
    if techs.empty:
        st.caption("The sheet has no technology or vendor column.")
    else:
        top = techs["share"].iloc[0]
        st.caption(
            f"{len(techs):,} technologies or vendors across {int(techs['pilots'].sum()):,} "
            f"pilots; the most used carries {top:.0%} of them."
        )
        st.dataframe(
            techs.head(20).rename(
                columns={
                    "technology": "Technology / vendor",
                    "pilots": "Pilots",
                    "production": "In production",
                    "production_rate": "Production rate",
                    "share": "Share of pilots",
                }
            ),
            hide_index=True,
            key=f"{PREFIX}tech_table",
            column_config={
                "Production rate": st.column_config.NumberColumn(format="percent"),
                "Share of pilots": st.column_config.NumberColumn(format="percent"),
            },
        )


def _dropped_section(engine: Engine, pid: int) -> None:
    """Pilots of the previous version missing from this one without being marked retired."""
    previous = portfolio_store.previous_version(engine, pid)
    if previous is not None:
        dropped = cache.silently_dropped(previous.id, pid)
        st.subheader("Silently dropped since the previous version")
        if dropped.empty:
            st.caption(f"Every pilot of v{previous.version} is still listed or marked retired.")
        else:
            st.warning(
                f"{count_of(len(dropped), 'pilot')} of v{previous.version} "
                f"{'is' if len(dropped) == 1 else 'are'} missing from this version "
                "without being marked retired. Ask what happened to them: stopped pilots that "
                "are not recorded hide what the trap costs.",
                icon=":material/visibility_off:",
            )
            st.dataframe(readable(dropped), hide_index=True, key=f"{PREFIX}dropped")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of canonical columns for people: field labels as headers, dates as days,
    stages by name, blanks for missing values (not None or NaT)."""
    labels = {f.key: f.label for f in FIELDS}
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column == "stage":
            values = values.astype(object).map(lambda s: STAGE_LABELS.get(s, s))
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = values.dt.strftime("%Y-%m-%d")
        out[labels.get(column, column)] = values.astype(object).where(values.notna(), "")
    return out

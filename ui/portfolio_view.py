"""Blocks of the portfolio page: the import (upload, sheet, mapping, stage texts, save) and
the dashboard (KPIs, charts, symptoms, pilot table, downloads). Session keys start with
`portfolio_`. Every number comes from one cached engine call; nothing is computed here."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError, ImportFileError
from diagnostics.framework.content import Content
from diagnostics.portfolio.analysis import (
    QUADRANTS,
    RECOMMENDATIONS,
    TIME_BUCKETS,
    PortfolioAnalysis,
    filter_pilots,
)
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.stages import CANONICAL_STAGES, STAGE_LABELS
from diagnostics.sheets import limits
from diagnostics.storage import portfolios as portfolio_store
from ui import cache
from ui.components import CHART_CONFIG, XLSX_MIME, plain, show_problem

PREFIX = "portfolio_"
TAB_KEY = f"{PREFIX}tab"
PICK_KEY = f"{PREFIX}pick"
DASHBOARD, IMPORT = "Dashboard", "Import a spreadsheet"
FILE_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv"]
NOT_USED = "(not used)"
SYMPTOM_COLUMNS = {
    "many_pilots_none_live": "Many new pilots, none live",
    "fragmented_technology": "Every pilot its own technology",
    "results_without_users": "Results but no live users",
}


def file_stem(name: str) -> str:
    """A safe file-name part from a portfolio name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return stem[:60] or "portfolio"


# --- import -----------------------------------------------------------------------------------


def limits_caption() -> str:
    return (
        f"Excel (xlsx, xlsm, xls), OpenDocument (ods) or csv; up to {limits.MAX_UPLOAD_MB} MB, "
        f"{limits.MAX_ROWS:,} rows and {limits.MAX_COLUMNS:,} columns. One row per pilot; the "
        "header row may sit below a title, and your own column names are fine."
    )


def _file_hash(uploaded) -> str:
    """sha256 of the upload, computed once per uploaded file (not on every rerun)."""
    key = f"{PREFIX}hash_{uploaded.file_id}"
    if key not in st.session_state:
        st.session_state[key] = hashlib.sha256(uploaded.getvalue()).hexdigest()
    return st.session_state[key]


def _import(uploaded, digest: str, sheet=None, mapping=(), overrides=()):
    """The upload read (once): a progress bar names each step while a first read runs."""
    key = cache.ImportKey(digest, uploaded.name, sheet, tuple(mapping), tuple(overrides))
    imported = cache.read_import(key)
    if imported is not None:
        return imported
    bar = st.progress(0.0, text=f"Reading {uploaded.name}…")

    def moved_on(share: float, step: str) -> None:
        bar.progress(share, text=f"{uploaded.name}: {step}…")

    try:
        return cache.imported_portfolio(key, uploaded.getvalue(), progress=moved_on)
    finally:
        bar.empty()


def _mapping_editor(imported, key: str) -> dict[str, str | None]:
    """The automatic mapping as an editable table; returns the fields the user changed."""
    columns = [str(c) for c in imported.source.columns]
    rows = []
    for field in FIELDS:
        match = imported.mapping.get(field.key)
        rows.append(
            {
                "Our field": field.label,
                "Your column": (match.column if match and match.column else NOT_USED),
                "Confidence": round(100 * match.confidence) if match and match.column else 0,
                "Found by": (match.source if match and match.column else "not found"),
            }
        )
    base = pd.DataFrame(rows)
    edited = st.data_editor(
        base,
        key=key,
        hide_index=True,
        disabled=["Our field", "Confidence", "Found by"],
        column_config={
            "Our field": st.column_config.TextColumn(help="The field the dashboard uses."),
            "Your column": st.column_config.SelectboxColumn(
                help="The column of your sheet that holds this field; change it if it is wrong.",
                options=[NOT_USED, *columns],
                required=True,
            ),
            "Confidence": st.column_config.ProgressColumn(
                help="How sure the automatic mapping is (from the header and the values).",
                min_value=0,
                max_value=100,
                format="%d%%",
            ),
            "Found by": st.column_config.TextColumn(
                help="header: the column name matched; values: the cells look like this field."
            ),
        },
    )
    changed: dict[str, str | None] = {}
    for field, before, after in zip(
        FIELDS, base["Your column"], edited["Your column"], strict=True
    ):
        if after != before:
            changed[field.key] = None if after == NOT_USED else after
    return changed


def _stage_overrides(imported, key: str) -> dict[str, str]:
    """Stage texts the synonyms table did not know, each for the user to place."""
    unknown = imported.unmapped_stage_values
    if not unknown:
        return {}
    st.markdown("**Stage texts we could not place**")
    st.caption(
        "These rows count as *unknown* until you choose a stage. Nothing is dropped either way."
    )
    base = pd.DataFrame(
        {"Text in your sheet": list(unknown), "Rows": list(unknown.values()), "Stage": "unknown"}
    )
    edited = st.data_editor(
        base,
        key=key,
        hide_index=True,
        disabled=["Text in your sheet", "Rows"],
        column_config={
            "Text in your sheet": st.column_config.TextColumn(help="As written in the file."),
            "Stage": st.column_config.SelectboxColumn(
                help="The stage these rows are in.",
                options=list(CANONICAL_STAGES),
                required=True,
            ),
        },
    )
    return {
        text: stage
        for text, stage in zip(edited["Text in your sheet"], edited["Stage"], strict=True)
        if stage != "unknown"
    }


def _import_summary(imported) -> None:
    counts = imported.stage_counts()
    rate = imported.production_rate()
    st.success(
        f"{imported.rows_imported:,} rows imported, {imported.rows_with_warnings:,} with "
        f"warnings (header on row {imported.header_row}"
        + (f" of sheet “{plain(imported.sheet)}”" if imported.sheet else "")
        + ")."
    )
    summary = pd.DataFrame(
        {"Stage": [STAGE_LABELS[s] for s in CANONICAL_STAGES], "Pilots": list(counts.values())}
    )
    left, right = st.columns([2, 3])
    left.dataframe(
        summary,
        hide_index=True,
        key=f"{PREFIX}import_stages",
        column_config={"Pilots": st.column_config.NumberColumn(format="localized")},
    )
    right.metric(
        "Production rate",
        "–" if rate is None else f"{rate:.0%}",
        help="Pilots in production ÷ pilots that started (development to retired).",
    )
    if imported.warnings:
        with right.expander(f"Warnings ({len(imported.warnings)})"):
            for warning in imported.warnings:
                st.text(warning)
    if not imported.row_problems.empty:
        with st.expander(f"Rows with warnings ({imported.rows_with_warnings:,})"):
            st.dataframe(imported.row_problems, hide_index=True, key=f"{PREFIX}row_problems")


def import_tab(engine: Engine) -> None:
    """Upload, check the mapping, place unknown stages, save as a named version."""
    st.caption(limits_caption())
    uploaded = st.file_uploader(
        "Your spreadsheet of pilots",
        type=FILE_TYPES,
        key=f"{PREFIX}file",
        help="The list of AI pilots or use cases your organisation keeps, one row per pilot.",
    )
    st.download_button(
        "Download an empty template",
        data=cache.portfolio_template_xlsx(),
        file_name="ai-pilot-portfolio-template.xlsx",
        mime=XLSX_MIME,
        key=f"{PREFIX}template",
        icon=":material/download:",
        on_click="ignore",
        help="Our columns with a stage dropdown, an example sheet and help on every column.",
    )
    if uploaded is None:
        st.info("Choose a file to see how its columns map to ours before anything is saved.")
        return
    digest = _file_hash(uploaded)
    try:
        first = _import(uploaded, digest)
        sheet = first.sheet
        if len(first.sheets) > 1:
            sheet = st.selectbox(
                "Sheet",
                first.sheets,
                index=first.sheets.index(first.sheet) if first.sheet in first.sheets else 0,
                key=f"{PREFIX}sheet_{digest[:16]}",
                help="We picked the sheet that looks most like a table of pilots.",
            )
        auto = first if sheet == first.sheet else _import(uploaded, digest, sheet)
        st.markdown("**How your columns map to ours**")
        changed = _mapping_editor(auto, key=f"{PREFIX}mapping_{digest[:16]}_{sheet}")
        # Each read is reused when nothing changes it: a first upload is parsed once.
        mapped = _import(uploaded, digest, sheet, sorted(changed.items())) if changed else auto
        overrides = _stage_overrides(mapped, key=f"{PREFIX}stages_{digest[:16]}_{sheet}")
        final = (
            _import(uploaded, digest, sheet, sorted(changed.items()), sorted(overrides.items()))
            if overrides
            else mapped
        )
    except ImportFileError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    except DiagnosticError as exc:
        show_problem(exc)
        return
    _import_summary(final)
    with st.form(f"{PREFIX}save_form", border=True):
        st.text_input(
            "Portfolio name",
            value=Path(uploaded.name).stem.replace("_", " ")[:200],
            max_chars=200,
            key=f"{PREFIX}name",
            help="Saving again under the same name adds a new version; older ones stay.",
        )
        st.form_submit_button(
            "Save portfolio", type="primary", on_click=_save, args=(engine, final)
        )
    problem = st.session_state.pop(f"{PREFIX}save_problem", None)
    if problem:
        st.error(problem, icon=":material/error:")


def _save(engine: Engine, imported) -> None:
    """Save the import as a version, then open it on the dashboard (a callback: it runs
    before the tabs are drawn, so it may switch them)."""
    try:
        new_id = portfolio_store.save_portfolio(
            engine, imported, st.session_state.get(f"{PREFIX}name", "")
        )
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}save_problem"] = str(exc)
        return
    st.session_state[PICK_KEY] = new_id
    st.session_state[TAB_KEY] = DASHBOARD


# --- dashboard --------------------------------------------------------------------------------


def _kpis(analysis: PortfolioAnalysis, content: Content) -> None:
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
    columns[3].metric(
        "Past the decision point",
        f"{k.past_decision_point:,}",
        help=f"Open pilots more than {k.decision_point_weeks:g} weeks after their start "
        f"(a {timeframes.pilot.label} pilot and a {timeframes.decision.label} decision) "
        "without a decision.",
        width=190,
    )
    columns[4].metric(
        "Median weeks in pilot",
        "–" if k.median_weeks_in_pilot is None else f"{k.median_weeks_in_pilot:.0f}",
        help=f"Open pilots, from start to today; recommended: {timeframes.pilot.label}.",
        width=190,
    )


def _symptom_table(analysis: PortfolioAnalysis) -> pd.DataFrame:
    units = analysis.units
    table = pd.DataFrame(
        {
            "Business unit": units["business_unit"],
            "Pilots": units["pilots"],
            "Production rate": units["production_rate"] * 100,
        }
    )
    for key, label in SYMPTOM_COLUMNS.items():
        table[label] = units[key].map({True: "yes", False: "no"}).fillna("can't tell")
    return table


def _pilot_table(analysis: PortfolioAnalysis, content: Content, engine: Engine) -> None:
    pilots = analysis.pilots
    st.subheader("Every pilot, and what to do with it")
    counts = pilots["recommendation"].value_counts()
    choice = st.segmented_control(
        "Recommendation",
        list(RECOMMENDATIONS),
        format_func=lambda k: f"{RECOMMENDATIONS[k]} ({int(counts.get(k, 0)):,})",
        selection_mode="multi",
        key=f"{PREFIX}filter_rec",
        help="Push: plan production. Fix: fix the named gap first. Stop: stop on time. "
        "No action: live or retired.",
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
    shown = filter_pilots(
        analysis.pilots_by_action,
        recommendations=choice or None,
        units=units,
        stages=stages,
        technologies=techs,
        text=text,
    )
    titles = {r.key: r.title for r in content.reasons}
    view = pd.DataFrame(
        {
            "Name": shown["name"],
            "Recommendation": shown["recommendation"].map(RECOMMENDATIONS),
            "Why": shown["recommendation_reason"],
            "Business unit": shown["business_unit_shown"],
            "Stage": shown["stage_label"],
            "Weeks in pilot": shown["weeks_in_pilot"],
            "Timeframe": shown["time_status"].map(TIME_BUCKETS),
            "Readiness": shown["readiness"],
            "Weakest": shown["weakest_reason"].map(titles),
            "Matrix": shown["quadrant"].map(QUADRANTS),
            "Expected annual value": shown["expected_annual_value"],
            "Technology": shown["technology"],
            "ID": shown["pilot_id"],
        }
    )
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
            "Weeks in pilot": st.column_config.NumberColumn(format="%.0f"),
            "Expected annual value": st.column_config.NumberColumn(format="localized"),
            "Why": st.column_config.TextColumn(width="large"),
        },
    )
    selected = event.selection.rows if event else []
    if selected:
        row = shown.iloc[selected[0]]
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


def _downloads(record, as_of: str) -> None:
    stem = f"{file_stem(record.name)}-v{record.version}-{as_of}"
    left, middle, right = st.columns(3)
    left.download_button(
        "Enriched portfolio (xlsx)",
        data=lambda: cache.portfolio_export_xlsx(record.id, as_of),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{PREFIX}export_xlsx",
        icon=":material/download:",
        on_click="ignore",
        help="Every pilot with its normalised stage, time in pilot, readiness, quadrant, "
        "recommendation and why.",
    )
    middle.download_button(
        "Enriched portfolio (csv)",
        data=lambda: cache.portfolio_export_csv(record.id, as_of),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{PREFIX}export_csv",
        icon=":material/download:",
        on_click="ignore",
        help="The same table as csv (UTF-8).",
    )
    right.download_button(
        "Empty template (xlsx)",
        data=cache.portfolio_template_xlsx(),
        file_name="ai-pilot-portfolio-template.xlsx",
        mime=XLSX_MIME,
        key=f"{PREFIX}template_dash",
        icon=":material/download:",
        on_click="ignore",
        help="Our columns with a stage dropdown, for organisations that keep no list yet.",
    )


def dashboard(engine: Engine, content: Content, records: list, today: date) -> None:
    """The dashboard of one saved portfolio version."""
    if not records:
        st.info(
            "No portfolio saved yet. Open “Import a spreadsheet” to upload the list of pilots "
            "your organisation keeps, or download the template there.",
            icon=":material/table_chart:",
        )
        return
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
    record = by_id[pid]
    as_of = today.isoformat()
    try:
        with st.spinner("Analysing the portfolio…"):
            analysis = cache.portfolio_analysis(pid, as_of)
            charts = cache.portfolio_charts(pid, as_of)
    except DiagnosticError as exc:
        show_problem(exc)
        return
    if record.is_demo:
        st.info(
            "A demo portfolio of made-up pilots, so you can see what the dashboard shows. "
            "Import your own spreadsheet to replace it.",
            icon=":material/info:",
        )
    _kpis(analysis, content)

    left, right = st.columns(2)
    with left:
        st.subheader("How far pilots get")
        st.plotly_chart(charts["funnel"], key=f"{PREFIX}chart_funnel", config=CHART_CONFIG)
    with right:
        st.subheader("Time in pilot")
        st.caption(
            f"Open pilots against the recommended {content.timeframes.pilot.label} pilot and "
            f"a decision by week {analysis.kpis.decision_point_weeks:g}."
        )
        st.plotly_chart(charts["time"], key=f"{PREFIX}chart_time", config=CHART_CONFIG)

    st.subheader("Where the trap bites: business units")
    left, right = st.columns(2)
    with left:
        st.caption("Share of started pilots in production, per unit.")
        st.plotly_chart(charts["units"], key=f"{PREFIX}chart_units", config=CHART_CONFIG)
    with right:
        st.caption(
            "The three symptoms a spreadsheet can show. Grey: the sheet cannot tell "
            "(a column is missing, or fewer than three pilots carry it)."
        )
        st.plotly_chart(charts["symptoms"], key=f"{PREFIX}chart_symptoms", config=CHART_CONFIG)
    with st.expander("Symptoms and production rate per unit, as a table"):
        st.dataframe(
            _symptom_table(analysis),
            hide_index=True,
            key=f"{PREFIX}units_table",
            column_config={"Production rate": st.column_config.NumberColumn(format="%.0f%%")},
        )

    st.subheader("Readiness × value")
    thresholds = analysis.thresholds
    if analysis.has_readiness and analysis.has_value and thresholds.value:
        st.caption(
            f"Open pilots with a readiness and an expected value. Ready means "
            f"{thresholds.readiness:g}/100 or more (where an assessment says proceed); "
            f"valuable means at least the median expected value, {thresholds.value:,.0f} a year."
        )
        st.plotly_chart(charts["matrix"], key=f"{PREFIX}chart_matrix", config=CHART_CONFIG)
    else:
        st.info(
            "The matrix needs per-reason scores or checklist answers, and an expected annual "
            "value: map those columns when you import, or assess pilots one by one."
        )

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

    previous = portfolio_store.previous_version(engine, pid)
    if previous is not None:
        dropped = cache.silently_dropped(previous.id, pid)
        st.subheader("Silently dropped since the previous version")
        if dropped.empty:
            st.caption(f"Every pilot of v{previous.version} is still listed or marked retired.")
        else:
            st.warning(
                f"{len(dropped):,} pilots of v{previous.version} are missing from this version "
                "without being marked retired. Ask what happened to them: stopped pilots that "
                "are not recorded hide what the trap costs.",
                icon=":material/visibility_off:",
            )
            st.dataframe(dropped, hide_index=True, key=f"{PREFIX}dropped")

    _pilot_table(analysis, content, engine)
    _downloads(record, as_of)

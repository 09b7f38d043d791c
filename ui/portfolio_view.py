"""Blocks of the portfolio page: the import (upload, sheet, mapping, stage texts, save) and
the dashboard (KPIs, charts, symptoms, pilot table, downloads). Session keys start with
`portfolio_`. Every number comes from one cached engine call; nothing is computed here."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError
from diagnostics.formats import count_of
from diagnostics.framework.content import Content
from diagnostics.portfolio.analysis import TIME_BUCKETS, PortfolioAnalysis, filter_pilots
from diagnostics.portfolio.coverage import kpi_reasons, portfolio_gaps
from diagnostics.portfolio.drill import subunit_table, units_with_subunits
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.recommendations import ACTION_ORDER, QUADRANTS, RECOMMENDATIONS
from diagnostics.portfolio.stages import CANONICAL_STAGES, STAGE_LABELS
from diagnostics.render.portfolio_charts import chart_units, symptom_cell
from diagnostics.sheets import limits
from diagnostics.storage import portfolios as portfolio_store
from ui import cache, pilot_matching
from ui.components import CHART_CONFIG, XLSX_MIME, picture, plain, show_kept, show_problem
from ui.report_downloads import ReportFile, prepared_row

PREFIX = "portfolio_"
TAB_KEY = f"{PREFIX}tab"
PICK_KEY = f"{PREFIX}pick"
SAVED_KEY = f"{PREFIX}just_saved"  # set by Save: the import part then reruns the whole page
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
        height="content",  # every field in view: a hidden row is a field missed
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


STAGE_SOURCES = {"unplaced": "not placed", "synonyms": "our stage words", "yours": "your choice"}
MAX_STAGE_ROWS = 300  # distinct stage texts listed for review (most rows first)


def _stage_review(imported, key: str) -> dict[str, str]:
    """Every distinct stage text with its rows and the stage it became, any of them to change;
    returns the texts whose stage the user changed."""
    texts = sorted(imported.stage_texts, key=lambda t: (t.source != "unplaced", -t.rows, t.text))
    if not texts:
        return {}
    unplaced = sum(1 for t in texts if t.source == "unplaced")
    st.markdown("**Stage texts and the stage each became**")
    st.caption(
        (
            f"{unplaced:,} {'text' if unplaced == 1 else 'texts'} could not be placed and "
            "count as *unknown* until you choose a stage (listed first). "
            if unplaced
            else "Every text was placed. "
        )
        + "Change any stage that is wrong; nothing is dropped either way."
        + (
            f" The {MAX_STAGE_ROWS:,} most frequent of {len(texts):,} texts are listed."
            if len(texts) > MAX_STAGE_ROWS
            else ""
        )
    )
    texts = texts[:MAX_STAGE_ROWS]
    # The stage right after the text, so it stays in view on a phone.
    base = pd.DataFrame(
        {
            "Text in your sheet": [t.text for t in texts],
            "Stage": [t.stage for t in texts],
            "Rows": [t.rows for t in texts],
            "Placed by": [STAGE_SOURCES[t.source] for t in texts],
        }
    )
    edited = st.data_editor(
        base,
        key=key,
        hide_index=True,
        disabled=["Text in your sheet", "Rows", "Placed by"],
        column_config={
            "Text in your sheet": st.column_config.TextColumn(
                help="As written in the file.", width="medium"
            ),
            "Rows": st.column_config.NumberColumn(
                help="Pilots with this text.", format="localized"
            ),
            "Stage": st.column_config.SelectboxColumn(
                help="The stage these rows are in; change it if it is wrong.",
                options=list(CANONICAL_STAGES),
                required=True,
            ),
            "Placed by": st.column_config.TextColumn(
                help="Our stage words (data/stage_synonyms.yaml), your choice (here or in a "
                "saved profile), or not placed."
            ),
        },
    )
    return {
        text: after
        for text, before, after in zip(
            edited["Text in your sheet"], base["Stage"], edited["Stage"], strict=True
        )
        if after != before
    }


ROW_REPORT_COLUMNS = {
    "row": "Row",
    "pilot_id": "ID",
    "field": "Field",
    "column": "Your column",
    "value": "Value",
    "problem": "Problem",
}


def _row_report(problems: pd.DataFrame) -> pd.DataFrame:
    """The row report with readable headers, field labels and blanks (not None)."""
    labels = {f.key: f.label for f in FIELDS}
    report = problems.assign(field=problems["field"].map(lambda k: labels.get(k, k or "")))
    return report.rename(columns=ROW_REPORT_COLUMNS).fillna("")


def _gap_banner(gaps) -> None:
    """What the portfolio lacks for its first questions, above everything it affects."""
    if not gaps:
        return
    lines = "\n".join(f"- **{g.title}.** {g.message}" for g in gaps)
    st.warning(lines, icon=":material/report:")


def _import_summary(imported) -> None:
    counts = imported.stage_counts()
    rate = imported.production_rate()
    gaps = imported.gaps()
    where = (
        f"header on row {imported.header_row}"
        + (f" of sheet “{plain(imported.sheet)}”" if imported.sheet else "")
        + (
            f"; {_count(imported.rows_left_out, 'row')} of stray marks left out"
            if imported.rows_left_out
            else ""
        )
    )
    done = (
        f"{count_of(imported.rows_imported, 'row')} imported, {imported.rows_with_warnings:,} with "
        f"warnings ({where})."
    )
    if gaps:
        missing = ", ".join(g.title.removeprefix("No ").lower() for g in gaps)
        st.warning(f"{done} Missing: {missing} (see above the mapping).", icon=":material/warning:")
    else:
        st.success(done)
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
        with right.expander(f"Warnings ({len(imported.warnings)})", expanded=bool(gaps)):
            for warning in imported.warnings:
                st.text(warning)
    if not imported.row_problems.empty:
        with st.expander(f"Rows with warnings ({imported.rows_with_warnings:,})"):
            st.dataframe(
                _row_report(imported.row_problems), hide_index=True, key=f"{PREFIX}row_problems"
            )


def _count(n: int, word: str) -> str:
    return count_of(n, word)


def _save_profile_form(final, overrides: dict[str, str]) -> None:
    """Keep this mapping and the stage choices as a named profile for the next upload."""
    with st.expander("Keep this mapping for the next upload of this kind of file"):
        with st.form(f"{PREFIX}profile_form", border=False):
            st.text_input(
                "Profile name",
                key=f"{PREFIX}profile_name",
                max_chars=60,
                placeholder="e.g. Agency AI inventory",
                help="A file with the same column names then maps by itself, with the stages "
                "you chose here.",
            )
            st.form_submit_button(
                "Save mapping profile", on_click=_save_profile, args=(final, overrides)
            )
        show_kept(f"{PREFIX}profile_", ":material/check:")


def _save_profile(final, overrides: dict[str, str]) -> None:
    from diagnostics.portfolio.mapping import profile_from_mapping, save_profile

    name = " ".join(str(st.session_state.get(f"{PREFIX}profile_name", "")).split())
    try:
        if not name:
            raise DiagnosticError("Give the profile a name, for example “Agency AI inventory”.")
        stage_choices = {t.text: t.stage for t in final.stage_texts if t.source == "yours"}
        stage_choices.update(overrides)
        profile = profile_from_mapping(name, final.mapping, stage_choices)
        save_profile(profile)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}profile_problem"] = str(exc)
        return
    st.session_state[f"{PREFIX}profile_done"] = (
        f"Saved the profile “{name}”: {len(profile.columns)} columns and "
        f"{_count(len(profile.stage_overrides), 'stage choice')}."
    )


def _template_button(where, label: str, *, key: str, help: str) -> None:
    """The empty portfolio template as a download, in `where` (the page or a column)."""
    where.download_button(
        label,
        data=cache.portfolio_template_xlsx(),
        file_name="ai-pilot-portfolio-template.xlsx",
        mime=XLSX_MIME,
        key=key,
        icon=":material/download:",
        on_click="ignore",
        help=help,
    )


def import_tab(engine: Engine) -> None:
    """Upload, check the mapping, place unknown stages, save as a named version."""
    st.session_state.pop(SAVED_KEY, None)  # a whole run already: nothing more to rerun
    st.caption(limits_caption())
    uploaded = st.file_uploader(
        "Your spreadsheet of pilots",
        type=FILE_TYPES,
        key=f"{PREFIX}file",
        help="The list of AI pilots or use cases your organisation keeps, one row per pilot.",
    )
    _template_button(
        st,
        "Download an empty template",
        key=f"{PREFIX}template",
        help="Our columns with a stage dropdown, an example sheet and help on every column.",
    )
    if uploaded is None:
        st.info("Choose a file to see how its columns map to ours before anything is saved.")
        return
    digest = _file_hash(uploaded)
    try:
        first = _import(uploaded, digest)
        sheet = first.sheet
        sheets = list(first.sheets)
        if first.hidden_sheets and st.toggle(
            f"Show hidden sheets ({len(first.hidden_sheets)})",
            key=f"{PREFIX}hidden_{digest[:16]}",
            help="Hidden sheets often hold lookup lists or old copies; show them to pick one.",
        ):
            sheets += [s for s in first.hidden_sheets if s not in sheets]
        if len(sheets) > 1:
            sheet = st.selectbox(
                "Sheet",
                sheets,
                index=sheets.index(first.sheet) if first.sheet in sheets else 0,
                key=f"{PREFIX}sheet_{digest[:16]}",
                help="We picked the sheet that looks most like a table of pilots.",
            )
        auto = first if sheet == first.sheet else _import(uploaded, digest, sheet)
    except DiagnosticError as exc:  # an unreadable file included: its message says why
        show_problem(exc)
        return
    _mapping_and_save(engine, uploaded, digest, sheet, auto)


@st.fragment
def _mapping_and_save(engine: Engine, uploaded, digest: str, sheet, auto) -> None:
    """The mapping, the stages, what they give and the save form: a changed mapping cell
    reruns this part alone, not the page with its uploader and sheet choice around it."""
    if st.session_state.pop(SAVED_KEY, False):
        st.rerun()  # saved: the whole page again, to open the dashboard on the new version
    try:
        missing = st.container()  # what the sheet lacks, said before the mapping that fixes it
        st.markdown("**How your columns map to ours**")
        changed = _mapping_editor(auto, key=f"{PREFIX}mapping_{digest[:16]}_{sheet}")
        # Each read is reused when nothing changes it: a first upload is parsed once.
        mapped = _import(uploaded, digest, sheet, sorted(changed.items())) if changed else auto
        # Another stage column lists other texts: its choices start afresh, not on the
        # row positions edited for the first one.
        stage_key = f"{PREFIX}stages_{digest[:16]}_{sheet}"
        if "stage" in changed:
            column = str(changed["stage"])
            stage_key += "_" + hashlib.sha256(column.encode()).hexdigest()[:8]
        overrides = _stage_review(mapped, key=stage_key)
        final = (
            _import(uploaded, digest, sheet, sorted(changed.items()), sorted(overrides.items()))
            if overrides
            else mapped
        )
    except DiagnosticError as exc:  # an unreadable file included: its message says why
        show_problem(exc)
        return
    with missing:
        _gap_banner(final.gaps())
    _import_summary(final)
    _save_profile_form(final, overrides)
    _save_form(engine, final, uploaded.name)


def _save_form(engine: Engine, final, filename: str) -> None:
    """The imported portfolio's name and version choice, and the button that saves it."""
    with st.form(f"{PREFIX}save_form", border=True):
        st.text_input(
            "Portfolio name",
            value=portfolio_store.default_portfolio_name(filename),
            max_chars=200,
            key=f"{PREFIX}name",
            help="Saving again under the same name adds a new version; older ones stay.",
        )
        st.checkbox(
            "Add as a new version if a portfolio of this name exists",
            key=f"{PREFIX}new_version",
            help="Versions of one portfolio are compared for pilots that vanished; tick this "
            "only when this file is a later edition of the same list.",
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
    name = st.session_state.get(f"{PREFIX}name", "")
    try:
        existing = portfolio_store.versions_named(engine, name)
        if existing and not st.session_state.get(f"{PREFIX}new_version"):
            latest = existing[0]
            source = f", from {latest.source_filename}" if latest.source_filename else ""
            raise DiagnosticError(
                f"A portfolio named “{latest.name}” already exists (v{latest.version}"
                f"{source}). Tick “Add as a new version” to save this file as "
                f"v{latest.version + 1} of it, or give this portfolio another name."
            )
        new_id = portfolio_store.save_portfolio(engine, imported, name)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}save_problem"] = str(exc)
        return
    st.session_state[PICK_KEY] = new_id
    st.session_state[TAB_KEY] = DASHBOARD
    st.session_state[SAVED_KEY] = True


# --- dashboard --------------------------------------------------------------------------------


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


def _symptom_table(units: pd.DataFrame, unit_label: str = "Business unit") -> pd.DataFrame:
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
    return table


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
    st.caption(f"{plain(unit)}: {_count(len(table), 'sub-unit')}, largest first.")
    st.dataframe(
        _symptom_table(table, "Sub-unit"),
        hide_index=True,
        key=f"{PREFIX}drill_table",
        column_config={"Production rate": st.column_config.NumberColumn(format="%.0f%%")},
    )


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


def _pilot_table(analysis: PortfolioAnalysis, content: Content, engine: Engine) -> None:
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
            "Weeks in pilot": st.column_config.NumberColumn(format="%.0f"),
            "Expected annual value": st.column_config.NumberColumn(format="localized"),
            "Why": st.column_config.TextColumn(width="large"),
        },
    )
    selected = event.selection.rows if event else []
    if selected:
        _assess_button(shown.iloc[selected[0]], content, engine)


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
            "Matrix": shown["quadrant"].map(QUADRANTS),
            "Expected annual value": shown["expected_annual_value"],
            "Technology": shown["technology"],
            "ID": shown["pilot_id"],
        }
    )


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


def _readiness_from(pilots: pd.DataFrame) -> pd.Series:
    """Where each pilot's readiness comes from, with the date of its assessment."""
    source = pilots["readiness_source"].astype(object)
    when = pd.to_datetime(pilots["readiness_date"], errors="coerce").dt.strftime("%d %b %Y")
    return source.where(when.isna(), source + " · " + when.astype(object))


def _recommendation_counts(analysis: PortfolioAnalysis) -> None:
    """How many pilots fall in each category, decisions first."""
    counts = analysis.pilots["recommendation"].value_counts()
    row = st.container(horizontal=True, gap="small")
    for key in ACTION_ORDER:
        row.metric(
            RECOMMENDATIONS[key],
            f"{int(counts.get(key, 0)):,}",
            help=RECOMMENDATION_HELP[key],
            width=130,
        )


RECOMMENDATION_HELP = {
    "stop": "Assessed and told to stop, late with low readiness, low value and low readiness, "
    "or never assessed and far past the recommended path.",
    "decide_now": "Past the decision point and never assessed: assess within two weeks or stop.",
    "push": "Ready: plan the move to production.",
    "fix": "Assessed: fix the named gap first.",
    "assess": "Not assessed yet, before its decision is due (or without a start date).",
    "none": "Live or retired.",
}


def _downloads(record, as_of: str, readiness: str) -> None:
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
    _template_button(
        template,
        "Empty template (xlsx)",
        key=f"{PREFIX}template_dash",
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
    _gap_banner(portfolio_gaps(analysis.pilots))
    _kpis(analysis, content, kpi_reasons(analysis.pilots))
    _progress_charts(analysis, charts, content)
    _units_section(analysis, charts)
    _drill_down(analysis)
    _matrix_section(analysis, pid, as_of, readiness)
    _technology_section(analysis)
    _dropped_section(engine, pid)

    st.subheader("Every pilot, and what to do with it")
    _recommendation_counts(analysis)
    matched = cache.portfolio_readiness(pid, readiness)
    pilot_matching.matching_panel(engine, record, analysis, matched)
    _pilot_table(analysis, content, engine)
    _downloads(record, as_of, readiness)


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
        st.dataframe(
            _symptom_table(analysis.units),
            hide_index=True,
            key=f"{PREFIX}units_table",
            column_config={"Production rate": st.column_config.NumberColumn(format="%.0f%%")},
        )


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
            f"{thresholds.readiness:g}/100 or more and, for an assessed pilot, that its "
            f"assessment says proceed: a blocker or a weak link keeps a high score among the "
            f"not ready (hover for why). Valuable means at least the median expected value, "
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

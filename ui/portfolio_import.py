"""The portfolio page's import tab: a spreadsheet uploaded, its sheet chosen, its columns
mapped to our fields in an editable table, its stage texts placed, what that gives (stages,
production rate, warnings, the rows with problems), a mapping profile kept for the next file
of its kind, and the save as a named version that then opens on the dashboard. Each read is
cached (`ui/cache.py`) on the file's hash and the choices made, so an unchanged choice never
reads the file again; the mapping and everything below it rerun alone as a fragment."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError
from diagnostics.formats import count_of
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.stages import CANONICAL_STAGES, STAGE_LABELS
from diagnostics.sheets import limits
from diagnostics.storage import portfolios as portfolio_store
from ui import cache
from ui.components import plain, show_kept, show_problem
from ui.portfolio_view import DASHBOARD, PICK_KEY, PREFIX, TAB_KEY, gap_banner, template_button

SAVED_KEY = f"{PREFIX}just_saved"  # set by Save: the import part then reruns the whole page
FILE_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv"]
NOT_USED = "(not used)"


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


def _import_summary(imported) -> None:
    counts = imported.stage_counts()
    rate = imported.production_rate()
    gaps = imported.gaps()
    where = (
        f"header on row {imported.header_row}"
        + (f" of sheet “{plain(imported.sheet)}”" if imported.sheet else "")
        + (
            f"; {count_of(imported.rows_left_out, 'row')} of stray marks left out"
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
        f"{count_of(len(profile.stage_overrides), 'stage choice')}."
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
    template_button(
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
        gap_banner(final.gaps())
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

"""Blocks of the organisation page: adding an answer sheet, the systemic gaps, the risk
profile, one pilot against the rest, the PoC trap check and the report downloads.

Session keys start with `org_`. Every number comes from a cached engine call keyed on the
answers' fingerprint (it changes whenever an answer is saved), so a new self-assessment, a
workshop's consensus or an imported sheet shows up on the next run, and nothing is
recomputed otherwise. User text (pilot names, units) is only ever shown in tables or as
plain text, never as Markdown.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.organisation import figures
from diagnostics.organisation import profile as organisation
from diagnostics.organisation.answers import SOURCE_LABELS, save_answer_sheet
from diagnostics.organisation.profile import OrganisationProfile
from diagnostics.organisation.trap_check import (
    STATUS_LABELS,
    SYMPTOM_ANSWER_LABELS,
    SYMPTOM_ANSWERS,
    TrapCheck,
    trap_check,
)
from diagnostics.render.files import organisation_file
from diagnostics.render.organisation_report import report_filename
from ui import actions_view, cache
from ui.components import CHART_CONFIG, XLSX_MIME, picture, show_problem
from ui.report_downloads import ReportFile, prepared_row

PREFIX = "org_"
TAB_KEY = f"{PREFIX}tab"
TABS = ["Shared gaps", "Risk profile", "One pilot vs the rest", "Are we in the PoC trap?", "Report"]
PILOT_KEY = f"{PREFIX}pilot"


def keep_pilot_choice() -> None:
    """The pilot chosen for the comparison outlives runs in which its tab is closed (the
    tab's charts are drawn only while it is open, and a widget not drawn loses its value)."""
    if PILOT_KEY in st.session_state:
        st.session_state[PILOT_KEY] = st.session_state[PILOT_KEY]


# --- the PoC trap check ---------------------------------------------------------------------


def trap_for(portfolio_id: int | None, answers: tuple, today: str) -> TrapCheck:
    frame = cache.portfolio_frame(portfolio_id) if portfolio_id is not None else None
    return trap_check(cache.content(), frame, dict(answers), today=date.fromisoformat(today))


# --- the answer sheet ---------------------------------------------------------------------------


FLASH_KEY = f"{PREFIX}saved_message"


def saved_message() -> None:
    """What the last save did, shown at the top while the view is computed again."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")


def import_panel(engine: Engine, content: Content, *, expanded: bool, scope=None) -> None:
    """Download the template, upload a filled-in sheet, check it, save it."""
    with st.expander("Add answers for many pilots from a spreadsheet", expanded=expanded):
        st.write(
            "One row per pilot, one column per question. The template offers the answers "
            "(Yes, Partly, No, Don't know, N/A) in a dropdown and shows each question when "
            "you point at its column heading."
        )
        st.download_button(
            "Download the answer template",
            cache.answer_template_xlsx(),
            file_name="poc-trap-answer-template.xlsx",
            mime=XLSX_MIME,
            icon=":material/download:",
            key=f"{PREFIX}template",
            help="An Excel file with one column per question id and a sheet explaining them.",
        )
        uploaded = st.file_uploader(
            "Filled-in answer sheet",
            type=["xlsx", "xlsm", "csv"],
            key=f"{PREFIX}upload",
            help="The template filled in, or any sheet whose header row holds the question ids. "
            "Cells that are not answers are named and left blank; no row is dropped.",
        )
        if uploaded is None:
            return
        data = uploaded.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        try:
            sheet = cache.answer_sheet(digest, uploaded.name, data)
        except DiagnosticError as exc:
            show_problem(exc)
            return
        _sheet_read(sheet)
        _save_button(engine, content, sheet, scope)


def _sheet_read(sheet) -> None:
    """What was read from the answer sheet: pilots, question columns, cells that are not answers."""
    answered = sum(1 for p in sheet.pilots if p.answers)
    st.write(
        f"Read {len(sheet.pilots)} pilots ({answered} with answers) and "
        f"{len(sheet.question_columns)} question columns from the sheet "
        f"{sheet.sheet or 'in the file'}."
    )
    if sheet.problems:
        st.warning(
            f"{len(sheet.problems)} cells are not answers and will be left unanswered. "
            "Fix them in the file and upload it again, or save as it is.",
            icon=":material/warning:",
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {"cell": p.cell, "question": p.column, "value": p.value, "why": p.message}
                    for p in sheet.problems
                ]
            ),
            hide_index=True,
            width="stretch",
            height=min(300, 38 + 35 * len(sheet.problems)),
        )
    for warning in sheet.warnings[:10]:
        st.caption(warning)


def _save_button(engine: Engine, content: Content, sheet, scope) -> None:
    """Save every row of the sheet as an assessment, then run the page again."""
    if st.button(
        f"Save the answers of {len(sheet.pilots)} pilots",
        type="primary",
        key=f"{PREFIX}save",
        icon=":material/save:",
        help="Each row becomes an assessment of its pilot (found by reference or name, "
        "else created). The latest assessment of a pilot is the one that counts.",
    ):
        try:
            saved = save_answer_sheet(engine, sheet, content)
        except DiagnosticError as exc:
            show_problem(exc)
            return
        # Run the page again so every number below already counts what was saved.
        st.session_state[FLASH_KEY] = (
            f"Saved {saved.assessments} assessments ({saved.pilots_created} new pilots, "
            f"{saved.pilots_updated} updated)."
        )
        if scope is not None:
            from ui.organisation_scope import after_save

            after_save(scope)
        st.rerun()


# --- display --------------------------------------------------------------------------------------


def headline(profile: OrganisationProfile) -> None:
    decisions = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    labels = dict(zip(profile.decisions["decision"], profile.decisions["label"], strict=True))
    median = profile.pilots["overall"].median()
    cols = st.columns(5)
    cols[0].metric("Pilots assessed", profile.pilot_count, border=True)
    for col, key in zip(cols[1:4], ("proceed", "fix_first", "stop"), strict=True):
        col.metric(labels[key], decisions.get(key, 0), border=True)
    cols[4].metric(
        "Median score",
        "–" if pd.isna(median) else f"{median:.0f}",
        border=True,
        help="Overall readiness (0 = not ready, 100 = ready): half the pilots score above "
        "this, half below.",
    )
    sources = ", ".join(
        f"{row['pilots']} from {row['label'].lower()}" for _, row in profile.sources.iterrows()
    )
    st.caption(f"Latest answers of each pilot: {sources}.")


def empty_state() -> None:
    st.info(
        "No pilot has been assessed yet. Assess one pilot with the questionnaire, agree the "
        "answers in a workshop, or add many at once with the answer sheet above.",
        icon=":material/info:",
    )


def gaps_tab(profile: OrganisationProfile, charts: dict, content: Content) -> None:
    top = profile.top_gaps(cache.GAPS_SHOWN)
    systemic = len(profile.systemic_gaps)
    if not len(top):
        st.success("No question is answered No or Don't know by any pilot.")
        return
    if systemic:
        st.subheader(f"{systemic} gaps most pilots share")
        st.write(
            "When most pilots answer a question No or Don't know, the fix is one change in how "
            "the organisation works, not one action per project. Close the first of these and "
            "the pilots counted as freed lose a blocker or move to a better decision."
        )
        if systemic > len(top):  # the heading counts more gaps than the chart lists
            st.caption(
                f"The {len(top)} shared by the most pilots are charted and described here; the "
                f"other {systemic - len(top)} are in “Every question, with its answers across "
                "pilots” below."
            )
    else:
        st.subheader("No gap is shared by most pilots")
        st.write("The most frequent gaps are below; each is still a project-level matter.")
    picture(charts["gaps"])  # a picture: the first tab needs no chart script
    for i, (_, gap) in enumerate(top.iterrows(), 1):
        with st.container(border=True):
            st.markdown(f"**{i}. {gap['label']}** · {gap['reason_title']}")
            share = f"{int(gap['gaps'])} of {int(gap['asked'])} pilots ({gap['share']:.0%})"
            blocker = " · blocks production" if gap["knockout"] else ""
            frees = f" · closing it frees {int(gap['unblocks'])} of them" if gap["unblocks"] else ""
            st.caption(
                f"{share} answer No ({int(gap['no'])}) or Don't know ({int(gap['dont_know'])})"
                f"{blocker}{frees}"
            )
            st.write(f"**What to change:** {gap['systemic_action']}")
            st.caption(f"Usually owned by: {gap['action_owner']}")
            actions_view.adopt_gap_button(gap, key=f"{i}_{gap['question_id']}")
            with st.expander("Which pilots"):
                st.text(gap["pilots_with_gap"])
    with st.expander("Every question, with its answers across pilots"):
        table = profile.gaps[profile.gaps["asked"] > 0][
            ["question_id", "label", "reason_title", "yes", "partly", "no", "dont_know", "share"]
        ]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "question_id": "Question id",
                "label": "Question",
                "reason_title": "Reason",
                "dont_know": "Don't know",
                "share": st.column_config.ProgressColumn(
                    "No or Don't know", format="percent", min_value=0, max_value=1
                ),
            },
        )


def profile_tab(profile: OrganisationProfile, charts: dict, content: Content) -> None:
    st.subheader("Readiness per reason across pilots")
    st.caption("Each point is a pilot; the box spans the middle half. 0 = not ready, 100 = ready.")
    st.plotly_chart(charts["spread"], key=f"{PREFIX}spread", config=CHART_CONFIG)
    table = profile.reasons[["title", "pilots", "median", "q1", "q3", "min", "weakest_count"]]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "title": "Reason",
            "pilots": "Pilots",
            "median": st.column_config.NumberColumn("Median", format="%.0f"),
            "q1": st.column_config.NumberColumn("Lower quartile", format="%.0f"),
            "q3": st.column_config.NumberColumn("Upper quartile", format="%.0f"),
            "min": st.column_config.NumberColumn("Lowest", format="%.0f"),
            "weakest_count": st.column_config.NumberColumn(
                "Weakest for", help="Pilots whose weakest reason this is"
            ),
        },
    )
    st.subheader("Business units × reasons")
    st.caption("Median readiness of each unit's pilots; the number of pilots in brackets.")
    st.plotly_chart(charts["units"], key=f"{PREFIX}units", config=CHART_CONFIG)
    st.subheader("Decisions")
    st.plotly_chart(charts["decisions"], key=f"{PREFIX}decisions", config=CHART_CONFIG)
    with st.expander(f"Pilots × reasons ({profile.pilot_count} pilots, least ready first)"):
        st.plotly_chart(charts["pilots"], key=f"{PREFIX}pilots", config=CHART_CONFIG)


def pilot_tab(profile: OrganisationProfile, charts: dict, content: Content) -> None:
    pilots = profile.pilots.sort_values("pilot")
    labels = dict(zip(pilots["pilot_key"], pilots["pilot"], strict=True))
    key = st.selectbox(
        "Pilot",
        list(labels),
        format_func=lambda k: labels[k],
        key=PILOT_KEY,
        help="Its readiness per reason beside the median of every pilot assessed.",
    )
    if key is None:
        return
    frame = organisation.pilot_vs_median(profile, key)
    row = pilots.loc[pilots["pilot_key"] == key].iloc[0]
    st.plotly_chart(
        figures.pilot_vs_median_chart(frame, labels[key], content),
        key=f"{PREFIX}vs_median",
        config=CHART_CONFIG,
    )
    behind = frame[frame["difference"] < 0].sort_values("difference")
    if len(behind):
        worst = behind.iloc[0]
        st.write(
            f"Furthest behind the organisation: **{worst['title']}**, "
            f"{abs(worst['difference']):.0f} points below the median."
        )
    else:
        st.write("At or above the organisation's median on every reason.")
    st.caption(
        f"Decision: {_decision_label(content, row['decision'])} · answers from "
        f"{SOURCE_LABELS.get(row['source'], row['source']).lower()}."
    )


def _decision_label(content: Content, key: str) -> str:
    found = content.decisions_by_key.get(key)
    return found.label if found else key


def trap_answers(check_without_answers: TrapCheck) -> dict[str, str]:
    """Ask the symptoms the portfolio cannot show; return the answers given."""
    answers: dict[str, str] = {}
    for finding in check_without_answers.findings:
        if finding.source == "portfolio":
            continue
        choice = st.radio(
            finding.question,
            SYMPTOM_ANSWERS,
            index=None,
            format_func=SYMPTOM_ANSWER_LABELS.get,
            horizontal=True,
            key=f"{PREFIX}symptom_{finding.id}",
            help=finding.help,
        )
        if choice:
            answers[finding.id] = choice
    return answers


def trap_result(check: TrapCheck) -> None:
    show = {
        "in_trap": st.error,
        "at_risk": st.warning,
        "clear": st.success,
        "not_enough": st.info,
    }[check.verdict]
    show(f"**{check.label}.** {check.summary}", icon=":material/crisis_alert:")
    for finding in check.findings:
        with st.container(border=True):
            st.markdown(f"**{STATUS_LABELS[finding.status]}:** {finding.text}")
            st.caption(finding.evidence)
            if finding.pilots or finding.units:
                with st.expander("Pilots and units behind it"):
                    if finding.units:
                        st.text("Business units: " + ", ".join(finding.units))
                    if finding.pilots:
                        st.text("Pilots: " + ", ".join(finding.pilots))


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def report_downloads(
    data: cache.OrganisationData,
    content: Content,
    check: TrapCheck,
    portfolio_id: int | None,
    today: date,
    scope: str | None = None,
) -> None:
    """The files, built when "Prepare the files" is clicked; `scope` says which pilots
    they cover."""
    frame = cache.portfolio_frame(portfolio_id) if portfolio_id is not None else None

    def cost():
        if frame is None:
            return None
        from diagnostics.storage.portfolios import portfolio_cost

        # In the currency the portfolio's own sheet names, whatever the cost page is set to.
        return portfolio_cost(cache.engine(), content, portfolio_id, today, frame=frame)

    def build(fmt: str):
        def file() -> bytes:
            return organisation_file(
                data.profile, content, fmt, check=check, cost=cost(), today=today, scope=scope
            )

        return file

    st.write(
        "For a steering committee: the trap check, the readiness per reason, the gaps the "
        "organisation shares with what to change, the pilots, and the cost of the trap when a "
        "portfolio is chosen."
    )
    prepared_row(
        [
            ReportFile(
                "Download the brief (PDF, two pages)",
                "pdf",
                build("pdf"),
                report_filename(today, "pdf"),
                "Two A4 pages: are we in the trap, where the pilots stand, the gaps the "
                "organisation shares with what to change, the units and the cost.",
            ),
            ReportFile(
                "Download the slides (PowerPoint)",
                "pptx",
                build("pptx"),
                report_filename(today, "pptx"),
                "Editable slides: the trap check, the pilots, the shared gaps as a table, the "
                "units and the cost.",
            ),
            ReportFile(
                "Download the report (HTML)",
                "html",
                build("html"),
                report_filename(today, "html"),
                "One self-contained page with every table; opens offline and prints on A4.",
            ),
            ReportFile(
                "Download the data (xlsx)",
                "xlsx",
                build("xlsx"),
                report_filename(today, "xlsx"),
                "Every table of the report, one sheet each, plus every answer.",
            ),
        ],
        f"{PREFIX}report_",
        # Every answer and link, the trap check's answers, the portfolio and the scope.
        basis=(cache.readiness_key(), portfolio_id, scope, _digest(check), today),
        per_row=2,
        help="Builds the brief, the slides, the report and the data from the answers saved "
        "now and the trap check above; the download buttons appear here.",
        hint="A few seconds: the brief and the slides are drawn when you ask.",
    )

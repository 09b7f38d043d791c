"""Blocks of the self-assessment page: the start form, one questionnaire step, the review
step and the results. Session keys start with `assess_`; every answer is written to the
database in the widget's callback, so a reload or a lost connection loses nothing."""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st
from sqlalchemy import Engine

from diagnostics.formats import COMMON_CURRENCIES, format_money
from diagnostics.framework.content import Content, Question
from diagnostics.framework.review import PilotReview, load_review
from diagnostics.framework.timeline import format_day, suggest_position
from diagnostics.render import pilot_report as report
from diagnostics.render.files import pilot_file
from diagnostics.storage import store
from diagnostics.storage.models import utcnow
from diagnostics.storage.store import PilotRecord
from ui import actions_view, cache
from ui.behaviour import open_at
from ui.components import (
    NO_CURRENCY,
    LinkToken,
    PilotChoice,
    currency_label,
    new_or_saved_pilot,
    plain,
)
from ui.report_downloads import ReportFile, prepared_row

PREFIX = "assess_"
START_CHOICE = PilotChoice(
    "Which pilot?",
    "One assessed before",
    "Assessing a pilot again adds to its history, so you can see what changed.",
)
TOKEN_KEY = "link_token"  # noqa: S105 (a session key name; app.py copies ?token= into it)
_LINK = LinkToken(TOKEN_KEY, "token")
DECISION_BOX = {"proceed": st.success, "fix_first": st.warning, "stop": st.error}
CHECK_MARKS = {
    "done": ":green[:material/check_circle:]",
    "partly": ":orange[:material/timelapse:]",
    "missing": ":red[:material/cancel:]",
    "unknown": ":red[:material/help:]",
    "not_applicable": ":gray[:material/remove_circle_outline:]",
    "unanswered": ":gray[:material/radio_button_unchecked:]",
    "upcoming": ":gray[:material/update:]",
}
# Where a step's top is: its progress bar (with the step's name), or the results' verdict.
STEP_TOP = '[data-testid="stMain"] [data-testid="stProgress"]'
STEP_TOP_RESULTS = '[data-testid="stMain"] [data-testid="stAlert"]'


def current_token() -> str | None:
    """The assessment being worked on: from the session, else straight from the URL.

    app.py copies ?token= into the session, but until some request has run app.py's
    st.navigation, Streamlit serves a deep link such as /assess?token=... by running this
    page alone (its old pages-directory mode), so the URL is read here as well.
    """
    return _LINK.current()


def open_assessment(token: str) -> None:
    """Make `token` the current assessment, in the session and in the URL."""
    _LINK.remember(token)


def forget_assessment() -> None:
    _LINK.forget()


def steps(content: Content) -> list[str]:
    return [r.title for r in content.reasons] + ["Review"]


# --- start ----------------------------------------------------------------------------------


def pilot_fields(pilot: PilotRecord | None, key: str) -> tuple[str, dict[str, object]]:
    """The pilot's name and details as inputs (pre-filled from `pilot`); returns the name
    and the other fields as `store.update_pilot` takes them. `key` places each field's name
    in its widget key ("{}_new" gives "assess_unit_new")."""
    name = st.text_input(
        "Pilot name",
        value=pilot.name if pilot else "",
        max_chars=300,
        key=PREFIX + key.format("name"),
        placeholder="e.g. Support ticket routing assistant",
        help="How the pilot is called in reports; you can pick it again later by this name.",
    )
    left, right = st.columns(2)
    unit = left.text_input(
        "Business unit (optional)",
        value=(pilot.business_unit or "") if pilot else "",
        key=PREFIX + key.format("unit"),
        help="The unit that will run the pilot in production; groups pilots in the views.",
    )
    owner = right.text_input(
        "Owner or sponsor (optional)",
        value=(pilot.owner or "") if pilot else "",
        key=PREFIX + key.format("owner"),
        help="The person who answers for the go or no-go decision.",
    )
    left, right = st.columns(2)
    start = left.date_input(
        "Start date (optional)",
        value=pilot.start_date if pilot else None,
        key=PREFIX + key.format("start"),
        help="Places the pilot on the recommended timeline (6–8 weeks of pilot from this "
        "date) and suggests where it stands.",
    )

    def amount(place, label: str, field: str, short: str, help_text: str) -> float | None:
        return place.number_input(
            label,
            min_value=0.0,
            value=getattr(pilot, field) if pilot else None,
            step=10_000.0,
            key=PREFIX + key.format(short),
            help=help_text,
        )

    value = amount(
        right,
        "Expected annual value (optional)",
        "expected_annual_value",
        "value",
        "What the pilot would earn or save per year in production; prices each month of delay.",
    )
    left, right = st.columns(2)
    budget = amount(
        left,
        "Pilot budget (optional)",
        "pilot_budget",
        "budget",
        "What the pilot itself costs; counted as spent if it never reaches production.",
    )
    current = pilot.currency if pilot else None
    options = [NO_CURRENCY, *COMMON_CURRENCIES] + (
        [current] if current and current not in COMMON_CURRENCIES else []
    )
    currency = right.selectbox(
        "Currency of the amounts",
        options,
        index=options.index(current or NO_CURRENCY),
        format_func=currency_label,
        key=PREFIX + key.format("currency"),
        help="Named beside every amount in the results and reports (EUR 43k); amounts are "
        "never converted.",
    )
    return name, {
        "business_unit": unit.strip() or None,
        "owner": owner.strip() or None,
        "start_date": start,
        "expected_annual_value": value,
        "pilot_budget": budget,
        "currency": currency or None,
    }


def start_form(engine: Engine, content: Content, today: date) -> None:
    """Name a new pilot or pick one, say where it stands, and open a new assessment."""
    pilots = store.list_pilots(engine)
    pilot = new_or_saved_pilot(pilots, START_CHOICE, PREFIX) if pilots else None
    suffix = pilot.id if pilot else "new"
    name, fields = pilot_fields(pilot, key="{}_" + str(suffix))
    suggestion = suggest_position(content, fields["start_date"], today)
    keys = [p.key for p in content.positions]
    position = st.radio(
        "Where does the pilot stand?",
        keys,
        index=keys.index(suggestion.position) if suggestion else 0,
        format_func=lambda k: content.positions_by_key[k].label,
        key=f"{PREFIX}position_{suffix}_{suggestion.position if suggestion else ''}",
        horizontal=True,
        help="Only the questions of this phase and earlier ones are scored; later ones are "
        "listed as what to prepare.",
    )
    st.caption(content.positions_by_key[position].help)
    if suggestion:
        st.caption(f"Suggested from the start date: {suggestion.reason}")
    if st.button("Start the assessment", type="primary", key=f"{PREFIX}start_button"):
        if not name.strip():
            st.error("Give the pilot a name first, so that you can find it again.")
            return
        if pilot:
            record = store.update_pilot(engine, pilot.id, name=name, **fields)
        else:
            record = store.create_pilot(engine, name, **fields)
        assessment = store.start_assessment(engine, record.id, content.version, position=position)
        open_assessment(assessment.token)
        st.rerun()
    if pilot:
        _earlier_assessments(engine, content, pilot.id)


def _earlier_assessments(engine: Engine, content: Content, pilot_id: int) -> None:
    records = store.pilot_assessments(engine, pilot_id)
    if not records:
        return
    st.markdown("**Or open one of its assessments**")
    for record in reversed(records):
        state = "finished" if record.completed_at else "not finished"
        label = (
            f"{format_day(record.created_at.date())} · "
            f"{content.positions_by_key[record.position].label if record.position in content.positions_by_key else record.position}"  # noqa: E501
            f" · {state}"
        )
        if st.button(label, key=f"{PREFIX}open_{record.id}", icon=":material/history:"):
            open_assessment(record.token)
            st.rerun()


# --- link -----------------------------------------------------------------------------------


def resume_link(token: str) -> None:
    """The unguessable link, with the copy button st.code provides."""
    base = (st.context.url or "").split("?")[0]
    link = f"{base}?token={token}" if base else f"?token={token}"
    with st.expander("Your link to continue later, on any device", icon=":material/link:"):
        st.code(link, language=None, wrap_lines=True)
        st.caption(
            "Anyone with this link can see and change this assessment. Every answer is saved "
            "as you give it."
        )


# --- questionnaire --------------------------------------------------------------------------


def _set_step(engine: Engine, assessment_id: int, step: int) -> None:
    store.update_assessment(engine, assessment_id, current_step=step)


def _save(engine: Engine, assessment_id: int, question_id: str) -> None:
    answer = st.session_state.get(f"{PREFIX}{assessment_id}_{question_id}")
    comment = st.session_state.get(f"{PREFIX}{assessment_id}_{question_id}_comment")
    if comment is None:  # the comment box appears only once answered: keep what was saved
        saved = store.load_answers(engine, assessment_id).get(question_id)
        comment = saved.comment if saved else None
    store.save_answer(engine, assessment_id, question_id, answer, comment)


@st.fragment
def questionnaire(engine: Engine, content: Content, token: str, today: date) -> None:
    """The progress bar and the current step. An answer, Back or Next reruns this part alone
    (read afresh from the database), not the page around it; See the results reruns all."""
    review = load_review(engine, content, token=token, today=today)
    step = review.assessment.current_step
    if step > len(content.reasons):
        st.rerun()  # the results replace the whole page
    progress_bar(review, content)
    if step < len(content.reasons):
        question_step(engine, review, content)
    else:
        review_step(engine, review, content)
    open_step_at_top(review, content)


def open_step_at_top(review: PilotReview, content: Content) -> None:
    """After Next, Back, Edit or See the results, show the new step from its top (its
    progress bar and heading, or the verdict), not where the last step was scrolled to."""
    key = f"{PREFIX}shown_step_{review.assessment.id}"
    step = review.assessment.current_step
    before = st.session_state.get(key)
    st.session_state[key] = step
    if before is None or before == step:
        return  # a first visit opens at the top anyway; an answer keeps its place
    on_results = step > len(content.reasons)
    open_at(STEP_TOP_RESULTS if on_results else STEP_TOP, occasion=str(step))


def progress_bar(review: PilotReview, content: Content) -> None:
    step = review.assessment.current_step
    names = steps(content)
    r = review.result
    answered = len(r.scored_questions) - len(r.unanswered)
    shown = min(step, len(names) - 1)
    st.progress(
        (shown + 1) / len(names),
        text=f"Step {shown + 1} of {len(names)}: {names[shown]} · "
        f"{answered} of {len(r.scored_questions)} questions answered",
    )


def question_step(engine: Engine, review: PilotReview, content: Content) -> None:
    """One reason: its scored questions as Yes / Partly / No / Don't know (/ N/A)."""
    aid = review.assessment.id
    step = review.assessment.current_step
    reason = content.reasons[step]
    scored = set(review.result.scored_questions)
    st.subheader(f"{step + 1}. {reason.title}")
    with st.expander("Why this matters"):
        st.write(reason.explanation)
    questions = [q for q in content.questions_for(reason.key) if q.id in scored]
    for number, question in enumerate(questions, 1):
        _question(engine, review, content, question, number)
    later = [q for q in content.questions_for(reason.key) if q.id not in scored]
    if later:
        with st.expander(f"Coming up: prepare for these ({len(later)})", icon=":material/update:"):
            for q in later:
                st.markdown(f"- {q.text}  \n  *{content.phase_labels[q.phase]}.* {q.help}")
    back, forward = st.columns(2)
    back.button(
        "Back",
        key=f"{PREFIX}back",
        disabled=step == 0,
        on_click=_set_step,
        args=(engine, aid, step - 1),
        icon=":material/arrow_back:",
        width="stretch",
    )
    forward.button(
        "Next",
        key=f"{PREFIX}next",
        type="primary",
        on_click=_set_step,
        args=(engine, aid, step + 1),
        icon=":material/arrow_forward:",
        width="stretch",
    )


def _question(
    engine: Engine, review: PilotReview, content: Content, q: Question, number: int
) -> None:
    aid = review.assessment.id
    saved = review.answers.get(q.id)
    options = [a.key for a in content.answer_scale if a.key != "na" or q.allow_na]
    with st.container(border=True):
        st.markdown(f"**{number}. {q.text}**")
        st.caption(q.help)
        if q.knockout:
            st.caption(":material/block: Blocks production if not in place.")
        actions_view.open_actions_note(engine, review, q.id)
        st.radio(
            q.text,
            options,
            index=options.index(saved.value) if saved and saved.value in options else None,
            format_func=lambda k: content.answers_by_key[k].label,
            horizontal=True,
            key=f"{PREFIX}{aid}_{q.id}",
            on_change=_save,
            args=(engine, aid, q.id),
            label_visibility="collapsed",
            captions=None,
        )
        if saved is not None:
            st.text_input(
                "Comment (optional)",
                value=saved.comment or "",
                max_chars=4000,
                key=f"{PREFIX}{aid}_{q.id}_comment",
                on_change=_save,
                args=(engine, aid, q.id),
                placeholder="Evidence, doubts, who to ask…",
                help="Saved with the answer and printed in the reports, next to it.",
            )


def review_step(engine: Engine, review: PilotReview, content: Content) -> None:
    """What is answered per reason, what is missing, and the way to the results."""
    aid = review.assessment.id
    r = review.result
    st.subheader(f"{len(content.reasons) + 1}. Review")
    for number, reason in enumerate(r.reasons):
        missing = [q for q in r.unanswered if content.questions_by_id[q].reason == reason.key]
        cols = st.columns([3, 1])
        mark = ":material/check_circle:" if not missing else ":material/pending:"
        cols[0].markdown(
            f"{mark} **{reason.title}**: {reason.answered} of {reason.scored_questions} "
            f"answered, {reason.dont_know} Don't know"
        )
        cols[1].button(
            "Edit",
            key=f"{PREFIX}edit_{number}",
            on_click=_set_step,
            args=(engine, aid, number),
        )
    if r.unanswered:
        st.info(
            f"{len(r.unanswered)} questions are still open; they count as unanswered. You can "
            "see the results now and come back to them later."
        )
    back, forward = st.columns(2)
    back.button(
        "Back",
        key=f"{PREFIX}back",
        on_click=_set_step,
        args=(engine, aid, len(content.reasons) - 1),
        icon=":material/arrow_back:",
        width="stretch",
    )
    forward.button(
        "See the results",
        key=f"{PREFIX}finish",
        type="primary",
        on_click=_finish,
        args=(engine, aid, len(content.reasons) + 1),
        icon=":material/insights:",
        width="stretch",
    )


def _finish(engine: Engine, assessment_id: int, step: int) -> None:
    store.update_assessment(engine, assessment_id, current_step=step, completed_at=utcnow())


# --- results --------------------------------------------------------------------------------


def results(engine: Engine, review: PilotReview, content: Content) -> None:
    r = review.result
    aid = review.assessment.id
    verdict = content.verdicts_by_key[r.verdict]
    DECISION_BOX[r.decision](f"**{r.verdict_label}.** {r.why}  \n{verdict.summary}")
    weakest = content.reasons_by_key[r.weakest].title if r.weakest else None
    cols = st.columns(4)
    cols[0].metric("Overall readiness", _score(r.overall), border=True)
    cols[1].metric(
        "Weakest link",
        _score(r.weakest_readiness),
        delta=weakest,
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="A pilot fails on its weakest link: this reason holds it back most.",
    )
    cols[2].metric("Don't know answers", r.uncertainty, border=True)
    cols[3].metric("Blockers", len(r.knockouts), border=True)
    svgs = cache.pilot_chart_svgs(cache.review_key(review), review, content)
    chart, notes = st.columns([3, 2], gap="large")
    with chart:
        st.markdown("**Readiness per reason, weakest first**")
        st.image(svgs["readiness"], width="stretch")
    with notes:
        st.caption(
            "Readiness runs from 0 (not ready) to 100 (ready): a longer bar is better. A pilot "
            "fails on its weakest link, so the weakest reason counts as much as the average. "
            "Don't know scores like No: finding out is part of the work."
        )
        if r.knockouts:
            names = "\n".join(f"- {content.questions_by_id[k].short_label}" for k in r.knockouts)
            st.error(f"**Blockers: production stops here whatever the average**\n{names}")

    st.subheader("The three most urgent actions")
    if not r.actions:
        st.write("Nothing open: every scored answer is Yes.")
    for i, action in enumerate(r.top_actions, 1):
        with st.container(border=True):
            st.markdown(f"**{i}. {action.text}**")
            blocker = " · blocker" if action.knockout else ""
            st.caption(
                f"Owner: {action.owner} · {action.reason_title} · Stage {action.stage}{blocker}"
                f"  \nWhy: {action.why}"
            )
            actions_view.adopt_button(engine, review, action, key=f"{aid}_{action.question_id}")
    if len(r.actions) > 3:
        with st.expander(f"All {len(r.actions)} actions by stage"):
            for stage in content.stages:
                items = [a for a in r.actions if a.stage == stage.number]
                if items:
                    st.markdown(f"**Stage {stage.number}: {stage.title}**")
                    st.markdown("\n".join(f"- {a.text} *({a.owner})*" for a in items))
    actions_view.results_block(engine, content, review)

    st.subheader("Checklist")
    # A list, not a data grid: it wraps on a phone instead of cutting "Don't know", has no
    # toolbar over the tabs, and spares the browser the grid's code (1.3 MB of JavaScript).
    tabs = st.tabs([content.phase_labels[p] for p in content.phase_labels])
    for tab, phase in zip(tabs, content.phase_labels, strict=True):
        items = [c for c in r.checklist if c.phase == phase]
        labels = report.STATUS_LABELS
        tab.markdown(
            "\n".join(
                f"- {CHECK_MARKS.get(c.status, '')} **{labels.get(c.status, c.status)}** · "
                f"{plain(c.label)}"
                for c in items
            )
            or "Nothing to check in this phase."
        )
    if r.upcoming_questions:
        with st.expander(f"Coming up: prepare for these ({len(r.upcoming_questions)})"):
            st.markdown(
                "\n".join(f"- {content.questions_by_id[q].text}" for q in r.upcoming_questions)
            )

    _timeline(engine, review, content)
    _history(review, content)
    _downloads(review, content)
    _again(engine, review, content, aid)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}/100"


def pilot_details(engine: Engine, review: PilotReview) -> None:
    """Correct or complete the pilot's details; the timeline and cost of delay follow them."""
    pilot = review.pilot
    with (
        st.expander("Pilot details", icon=":material/edit_note:"),
        st.form(key=f"{PREFIX}details_{pilot.id}", border=False),
    ):
        name, fields = pilot_fields(pilot, key="details_{}")
        if st.form_submit_button("Save the details", type="primary"):
            if not name.strip():
                st.error("The pilot needs a name.")
                return
            store.update_pilot(engine, pilot.id, name=name, **fields)
            st.rerun()


def _timeline(engine: Engine, review: PilotReview, content: Content) -> None:
    st.subheader("Timeline")
    if review.path is None:
        st.info("Add the pilot's start date below to see its timeline and the cost of delay.")
        pilot_details(engine, review)
        return
    severity = review.progress.severity if review.progress else 0
    box = (st.info, st.warning, st.error)[severity]
    svgs = cache.pilot_chart_svgs(cache.review_key(review), review, content)
    chart, notes = st.columns([3, 2], gap="large")
    with chart:
        st.image(svgs["timeline"], width="stretch")
        st.caption(report.timeline_caption(review))
    with notes:
        box(review.progress.message)
        delay = review.delay
        st.markdown("**Cost of delay**")
        if delay.cost_so_far:
            st.metric(
                "Expected value forgone so far",
                format_money(delay.cost_so_far, review.pilot.currency),
            )
        st.write(delay.message)
    pilot_details(engine, review)


def _history(review: PilotReview, content: Content) -> None:
    if len(review.history) < 2:
        st.caption("Assess this pilot again in a few weeks (at each phase) to see its trend here.")
        return
    st.subheader("History")
    svgs = cache.pilot_chart_svgs(cache.review_key(review), review, content)
    chart, _space = st.columns([3, 2], gap="large")
    chart.image(svgs["history"], width="stretch")
    # One column per assessment and one row per figure: it fits a phone's width however
    # many reasons there are, and it is a plain table (no data grid to load for it).
    history = report.history_frame(review, content)
    by_date = history.drop(columns=["Assessed"]).T.astype(str)
    # Numbered as on the chart: two assessments on one day stay two columns.
    by_date.columns = [f"{i}. {format_day(day)}" for i, day in enumerate(history["Assessed"], 1)]
    st.table(by_date.replace({"None": "–", "nan": "–"}))
    if review.previous is not None:
        since = format_day(review.previous.created_at.date())
        if review.changes:
            with st.expander(f"What changed since {since} ({len(review.changes)} answers)"):
                for c in review.changes:
                    arrow = {"better": "↑", "worse": "↓"}.get(c.direction, "·")
                    st.markdown(
                        f"- {arrow} {c.label}: {report.answer_label(content, c.before)} → "
                        f"{report.answer_label(content, c.after)}"
                    )
        else:
            st.caption(f"No answer changed since {since}.")


def _downloads(review: PilotReview, content: Content) -> None:
    st.subheader("Reports to forward")
    name, day = review.pilot.name, review.today

    def build(fmt: str):
        return partial(pilot_file, review, content, fmt)

    prepared_row(
        [
            ReportFile(
                "Brief (PDF, one page)",
                "pdf",
                build("pdf"),
                report.report_filename(name, day, "pdf"),
                "For a sponsor or steering committee: the verdict and why, readiness, "
                "blockers, the three most urgent actions, the timeline and the cost of delay.",
            ),
            ReportFile(
                "Slides (PowerPoint)",
                "pptx",
                build("pptx"),
                report.report_filename(name, day, "pptx"),
                "Six editable slides: title, verdict, readiness, blockers and actions, "
                "timeline, cost of delay.",
            ),
            ReportFile(
                "Full report (HTML)",
                "html",
                build("html"),
                report.report_filename(name, day, "html"),
                "Everything on this page in one file that opens offline and prints on A4.",
            ),
            ReportFile(
                "Workbook (xlsx)",
                "xlsx",
                build("xlsx"),
                report.report_filename(name, day, "xlsx"),
                "Summary with the pilot's details, answers and comments, scores, actions, "
                "checklist and history, one sheet each.",
            ),
            ReportFile(
                "Answers (csv)",
                "csv",
                build("csv"),
                report.report_filename(name, day, "csv"),
                "One row per question with its answer and comment.",
            ),
        ],
        PREFIX,
        # Answers, details, history and today: a saved change drops files built before it.
        basis=cache.review_key(review),
        help="Builds the brief, the slides, the report, the workbook and the answers as this "
        "page shows them now (a few seconds); the download buttons appear here.",
    )


def _again(engine: Engine, review: PilotReview, content: Content, aid: int) -> None:
    st.subheader("Next")
    cols = st.columns(2)
    cols[0].button(
        "Change answers",
        key=f"{PREFIX}change",
        on_click=_set_step,
        args=(engine, aid, 0),
        icon=":material/edit:",
        width="stretch",
    )
    with cols[1].popover("Assess this pilot again", icon=":material/replay:", width="stretch"):
        suggestion = suggest_position(content, review.pilot.start_date, review.today)
        keys = [p.key for p in content.positions]
        default = suggestion.position if suggestion else review.assessment.position
        position = st.selectbox(
            "Where does it stand now?",
            keys,
            index=keys.index(default),
            format_func=lambda k: content.positions_by_key[k].label,
            key=f"{PREFIX}again_position_{aid}",
            help="The new assessment scores the questions of this phase and the earlier ones.",
        )
        if st.button("Start the new assessment", type="primary", key=f"{PREFIX}again_{aid}"):
            new = store.start_assessment(engine, review.pilot.id, content.version, position)
            open_assessment(new.token)
            st.rerun()

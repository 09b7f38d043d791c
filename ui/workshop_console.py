"""Blocks of the facilitator console: create, run (pacing, locks, reveal, live counts), results,
consensus and the report. Session keys start with `ws_`; every change goes to the database,
so the presenter screen (possibly served by another app process) follows at once."""

from __future__ import annotations

import os
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics import workshop as ws
from diagnostics.errors import DiagnosticError
from diagnostics.formats import count_of
from diagnostics.framework.content import Content
from diagnostics.framework.review import load_review
from diagnostics.render.files import pilot_file
from diagnostics.render.pilot_report import report_filename
from diagnostics.storage import store
from diagnostics.workshop import changes
from diagnostics.workshop import figures as wf
from ui import actions_view, workshop_rounds
from ui.components import CHART_CONFIG, PilotChoice, new_or_saved_pilot, plain, show_problem
from ui.report_downloads import ReadyFile, ready_row
from ui.workshop_view import (
    PUBLIC_URL_ENV,
    base_url,
    facilitator_link,
    join_base,
    join_link,
    opened_locally,
    qr_png,
    remember_facilitator,
    short_link,
)

PREFIX = "ws_"
# The few figures a room reads off a projected console (the answers so far, the question in
# focus, its answers and disagreement, round by round once voted again) sit in containers
# keyed `ws_room_...`, in the charts' type.
# Static styles only: no user data ever goes into this string.
ROOM_CSS = f"""
<style>
[class*="st-key-ws_room"] p, [class*="st-key-ws_room"] [data-testid="stMetricLabel"] p {{
  font-size: {wf.ROOM_TYPE_PX}px; line-height: 1.3; color: {wf.ROOM_INK}; }}
[class*="st-key-ws_room"] [data-testid="stMetricValue"] div,
[class*="st-key-ws_room"] [data-testid="stMetricValue"] p {{
  font-size: {2 * wf.ROOM_TYPE_PX}px; line-height: 1.1; color: {wf.ROOM_INK}; }}
</style>
"""
PILOT_CHOICE = PilotChoice(
    "Which pilot does the group assess?",
    "A pilot already saved",
    "A saved pilot keeps its history: the agreed answers become its next assessment.",
)
# The room buttons that switch a setting: label and icon while it is off, then while it is on.
ROOM_TOGGLES = {
    "lock": (
        ("Lock open questions", ":material/lock:"),
        ("Unlock open questions", ":material/lock_open:"),
    ),
    "reveal": (
        ("Reveal results", ":material/visibility:"),
        ("Hide results", ":material/visibility_off:"),
    ),
    "join_open": (
        ("Open the code again", ":material/key:"),
        ("Close the code", ":material/key_off:"),
    ),
}


def _act(action, *args, **kwargs) -> None:
    """Run a facilitator action from a callback; keep its message for the next run."""
    try:
        action(*args, **kwargs)
        st.session_state.pop(f"{PREFIX}problem", None)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}problem"] = str(exc)


def _pacing_choice(chosen: str, key: str, help_text: str, **layout) -> str:
    """How far participants may answer: the whole questionnaire, a reason or a question."""
    pacings = list(ws.PACINGS)
    return st.radio(
        "Pacing",
        pacings,
        index=pacings.index(chosen),
        format_func=ws.PACINGS.get,
        key=key,
        help=help_text,
        **layout,
    )


def create_form(engine: Engine, content: Content) -> None:
    """Start a workshop on a new or a saved pilot."""
    pilots = store.list_pilots(engine)
    pilot = new_or_saved_pilot(pilots, PILOT_CHOICE, PREFIX)
    name = None
    if pilot is None:
        name = st.text_input(
            "Pilot name",
            key=f"{PREFIX}pilot_name",
            max_chars=300,
            help="Shown on the shared screen and on every participant's phone.",
        )
    positions = {p.key: p for p in content.positions}
    position = st.selectbox(
        "Where does the pilot stand?",
        list(positions),
        index=list(positions).index("decision_point"),
        format_func=lambda k: positions[k].label,
        help="Decides which questions the group answers.",
        key=f"{PREFIX}position",
    )
    pacing = _pacing_choice(
        "question", f"{PREFIX}new_pacing", "You can change it during the session.", horizontal=True
    )
    ask_names = st.checkbox(
        "Ask participants for their names (anonymous otherwise)",
        key=f"{PREFIX}ask_names",
        help="Anonymous answers tend to be franker; names help when you follow up on actions.",
    )
    if st.button("Create the workshop", type="primary", key=f"{PREFIX}create"):
        try:
            created = ws.create_workshop(
                engine,
                content,
                pilot_id=pilot.id if pilot else None,
                pilot_name=name,
                position=position,
                pacing=pacing,
                ask_names=ask_names,
            )
        except DiagnosticError as exc:
            show_problem(exc)
        else:
            remember_facilitator(created.facilitator_token)
            st.rerun()
    with st.expander("Already running a workshop? Open it with your facilitator link"):
        pasted = st.text_input(
            "Facilitator link",
            key=f"{PREFIX}pasted_link",
            help="The private link shown when the workshop was created (it ends in "
            "?facilitator=…); whoever holds it controls the session.",
        )
        if pasted:
            query = parse_qs(urlparse(pasted.strip()).query)
            token = (query.get("facilitator") or [pasted.strip()])[0]
            remember_facilitator(token)
            st.rerun()


def header(state: ws.WorkshopState, token: str) -> None:
    """The code, the join link and QR code, the shared screen, the private link."""
    base = base_url("workshop")
    phones = join_base()
    link = join_link(phones, state.code)
    if opened_locally(base) and not os.environ.get(PUBLIC_URL_ENV):
        if phones != base:
            st.info(
                f"You opened the app as {plain(short_link(base))}, which phones cannot reach: "
                f"the join link and QR code use this machine's network address, "
                f"{plain(short_link(phones))}. If phones still cannot open it, set "
                f"{PUBLIC_URL_ENV} to the address people reach the app on.",
                icon=":material/wifi:",
            )
        else:
            st.warning(
                f"You opened the app as {plain(short_link(base))}, which phones cannot reach, "
                f"and this machine has no network address. Set {PUBLIC_URL_ENV} to the "
                "address people reach the app on.",
                icon=":material/wifi_off:",
            )
    left, middle, right = st.columns([2, 2, 1])
    with left:
        st.metric("Join code", state.code if state.join_open else f"{state.code} (closed)")
        st.caption("Participants open the link or type the code on the join page.")
        st.code(link, language=None)
    with middle:
        st.page_link(
            "pages/present.py",
            label="Open the shared screen",
            icon=":material/present_to_all:",
            query_params={"facilitator": token},
        )
        with st.expander("Your private facilitator link"):
            st.caption(
                "Whoever holds this link controls the workshop: keep it to yourself, and "
                "use it to come back from another device."
            )
            st.code(facilitator_link(base, token), language=None)
    with right:
        st.image(qr_png(link, scale=5), caption="Join link", width=140)


def controls(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Pacing, moving on, locking, revealing, opening and closing the code."""
    problem = st.session_state.get(f"{PREFIX}problem")
    if problem:
        st.warning(problem)
    _pacing(fac, content, state)
    _auto_reveal(fac, content, state)
    _room_buttons(fac, content, state)


def _pacing(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """The pacing, and what is open now with Previous and Next."""
    labels = {q: content.questions_by_id[q].short_label for q in state.question_ids}
    reasons = list(dict.fromkeys(content.questions_by_id[q].reason for q in state.question_ids))
    pacing_col, focus_col = st.columns([1, 2])
    with pacing_col:
        pacing = _pacing_choice(
            state.pacing,
            f"{PREFIX}pacing_{state.pacing}",
            "What participants can answer now: every question, one reason's questions, "
            "or a single question that you move through with Previous and Next.",
        )
        if pacing != state.pacing:
            _act(ws.set_pacing, fac, content, pacing)
            st.rerun()
    with focus_col:
        if state.pacing == "reason":
            reason = st.selectbox(
                "Reason open now",
                reasons,
                index=reasons.index(state.current_reason) if state.current_reason in reasons else 0,
                format_func=lambda r: content.reasons_by_key[r].title,
                key=f"{PREFIX}reason_{state.current_reason}",
            )
            if reason != state.current_reason:
                _act(ws.set_pacing, fac, content, "reason", reason=reason)
                st.rerun()
        elif state.pacing == "question":
            ids = list(state.question_ids)
            position = ids.index(state.current_question) if state.current_question in ids else 0
            with st.container(key=f"{PREFIX}room_focus"):
                st.markdown(f"**Question {position + 1} of {len(ids)}**: {labels[ids[position]]}")
        else:
            with st.container(key=f"{PREFIX}room_focus"):
                st.markdown(f"**All {len(state.question_ids)} questions are open.**")
        if state.pacing != "all":
            back, forward = st.columns(2)
            back.button(
                "Previous",
                icon=":material/arrow_back:",
                key=f"{PREFIX}previous",
                on_click=_act,
                args=(ws.step, fac, content, -1),
                width="stretch",
            )
            forward.button(
                "Next",
                icon=":material/arrow_forward:",
                key=f"{PREFIX}next",
                on_click=_act,
                args=(ws.step, fac, content, +1),
                width="stretch",
                type="primary",
            )


def _auto_reveal(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Whether each question reveals itself once everyone who joined has answered."""
    auto = st.checkbox(
        "Reveal each question by itself once everyone who joined has answered",
        value=state.auto_reveal,
        key=f"{PREFIX}auto_reveal_{state.auto_reveal}",
        help="Saves a click per question in a room that answers quickly; observers are not "
        "waited for. You can still reveal earlier or hide results again.",
        disabled=state.ended,
    )
    if auto != state.auto_reveal:
        _act(ws.set_auto_reveal, fac, content, auto)
        st.rerun()


def _room_buttons(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Lock, reveal, close the code and end: for the questions open now or the whole room."""
    focus = list(state.in_focus)
    all_locked = bool(focus) and all(q in state.locked for q in focus)
    all_revealed = bool(focus) and all(q in state.revealed for q in focus)
    lock_col, reveal_col, code_col, end_col = st.columns(4)
    _toggle(lock_col, "lock", all_locked, (ws.set_locked, fac, content, focus))
    _toggle(reveal_col, "reveal", all_revealed, (ws.set_revealed, fac, content, focus))
    _toggle(
        code_col,
        "join_open",
        state.join_open,
        (ws.set_join_open, fac, content),
        disabled=state.ended,
    )
    end_col.button(
        "End the workshop",
        icon=":material/stop_circle:",
        key=f"{PREFIX}end",
        on_click=_act,
        args=(ws.end_workshop, fac, content),
        width="stretch",
        disabled=state.ended,
    )


def _toggle(place, name: str, on: bool, change: tuple, disabled: bool = False) -> None:
    """A room button that turns its setting off while it is on, and on while it is off;
    `change` is the engine call and its arguments but the new value."""
    label, icon = ROOM_TOGGLES[name][on]
    place.button(
        label,
        icon=icon,
        key=f"{PREFIX}{name}",
        on_click=_act,
        args=(*change, not on),
        width="stretch",
        disabled=disabled,
    )


@st.fragment(run_every=2)
def live_counts(fac: ws.Facilitator, content: Content) -> None:
    """Joined and answers per question; read from the database only when the workshop changed
    (the fragment looks at the workshop's stamp every 2 s)."""
    stamp = changes.current_stamp(fac.engine, fac.workshop_id)
    kept = st.session_state.get(f"{PREFIX}live")
    if kept is None or kept[0] != stamp:
        live = ws.live_status(fac, content)
        if ws.reveal_when_all_answered(fac, content, live) is not None:
            live = ws.live_status(fac, content)
        kept = (stamp, live)
        st.session_state[f"{PREFIX}live"] = kept
    live = kept[1]
    state = live.state
    with st.container(key=f"{PREFIX}room_counts", horizontal=True, gap="large"):
        st.metric("People joined", live.participants, width="content")
        st.metric(
            "Answers so far",
            f"{live.votes_in_focus:,}",
            width="content",
            help="Answers given to the questions open now, in this round.",
        )
    focus = set(state.in_focus)
    frame = pd.DataFrame(
        {
            "question": [content.questions_by_id[q].short_label for q in state.question_ids],
            "answers": [live.votes_per_question[q] for q in state.question_ids],
            "open now": [q in focus for q in state.question_ids],
            "locked": [q in state.locked for q in state.question_ids],
            "revealed": [q in state.revealed for q in state.question_ids],
            "round": [state.round_of(q) for q in state.question_ids],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch", key=f"{PREFIX}counts")


def results(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Every distribution for the facilitator (revealed or not), ranked by disagreement.

    The charts are the shared screen's, in its room-sized type: the console is often
    projected too."""
    outcome = ws.workshop_results(fac, content)
    st.caption(
        "Disagreement index: how widely the answers spread (Yes 1, Partly 0.5, No and Don't "
        "know 0; N/A left out), 0 when everyone agrees, 100 for an even Yes/No split. "
        f"Nothing is shown for fewer than {ws.MIN_ANSWERS_SHOWN} answers."
    )
    if outcome.ranking:
        st.subheader("Where the group disagrees most")
        st.plotly_chart(
            wf.disagreement_ranking(outcome, content),
            key=f"{PREFIX}ranking",
            config=CHART_CONFIG,
        )
    focus = [q for q in state.in_focus] or list(state.question_ids)
    chosen = st.selectbox(
        "Question",
        focus,
        format_func=lambda q: content.questions_by_id[q].short_label,
        key=f"{PREFIX}result_question",
        help="The answers to this question, overall and by role (roles with fewer than three "
        "people are not shown, to keep answers anonymous).",
    )
    result = outcome.by_id(chosen)
    if result.previous is not None:  # voted again: the rounds side by side
        with st.container(key=f"{PREFIX}room_rounds"):
            workshop_rounds.side_by_side(result, content, PREFIX)
        return
    with st.container(key=f"{PREFIX}room_result"):
        line = f"**{plain(content.questions_by_id[chosen].short_label)}**: "
        line += f"{count_of(result.answers, 'answer')} so far"
        if result.shown:
            line += f" · disagreement index **{result.disagreement:.0f}** / 100"
        else:
            line += ", not enough to show a distribution."
        st.markdown(line)
    if not result.shown:
        return
    st.plotly_chart(
        wf.distribution_bars(result, content), key=f"{PREFIX}distribution", config=CHART_CONFIG
    )
    if result.by_role:
        st.plotly_chart(wf.role_split(result, content), key=f"{PREFIX}roles", config=CHART_CONFIG)


def consensus(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Agreed answers (pre-filled with the majority) and, for weak ones, action and owner."""
    labels = {a.key: a.label for a in content.answer_scale}
    keys_by_label = {v: k for k, v in labels.items()}
    outcome = ws.workshop_results(fac, content)
    agreed = ws.consensus(fac)
    defaults = ws.consensus_defaults(outcome)
    actions = {a.question_id: a for a in agreed.actions}
    due = date.today() + timedelta(days=30)
    rows = []
    for qid in state.question_ids:
        question = content.questions_by_id[qid]
        answer = agreed.answers.get(qid) or defaults.get(qid)
        action = actions.get(qid)
        weak = answer in ws.WEAK_ANSWERS
        rows.append(
            {
                "question_id": qid,
                "question": question.short_label,
                "agreed": labels.get(answer) if answer else None,
                "action": action.text if action else (question.action.text if weak else None),
                "owner": action.owner if action else (question.action.owner if weak else None),
                "due": action.due_date if action else (due if weak else None),
            }
        )
    edited = st.data_editor(
        pd.DataFrame(rows),
        column_config={
            "question_id": None,
            # Medium columns: at 1366 px Owner and Due stay in view beside the question.
            "question": st.column_config.TextColumn("Question", disabled=True, width="medium"),
            "agreed": st.column_config.SelectboxColumn(
                "Agreed answer", options=[labels[k] for k in ws.ANSWER_ORDER]
            ),
            "action": st.column_config.TextColumn("Action (for weak answers)", width="medium"),
            "owner": st.column_config.TextColumn("Owner"),
            "due": st.column_config.DateColumn(
                "Due", help="Left empty, an action is due in 30 days.", width="small"
            ),
        },
        hide_index=True,
        width="stretch",
        key=f"{PREFIX}consensus_editor",
    )
    if st.button("Save the agreed answers", type="primary", key=f"{PREFIX}save_consensus"):
        answers = {
            r.question_id: keys_by_label[r.agreed]
            for r in edited.itertuples()
            if isinstance(r.agreed, str) and r.agreed in keys_by_label
        }
        agreed_actions = [
            ws.AgreedAction(
                r.question_id,
                str(r.action),
                None if pd.isna(r.owner) else str(r.owner),
                due if pd.isna(r.due) else pd.Timestamp(r.due).date(),
            )
            for r in edited.itertuples()
            if isinstance(r.action, str)
            and r.action.strip()
            and answers.get(r.question_id) in ws.WEAK_ANSWERS
        ]
        try:
            ws.save_consensus(fac, content, answers, agreed_actions)
            # Report files prepared earlier miss these answers (and the brief): prepare again.
            st.session_state.pop(f"{PREFIX}prepared_{fac.workshop_id}", None)
            st.success(f"Saved {len(answers)} agreed answers and {len(agreed_actions)} actions.")
        except DiagnosticError as exc:
            show_problem(exc)
    actions_view.workshop_to_register(fac.engine, content, state, ws.consensus(fac))
    verdict(fac, content)


def verdict(fac: ws.Facilitator, content: Content) -> None:
    result = ws.consensus_result(fac, content)
    if result is None:
        st.info("No agreed answer yet: the verdict appears once the group has agreed some.")
        return
    box = {"proceed": st.success, "fix_first": st.warning, "stop": st.error}[result.decision]
    box(f"**{result.verdict_label}**: {result.why}")
    if result.overall is not None and result.weakest:
        weakest = content.reasons_by_key[result.weakest].title
        st.write(
            f"Overall readiness {result.overall:.0f}/100; weakest link: {weakest} "
            f"({result.weakest_readiness:.0f}/100)."
        )


@st.fragment
def report(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """The report files, built when the facilitator asks: a snapshot of the votes cast until
    then, taken while people keep voting. A fragment, so preparing them redraws this section
    only; it only reads, so no phone and no shared screen redraws because of it."""
    st.write(
        "The report holds the participants, every distribution, the disagreement ranking, "
        "the agreed answers and the actions with their owners. The brief and the slides give "
        "the verdict on the agreed answers, for the sponsor."
    )
    key = f"{PREFIX}prepared_{fac.workshop_id}"
    slot = st.empty()  # the button, labelled after this run's preparing
    if st.session_state.pop(f"{PREFIX}prepare_asked", False):
        with st.spinner("Preparing the files…"):
            st.session_state[key] = _prepared_files(fac, content, state)
    prepared = st.session_state.get(key)
    slot.button(
        "Prepare the files again" if prepared else "Prepare the files",
        icon=":material/refresh:" if prepared else ":material/download:",
        type="secondary" if prepared else "primary",
        key=f"{PREFIX}prepare",
        help="Builds the report from the votes cast until now; people can keep voting "
        "meanwhile, and nothing changes on their phones or the shared screen.",
        on_click=_ask_to_prepare,
    )
    if prepared is None:
        st.caption("Prepare the files whenever you like, during the workshop or after it.")
        return
    caption, files = prepared
    st.caption(caption)
    ready_row(files, PREFIX, per_row=2)
    if not any(f.fmt == "pdf" for f in files):
        st.caption("The brief and the slides appear once the group has agreed an answer.")
    st.caption(f"Pilot: {plain(state.pilot_name)}")


def _ask_to_prepare() -> None:
    st.session_state[f"{PREFIX}prepare_asked"] = True


def _prepared_files(
    fac: ws.Facilitator, content: Content, state: ws.WorkshopState
) -> tuple[str, list[ReadyFile]]:
    """Every report file as it stands now, and a line saying what they hold."""
    snapshot = ws.report_snapshot(fac, content)
    today = snapshot.taken_at.date()
    taken = snapshot.taken_at.strftime("%H:%M:%S UTC")

    def name(ext: str) -> str:
        return report_filename(state.pilot_name, today, ext, kind="workshop")

    files = [
        ReadyFile(
            "Download the report (xlsx)",
            "xlsx",
            snapshot.xlsx,
            name("xlsx"),
            "Every table of the workshop, one sheet each: participants, distributions, "
            "disagreement, agreed answers and actions.",
        ),
        ReadyFile(
            "Download the report (HTML)",
            "html",
            snapshot.html.encode("utf-8"),
            name("html"),
            "The same tables in one page that opens offline and prints on A4.",
        ),
    ]
    # Answers agreed earlier in this same run are not in `state` yet: ask the database.
    assessment_id = ws.consensus(fac).assessment_id
    if assessment_id is not None:
        review = load_review(fac.engine, content, assessment_id=assessment_id)
        files += [
            ReadyFile(
                "Download the brief (PDF)",
                "pdf",
                pilot_file(review, content, "pdf"),
                name("pdf"),
                "One A4 page on the agreed answers: the verdict and why, readiness, "
                "blockers, the three most urgent actions, timeline and cost of delay.",
            ),
            ReadyFile(
                "Download the slides (PowerPoint)",
                "pptx",
                pilot_file(review, content, "pptx"),
                name("pptx"),
                "Editable slides on the agreed answers, for the steering committee.",
            ),
        ]
    people = f"{snapshot.participants} {'person' if snapshot.participants == 1 else 'people'}"
    answers = f"{snapshot.answers} {'answer' if snapshot.answers == 1 else 'answers'}"
    if snapshot.ended:
        caption = f"Prepared at {taken}, after the workshop ended: {people}, {answers}."
    else:
        caption = (
            f"Snapshot so far, taken at {taken} while the workshop runs: {people}, {answers}. "
            "Votes cast since are not in these files: prepare them again for a newer snapshot."
        )
    return caption, files


def start_copy(fac: ws.Facilitator, content: Content) -> None:
    """A new workshop like this one: same pilot, position, pacing and names setting."""
    st.button(
        "Start a new workshop like this one",
        key=f"{PREFIX}copy",
        icon=":material/content_copy:",
        help="Same pilot, position, pacing and names setting, with a new code; this workshop "
        "and its answers stay as they are (keep its private link to come back).",
        on_click=_copy,
        args=(fac, content),
    )


def _copy(fac: ws.Facilitator, content: Content) -> None:
    try:
        created = ws.copy_workshop(fac, content)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}problem"] = str(exc)
        return
    st.session_state.pop(f"{PREFIX}live", None)
    remember_facilitator(created.facilitator_token)

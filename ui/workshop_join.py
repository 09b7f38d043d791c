"""The participant's phone: the join form (code, name when asked, role), then the open
questions with big answer buttons. Session keys start with `join_`.

The participant's own token goes into the URL (`?p=`), so a phone that reloads or locks its
screen comes back to the same place.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from diagnostics import workshop as ws
from diagnostics.errors import AccessError, DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import changes, phones
from ui import workshop_clock
from ui.components import plain, show_problem
from ui.workshop_view import CODE_KEY, client_key

# How often a phone looks for a change: the next question shows within this (plus a redraw).
POLL_SECONDS = 1.5


def current_participant(engine: Engine, content: Content) -> ws.ParticipantView | None:
    """The participant this browser is, from the session or the `?p=` link; None if nobody."""
    token = st.session_state.get("join_token") or st.query_params.get("p")
    if not token:
        return None
    try:
        view = ws.participant_view(engine, token, content)
    except AccessError as exc:
        show_problem(exc)
        st.session_state.pop("join_token", None)
        st.query_params.pop("p", None)
        return None
    st.session_state["join_token"] = token
    return view


def join_form(engine: Engine) -> None:
    """The code (pre-filled from a join link), then name and role, then Join."""
    st.title("Join the workshop")
    # Read here too: on a first page load app.py runs before the URL's parameters are known.
    link_code = st.session_state.get(CODE_KEY) or st.query_params.get("code") or ""
    with st.container(key="join_form"):
        code = st.text_input(
            "Code on the shared screen",
            value=link_code,
            key="join_code",
            help="Six letters and digits, shown big on the shared screen; case does not matter.",
        )
        found = _checked_code(engine, code) if code else None
        if found is None:
            return
        st.subheader(plain(found.pilot_name))
        name = None
        if found.ask_names:
            name = st.text_input("Your name (leave empty to stay anonymous)", key="join_name")
        role = st.selectbox(
            "Your role (optional)",
            [None, *ws.ROLES],
            format_func=lambda r: "Rather not say" if r is None else ws.ROLES[r],
            key="join_role",
        )
        if st.button("Join", type="primary", width="stretch", key="join_go"):
            try:
                joined = ws.join_workshop(engine, code, client_key(), display_name=name, role=role)
            except DiagnosticError as exc:
                show_problem(exc)
            else:
                st.session_state["join_token"] = joined.token
                st.query_params["code"] = ws.normalise_code(code)
                st.query_params["p"] = joined.token
                st.rerun()


def _checked_code(engine: Engine, code: str) -> ws.JoinInfo | None:
    # Checked once per typed code: a rerun must not count as another wrong try.
    checked = st.session_state.get("join_checked")
    if checked is None or checked[0] != code:
        try:
            checked = (code, ws.find_workshop(engine, code, client_key()), None)
        except DiagnosticError as exc:
            checked = (code, None, exc)
        st.session_state["join_checked"] = checked
    _code, found, problem = checked
    if problem is not None:
        show_problem(problem)
        st.button(
            "Try again",
            key="join_retry",
            on_click=lambda: st.session_state.pop("join_checked", None),
        )
    return found


def _vote(engine: Engine, content: Content, workshop_id: int, question_id: str, value: str):
    try:
        ws.cast_vote(
            engine,
            content,
            workshop_id=workshop_id,
            participant_token=st.session_state["join_token"],
            question_id=question_id,
            value=value,
        )
        st.session_state.pop("join_problem", None)
    except ws.TimeUpError as exc:  # a tap just after zero: news, not a fault
        st.session_state.pop("join_problem", None)
        st.session_state["join_late"] = str(exc)
    except DiagnosticError as exc:
        st.session_state["join_problem"] = str(exc)
    st.session_state["join_own_votes"] = True  # read this phone's own votes back


def voting(engine: Engine, content: Content, view: ws.ParticipantView) -> None:
    """The participant's heading and open questions."""
    st.markdown(f"### {plain(view.pilot_name)}")
    if view.ended:
        with st.container(key="join_end"):
            st.success(
                "The workshop has ended. Thank you for taking part: the group's answers go "
                "into the pilot's assessment."
            )
        return
    who = view.display_name or "anonymous"
    if view.role == ws.OBSERVER:
        st.caption(f"You observe as {plain(who)}: you see the questions and revealed results.")
    else:
        st.caption(
            f"You take part as {plain(who)}. Answers stay hidden until the facilitator shows them."
        )
    st.session_state.pop("join_kept", None)  # a full run reads everything afresh
    _questions(engine, content, view.workshop_id)


@st.fragment(run_every=POLL_SECONDS)
def _questions(engine: Engine, content: Content, workshop_id: int) -> None:
    """The open questions, every few seconds; the database is read only when the workshop's
    stamp moved (one small query per process, shared by every phone; then the new state,
    once per process) or after this phone's own tap, so a waiting phone costs a redraw of a
    few elements and nothing else."""
    stamp = changes.current_stamp(engine, workshop_id)
    seen = stamp.state if stamp else ""
    kept = st.session_state.get("join_kept")
    tapped = st.session_state.pop("join_own_votes", False)
    if kept is None or kept[0] != seen or tapped:
        # What every phone shows alike is read once per process and change (phones.py);
        # this phone's own votes come along from its last view, read again after a tap.
        current = phones.phone_view(
            engine,
            st.session_state["join_token"],
            content,
            seen,
            kept[1] if kept else None,
            own_votes_changed=tapped,
        )
        if current.ended:
            st.rerun()  # the whole page changes: the thank-you screen
        kept = (seen, current, phones.revealed_results(engine, content, current, seen))
        st.session_state["join_kept"] = kept
    _draw_questions(engine, content, kept[1], kept[2])


def _draw_questions(engine: Engine, content: Content, current, revealed: dict) -> None:
    labels = {a.key: a.label for a in content.answer_scale}
    if st.session_state.get("join_problem"):
        st.warning(st.session_state["join_problem"])
    if st.session_state.get("join_late"):
        st.info(st.session_state.pop("join_late"), icon=":material/timer_off:")
    time_up = workshop_clock.phone_time_up(current)
    if len(current.in_focus) > 1:
        answered = sum(1 for q in current.in_focus if q in current.my_votes)
        st.caption(f"Answered {answered} of {len(current.in_focus)} open questions")
    with st.container(key="join_questions"):
        for qid in current.in_focus:
            question = content.questions_by_id[qid]
            with st.container(border=True):
                st.markdown(f"**{question.text}**")
                mine = current.my_votes.get(qid)
                n = current.rounds.get(qid, 1)
                if n > 1 and current.role != ws.OBSERVER:
                    before = labels.get(current.my_earlier_votes.get(qid), "no answer")
                    st.caption(
                        f"Round {n}: after the discussion, answer again. Your answer in round "
                        f"{n - 1}: {before}."
                    )
                result = revealed.get(qid)
                if result is not None:
                    _distribution(result, content, mine)
                if current.role == ws.OBSERVER:
                    st.caption("You observe: the group answers, you follow along.")
                    continue
                if time_up:
                    st.info(workshop_clock.time_up_note(mine, labels))
                    continue
                if qid not in current.votable:
                    given = labels.get(mine, "no answer")
                    st.info(f"Locked while the group discusses it. Your answer: {given}.")
                    continue
                options = [a for a in content.answer_scale if a.key != "na" or question.allow_na]
                for option in options:
                    st.button(
                        ("✓ " if mine == option.key else "") + option.label,
                        key=f"join_vote_{qid}_{option.key}",
                        type="primary" if mine == option.key else "secondary",
                        width="stretch",
                        on_click=_vote,
                        args=(engine, content, current.workshop_id, qid, option.key),
                    )
                with st.expander("What this question means"):
                    st.caption(question.help)
    if not current.in_focus:
        st.info("Waiting for the facilitator to open the next question…")


def _distribution(result: ws.QuestionResult, content: Content, mine: str | None) -> None:
    """The group's answers as text bars (light on a phone; no chart library to load)."""
    labels = {a.key: a.label for a in content.answer_scale}
    total = sum(result.counts.values()) or 1
    with st.container(key=f"join_result_{result.question_id}"):
        for key in ws.ANSWER_ORDER:
            count = result.counts.get(key, 0)
            if key == "na" and not count:
                continue
            share = count / total
            marker = " (your answer)" if key == mine else ""
            st.progress(share, text=f"{labels[key]}: {count}{marker}")
        st.caption(f"{result.answers} answers · disagreement {result.disagreement:.0f} / 100")

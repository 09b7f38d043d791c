"""The shared screen: large type, high contrast, nothing else. The code and QR code until
people have joined, then a slim bar (code, link, count) above the open question and how many
answered; results once revealed (the distribution beside the disagreement, the role split
where it keeps everyone anonymous); a thank-you screen at the end. Without devices, the
facilitator records the group's answer here with big buttons.

The screen is drawn again only when the workshop changed: a small fragment looks at the
workshop's stamp every second (see diagnostics/workshop/changes.py). Session keys start with
`present_`.
"""

from __future__ import annotations

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import AccessError, DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import changes
from diagnostics.workshop import figures as wf
from ui import workshop_clock, workshop_rounds
from ui.components import CHART_CONFIG, plain
from ui.workshop_view import facilitator_token, join_base, join_link, qr_png, short_link

# How often the screen looks for a change: a vote shows within this (plus a redraw).
POLL_SECONDS = 1.0
SHOWN_AT_ONCE = 4


def open_screen(engine, content: Content) -> ws.Facilitator | None:
    """The facilitator handle from the link, or a note saying where to open the screen."""
    token = facilitator_token()
    try:
        if not token:
            raise AccessError("The shared screen opens from the facilitator console.")
        fac = ws.facilitator(engine, token)
    except AccessError as exc:
        st.title("Shared screen")
        st.info(f"{exc} Open it with “Open the shared screen” on the workshop page.")
        return None
    st.query_params["facilitator"] = token
    return fac


@st.fragment(run_every=POLL_SECONDS)
def watch_changes(fac: ws.Facilitator) -> None:
    """One look at the workshop's stamp; the screen is drawn again only when it moved."""
    stamp = changes.current_stamp(fac.engine, fac.workshop_id)
    if stamp is not None and stamp != st.session_state.get("present_seen"):
        st.rerun()


def screen(fac: ws.Facilitator, content: Content) -> None:
    st.session_state["present_seen"] = changes.current_stamp(fac.engine, fac.workshop_id)
    live = ws.live_status(fac, content)
    if ws.reveal_when_all_answered(fac, content, live) is not None:
        live = ws.live_status(fac, content)  # everyone answered: the results are shown
    state = live.state
    watch_changes(fac)
    with st.container(key="present_screen"):
        if state.ended:
            _end_screen(state, live)
            return
        base = join_base()
        if st.session_state.get("present_consensus"):
            _bar(state, live, base)
            _consensus_mode(fac, content, state)
            return
        if state.join_open and live.participants == 0:
            _big_code(state, base)
            st.metric("People joined", live.participants)
            return
        _bar(state, live, base)
        revealed = None
        if any(q in state.revealed or state.round_of(q) > 1 for q in state.in_focus):
            revealed = ws.workshop_results(fac, content, only_revealed=True)
        focus = state.in_focus[:SHOWN_AT_ONCE]
        for i, qid in enumerate(focus):
            _question(content, state, live, qid, revealed, single=len(focus) == 1, first=i == 0)
        if len(state.in_focus) > SHOWN_AT_ONCE:
            st.markdown(f"…and {len(state.in_focus) - SHOWN_AT_ONCE} more open questions.")
        if revealed is not None and len(focus) > 1 and revealed.ranking:
            st.markdown("## Where the group disagrees most")
            st.plotly_chart(
                wf.disagreement_ranking(revealed, content, top=5),
                key="present_ranking",
                config=CHART_CONFIG,
            )


def _big_code(state: ws.WorkshopState, base: str) -> None:
    """Before anyone joined: the code and the QR code, as large as the screen allows."""
    st.markdown(f"# {plain(state.pilot_name)}")
    code_col, qr_col = st.columns([3, 2], vertical_alignment="center")
    with code_col:
        st.markdown("Join on your phone with the code")
        with st.container(key="present_code"):
            st.markdown(state.code)
        st.markdown(plain(short_link(join_link(base, state.code))))
    with qr_col:
        st.image(qr_png(join_link(base, state.code), scale=12), width=380)


def _bar(state: ws.WorkshopState, live: ws.LiveStatus, base: str) -> None:
    """Once people are in: the pilot, and the code, link and count in one slim line."""
    with st.container(key="present_bar", horizontal=True, vertical_alignment="center", wrap=False):
        st.markdown(f"**{plain(state.pilot_name)}**")
        if state.join_open:
            link = join_link(base, state.code)
            st.markdown(f"Join: **{plain(short_link(link))}** · code **{state.code}**")
        st.markdown(f"People joined: **{live.participants}**")
        if state.join_open:
            st.image(qr_png(join_link(base, state.code), scale=3), width=72)


def _question(
    content: Content,
    state: ws.WorkshopState,
    live: ws.LiveStatus,
    qid: str,
    revealed: ws.WorkshopResults | None,
    *,
    single: bool,
    first: bool = False,
) -> None:
    question = content.questions_by_id[qid]
    head = st.container()
    if first and state.deadline is not None:  # the clock, large, beside the first question
        head, clock_col = st.columns([4, 1], gap="medium")
        with clock_col:
            workshop_clock.screen_clock(state)
    head.markdown(f"## {question.text}")
    status = " · locked" if qid in state.locked else ""
    if state.round_of(qid) > 1:
        status = f" · round {state.round_of(qid)}, after discussion{status}"
    if state.time_up:
        status += " · time is up"
    answered = live.votes_per_question[qid]
    head.markdown(f"**{answered} of {live.participants} answered**{status}")
    result = revealed.by_id(qid) if revealed else None
    if result is not None and result.previous is not None:
        workshop_rounds.side_by_side(result, content, f"present_{qid}", large=True)
    elif result is not None and result.shown:
        chart_col, side_col = st.columns([3, 2] if single else [1, 1], gap="large")
        with chart_col:
            st.plotly_chart(
                wf.distribution_bars(result, content),
                key=f"present_dist_{qid}",
                config=CHART_CONFIG,
            )
        with side_col:
            st.markdown(f"Disagreement index: **{result.disagreement:.0f}** / 100")
            st.caption("0 when everyone agrees, 100 for an even Yes / No split")
            if result.by_role:
                st.plotly_chart(
                    wf.role_split(result, content),
                    key=f"present_roles_{qid}",
                    config=CHART_CONFIG,
                )
    elif qid in state.revealed:
        st.markdown(f"Fewer than {ws.MIN_ANSWERS_SHOWN} answers: nothing to show.")
    else:
        st.markdown("Results stay hidden until the facilitator reveals them.")


def _end_screen(state: ws.WorkshopState, live: ws.LiveStatus) -> None:
    with st.container(key="present_end"):
        st.markdown("# Thank you for taking part")
        st.markdown(f"## {plain(state.pilot_name)}")
        people = "person" if live.participants == 1 else "people"
        answers = "answer" if live.all_votes == 1 else "answers"
        again = " (votes taken again after discussion included)" if live.earlier_votes else ""
        st.markdown(
            f"**{live.participants}** {people} gave **{live.all_votes}** {answers} to "
            f"{len(state.question_ids)} questions{again}. The agreed answers and actions follow "
            "in the workshop report."
        )


def _record(fac: ws.Facilitator, content: Content, question_id: str, value: str, next_id: str):
    """Consensus mode: the group's answer for the open question, then the next one."""
    try:
        ws.save_consensus(fac, content, {question_id: value})
        ws.set_pacing(fac, content, "question", question=next_id)
    except DiagnosticError as exc:
        st.session_state["present_problem"] = str(exc)


def _consensus_mode(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """One question, the group's answer with big buttons; saving moves to the next one."""
    if st.session_state.get("present_problem"):
        st.error(st.session_state.pop("present_problem"))
    ids = state.question_ids
    qid = state.current_question if state.current_question in ids else ids[0]
    agreed = ws.consensus(fac).answers
    position = ids.index(qid) + 1
    next_id = ids[min(position, len(ids) - 1)]
    st.markdown(f"### Question {position} of {len(state.question_ids)}")
    st.markdown(f"## {content.questions_by_id[qid].text}")
    options = [
        a for a in content.answer_scale if a.key != "na" or content.questions_by_id[qid].allow_na
    ]
    for column, option in zip(st.columns(len(options)), options, strict=True):
        chosen = agreed.get(qid) == option.key
        column.button(
            ("✓ " if chosen else "") + option.label,
            key=f"present_agree_{qid}_{option.key}",
            type="primary" if chosen else "secondary",
            width="stretch",
            on_click=_record,
            args=(fac, content, qid, option.key, next_id),
        )
    st.markdown(f"Agreed so far: {len(agreed)} of {len(state.question_ids)}")


def consensus_toggle() -> None:
    st.toggle(
        "Record the group's answers here (no devices)",
        key="present_consensus",
        help="Shows one question at a time; tapping an answer saves it and moves on.",
    )

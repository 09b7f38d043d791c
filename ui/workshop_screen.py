"""The shared screen: large type, high contrast, nothing else. The code and QR code while
people join, then the open question and how many answered, live (a fragment re-reads the
database, so it shows votes taken by any app process); results only once revealed. Without
devices, the facilitator records the group's answer here with big buttons.
Session keys start with `present_`.
"""

from __future__ import annotations

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import AccessError, DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import figures as wf
from ui.components import CHART_CONFIG, plain
from ui.workshop_view import base_url, facilitator_token, join_link, qr_png


def open_screen(engine, content: Content) -> tuple[ws.Facilitator, str] | None:
    """The facilitator handle and token from the link, or a note saying where to open it."""
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
    return fac, token


def _record(fac: ws.Facilitator, content: Content, question_id: str, value: str, next_id: str):
    """Consensus mode: the group's answer for the open question, then the next one."""
    try:
        ws.save_consensus(fac, content, {question_id: value})
        ws.set_pacing(fac, content, "question", question=next_id)
    except DiagnosticError as exc:
        st.session_state["present_problem"] = str(exc)


@st.fragment(run_every=1.5)
def screen(fac: ws.Facilitator, content: Content) -> None:
    live = ws.live_status(fac, content)
    state = live.state
    base = base_url("present")
    with st.container(key="present_screen"):
        st.markdown(f"# {plain(state.pilot_name)}")
        if state.join_open:
            code_col, qr_col = st.columns([3, 2], vertical_alignment="center")
            with code_col:
                st.markdown("Join on your phone with the code")
                with st.container(key="present_code"):
                    st.markdown(state.code)
                st.markdown(plain(join_link(base, state.code)))
            with qr_col:
                st.image(qr_png(join_link(base, state.code), scale=12), width=380)
        st.metric("People joined", live.participants)
        if st.session_state.get("present_consensus"):
            _consensus_mode(fac, content, state)
            return
        revealed = None
        if any(q in state.revealed for q in state.in_focus):
            revealed = ws.workshop_results(fac, content, only_revealed=True)
        for qid in state.in_focus[:6]:
            question = content.questions_by_id[qid]
            st.markdown(f"## {question.text}")
            status = " · locked" if qid in state.locked else ""
            st.markdown(
                f"**{live.votes_per_question[qid]} of {live.participants} answered**{status}"
            )
            result = revealed.by_id(qid) if revealed else None
            if result is not None and result.shown:
                st.plotly_chart(
                    wf.distribution_bars(result, content, large=True),
                    key=f"present_dist_{qid}",
                    config=CHART_CONFIG,
                )
                st.markdown(f"Disagreement index: **{result.disagreement:.0f}** / 100")
                if result.by_role:
                    st.plotly_chart(
                        wf.role_split(result, content, large=True),
                        key=f"present_roles_{qid}",
                        config=CHART_CONFIG,
                    )
            elif qid in state.revealed:
                st.markdown(f"Fewer than {ws.MIN_ANSWERS_SHOWN} answers: nothing to show.")
            else:
                st.markdown("Results stay hidden until the facilitator reveals them.")
        if len(state.in_focus) > 6:
            st.markdown(f"…and {len(state.in_focus) - 6} more open questions.")
        if revealed is not None and revealed.ranking:
            st.markdown("## Where the group disagrees most")
            st.plotly_chart(
                wf.disagreement_ranking(revealed, content, top=5, large=True),
                key="present_ranking",
                config=CHART_CONFIG,
            )


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

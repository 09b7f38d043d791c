"""Voting again after discussion, on the console and the shared screen: the button that opens
a second round, and the rounds side by side (one scale, each under the anonymity rule) with
how agreement changed, in words."""

from __future__ import annotations

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import figures as wf
from ui.components import CHART_CONFIG

REVOTE_HELP = (
    "After the group has discussed the revealed results: everyone answers the open question "
    "again. The first answers are kept; the shared screen, the Results tab and the report "
    "show both rounds side by side, and the agreed answer defaults to the latest round."
)


def _open_round(fac: ws.Facilitator, content: Content, question_ids: list[str]) -> None:
    try:
        ws.open_next_round(fac, content, question_ids)
        st.session_state.pop("ws_problem", None)
    except DiagnosticError as exc:
        st.session_state["ws_problem"] = str(exc)


def revote_button(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Open the next round on the revealed questions that are open now."""
    ready = [q for q in state.in_focus if q in state.revealed]
    rounds = {state.round_of(q) for q in ready} or {1}
    st.button(
        f"Vote again (round {max(rounds) + 1})",
        icon=":material/replay:",
        key="ws_revote",
        help=REVOTE_HELP + ("" if ready else " Reveal the results of the open question first."),
        on_click=_open_round,
        args=(fac, content, ready),
        disabled=state.ended or not ready,
        width="stretch",
    )


def _round_heading(result: ws.QuestionResult, *, large: bool) -> str:
    answers = "answer" if result.answers == 1 else "answers"
    text = f"Round {result.round} · {result.answers} {answers}"
    if result.disagreement is not None:
        text += f" · disagreement {result.disagreement:.0f}"
    return f"### {text}" if large else f"**{text}**"


def side_by_side(
    result: ws.QuestionResult, content: Content, key_prefix: str, *, large: bool = False
) -> None:
    """The round before and this round, on one scale, then the change in agreement."""
    before = result.previous
    if before is None:
        return
    labels = {a.key: a.label for a in content.answer_scale}
    top = wf.rounds_scale(before, result)
    for column, shown in zip(st.columns(2, gap="large"), (before, result), strict=True):
        with column:
            st.markdown(_round_heading(shown, large=large))
            if shown.shown:
                st.plotly_chart(
                    wf.distribution_bars(shown, content, top=top, height=270),
                    key=f"{key_prefix}_round_{shown.question_id}_{shown.round}",
                    config=CHART_CONFIG,
                )
            elif not shown.revealed and shown is result:
                st.markdown("Hidden until the facilitator reveals this round.")
            else:
                st.markdown(f"Fewer than {ws.MIN_ANSWERS_SHOWN} answers: nothing to show.")
    if result.shown or not large:
        with st.container(key=f"{key_prefix}_change"):
            st.markdown(ws.agreement_change(before, result, labels))

"""Participant page, phone first: type the code (or open the link), then tap big answer buttons.

Session keys start with `join_`. The participant's own token goes into the URL (`?p=`), so a
phone that reloads or locks its screen comes back to the same place.
"""

import streamlit as st

from diagnostics.errors import AccessError, DiagnosticError
from diagnostics.workshop import session as ws
from ui import cache
from ui.components import plain, show_problem
from ui.frame import through_app
from ui.workshop_view import CODE_KEY, PHONE_CSS, client_key

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
engine = cache.engine()
st.html(PHONE_CSS)
labels = {a.key: a.label for a in content.answer_scale}

token = st.session_state.get("join_token") or st.query_params.get("p")
view = None
if token:
    try:
        view = ws.participant_view(engine, token, content)
        st.session_state["join_token"] = token
    except AccessError as exc:
        show_problem(exc)
        st.session_state.pop("join_token", None)
        st.query_params.pop("p", None)

if view is None:
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
        found = None
        if code:
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
        if found is not None:
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
                    joined = ws.join_workshop(
                        engine, code, client_key(), display_name=name, role=role
                    )
                except DiagnosticError as exc:
                    show_problem(exc)
                else:
                    st.session_state["join_token"] = joined.token
                    st.query_params["code"] = ws.normalise_code(code)
                    st.query_params["p"] = joined.token
                    st.rerun()
    st.stop()


def _vote(question_id: str, value: str) -> None:
    try:
        ws.cast_vote(
            engine,
            content,
            workshop_id=view.workshop_id,
            participant_token=st.session_state["join_token"],
            question_id=question_id,
            value=value,
        )
        st.session_state.pop("join_problem", None)
    except DiagnosticError as exc:
        st.session_state["join_problem"] = str(exc)


@st.fragment(run_every=3)
def questions() -> None:
    """Re-read every few seconds: the facilitator moves on, locks, or ends the workshop."""
    current = ws.participant_view(engine, st.session_state["join_token"], content)
    if st.session_state.get("join_problem"):
        st.warning(st.session_state["join_problem"])
    if current.ended:
        st.success("The workshop has ended. Thank you for taking part.")
        return
    answered = sum(1 for q in current.in_focus if q in current.my_votes)
    st.caption(f"Answered {answered} of {len(current.in_focus)} open questions")
    with st.container(key="join_questions"):
        for qid in current.in_focus:
            question = content.questions_by_id[qid]
            with st.container(border=True):
                st.markdown(f"**{question.text}**")
                st.caption(question.help)
                mine = current.my_votes.get(qid)
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
                        args=(qid, option.key),
                    )
    if not current.in_focus:
        st.info("Waiting for the facilitator to open the next question…")


st.title(plain(view.pilot_name))
who = view.display_name or "anonymous"
st.caption(
    f"You take part as {plain(who)}. Your answers are hidden until the facilitator shows them."
)
questions()

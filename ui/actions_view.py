"""Blocks of the action register, on its own page and inside the others: adopt buttons on a
result, a systemic gap and a workshop's agreed actions; open actions beside each question;
the carry-over on a re-assessment; the follow-up per business unit and owner.

Session keys start with `actions_` (or the caller's prefix). Every change is written to the
database in the widget's callback, so a reload loses nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.actions import exchange, followup, register
from diagnostics.actions.register import ActionRecord
from diagnostics.actions.vocabulary import ACTIVE, STATUSES, vocabulary
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.scoring import ActionItem
from diagnostics.framework.timeline import format_day
from diagnostics.render import page_charts
from ui import cache
from ui.components import picture, plain, show_problem
from ui.report_downloads import ReportFile, prepared_row

PREFIX = "actions_"
PAGE = "pages/actions.py"
LIST_LIMIT = 50
STATUS_ICONS = {
    "open": ":material/radio_button_unchecked:",
    "in_progress": ":material/pending:",
    "done": ":material/check_circle:",
    "dropped": ":material/block:",
}
# The text fields the add and the edit forms share: label, length limit, help.
TEXT_FIELDS = {
    "title": ("Action", register.MAX_TITLE, "What will be done, in one sentence."),
    "owner": (
        "Owner",
        register.MAX_OWNER,
        "One person or team: a name, a role or an e-mail address.",
    ),
}


def _due_text(action: ActionRecord, today: date) -> str:
    if action.status == "done" and action.completed_at is not None:
        return f"done {format_day(action.completed_at.date())}"
    if action.status == "dropped":
        return f"dropped {format_day(action.updated_at.date())}"
    if action.due_date is None:
        return "no due date"
    if action.overdue(today):
        days = action.days_overdue(today)
        return f"**:red[due {format_day(action.due_date)}, {days} days overdue]**"
    return f"due {format_day(action.due_date)}"


def _meta(action: ActionRecord, today: date, *, with_scope: bool = True) -> str:
    parts = [plain(action.owner_or_none), _due_text(action, today)]
    if with_scope:
        parts.insert(0, plain(action.scope))
    return " · ".join(parts)


def _toast(message: str) -> None:
    st.toast(message, icon=":material/task_alt:")


def _run(change, *args, **kwargs) -> None:
    """A callback's engine call: a refusal becomes a message on the next run, not a crash."""
    try:
        change(*args, **kwargs)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}problem"] = str(exc)


def _show_pending_problem() -> None:
    message = st.session_state.pop(f"{PREFIX}problem", None)
    if message:
        st.error(message, icon=":material/error:")


# Adopting ----------------------------------------------------------------------------------


def _adopt(engine: Engine, review: PilotReview, item: ActionItem) -> None:
    action = followup.adopt_recommendation(engine, review, item)
    _toast(f"Added to the action register: {action.title[:60]}")


def adopt_button(engine: Engine, review: PilotReview, item: ActionItem, key: str) -> None:
    """Under a recommended action: adopt it with one click, or say it is already followed up."""
    adopted = _adopted(engine, review).get(item.question_id)
    if adopted is not None:
        st.caption(
            f"{STATUS_ICONS[adopted.status]} In the action register: "
            f"{vocabulary().label(adopted.status)} · "
            f"{_meta(adopted, review.today, with_scope=False)}"
        )
        if adopted.active:
            return
    st.button(
        "Adopt this action" if adopted is None else "Adopt it again",
        key=f"{PREFIX}adopt_{key}",
        icon=":material/add_task:",
        on_click=_run,
        args=(_adopt, engine, review, item),
        help="Adds it to the action register for this pilot, owned by the role named above "
        f"and due in {vocabulary().default_due_days} days; change both in the register.",
    )


def _adopted(engine: Engine, review: PilotReview) -> dict[str, ActionRecord]:
    """The pilot's actions by question: the latest still to do, else the latest."""
    actions = register.list_actions(engine, pilot_id=review.pilot.id, today=review.today)
    out: dict[str, ActionRecord] = {}
    for action in sorted(actions, key=lambda a: (a.active, a.id)):  # the last one wins
        if action.question_id:
            out[action.question_id] = action
    return out


def open_actions_note(engine: Engine, review: PilotReview, question_id: str) -> None:
    """Beside a question of a re-assessment: the pilot's actions still open for it."""
    for action in register.open_by_question(engine, review.pilot.id).get(question_id, []):
        st.caption(
            f":material/task_alt: Open action: {plain(action.title)} · "
            f"{_meta(action, review.today, with_scope=False)}"
        )


def adopt_gap_button(gap: pd.Series, key: str) -> None:
    """Under a systemic gap of the organisation view: one action for the whole organisation."""
    engine, today = cache.engine(), date.today()
    done = register.list_actions(engine, organisation_only=True, today=today)
    existing = next((a for a in done if a.source_ref == f"organisation:{gap['question_id']}"), None)
    if existing is not None:
        st.caption(
            f"{STATUS_ICONS[existing.status]} In the action register: "
            f"{vocabulary().label(existing.status)} · {_meta(existing, today, with_scope=False)}"
        )
        return

    def adopt() -> None:
        action = followup.adopt_systemic_gap(
            engine,
            question_id=str(gap["question_id"]),
            reason=str(gap["reason"]),
            text=str(gap["systemic_action"]),
            owner=str(gap["action_owner"]),
            today=today,
        )
        _toast(f"Added to the action register: {action.title[:60]}")

    st.button(
        "Adopt for the whole organisation",
        key=f"{PREFIX}gap_{key}",
        icon=":material/add_task:",
        on_click=_run,
        args=(adopt,),
        help="Adds this change to the action register as an action of the whole organisation, "
        "owned by the role named above; change owner and due date in the register.",
    )


def workshop_to_register(engine: Engine, content: Content, state, agreed) -> None:
    """On the console: the workshop's agreed actions become register actions."""
    if agreed.assessment_id is None or not agreed.actions:
        st.caption("Agreed actions go to the action register once they are saved here.")
        return
    refs = {
        a.source_ref
        for a in register.list_actions(engine, pilot_id=state.pilot_id)
        if a.source == "workshop"
    }
    prefix = f"workshop:{agreed.assessment_id}:"
    missing = [a for a in agreed.actions if f"{prefix}{a.question_id or a.text}"[:120] not in refs]
    if not missing:
        st.success(
            f"The {register.plural(len(agreed.actions), 'agreed action')} "
            + ("is" if len(agreed.actions) == 1 else "are")
            + " in the action register.",
            icon=":material/task_alt:",
        )
        st.page_link(PAGE, label="Follow them up in the action register", icon=":material/list:")
        return

    def carry() -> None:
        taken, problems = followup.adopt_workshop_actions(
            engine,
            pilot_id=state.pilot_id,
            assessment_id=agreed.assessment_id,
            agreed=missing,
            content=content,
            today=date.today(),
        )
        if problems:
            st.session_state[f"{PREFIX}problem"] = (
                "Some agreed actions could not be added; correct them in the table above and "
                "save again:\n" + "\n".join(f"- {p}" for p in problems)
            )
        if taken:
            _toast(f"{register.plural(len(taken), 'agreed action')} added to the action register")

    _show_pending_problem()
    st.button(
        f"Add the {register.plural(len(missing), 'agreed action')} to the action register",
        key=f"{PREFIX}workshop_carry",
        icon=":material/add_task:",
        on_click=carry,
        help="Each becomes an action of this pilot with its owner and due date, followed up "
        "in the register and shown at the pilot's next assessment. Adding twice adds nothing.",
    )


# Changing an action -------------------------------------------------------------------------


def _set_status(engine: Engine, action_id: int, key: str) -> None:
    status = st.session_state.get(key)
    if status:
        action = register.update_action(engine, action_id, status=status)
        _toast(f"{vocabulary().label(status)}: {action.title[:60]}")


def _save_edit(engine: Engine, action_id: int, key: str) -> None:
    register.update_action(
        engine,
        action_id,
        title=st.session_state[f"{key}_title"],
        owner=st.session_state[f"{key}_owner"],
        due_date=st.session_state[f"{key}_due"],
        note=st.session_state[f"{key}_note"],
    )
    _toast("Action saved")


def _remove(engine: Engine, action_id: int) -> None:
    register.delete_action(engine, action_id)
    _toast("Action removed from the register")


def action_row(
    engine: Engine, action: ActionRecord, today: date, key_prefix: str, *, with_scope: bool
) -> None:
    """One action: title, who and when, its status as four choices, and an edit panel."""
    words = vocabulary()
    with st.container(border=True, key=f"{key_prefix}row_{action.id}"):
        st.markdown(f"{STATUS_ICONS[action.status]} **{plain(action.title)}**")
        st.caption(_meta(action, today, with_scope=with_scope))
        status_key = f"{key_prefix}status_{action.id}_{action.status}"
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.radio(
            f"Status of action {action.id}",
            STATUSES,
            index=STATUSES.index(action.status),
            format_func=words.label,
            horizontal=True,
            key=status_key,
            on_change=_run,
            args=(_set_status, engine, action.id, status_key),
            label_visibility="collapsed",
            help="Saved at once; the change is kept in the action's history.",
        )
        with right.popover("Edit", icon=":material/edit:", width="stretch"):
            _edit_form(engine, action, today, f"{key_prefix}edit_{action.id}")
        if action.note:
            st.caption(f"Note: {plain(action.note)}")


def _text_field(place, field: str, key: str, **options) -> str:
    """One of an action's text fields (`TEXT_FIELDS`), under the key `<key>_<field>`."""
    label, limit, help_text = TEXT_FIELDS[field]
    return place.text_input(label, max_chars=limit, key=f"{key}_{field}", help=help_text, **options)


def _edit_form(engine: Engine, action: ActionRecord, today: date, key: str) -> None:
    with st.form(key=f"{key}_form", border=False):
        _text_field(st, "title", key, value=action.title)
        _text_field(st, "owner", key, value=action.owner or "")
        st.date_input(
            "Due date",
            value=action.due_date,
            min_value=min(today, action.due_date) if action.due_date else today,
            key=f"{key}_due",
            help="A new date cannot be in the past; a date already passed may stay.",
        )
        st.text_area(
            "Note",
            value=action.note or "",
            max_chars=register.MAX_NOTE,
            key=f"{key}_note",
            help="Progress, who else is involved, links.",
        )
        st.form_submit_button(
            "Save", type="primary", on_click=_run, args=(_save_edit, engine, action.id, key)
        )
    history = " → ".join(
        f"{vocabulary().label(c.to_status)} ({format_day(c.changed_at.date())})"
        for c in action.history
    )
    st.caption(f"History: {history}" if history else "No history yet.")
    st.button(
        "Remove from the register",
        key=f"{key}_remove",
        icon=":material/delete:",
        on_click=_run,
        args=(_remove, engine, action.id),
        help="For an action added by mistake; to keep a record of one not done, mark it "
        "Dropped instead.",
    )


def action_list(
    engine: Engine,
    actions: Sequence[ActionRecord],
    today: date,
    key_prefix: str,
    *,
    with_scope: bool = True,
) -> None:
    _show_pending_problem()
    for action in actions[:LIST_LIMIT]:
        action_row(engine, action, today, key_prefix, with_scope=with_scope)
    if len(actions) > LIST_LIMIT:
        st.caption(
            f"Showing the first {LIST_LIMIT} of {len(actions)} (overdue first); narrow the "
            "filters above, or export the register to see them all."
        )


# On a pilot's results ---------------------------------------------------------------------


def results_block(engine: Engine, content: Content, review: PilotReview) -> None:
    """What was done since the last assessment and what it moved; the pilot's actions."""
    _show_pending_problem()
    carry = followup.carry_over_for(engine, review, content)
    actions = register.list_actions(engine, pilot_id=review.pilot.id, today=review.today)
    st.subheader("Follow-up of actions")
    if carry.since is not None:
        _since_last(carry, content)
    counts = register.counts(actions, review.today)
    if not actions:
        st.caption(
            "No action of this pilot is in the register yet: adopt one of the actions above to "
            "follow it up here, in the action register and at the next assessment."
        )
    else:
        words = vocabulary()
        st.markdown(
            "**This pilot's actions:** "
            + " · ".join(f"{counts[s]} {words.label(s).lower()}" for s in STATUSES if counts[s])
            + (f" · **:red[{counts['overdue']} overdue]**" if counts["overdue"] else "")
        )
        action_list(engine, actions, review.today, f"{PREFIX}pilot_", with_scope=False)
    _adopt_any(engine, review, content, actions)
    st.page_link(PAGE, label="Open the action register", icon=":material/checklist:")


def _since_last(carry: followup.CarryOver, content: Content) -> None:
    since = format_day(carry.since)
    if not carry.completed:
        st.info(
            f"No action of this pilot was marked done since the last assessment ({since}).",
            icon=":material/info:",
        )
        return
    st.markdown(f"**Done since the last assessment ({since}): {len(carry.completed)}**")
    labels = {a.key: a.label for a in content.answer_scale}
    for item in carry.completed:
        with st.container(border=True, key=f"{PREFIX}done_{item.action.id}"):
            st.markdown(f":material/check_circle: **{plain(item.action.title)}**")
            if item.reason_title:
                if item.before is None or item.after is None:
                    moved = "not scored at both assessments"
                else:
                    delta = item.after - item.before
                    arrow, color = (
                        ("↑", "green")
                        if delta > 0.5
                        else ("↓", "red")
                        if delta < -0.5
                        else ("→", "gray")
                    )
                    moved = f"{item.before:.0f} → {item.after:.0f} (:{color}[{arrow} {delta:+.0f}])"
                st.markdown(f"{item.reason_title}: readiness {moved}")
            if item.question_label:
                before = labels.get(item.answer_before, "unanswered")
                now = labels.get(item.answer_now, "unanswered")
                st.caption(f"{plain(item.question_label)}: {before} → {now}")
            if item.flagged:
                st.warning(
                    f"Marked done, yet “{plain(item.question_label)}” is still answered "
                    f"{labels.get(item.answer_now, item.answer_now)}: have a look whether the "
                    "action did what was meant, or reopen it.",
                    icon=":material/flag:",
                )


def _adopt_any(
    engine: Engine, review: PilotReview, content: Content, actions: Sequence[ActionRecord]
) -> None:
    taken = {a.question_id for a in actions if a.active}
    left = [a for a in review.result.actions if a.question_id not in taken]
    if not left:
        return
    with st.expander(f"Adopt another of the recommended actions ({len(left)})"):
        choice = st.selectbox(
            "Recommended action",
            left,
            format_func=lambda a: f"{a.text} ({a.owner})",
            key=f"{PREFIX}any_{review.assessment.id}",
            help="Every action of this result not yet in the register, most urgent first.",
        )
        st.button(
            "Adopt",
            key=f"{PREFIX}any_adopt_{review.assessment.id}",
            icon=":material/add_task:",
            on_click=_run,
            args=(_adopt, engine, review, choice),
            help="Adds it to the register for this pilot; owner and due date can be changed.",
        )


# Follow-up views (register page, portfolio, organisation view) -----------------------------


def metrics(actions: Sequence[ActionRecord], today: date) -> None:
    counts = register.counts(actions, today)
    cols = st.columns(4)
    cols[0].metric("To do", counts["to_do"], border=True, help="Open or in progress.")
    cols[1].metric("Overdue", counts["overdue"], border=True, help="To do, past the due date.")
    cols[2].metric("Done", counts["done"], border=True)
    cols[3].metric("Dropped", counts["dropped"], border=True)


def follow_up(
    engine: Engine, content: Content, key_prefix: str, today: date, *, with_metrics: bool = True
) -> None:
    """Open and overdue per business unit and owner, the oldest overdue, open vs done."""
    actions = register.list_actions(engine, today=today)
    if not actions:
        st.info(
            "No action in the register yet. Adopt actions from a pilot's results, from the "
            "organisation view's shared gaps or from a workshop, or add them by hand on the "
            "action register page.",
            icon=":material/checklist:",
        )
        st.page_link(PAGE, label="Open the action register", icon=":material/checklist:")
        return
    if with_metrics:
        metrics(actions, today)
    per_unit, over_time = _follow_up_pictures(
        followup.by_unit(actions, today), followup.over_time(actions, today)
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**Per business unit**")
        picture(per_unit)
    with right:
        st.markdown("**Still to do and done, day by day**")
        picture(over_time)
    left, right = st.columns(2)
    with left:
        st.markdown("**Per owner**")
        st.dataframe(
            followup.by_owner(actions, today),
            hide_index=True,
            width="stretch",
            column_config={
                "owner": "Owner",
                "open": "To do",
                "overdue": "Overdue",
                "done": "Done",
            },
            key=f"{key_prefix}owners",
        )
    with right:
        st.markdown("**Oldest overdue**")
        oldest = followup.oldest_overdue(actions, today)
        if not oldest:
            st.caption("Nothing is overdue.")
        for action in oldest:
            st.markdown(
                f"- {plain(action.title)}  \n  {plain(action.scope)} · "
                f"{plain(action.owner_or_none)} · {action.days_overdue(today)} days overdue"
            )
    if with_metrics:  # elsewhere than on the register itself: the way there
        st.page_link(PAGE, label="Open the action register", icon=":material/checklist:")


@st.cache_data(show_spinner=False, max_entries=16)
def _follow_up_pictures(units: pd.DataFrame, over_time: pd.DataFrame) -> tuple[str, str]:
    """The follow-up's two charts as SVG, drawn again only when the register changed."""
    content = cache.content()
    return (
        page_charts.actions_per_unit(units, content).svg(),
        page_charts.actions_over_time(over_time, content).svg(),
    )


def follow_up_section(engine: Engine, content: Content, key_prefix: str) -> None:
    """The follow-up under a heading, for the portfolio and the organisation view."""
    st.subheader("Actions in the register")
    _show_pending_problem()
    try:
        follow_up(engine, content, key_prefix, date.today())
    except DiagnosticError as exc:
        show_problem(exc)


# The register page ---------------------------------------------------------------------------


def _one_or_all(place, label: str, options: list[str], everyone: str, **widget) -> str:
    """A filter on one of `options`, or on none: "all", shown as `everyone`."""
    return place.selectbox(
        label, ["all", *options], format_func=lambda o: everyone if o == "all" else o, **widget
    )


def filters(engine: Engine, today: date) -> list[ActionRecord]:
    """Pilot, status, owner and overdue filters over the whole register."""
    everything = register.list_actions(engine, today=today)
    words = vocabulary()
    cols = st.columns(3)
    scope = _one_or_all(
        cols[0],
        "Pilot",
        [register.ORGANISATION, *sorted({a.pilot_name for a in everything if a.pilot_name})],
        "All pilots and the organisation",
        key=f"{PREFIX}filter_pilot",
        help="One pilot's actions, or those of the whole organisation.",
    )
    statuses = cols[1].multiselect(
        "Status",
        STATUSES,
        default=list(ACTIVE),
        format_func=words.label,
        key=f"{PREFIX}filter_status",
        help="Open and in progress by default: what is still to do.",
    )
    owner = _one_or_all(
        cols[2],
        "Owner",
        sorted({a.owner_or_none for a in everything}),
        "Everyone",
        key=f"{PREFIX}filter_owner",
        help="The actions one person or team owns.",
    )
    overdue = st.toggle(
        "Overdue only", key=f"{PREFIX}filter_overdue", help="Past their due date, not done."
    )
    chosen = [
        a
        for a in everything
        if (scope == "all" or a.scope == scope)
        and (not statuses or a.status in statuses)
        and (owner == "all" or a.owner_or_none == owner)
        and (not overdue or a.overdue(today))
    ]
    return chosen


def add_form(engine: Engine, content: Content, today: date) -> None:
    """An action added by hand, for a pilot or the whole organisation."""
    from diagnostics.storage import store

    pilots = store.list_pilots(engine)
    questions = [None, *content.questions]
    with st.form(key=f"{PREFIX}add_form", clear_on_submit=True):
        pilot = st.selectbox(
            "For",
            [None, *pilots],
            format_func=lambda p: register.ORGANISATION if p is None else p.name,
            key=f"{PREFIX}add_pilot",
            help="A pilot, or the whole organisation for a change every pilot needs.",
        )
        question = st.selectbox(
            "Question it addresses (optional)",
            questions,
            format_func=lambda q: "—" if q is None else f"{q.short_label} ({q.id})",
            key=f"{PREFIX}add_question",
            help="Links the action to a question, so the pilot's next assessment shows it "
            "beside that question and says whether its reason moved.",
        )
        title = _text_field(
            st,
            "title",
            f"{PREFIX}add",
            placeholder="e.g. Agree two numeric success targets with the sponsor",
        )
        left, right = st.columns(2)
        owner = _text_field(
            left, "owner", f"{PREFIX}add", placeholder="e.g. Data lead or ana.costa@example.org"
        )
        due = right.date_input(
            "Due date",
            value=register.default_due(today),
            min_value=today,
            key=f"{PREFIX}add_due",
            help="Today or later; an action past it is listed as overdue.",
        )
        note = st.text_area(
            "Note (optional)", key=f"{PREFIX}add_note", help="Context, who else is involved."
        )
        if st.form_submit_button("Add the action", type="primary", icon=":material/add_task:"):
            try:
                action = register.add_action(
                    engine,
                    title=title,
                    pilot_id=pilot.id if pilot else None,
                    question_id=question.id if question else None,
                    reason=question.reason if question else None,
                    owner=owner,
                    due_date=due,
                    note=note,
                    today=today,
                )
            except DiagnosticError as exc:
                show_problem(exc)
            else:
                st.success(f"Added: {plain(action.title)}", icon=":material/task_alt:")


def exchange_panel(engine: Engine, content: Content, today: date) -> None:
    """Download the register for an issue tracker; read an edited sheet back."""
    st.write(
        "The sheet has the columns issue trackers import (Summary, Description, Assignee, Due "
        "date, Labels, Status) and the register's own Action ID. Edit statuses, assignees or "
        "due dates in it, or in your tracker, and read it back here: each row updates its "
        "action by that id, never adding a copy."
    )

    actions = register.list_actions(engine, today=today)

    def built(ext: str):
        return lambda: exchange.export_bytes(actions, content, ext)

    prepared_row(
        [
            ReportFile(
                "Register (xlsx)",
                "xlsx",
                built("xlsx"),
                exchange.export_filename(today, "xlsx"),
                "Every action with the columns issue trackers import and its Action ID.",
            ),
            ReportFile(
                "Register (csv)",
                "csv",
                built("csv"),
                exchange.export_filename(today, "csv"),
                "The same sheet as csv, for trackers that import csv only.",
            ),
        ],
        f"{PREFIX}register_",
        # Every action as it stands today: a change to any drops files built before it.
        basis=hashlib.sha256(repr((actions, today)).encode()).hexdigest(),
        per_row=2,
        help="Builds the register as xlsx and csv from the actions as they stand now; the "
        "download buttons appear here.",
    )
    upload = st.file_uploader(
        "Read an edited sheet back",
        type=["xlsx", "csv"],
        key=f"{PREFIX}upload",
        help="The xlsx or csv exported here (or from your tracker with the Action ID column). "
        "If any cell cannot be read, nothing is changed and the cells are listed.",
    )
    if upload is not None and st.button(
        "Update the register from this sheet",
        type="primary",
        key=f"{PREFIX}import",
        icon=":material/upload:",
        help="Statuses, assignees, due dates, notes and summaries are taken from the sheet.",
    ):
        try:
            with st.spinner("Reading the sheet…"):
                report = exchange.import_sheet(engine, upload.getvalue(), upload.name, today=today)
        except DiagnosticError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.success(report.summary(), icon=":material/task_alt:")
            for change in report.updated[:20]:
                st.markdown(
                    f"- #{change.action_id} {plain(change.title)}: {', '.join(change.changes)}"
                )

"""The action register: what was agreed to fix, who does it, by when, and whether it is done.

An action is adopted from a recommendation (a self-assessment's result, a workshop's agreed
answers, a systemic gap of the organisation view) or added by hand. It belongs to one pilot
or, with no pilot, to the whole organisation; every change of its status is kept, so the
register can say when it was done and what it looked like on any past day. Functions take
an engine and return plain records, like the rest of the storage layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from diagnostics.actions.vocabulary import ACTIVE, CLOSED, SOURCES, STATUSES, vocabulary
from diagnostics.errors import DiagnosticError, NotFoundError
from diagnostics.storage import store
from diagnostics.storage.models import ActionStatusChange, Pilot, RegisterAction, utcnow
from diagnostics.storage.rows import as_utc, record_from

ORGANISATION = "Whole organisation"  # where an action without a pilot is listed
NO_OWNER = "No owner yet"
NO_UNIT = "Unassigned"
MAX_TITLE = 1000
MAX_NOTE = 4000
MAX_OWNER = 120

# One person or team: a name or role (letters first; then letters, digits, spaces and
# . ' - & / ( ) _), an e-mail address, or both as "Name <e-mail>".
_NAME = r"[^\W\d_][\w .'’&/()-]*"
_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
_OWNER = re.compile(rf"^(?:{_NAME}|{_EMAIL}|{_NAME} <{_EMAIL}>)$")


class ActionError(DiagnosticError):
    """An action's field is not acceptable; the message says which and how to fix it."""


@dataclass(frozen=True)
class StatusChange:
    from_status: str | None
    to_status: str
    via: str
    changed_at: datetime


@dataclass(frozen=True)
class ActionRecord:
    id: int
    pilot_id: int | None
    pilot_name: str | None
    business_unit: str | None
    assessment_id: int | None
    question_id: str | None
    reason: str | None
    title: str
    owner: str | None
    due_date: date | None
    status: str
    note: str | None
    source: str
    source_ref: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    history: tuple[StatusChange, ...] = ()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def overdue(self, today: date) -> bool:
        return self.active and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_date).days if self.overdue(today) else 0

    @property
    def scope(self) -> str:
        return self.pilot_name or ORGANISATION

    @property
    def unit(self) -> str:
        if self.pilot_id is None:
            return ORGANISATION
        return self.business_unit or NO_UNIT

    @property
    def owner_or_none(self) -> str:
        return self.owner or NO_OWNER

    def status_on(self, day: date) -> str | None:
        """Its status at the end of `day` (None before it was created), from its history."""
        status = None
        for change in self.history:
            if change.changed_at.date() > day:
                break
            status = change.to_status
        return status


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 action', '3 actions'."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


# Checking fields ----------------------------------------------------------------------------


def clean_owner(owner: object) -> str | None:
    """One person or team, as a name, a role or an e-mail address; None when left blank."""
    text = " ".join(str(owner or "").split())
    if not text:
        return None
    if len(text) > MAX_OWNER or not _OWNER.match(text):
        several = any(mark in text for mark in ",;|+") or " and " in f" {text.lower()} "
        hint = " An action has one owner: pick one and name the others in the note." * several
        raise ActionError(
            f"Owner {text[:MAX_OWNER]!r} is not a name, a role or an e-mail address. Write one "
            "person or team, like 'Data lead', 'Ana Costa', 'ana.costa@example.org' or "
            f"'Ana Costa <ana.costa@example.org>' (at most {MAX_OWNER} characters).{hint}"
        )
    return text


def clean_title(title: object) -> str:
    text = " ".join(str(title or "").split())
    if not text:
        raise ActionError("An action needs a title: say in a sentence what will be done.")
    return text[:MAX_TITLE]


def clean_note(note: object) -> str | None:
    text = str(note or "").strip()
    return text[:MAX_NOTE] or None


def check_status(status: str) -> str:
    if status not in STATUSES:
        words = vocabulary()
        raise ActionError(f"Unknown status {status!r}: use one of {words.status_list()}.")
    return status


def check_new_due_date(due: date | None, today: date) -> date | None:
    """A new action may not be due in the past (it would start overdue)."""
    if due is not None and due < today:
        raise ActionError(
            f"The due date {due.isoformat()} is before today ({today.isoformat()}): a new action "
            "cannot start overdue. Pick today or a later day."
        )
    return due


def default_due(today: date) -> date:
    return today + timedelta(days=vocabulary().default_due_days)


# Reading -----------------------------------------------------------------------------------


def _records(session: Session, rows: Iterable[RegisterAction]) -> list[ActionRecord]:
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    pilots = {
        p.id: p
        for p in session.scalars(
            select(Pilot).where(Pilot.id.in_({r.pilot_id for r in rows if r.pilot_id}))
        )
    }
    history: dict[int, list[StatusChange]] = {i: [] for i in ids}
    for change in session.scalars(
        select(ActionStatusChange)
        .where(ActionStatusChange.action_id.in_(ids))
        .order_by(ActionStatusChange.changed_at, ActionStatusChange.id)
    ):
        history[change.action_id].append(
            StatusChange(
                change.from_status, change.to_status, change.via, as_utc(change.changed_at)
            )
        )
    out = []
    for r in rows:
        pilot = pilots.get(r.pilot_id)
        out.append(
            record_from(
                ActionRecord,
                r,
                pilot_name=pilot.name if pilot else None,
                business_unit=pilot.business_unit if pilot else None,
                created_at=as_utc(r.created_at),
                updated_at=as_utc(r.updated_at),
                completed_at=as_utc(r.completed_at),
                history=tuple(history[r.id]),
            )
        )
    return out


def sort_for_follow_up(actions: Iterable[ActionRecord], today: date) -> list[ActionRecord]:
    """Overdue first (longest overdue on top), then the rest still to do by due date, then
    done and dropped (latest first)."""

    def key(a: ActionRecord) -> tuple:
        if a.overdue(today):
            return (0, a.due_date.toordinal(), a.id)
        if a.active:
            return (1, a.due_date.toordinal() if a.due_date else 10**7, a.id)
        return (2 if a.status == "done" else 3, -a.updated_at.timestamp(), a.id)

    return sorted(actions, key=key)


def list_actions(
    engine: Engine,
    *,
    pilot_id: int | None = None,
    pilot_name: str | None = None,
    organisation_only: bool = False,
    statuses: Iterable[str] | None = None,
    overdue_only: bool = False,
    today: date | None = None,
) -> list[ActionRecord]:
    """Actions in follow-up order (overdue first), filtered by pilot, status, overdue."""
    today = today or date.today()
    with store.session_scope(engine) as session:
        query = select(RegisterAction)
        if pilot_id is not None:
            query = query.where(RegisterAction.pilot_id == pilot_id)
        if organisation_only:
            query = query.where(RegisterAction.pilot_id.is_(None))
        if pilot_name is not None:
            wanted = " ".join(pilot_name.split()).lower()
            ids = [p.id for p in session.scalars(select(Pilot)) if p.name.strip().lower() == wanted]
            if not ids:
                raise NotFoundError(
                    f"No pilot is called {pilot_name!r}. List the pilots with actions with "
                    "`python -m diagnostics actions list`."
                )
            query = query.where(RegisterAction.pilot_id.in_(ids))
        if statuses is not None:
            query = query.where(RegisterAction.status.in_(list(statuses)))
        records = _records(session, session.scalars(query.order_by(RegisterAction.id)))
    if overdue_only:
        records = [a for a in records if a.overdue(today)]
    return sort_for_follow_up(records, today)


def _action_row(session: Session, action_id: int) -> RegisterAction:
    """The register row of an action, or NotFoundError naming the id."""
    row = session.get(RegisterAction, action_id)
    if row is None:
        raise NotFoundError(f"No action with id {action_id} in the register.")
    return row


def get_action(engine: Engine, action_id: int) -> ActionRecord:
    with store.session_scope(engine) as session:
        return _records(session, [_action_row(session, action_id)])[0]


def open_by_question(engine: Engine, pilot_id: int) -> dict[str, list[ActionRecord]]:
    """A pilot's actions still to do, by the question they address."""
    out: dict[str, list[ActionRecord]] = {}
    for action in list_actions(engine, pilot_id=pilot_id, statuses=ACTIVE):
        if action.question_id:
            out.setdefault(action.question_id, []).append(action)
    return out


# Writing -----------------------------------------------------------------------------------


def log_change(session: Session, row: RegisterAction, before: str | None, via: str, at: datetime):
    session.add(
        ActionStatusChange(
            action_id=row.id, from_status=before, to_status=row.status, via=via, changed_at=at
        )
    )


def set_status(row: RegisterAction, status: str, at: datetime) -> None:
    row.status = status
    if status == "done":
        row.completed_at = row.completed_at or at
    else:
        row.completed_at = None


def add_action(
    engine: Engine,
    *,
    title: str,
    pilot_id: int | None = None,
    question_id: str | None = None,
    reason: str | None = None,
    owner: str | None = None,
    due_date: date | None = None,
    status: str = "open",
    note: str | None = None,
    source: str = "manual",
    source_ref: str | None = None,
    assessment_id: int | None = None,
    today: date | None = None,
    via: str = "app",
) -> ActionRecord:
    """Add an action; adopting the same recommendation twice returns the action already there.

    `source_ref` names the recommendation (e.g. `assessment:12:bp_success_criteria`); for a
    pilot's question, an action still to do for the same question is also returned as is.
    """
    today = today or date.today()
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    fields = {
        "title": clean_title(title),
        "owner": clean_owner(owner),
        "due_date": check_new_due_date(due_date, today),
        "status": check_status(status),
        "note": clean_note(note),
    }
    with store.session_scope(engine, write=True) as session:
        if pilot_id is not None and session.get(Pilot, pilot_id) is None:
            raise NotFoundError(f"No pilot with id {pilot_id}.")
        existing = _already_adopted(session, source_ref, pilot_id, question_id)
        if existing is not None:
            return _records(session, [existing])[0]
        now = utcnow()
        row = RegisterAction(
            pilot_id=pilot_id,
            assessment_id=assessment_id,
            question_id=question_id,
            reason=reason,
            source=source,
            source_ref=source_ref,
            created_at=now,
            updated_at=now,
            **fields,
        )
        set_status(row, fields["status"], now)
        session.add(row)
        session.flush()
        log_change(session, row, None, via, now)
        session.flush()
        return _records(session, [row])[0]


def _already_adopted(
    session: Session, source_ref: str | None, pilot_id: int | None, question_id: str | None
) -> RegisterAction | None:
    if source_ref:
        found = session.scalar(
            select(RegisterAction)
            .where(RegisterAction.source_ref == source_ref)
            .order_by(RegisterAction.id)
        )
        if found is not None:
            return found
    if source_ref and question_id:  # the same question of the same pilot, still being done
        return session.scalar(
            select(RegisterAction)
            .where(
                RegisterAction.question_id == question_id,
                RegisterAction.status.in_(ACTIVE),
                RegisterAction.pilot_id.is_(None)
                if pilot_id is None
                else RegisterAction.pilot_id == pilot_id,
            )
            .order_by(RegisterAction.id)
        )
    return None


_UNSET = object()


def update_action(
    engine: Engine, action_id: int, *, today: date | None = None, **changes: object
) -> ActionRecord:
    """Change an action; a new status is written to its history (done sets completed_at).

    `changes` are those `apply_changes` takes (status, owner, due_date, note, title, via).
    A due date moved to a day in the past is refused, as on creation; one left as it was
    stays, even when it has passed (the action is then overdue).
    """
    with store.session_scope(engine, write=True) as session:
        row = _action_row(session, action_id)
        apply_changes(session, row, today=today or date.today(), **changes)
        session.flush()
        return _records(session, [row])[0]


def apply_changes(
    session: Session,
    row: RegisterAction,
    *,
    status: str | None = None,
    owner: object = _UNSET,
    due_date: object = _UNSET,
    note: object = _UNSET,
    title: object = _UNSET,
    via: str = "app",
    today: date,
    at: datetime | None = None,
) -> bool:
    """Apply checked changes to a row in an open session; True when anything changed."""
    at = at or utcnow()
    changed = False
    if owner is not _UNSET and clean_owner(owner) != row.owner:
        row.owner, changed = clean_owner(owner), True
    if due_date is not _UNSET and due_date != row.due_date:
        row.due_date, changed = check_new_due_date(due_date, today), True
    if note is not _UNSET and clean_note(note) != row.note:
        row.note, changed = clean_note(note), True
    if title is not _UNSET and clean_title(title) != row.title:
        row.title, changed = clean_title(title), True
    if status is not None and check_status(status) != row.status:
        before = row.status
        set_status(row, status, at)
        log_change(session, row, before, via, at)
        changed = True
    if changed:
        row.updated_at = at
    return changed


def delete_action(engine: Engine, action_id: int) -> None:
    """Remove an action added by mistake (with its history); dropping it keeps the record."""
    with store.session_scope(engine, write=True) as session:
        session.delete(_action_row(session, action_id))


def counts(actions: Iterable[ActionRecord], today: date) -> dict[str, int]:
    """How many actions are open, in progress, overdue, done and dropped."""
    actions = list(actions)
    out = {s: sum(a.status == s for a in actions) for s in STATUSES}
    out["overdue"] = sum(a.overdue(today) for a in actions)
    out["to_do"] = out["open"] + out["in_progress"]
    return out


__all__ = [
    "ACTIVE",
    "CLOSED",
    "ActionError",
    "ActionRecord",
    "StatusChange",
    "add_action",
    "apply_changes",
    "clean_owner",
    "counts",
    "default_due",
    "delete_action",
    "get_action",
    "list_actions",
    "open_by_question",
    "plural",
    "sort_for_follow_up",
    "update_action",
]

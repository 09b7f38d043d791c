"""The action register on a SQLite file and on PostgreSQL: adopting, changing status with its
history, the checks on owners, dates and statuses, the carry-over into a re-assessment with
readiness before and after, and the follow-up tables per unit and owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from diagnostics.actions import followup, register
from diagnostics.actions.register import ActionError, ActionRecord, StatusChange
from diagnostics.actions.vocabulary import Vocabulary, vocabulary
from diagnostics.errors import ContentError, NotFoundError
from diagnostics.framework.content import load_content
from diagnostics.framework.review import load_review
from diagnostics.storage import store

TODAY = date.today()
START_QUESTIONS = {
    "bp_problem_statement": "no",
    "bp_success_criteria": "no",
    "bp_timeframe": "yes",
    "dr_sources_access": "no",
    "dr_prep_time_planned": "yes",
    "dr_production_profile": "yes",
}


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture
def engine(db_url: str):
    engine = store.make_engine(db_url)
    store.migrate(engine)
    yield engine
    engine.dispose()


def _pilot(engine, name="Ticket routing", unit="Customer service"):
    return store.create_pilot(engine, name, business_unit=unit)


def _assessment(engine, pilot_id, content, answers, position="about_to_start"):
    record = store.start_assessment(engine, pilot_id, content.version, position=position)
    store.save_answers(engine, record.id, answers)
    return record


def test_an_action_keeps_the_history_of_its_status(engine) -> None:
    pilot = _pilot(engine)
    action = register.add_action(
        engine, title="  Write the   problem statement ", pilot_id=pilot.id, owner="Ana Costa"
    )
    assert (action.title, action.status, action.owner) == (
        "Write the problem statement",
        "open",
        "Ana Costa",
    )
    assert action.pilot_name == "Ticket routing"
    assert action.unit == "Customer service"
    register.update_action(engine, action.id, status="in_progress")
    done = register.update_action(engine, action.id, status="done", via="cli")
    assert done.completed_at is not None
    assert [(c.from_status, c.to_status, c.via) for c in done.history] == [
        (None, "open", "app"),
        ("open", "in_progress", "app"),
        ("in_progress", "done", "cli"),
    ]
    reopened = register.update_action(engine, action.id, status="open")
    assert reopened.completed_at is None
    assert len(reopened.history) == 4
    # The same status again is no change and leaves no trace.
    assert len(register.update_action(engine, action.id, status="open").history) == 4


def test_adopting_the_same_recommendation_twice_keeps_one_action(engine, content) -> None:
    pilot = _pilot(engine)
    first = _assessment(engine, pilot.id, content, START_QUESTIONS)
    review = load_review(engine, content, assessment_id=first.id, today=TODAY)
    item = next(a for a in review.result.actions if a.question_id == "bp_problem_statement")
    adopted = followup.adopt_recommendation(engine, review, item)
    again = followup.adopt_recommendation(engine, review, item)
    assert again.id == adopted.id
    assert adopted.owner == "Product owner"  # the framework's owner for this action
    assert adopted.due_date == TODAY + timedelta(days=vocabulary().default_due_days)
    assert (adopted.source, adopted.question_id, adopted.reason) == (
        "assessment",
        "bp_problem_statement",
        "business_problem",
    )
    # A later assessment recommends it again: the action still open is the one shown.
    second = _assessment(engine, pilot.id, content, START_QUESTIONS)
    later = load_review(engine, content, assessment_id=second.id, today=TODAY)
    item2 = next(a for a in later.result.actions if a.question_id == "bp_problem_statement")
    assert followup.adopt_recommendation(engine, later, item2).id == adopted.id
    assert len(register.list_actions(engine)) == 1


@pytest.mark.parametrize(
    "owner",
    [
        "Data lead",
        "Ana Costa",
        "Zoë O’Neill-Brown",
        "HR / transformation office",
        "Governance & risk",
        "ana.costa@example.org",
        "Ana Costa <ana.costa@example.org>",
        "jdoe_2",
    ],
)
def test_owners_people_write_are_accepted(owner: str) -> None:
    assert register.clean_owner(f"  {owner} ") == owner


@pytest.mark.parametrize(
    ("owner", "hint"),
    [
        ("Ana, Ben", "one owner"),
        ("Ana; Ben", "one owner"),
        ("ana@", "e-mail"),
        ("12345", "name, a role or an e-mail"),
        ("=HYPERLINK(x)", "name, a role or an e-mail"),
        ("<script>", "name, a role or an e-mail"),
        ("A" * 121, "at most 120"),
    ],
)
def test_an_owner_in_an_unknown_format_is_refused_with_what_to_write(owner, hint) -> None:
    with pytest.raises(ActionError, match="not a name, a role or an e-mail") as error:
        register.clean_owner(owner)
    assert hint in str(error.value)


@given(hs.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_owner_text_is_either_accepted_as_one_line_or_refused_plainly(text: str) -> None:
    try:
        cleaned = register.clean_owner(text)
    except ActionError as exc:
        message = str(exc)
    else:
        message = None
        assert cleaned is None or (cleaned == " ".join(cleaned.split()) and len(cleaned) <= 120)
    assert message is None or "Write one person or team" in message


def test_bad_input_on_creation_is_refused_and_nothing_is_saved(engine) -> None:
    pilot = _pilot(engine)
    before = store.count_rows(engine)
    with pytest.raises(ActionError, match="before today"):
        register.add_action(engine, title="x", due_date=TODAY - timedelta(days=1))
    with pytest.raises(ActionError, match="needs a title"):
        register.add_action(engine, title="   ")
    with pytest.raises(ActionError, match=r"Unknown status 'finished'.*Open, In progress"):
        register.add_action(engine, title="x", status="finished")
    with pytest.raises(ActionError, match="not a name"):
        register.add_action(engine, title="x", pilot_id=pilot.id, owner="a;b")
    with pytest.raises(NotFoundError):
        register.add_action(engine, title="x", pilot_id=pilot.id + 99)
    assert store.count_rows(engine) == before


def test_a_passed_due_date_stays_but_cannot_be_set_anew(engine) -> None:
    action = register.add_action(engine, title="x", due_date=TODAY, today=TODAY)
    # Two days later the action is overdue; changing its owner keeps the date.
    later = TODAY + timedelta(days=2)
    kept = register.update_action(engine, action.id, owner="Data lead", today=later)
    assert kept.due_date == TODAY
    assert kept.overdue(later)
    assert kept.days_overdue(later) == 2
    with pytest.raises(ActionError, match="before today"):
        register.update_action(engine, action.id, due_date=TODAY + timedelta(1), today=later)
    register.update_action(engine, action.id, status="done", today=later)
    assert not register.get_action(engine, action.id).overdue(later)


def test_the_register_lists_overdue_first_and_filters(engine) -> None:
    routing, chat = _pilot(engine), _pilot(engine, "Chat assistant", "Sales")
    day = TODAY
    a = register.add_action(engine, title="a", pilot_id=routing.id, due_date=day + timedelta(9))
    b = register.add_action(engine, title="b", pilot_id=chat.id, due_date=day, today=day)
    c = register.add_action(engine, title="c", due_date=day, today=day)  # whole organisation
    d = register.add_action(engine, title="d", pilot_id=routing.id, due_date=day + timedelta(1))
    register.update_action(engine, d.id, status="done")
    later = day + timedelta(days=3)  # b and c are 3 days overdue, a is not due yet
    listed = register.list_actions(engine, today=later)
    assert [x.id for x in listed] == [b.id, c.id, a.id, d.id]
    assert [x.id for x in register.list_actions(engine, overdue_only=True, today=later)] == [
        b.id,
        c.id,
    ]
    assert [x.id for x in register.list_actions(engine, pilot_name=" ticket  ROUTING")] == [
        a.id,
        d.id,
    ]
    assert c.scope == "Whole organisation"
    assert c.unit == "Whole organisation"
    with pytest.raises(NotFoundError, match="No pilot is called 'Nope'"):
        register.list_actions(engine, pilot_name="Nope")
    assert register.counts(listed, later) == {
        "open": 3,
        "in_progress": 0,
        "done": 1,
        "dropped": 0,
        "overdue": 2,
        "to_do": 3,
    }


def test_the_reassessment_shows_done_actions_and_the_move_of_their_reasons(engine, content) -> None:
    """The manager's loop: adopt three actions, mark two done, assess again."""
    pilot = _pilot(engine)
    first = _assessment(engine, pilot.id, content, START_QUESTIONS)
    review = load_review(engine, content, assessment_id=first.id, today=TODAY)
    items = {a.question_id: a for a in review.result.actions}
    adopted = {
        q: followup.adopt_recommendation(engine, review, items[q])
        for q in ("bp_problem_statement", "bp_success_criteria", "dr_sources_access")
    }
    register.update_action(engine, adopted["bp_problem_statement"].id, status="done")
    register.update_action(engine, adopted["dr_sources_access"].id, status="done")

    second = _assessment(
        engine,
        pilot.id,
        content,
        {**START_QUESTIONS, "bp_problem_statement": "yes", "dr_sources_access": "partly"},
    )
    again = load_review(engine, content, assessment_id=second.id, today=TODAY)
    carry = followup.carry_over_for(engine, again, content)

    assert carry.since == first.created_at.date()
    done = {c.action.question_id: c for c in carry.completed}
    assert set(done) == {"bp_problem_statement", "dr_sources_access"}
    # Business problem at the start: weights 2 (statement), 2 (criteria), 1 (timeframe).
    # Before: only the timeframe is Yes, 1/5 = 20; after: statement Yes too, 3/5 = 60.
    problem = done["bp_problem_statement"]
    assert (problem.before, problem.after) == pytest.approx((20.0, 60.0))
    assert problem.moved == pytest.approx(40.0)
    assert (problem.answer_before, problem.answer_now, problem.flagged) == ("no", "yes", False)
    # Data readiness: weights 1.5 (sources), 1, 1. Before 2/3.5; after Partly: 2.75/3.5.
    data = done["dr_sources_access"]
    assert data.before == pytest.approx(100 * 2 / 3.5)
    assert data.after == pytest.approx(100 * 2.75 / 3.5)
    assert data.answer_now == "partly"
    assert data.flagged
    assert [c.action.question_id for c in carry.flagged] == ["dr_sources_access"]
    assert [a.question_id for a in carry.still_open] == ["bp_success_criteria"]
    # Beside each question of the re-assessment: its open actions.
    assert list(register.open_by_question(engine, pilot.id)) == ["bp_success_criteria"]


def test_the_first_assessment_has_nothing_to_carry_over(engine, content) -> None:
    pilot = _pilot(engine)
    first = _assessment(engine, pilot.id, content, START_QUESTIONS)
    review = load_review(engine, content, assessment_id=first.id, today=TODAY)
    item = review.result.actions[0]
    action = followup.adopt_recommendation(engine, review, item)
    register.update_action(engine, action.id, status="done")
    carry = followup.carry_over_for(engine, review, content)
    assert carry.since is None
    assert carry.completed == []


def test_an_action_done_before_the_previous_assessment_is_not_counted_again(
    engine, content
) -> None:
    pilot = _pilot(engine)
    first = _assessment(engine, pilot.id, content, START_QUESTIONS)
    review = load_review(engine, content, assessment_id=first.id, today=TODAY)
    action = followup.adopt_recommendation(engine, review, review.result.actions[0])
    register.update_action(engine, action.id, status="done")
    second = _assessment(engine, pilot.id, content, START_QUESTIONS)
    third = _assessment(engine, pilot.id, content, START_QUESTIONS)
    at_second = load_review(engine, content, assessment_id=second.id, today=TODAY)
    at_third = load_review(engine, content, assessment_id=third.id, today=TODAY)
    assert len(followup.carry_over_for(engine, at_second, content).completed) == 1
    assert followup.carry_over_for(engine, at_third, content).completed == []


def test_workshop_and_organisation_actions_are_adopted_once(engine, content) -> None:
    from diagnostics.workshop import AgreedAction

    pilot = _pilot(engine)
    assessment = _assessment(engine, pilot.id, content, START_QUESTIONS)
    agreed = [
        AgreedAction("bp_problem_statement", "Write it", "Ana Costa", TODAY + timedelta(7)),
        AgreedAction("dr_sources_access", "Get access", "Ana; Ben", None),
        AgreedAction("bp_success_criteria", "Set targets", None, TODAY - timedelta(3)),
    ]
    kwargs = {
        "pilot_id": pilot.id,
        "assessment_id": assessment.id,
        "agreed": agreed,
        "content": content,
        "today": TODAY,
    }
    taken, problems = followup.adopt_workshop_actions(engine, **kwargs)
    assert [a.title for a in taken] == ["Write it", "Set targets"]
    assert taken[1].due_date is None  # a date already passed is not carried over
    assert len(problems) == 1
    assert problems[0].startswith("Data sources accessible") is False
    assert "one owner" in problems[0]
    again, _ = followup.adopt_workshop_actions(engine, **kwargs)
    assert [a.id for a in again] == [a.id for a in taken]
    gap = followup.adopt_systemic_gap(
        engine,
        question_id="ob_production_budget_owner",
        reason="organizational_buy_in",
        text="Tie every pilot to a funding line",
        owner="CFO office",
        today=TODAY,
    )
    assert gap.pilot_id is None
    assert gap.source == "organisation"
    assert (
        followup.adopt_systemic_gap(
            engine,
            question_id="ob_production_budget_owner",
            reason="organizational_buy_in",
            text="Tie every pilot to a funding line",
            owner="CFO office",
            today=TODAY,
        ).id
        == gap.id
    )
    assert len(register.list_actions(engine)) == 3


# The fields every record of the follow-up tests leaves empty.
_EMPTY = dict.fromkeys(
    ("assessment_id", "question_id", "reason", "note", "source_ref", "completed_at")
)


def _record(i, *, status="open", due=None, owner=None, unit="Sales", pilot=1, history=()):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ActionRecord(
        id=i,
        pilot_id=pilot,
        pilot_name=None if pilot is None else f"P{pilot}",
        business_unit=unit,
        source="manual",
        title=f"a{i}",
        owner=owner,
        due_date=due,
        status=status,
        created_at=now,
        updated_at=now,
        history=tuple(history),
        **_EMPTY,
    )


def test_follow_up_per_unit_and_owner_counts_by_hand() -> None:
    day = date(2026, 3, 10)
    past, future = day - timedelta(days=5), day + timedelta(days=5)
    actions = [
        _record(1, due=past, owner="Ana", unit="Sales"),
        _record(2, due=past - timedelta(10), owner="Ana", unit="Sales", status="in_progress"),
        _record(3, due=future, owner="Ben", unit="Sales"),
        _record(4, due=past, owner="Ben", unit="Finance", status="done"),
        _record(5, due=past, owner=None, unit=None),
        _record(6, due=past, owner="Ana", pilot=None, unit=None, status="dropped"),
    ]
    units = followup.by_unit(actions, day).to_dict("records")
    assert units == [
        {"business_unit": "Sales", "open": 3, "overdue": 2, "done": 0},
        {"business_unit": "Unassigned", "open": 1, "overdue": 1, "done": 0},
        {"business_unit": "Finance", "open": 0, "overdue": 0, "done": 1},
        {"business_unit": "Whole organisation", "open": 0, "overdue": 0, "done": 0},
    ]
    owners = followup.by_owner(actions, day).to_dict("records")
    assert owners[0] == {"owner": "Ana", "open": 2, "overdue": 2, "done": 0}
    assert {"owner": "No owner yet", "open": 1, "overdue": 1, "done": 0} in owners
    assert [a.id for a in followup.oldest_overdue(actions, day, n=2)] == [2, 1]


def test_open_and_done_over_time_follow_each_status_change() -> None:
    def at(day: int) -> datetime:
        return datetime(2026, 3, day, 9, tzinfo=UTC)

    actions = [
        _record(1, history=[StatusChange(None, "open", "app", at(1))]),
        _record(
            2,
            history=[
                StatusChange(None, "open", "app", at(1)),
                StatusChange("open", "done", "app", at(3)),
            ],
        ),
        _record(
            3,
            history=[
                StatusChange(None, "open", "app", at(2)),
                StatusChange("open", "done", "app", at(2)),  # done the same day: never open
                StatusChange("done", "in_progress", "import", at(4)),  # reopened
            ],
        ),
    ]
    frame = followup.over_time(actions, date(2026, 3, 5))
    assert frame["open"].tolist() == [2, 2, 1, 2, 2]
    assert frame["done"].tolist() == [0, 1, 2, 1, 1]
    # The same counts as asking each action for its status on each day.
    for row in frame.itertuples():
        statuses = [a.status_on(row.day) for a in actions]
        assert row.open == sum(s in ("open", "in_progress") for s in statuses)


def test_a_broken_vocabulary_file_names_the_bad_entry(tmp_path) -> None:
    good = vocabulary()
    assert good.status_for("Won’t Do") == "dropped"
    assert good.status_for(" TO  do ") == "open"
    assert good.status_for("finished") == "done"
    assert good.status_for("maybe") is None
    path = tmp_path / "actions.yaml"
    raw = good.model_dump()
    raw["statuses"]["done"]["tracker"].append("to do")
    import yaml

    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ContentError, match=r"'to do' is given to (open and done|done and open)"):
        vocabulary(path)
    raw["statuses"].pop("dropped")
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ContentError, match="statuses must be exactly"):
        vocabulary(path)
    assert isinstance(good, Vocabulary)

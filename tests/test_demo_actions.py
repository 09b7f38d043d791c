"""The demo (`init-db --demo`, what `make run` starts with) has register actions: some
overdue, some done, one dropped, each dated as the demo file says, so the register, the
follow-up and the overdue counts are filled for a new user."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from diagnostics.actions import followup
from diagnostics.actions.register import counts, list_actions
from diagnostics.demo import DEMO_PILOTS_PATH, load_demo_pilots
from diagnostics.errors import ContentError
from diagnostics.framework.content import load_content
from diagnostics.framework.review import load_review
from diagnostics.storage import store

CONTENT = load_content()


@pytest.fixture
def demo(demo_sqlite_url: str):
    engine = store.make_engine(demo_sqlite_url)
    yield engine
    engine.dispose()


def test_the_demo_register_has_overdue_open_done_and_dropped_actions(demo) -> None:
    today = date.today()
    actions = list_actions(demo, today=today)
    assert len(actions) == 8
    assert counts(actions, today) == {
        "open": 4, "in_progress": 1, "done": 2, "dropped": 1, "overdue": 2, "to_do": 5,
    }  # fmt: skip
    # every one belongs to a demo pilot, none to the whole organisation
    pilots = {p.id: p for p in store.list_pilots(demo)}
    assert all(a.pilot_id is not None and pilots[a.pilot_id].is_demo for a in actions)
    # the most overdue first: 30 and 9 days late
    late = followup.oldest_overdue(actions, today)
    assert [(a.pilot_name, a.days_overdue(today)) for a in late] == [
        ("Spare-parts demand forecast", 30),
        ("Support ticket routing assistant", 9),
    ]


def test_the_follow_up_per_unit_counts_them(demo) -> None:
    today = date.today()
    table = followup.by_unit(list_actions(demo, today=today), today)
    rows = {
        r["business_unit"]: (r["open"], r["overdue"], r["done"]) for r in table.to_dict("records")
    }
    assert rows == {
        "Customer Service": (2, 1, 1),
        "Operations": (1, 1, 0),
        "Finance": (1, 0, 1),
        "Legal": (1, 0, 0),
    }


def test_each_action_is_dated_as_the_demo_file_says(demo) -> None:
    today = date.today()
    now = datetime.now(UTC)
    by_title = {a.title: a for a in list_actions(demo, today=today)}
    done = by_title["Write down the success measure: tickets routed right the first time"]
    assert done.status == "done"
    assert abs(done.completed_at - (now - timedelta(weeks=3))) < timedelta(hours=1)
    assert [(c.from_status, c.to_status) for c in done.history] == [
        (None, "open"),
        ("open", "done"),
    ]
    assert abs(done.history[0].changed_at - (now - timedelta(weeks=5))) < timedelta(hours=1)
    assert done.due_date == today - timedelta(days=21)
    # adopted against the reason's first question not answered Yes (Yes, Yes, Partly, ...)
    assert done.question_id == CONTENT.questions_for("business_problem")[2].id
    # the open-vs-done curve starts when the first action was adopted, 12 weeks ago
    curve = followup.over_time(list(by_title.values()), today)
    assert curve["day"].iloc[0] == today - timedelta(weeks=12)
    assert (curve["open"].iloc[-1], curve["done"].iloc[-1]) == (5, 2)


def test_the_reassessed_demo_pilot_shows_what_was_done_since(demo) -> None:
    """The routing assistant's earlier assessment was 5 weeks ago; its success measure was
    written down 3 weeks ago, yet the question is still answered Partly: flagged."""
    pilot = next(p for p in store.list_pilots(demo) if p.name.startswith("Support ticket"))
    latest = max(store.pilot_assessments(demo, pilot.id), key=lambda a: a.created_at)
    review = load_review(demo, CONTENT, assessment_id=latest.id)
    carried = followup.carry_over_for(demo, review, CONTENT)
    assert [c.action.title for c in carried.completed] == [
        "Write down the success measure: tickets routed right the first time"
    ]
    assert carried.completed[0].flagged
    assert [a.title for a in review.register] == [
        "Get read access to last year's ticket history in the CRM",
        "Agree with IT Operations where the routing model runs and who is on call for it",
    ]


def test_an_action_due_before_it_was_added_is_refused_with_the_entry_named(tmp_path):
    text = DEMO_PILOTS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "demo_pilots.yaml"
    bad.write_text(text.replace("due_in_days: -30", "due_in_days: -300", 1))
    with pytest.raises(ContentError, match=r"pilots\.2\.actions\.0.*before the action was added"):
        load_demo_pilots(str(bad))

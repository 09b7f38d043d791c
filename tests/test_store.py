"""Saving and resuming an assessment, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import re
from datetime import date

import pytest

from diagnostics.errors import NotFoundError
from diagnostics.framework.content import load_content
from diagnostics.framework.history import pilot_history
from diagnostics.framework.review import load_review
from diagnostics.storage import store
from diagnostics.storage.models import utcnow

CONTENT = load_content()


@pytest.fixture
def engine(db_url: str):
    engine = store.make_engine(db_url)
    store.migrate(engine)
    yield engine
    engine.dispose()


def test_save_as_you_go_and_resume_from_another_connection(engine, db_url) -> None:
    pilot = store.create_pilot(
        engine,
        "  Invoice   matching ",
        business_unit="Finance",
        start_date=date(2026, 1, 5),
        expected_annual_value=350_000.0,
    )
    assert pilot.name == "Invoice matching"
    record = store.start_assessment(engine, pilot.id, CONTENT.version, "running")
    store.save_answer(engine, record.id, "bp_problem_statement", "partly", "  draft only ")
    store.save_answer(engine, record.id, "bp_problem_statement", "yes", "signed off")
    store.save_answer(engine, record.id, "dr_real_data", "no")
    store.save_answer(engine, record.id, "dr_quality_log", "dont_know")
    store.save_answer(engine, record.id, "dr_quality_log", None)  # taken back
    store.update_assessment(engine, record.id, current_step=2)

    # A new engine stands for another browser, device or server process.
    other = store.make_engine(db_url)
    try:
        resumed = store.get_assessment(other, token=record.token)
        assert (resumed.id, resumed.position, resumed.current_step) == (record.id, "running", 2)
        answers = store.load_answers(other, record.id)
        assert set(answers) == {"bp_problem_statement", "dr_real_data"}
        assert answers["bp_problem_statement"].value == "yes"
        assert answers["bp_problem_statement"].comment == "signed off"
        assert answers["dr_real_data"].comment is None
        assert store.count_rows(other)["answers"] == 2  # the upsert made no duplicate
        assert store.get_pilot(other, pilot.id).expected_annual_value == 350_000.0
    finally:
        other.dispose()


def test_tokens_are_long_random_and_unique(engine) -> None:
    pilot = store.create_pilot(engine, "Token pilot")
    tokens = {store.start_assessment(engine, pilot.id, CONTENT.version).token for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 bytes = 192 bits


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 32, "x" * 65, "' OR 1=1 --" + "x" * 20, "%" * 40]
)
def test_a_wrong_token_is_not_found_with_a_clear_message(engine, token) -> None:
    pilot = store.create_pilot(engine, "Some pilot")
    store.start_assessment(engine, pilot.id, CONTENT.version)
    with pytest.raises(NotFoundError, match="This assessment link is not valid"):
        store.get_assessment(engine, token=token)


def test_history_scores_each_assessment_for_its_own_position(engine) -> None:
    pilot = store.create_pilot(engine, "Twice assessed")
    first = store.start_assessment(engine, pilot.id, CONTENT.version, "about_to_start")
    store.save_answers(engine, first.id, dict.fromkeys(CONTENT.questions_by_id, "no"))
    second = store.start_assessment(engine, pilot.id, CONTENT.version, "decision_point")
    store.save_answers(engine, second.id, dict.fromkeys(CONTENT.questions_by_id, "yes"))
    store.update_assessment(engine, second.id, completed_at=utcnow())

    history = pilot_history(engine, pilot.id, CONTENT)
    assert [h.assessment_id for h in history] == [first.id, second.id]
    assert [h.verdict for h in history] == ["fix_before_starting", "proceed"]
    assert [h.overall for h in history] == [0.0, 100.0]
    assert [h.completed for h in history] == [False, True]
    assert history[0].answered == len(CONTENT.questions)

    review = load_review(engine, CONTENT, token=second.token, today=date(2026, 3, 1))
    assert review.previous.assessment_id == first.id
    assert len(review.changes) == len(CONTENT.questions)
    assert {c.direction for c in review.changes} == {"better"}
    assert review.result.decision == "proceed"


def test_unknown_pilot_and_assessment_ids_are_not_found(engine) -> None:
    with pytest.raises(NotFoundError):
        store.get_pilot(engine, 999)
    with pytest.raises(NotFoundError):
        store.start_assessment(engine, 999, CONTENT.version)
    with pytest.raises(NotFoundError):
        store.update_assessment(engine, 999, current_step=1)

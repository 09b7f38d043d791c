"""Saved portfolios on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from portfolio_frames import HandImport, canonical_frame, random_canonical
from sqlalchemy import event, inspect, text

from diagnostics.errors import DiagnosticError, NotFoundError, StorageError
from diagnostics.storage import portfolios as portfolio_store
from diagnostics.storage import store

ROWS = [
    {
        "pilot_id": "AI-1",
        "name": "Ticket routing",
        "business_unit": "Customer Service",
        "owner": "Ana",
        "technology": "Azure OpenAI",
        "stage": "pilot",
        "stage_raw": "Pilot – limited test",
        "start_date": "2026-05-04",
        "pilot_budget": 120_000,
        "expected_annual_value": 480_000,
        "live_users": 0,
        "score_data_readiness": 42.5,
        "answer_bp_problem_statement": "yes",
    },
    {
        "pilot_id": "AI-2",
        "name": '=HYPERLINK("x")',
        "business_unit": None,
        "stage": "production",
        "stage_raw": "Live",
        "start_date": "2025-01-10",
        "decision_date": "2025-06-30",
        "production_estimate": 1.5e6,
        "live_users": 250,
        "data_sources": 3,
    },
    {"name": "Blank stage row", "stage": "unknown", "stage_raw": None},
]
EXTRA = ("score_data_readiness", "answer_bp_problem_statement")


@pytest.fixture
def engine(db_url):
    engine = store.make_engine(db_url)
    store.migrate(engine)
    yield engine
    engine.dispose()


def test_save_and_load_gives_back_the_same_canonical_frame(engine) -> None:
    frame = canonical_frame(ROWS, extra=EXTRA)
    pid = portfolio_store.save_portfolio(engine, HandImport(frame), "  AI   pilots 2026 ")
    loaded = portfolio_store.load_portfolio_frame(engine, pid)
    assert list(loaded.columns) == list(frame.columns)
    pd.testing.assert_frame_equal(loaded, frame)
    assert loaded.loc[2, "pilot_id"] == "row-3"
    assert pd.isna(loaded.loc[1, "business_unit"])
    assert pd.isna(loaded.loc[1, "score_data_readiness"])
    assert loaded["stage"].cat.categories.tolist()[-1] == "unknown"
    [record] = portfolio_store.list_portfolios(engine)
    assert (record.name, record.version, record.row_count) == ("AI pilots 2026", 1, 3)
    assert record.source_filename == "pilots.xlsx"
    assert record.sheet == "Pilots"
    assert portfolio_store.portfolio_details(engine, pid)["extra_columns"] == list(EXTRA)


def test_a_new_upload_under_the_same_name_is_the_next_version(engine) -> None:
    first = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "Pilots")
    other = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS[:1])), "Other")
    second = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS[:2])), "Pilots")
    records = portfolio_store.list_portfolios(engine)
    assert [(r.id, r.name, r.version) for r in records] == [
        (second, "Pilots", 2),
        (other, "Other", 1),
        (first, "Pilots", 1),
    ]
    assert portfolio_store.previous_version(engine, second).id == first
    assert portfolio_store.previous_version(engine, first) is None
    # The older version is still there, whole.
    assert len(portfolio_store.load_portfolio_frame(engine, first)) == 3


def test_silently_dropped_pilots_between_two_saved_versions(engine) -> None:
    older = canonical_frame(
        [
            {"pilot_id": "A", "name": "Kept", "stage": "pilot"},
            {"pilot_id": "B", "name": "Vanished", "stage": "pilot", "business_unit": "HR"},
            {"pilot_id": "C", "name": "Retired then removed", "stage": "retired"},
            {"pilot_id": "D", "name": "Live then removed", "stage": "production"},
        ]
    )
    newer = canonical_frame([{"pilot_id": "A", "name": "Kept (renamed)", "stage": "production"}])
    old_id = portfolio_store.save_portfolio(engine, HandImport(older), "P")
    new_id = portfolio_store.save_portfolio(engine, HandImport(newer), "P")
    dropped = portfolio_store.silently_dropped_between(engine, old_id, new_id)
    assert dropped["pilot_id"].tolist() == ["B", "D"]
    assert dropped["business_unit"].tolist()[0] == "HR"


def test_delete_removes_one_version_and_its_rows(engine) -> None:
    keep = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "P")
    gone = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "P")
    portfolio_store.delete_portfolio(engine, gone)
    assert [r.id for r in portfolio_store.list_portfolios(engine)] == [keep]
    assert store.count_rows(engine)["portfolio_pilots"] == 3
    with pytest.raises(NotFoundError):
        portfolio_store.load_portfolio_frame(engine, gone)
    with pytest.raises(NotFoundError):
        portfolio_store.delete_portfolio(engine, gone)


def test_a_failure_in_the_middle_of_a_save_leaves_nothing_behind(engine) -> None:
    portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "Earlier")
    before = store.count_rows(engine)
    frame = random_canonical(2_500)
    inserts: list[int] = []

    def fail_on_third_chunk(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PORTFOLIO_PILOTS"):
            inserts.append(1)
            if len(inserts) == 3:
                raise RuntimeError("disk full (injected)")

    event.listen(engine, "before_cursor_execute", fail_on_third_chunk)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            portfolio_store.save_portfolio(engine, HandImport(frame), "Big", chunk_rows=1_000)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_third_chunk)
    assert len(inserts) == 3, "two chunks were written before the failure"
    assert store.count_rows(engine) == before
    assert [p.name for p in portfolio_store.list_portfolios(engine)] == ["Earlier"]


def test_a_database_refusal_becomes_a_storage_error_and_stores_nothing(engine) -> None:
    frame = canonical_frame(ROWS)
    frame["pilot_budget"] = frame["pilot_budget"].astype(object)
    frame.loc[0, "pilot_budget"] = "not a number"  # coerced to NA, not refused
    portfolio_store.save_portfolio(engine, HandImport(frame), "Coerced")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE portfolio_pilots")
    before = store.count_rows(engine)
    with pytest.raises(StorageError, match=r"(?i)nothing was stored"):
        portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "Refused")
    assert store.count_rows(engine) == before


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "Give the portfolio a name"), ("x" * 201, "201")]
)
def test_a_bad_name_is_refused_with_a_reason(engine, name, message) -> None:
    with pytest.raises(DiagnosticError, match=message):
        portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), name)
    assert portfolio_store.list_portfolios(engine) == []


def test_an_empty_import_is_refused(engine) -> None:
    with pytest.raises(DiagnosticError, match="no pilots"):
        portfolio_store.save_portfolio(engine, HandImport(canonical_frame([])), "Empty")


def test_large_portfolio_round_trip(engine) -> None:
    frame = random_canonical(12_000)
    pid = portfolio_store.save_portfolio(engine, HandImport(frame), "Big")
    loaded = portfolio_store.load_portfolio_frame(engine, pid)
    pd.testing.assert_frame_equal(loaded, frame)


def test_migration_0001_to_0002_keeps_existing_data(db_url) -> None:
    engine = store.make_engine(db_url)
    try:
        store.migrate(engine, "0001")
        assert "portfolios" not in store.table_names(engine)
        # Rows written as revision 0001's tables hold them (today's models have more columns).
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO pilots (name, business_unit, created_at) "
                    "VALUES ('Existing pilot', 'Finance', :now)"
                ),
                {"now": datetime(2026, 11, 1, tzinfo=UTC)},
            )
        store.migrate(engine, "0002")
        assert store.current_revision(engine) == "0002"
        assert {"portfolios", "portfolio_pilots"} <= set(store.table_names(engine))
        columns = {c["name"] for c in inspect(engine).get_columns("portfolio_pilots")}
        added_later = {"business_subunit", "stop_date"}  # revision 0005
        assert set(portfolio_store.CORE_COLUMNS) - added_later | {"extra", "row_number"} <= columns
        assert not added_later & columns
        store.migrate(engine)
        assert [p.name for p in store.list_pilots(engine)] == ["Existing pilot"]
        columns = {c["name"] for c in inspect(engine).get_columns("portfolio_pilots")}
        assert set(portfolio_store.CORE_COLUMNS) <= columns
        pid = portfolio_store.save_portfolio(engine, HandImport(canonical_frame(ROWS)), "After")
        assert len(portfolio_store.load_portfolio_frame(engine, pid)) == 3
    finally:
        engine.dispose()


def test_demo_portfolio_has_two_versions_and_the_dropped_pilots(engine) -> None:
    from diagnostics.framework.content import load_content

    assert portfolio_store.seed_demo_portfolio(engine, load_content())
    newer, older = portfolio_store.list_portfolios(engine)
    assert (newer.version, older.version) == (2, 1)
    assert newer.is_demo
    assert older.is_demo
    assert older.row_count == portfolio_store.DEMO_ROWS
    dropped = portfolio_store.silently_dropped_between(engine, older.id, newer.id)
    # Every pilot missing from v2 was open in v1, so each one was dropped silently.
    assert len(dropped) == older.row_count - newer.row_count > 0
    assert set(dropped["stage"].astype(str)) <= {"development", "pilot", "decision"}
    assert not portfolio_store.seed_demo_portfolio(engine, load_content())
    assert len(portfolio_store.list_portfolios(engine)) == 2


def test_a_portfolio_row_opens_a_prefilled_self_assessment(engine) -> None:
    from diagnostics.framework.content import load_content

    content = load_content()
    frame = canonical_frame(ROWS, extra=EXTRA)
    frame["answer_dr_real_data"] = pd.Series(["no", "maybe", None], dtype="str")
    row = frame.iloc[0].to_dict()
    record = portfolio_store.assess_portfolio_pilot(engine, content, row)
    pilot = store.get_pilot(engine, record.pilot_id)
    assert (pilot.name, pilot.business_unit, pilot.owner) == (
        "Ticket routing",
        "Customer Service",
        "Ana",
    )
    assert str(pilot.start_date) == "2026-05-04"
    assert (pilot.pilot_budget, pilot.expected_annual_value) == (120_000, 480_000)
    assert pilot.portfolio_ref == "AI-1"
    assert record.position == "running"  # a pilot in its pilot stage is running
    # Known questions with valid answers only ("maybe" is no answer key).
    assert store.answer_values(engine, record.id) == {
        "bp_problem_statement": "yes",
        "dr_real_data": "no",
    }
    other = portfolio_store.assess_portfolio_pilot(engine, content, frame.iloc[1].to_dict())
    assert store.answer_values(engine, other.id) == {}

"""`check-db`: the schema revision and row counts, on SQLite and PostgreSQL; a clear failure."""

from __future__ import annotations

import json
import subprocess

import pytest
from harness import free_port

from bench.commands import run_cli
from diagnostics.errors import StorageError
from diagnostics.storage import store
from diagnostics.storage.health import check_database


def _check_db(url: str) -> subprocess.CompletedProcess:
    return run_cli("check-db", url=url)


def test_counts_rows_and_reports_the_revision(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        store.migrate(engine)
        pilot = store.create_pilot(engine, "Invoice matching")
        store.create_pilot(engine, "Ticket routing")
        assessment = store.start_assessment(engine, pilot.id, "1.0")
        store.save_answers(engine, assessment.id, {"q1": "yes", "q2": "no", "q3": "partly"})
        health = check_database(engine)
    finally:
        engine.dispose()
    assert health.revision == store.head_revision()
    assert health.up_to_date
    assert health.row_counts["pilots"] == 2
    assert health.row_counts["assessments"] == 1
    assert health.row_counts["answers"] == 3
    assert "alembic_version" not in health.row_counts


def test_command_exits_0_at_head_and_2_on_an_empty_database(db_url: str) -> None:
    empty = _check_db(db_url)
    assert empty.returncode == 2
    assert json.loads(empty.stdout)["revision"] is None
    assert "init-db" in empty.stderr

    engine = store.make_engine(db_url)
    store.migrate(engine)
    engine.dispose()
    ready = _check_db(db_url)
    assert ready.returncode == 0, ready.stderr
    report = json.loads(ready.stdout)
    assert report["up_to_date"] is True
    assert report["revision"] == report["head"] == store.head_revision()
    assert report["row_counts"]["pilots"] == 0


def test_an_unreachable_server_is_a_message_not_a_traceback() -> None:
    url = f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{free_port()}/poctrap"
    with pytest.raises(StorageError, match="cannot be reached"):
        check_database(store.make_engine(url))
    result = _check_db(url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot be reached" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout

"""Structured logs: one parseable JSON line per event, no personal data, migrations included."""

from __future__ import annotations

import io
import json
import logging
import os
import sys

import pytest

from bench.commands import run_cli
from diagnostics import logging_setup
from diagnostics.logging_setup import configure_logging, log_error, log_event


@pytest.fixture
def captured() -> io.StringIO:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    configure_logging("INFO", stream=sys.stderr)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_event_is_one_json_line_with_its_fields(captured: io.StringIO) -> None:
    log_event("portfolio_import", portfolio_id=7, rows=3611, seconds=1.5, ok=True)
    log_event("workshop_vote", workshop_id=3, question_index=2)
    first, second = _lines(captured)
    assert first["event"] == "portfolio_import"
    assert (first["portfolio_id"], first["rows"], first["seconds"], first["ok"]) == (
        7,
        3611,
        1.5,
        True,
    )
    assert first["level"] == "info"
    assert first["pid"] == os.getpid()
    assert first["ts"].endswith("+00:00")
    assert second == {**second, "event": "workshop_vote", "workshop_id": 3, "question_index": 2}


def test_personal_fields_never_reach_the_log(captured: io.StringIO) -> None:
    log_event(
        "portfolio_import",
        portfolio_id=1,
        filename="Jane Doe pilots.xlsx",
        owner="jane.doe@example.org",
        comment="line one\nline two",
        password="hunter2hunter2",
    )
    text = captured.getvalue()
    for secret in ("Jane", "jane.doe", "hunter2"):
        assert secret not in text
    assert "line one" not in text
    (line,) = _lines(captured)  # still exactly one line
    assert line["filename"] == line["owner"] == line["password"] == "[removed]"
    assert line["portfolio_id"] == 1


def test_long_values_are_cut_and_newlines_cannot_split_a_line(captured: io.StringIO) -> None:
    log_event("workshop_event", detail="a\nb" + "x" * 1000)
    (line,) = _lines(captured)
    assert line["detail"].startswith("a\nb")
    assert len(line["detail"]) == logging_setup.MAX_VALUE_CHARS


def test_an_error_logs_its_type_and_place_not_its_message(captured: io.StringIO) -> None:
    try:
        raise ValueError("cell B7 says 'Project Falcon, owner Jane Doe'")
    except ValueError as exc:
        log_error("import_failed", exc, upload_id=4)
    (line,) = _lines(captured)
    assert line["level"] == "error"
    assert line["error"] == "ValueError"
    assert line["where"].startswith("test_logging_setup.py:")
    assert "Falcon" not in captured.getvalue()


def test_configuring_twice_does_not_double_lines(captured: io.StringIO) -> None:
    configure_logging("INFO", stream=captured)
    configure_logging("INFO", stream=captured)
    log_event("once")
    assert len(_lines(captured)) == 1
    assert logging.getLogger("poctrap").propagate is False


def test_level_setting_filters_info_lines() -> None:
    stream = io.StringIO()
    try:
        configure_logging("WARNING", stream=stream)
        log_event("quiet")
        log_event("loud", level=logging.WARNING)
        assert [line["event"] for line in _lines(stream)] == ["loud"]
    finally:
        configure_logging("INFO", stream=sys.stderr)


def test_init_db_logs_one_migration_line_per_revision(tmp_path) -> None:
    from alembic.script import ScriptDirectory

    from diagnostics.storage.store import MIGRATIONS_DIR

    revisions = [r.revision for r in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()]
    result = run_cli("init-db", url=f"sqlite:///{tmp_path / 'log.db'}")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    migrations = [e for e in events if e["event"] == "migration"]
    assert [m["to_revision"] for m in migrations] == sorted(revisions)
    assert migrations[0]["from_revision"] is None
    assert all(m["direction"] == "upgrade" for m in migrations)
    assert "{" not in result.stdout  # stdout stays for humans and scripts

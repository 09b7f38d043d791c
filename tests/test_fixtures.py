"""The database fixtures give real, separate databases: write a row, read it back."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text


def _round_trip(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE pilot (id INTEGER PRIMARY KEY, name TEXT)"))
            connection.execute(
                text("INSERT INTO pilot (id, name) VALUES (:id, :name)"),
                [{"id": 1, "name": "Invoice triage"}, {"id": 2, "name": "Churn model ’24"}],
            )
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM pilot ORDER BY id"))
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_sqlite_url_is_a_real_file(sqlite_url: str) -> None:
    assert _round_trip(sqlite_url) == [(1, "Invoice triage"), (2, "Churn model ’24")]
    path = sqlite_url.removeprefix("sqlite:///")
    with open(path, "rb") as handle:
        assert handle.read(16) == b"SQLite format 3\x00"


@pytest.mark.postgres
def test_pg_url_is_a_real_postgresql_server(pg_url: str) -> None:
    assert _round_trip(pg_url) == [(1, "Invoice triage"), (2, "Churn model ’24")]
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
            database = connection.execute(text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert int(version) >= 150000
    assert pg_url.endswith("/" + database)


@pytest.mark.postgres
@pytest.mark.parametrize("_round", [1, 2])
def test_each_test_gets_an_empty_postgresql_database(pg_url: str, _round: int) -> None:
    # Both rounds create the same table: this fails if a database is ever shared or reused.
    assert _round_trip(pg_url)[0] == (1, "Invoice triage")


def test_db_url_runs_on_both_databases(db_url: str) -> None:
    assert _round_trip(db_url)[1] == (2, "Churn model ’24")
    assert db_url.split(":", 1)[0] in {"sqlite", "postgresql+psycopg"}

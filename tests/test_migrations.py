"""Alembic migrations: an empty database reaches head, every step keeps existing rows, and
downgrades undo each step exactly, on a SQLite file and on a real PostgreSQL server.

The rows are made from the reflected schema at each revision (every column of every table,
foreign keys pointing at rows that exist), so a migration added later is covered without
editing this file. A column whose values must come from a fixed set is listed in
`KNOWN_VALUES`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    inspect,
    select,
)

from diagnostics.storage import store
from diagnostics.storage.models import Base

ROWS_PER_TABLE = 3
VERSION_TABLE = "alembic_version"
# (table, column) -> allowed values, for columns a CHECK or the code restricts.
KNOWN_VALUES: dict[tuple[str, str], tuple[object, ...]] = {
    ("answers", "value"): ("yes", "partly", "no"),
    ("portfolio_pilots", "stage"): ("pilot", "production", "retired"),
}
# (revision, table, column) of columns a migration drops on purpose (none so far).
INTENDED_DROPS: set[tuple[str, str, str]] = set()


def _revisions() -> list[str]:
    """Every revision, oldest first; the history must be one straight line."""
    script = ScriptDirectory(str(store.MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}; merge them"
    ordered = [r.revision for r in script.walk_revisions()][::-1]
    assert ordered[-1] == store.head_revision()
    return ordered


REVISIONS = _revisions()


def _alembic(engine: Engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(store.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _schema(engine: Engine) -> dict[str, dict[str, str]]:
    """Tables -> columns -> type and nullability, as the database reports them."""
    inspector = inspect(engine)
    return {
        name: {
            c["name"]: f"{c['type']!r} null={c['nullable']}" for c in inspector.get_columns(name)
        }
        for name in inspector.get_table_names()
        if name != VERSION_TABLE
    }


def _value(table: Table, column, n: int) -> object:
    known = KNOWN_VALUES.get((table.name, column.name))
    if known:
        return known[n % len(known)]
    kind = column.type
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return n if column.primary_key else 100 * n + 7
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(f"{n}.25")
    if isinstance(kind, Float):
        return n + 0.25
    if isinstance(kind, DateTime):
        return datetime(2026, 3, n, 9, 30, tzinfo=UTC if kind.timezone else None)
    if isinstance(kind, Date):
        return date(2025, 12, n)
    if isinstance(kind, JSON):
        return {"n": n, "text": "Ünïcode ’quoted’", "list": [1, 2.5, None]}
    if isinstance(kind, LargeBinary):
        return bytes([n, 0, 255])
    if isinstance(kind, String):  # Text and VARCHAR too
        text = f"{n} {table.name}.{column.name} Zoë ’€"  # the number first: unique if cut
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no sample value for {table.name}.{column.name} ({kind!r})")


def _fill(engine: Engine) -> None:
    """Insert ROWS_PER_TABLE rows into every table; foreign keys point at existing rows."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    inserted: dict[str, list[dict[str, object]]] = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name == VERSION_TABLE:
                continue
            rows = []
            for n in range(1, ROWS_PER_TABLE + 1):
                row = {c.name: _value(table, c, n) for c in table.columns}
                for fk in table.foreign_key_constraints:
                    parents = inserted[fk.referred_table.name]
                    if fk.referred_table is table:  # self-reference: point at nothing
                        row.update(dict.fromkeys(fk.column_keys))
                        continue
                    parent = parents[(n - 1) % len(parents)]
                    for element in fk.elements:
                        row[element.parent.name] = parent[element.column.name]
                rows.append(row)
            connection.execute(table.insert(), rows)
            inserted[table.name] = rows


def _contents(engine: Engine) -> dict[str, dict[tuple, dict[str, object]]]:
    """Every row of every table, keyed by primary key."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    contents = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == VERSION_TABLE:
                continue
            key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            rows = connection.execute(select(table)).mappings().all()
            contents[table.name] = {tuple(r[k] for k in key): dict(r) for r in rows}
    return contents


@pytest.fixture
def engine(db_url: str):
    engine = store.make_engine(db_url)
    yield engine
    engine.dispose()


def test_an_empty_database_upgrades_to_head_and_matches_the_models(engine: Engine) -> None:
    assert _revision(engine) is None
    store.migrate(engine)
    assert _revision(engine) == store.head_revision()
    assert set(_schema(engine)) == {t.name for t in Base.metadata.sorted_tables}
    # The models describe exactly what the migrations built (no drift either way).
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def _lost_rows(before: dict, after: dict, start: str, target: str) -> list[str]:
    """What of `before` is missing or changed in `after` (columns dropped on purpose aside)."""
    end = len(REVISIONS) if target == "head" else REVISIONS.index(target) + 1
    applied = set(REVISIONS[REVISIONS.index(start) + 1 : end])
    dropped = {(table, column) for rev, table, column in INTENDED_DROPS if rev in applied}
    lost = []
    for name, rows in before.items():
        if name not in after:
            lost.append(f"table {name} is gone")
            continue
        for key, row in rows.items():
            kept = after[name].get(key)
            if kept is None:
                lost.append(f"{name} row {key} is gone")
                continue
            for column, value in row.items():
                if column not in kept:
                    if (name, column) not in dropped:
                        lost.append(f"{name}.{column} is gone")
                elif kept[column] != value:
                    lost.append(f"{name}.{column} of {key}: {value!r} became {kept[column]!r}")
    return sorted(set(lost))


def _upgrade_filled(engine: Engine, start: str, target: str) -> list[str]:
    _alembic(engine, command.upgrade, start)
    _fill(engine)
    before = _contents(engine)
    assert all(len(rows) == ROWS_PER_TABLE for rows in before.values()), "filling failed"
    _alembic(engine, command.upgrade, target)
    assert _revision(engine) == (store.head_revision() if target == "head" else target)
    return _lost_rows(before, _contents(engine), start, target)


@pytest.mark.parametrize(
    "step", range(1, len(REVISIONS)), ids=[f"{a}->{b}" for a, b in itertools.pairwise(REVISIONS)]
)
def test_each_upgrade_keeps_every_row_of_the_previous_revision(engine: Engine, step: int) -> None:
    previous, target = REVISIONS[step - 1], REVISIONS[step]
    lost = _upgrade_filled(engine, previous, target)
    assert lost == [], f"upgrading {previous} -> {target} lost data:\n" + "\n".join(lost)


@pytest.mark.parametrize("start", REVISIONS[:-2], ids=[f"{r}->head" for r in REVISIONS[:-2]])
def test_an_older_database_upgrades_to_head_in_one_go(engine: Engine, start: str) -> None:
    lost = _upgrade_filled(engine, start, "head")
    assert lost == [], f"upgrading {start} -> head lost data:\n" + "\n".join(lost)


def test_downgrades_undo_each_step_and_upgrading_again_rebuilds_head(engine: Engine) -> None:
    schemas = {}
    for revision in REVISIONS:
        _alembic(engine, command.upgrade, revision)
        schemas[revision] = _schema(engine)
    for previous in reversed(REVISIONS[:-1]):
        _alembic(engine, command.downgrade, "-1")
        assert _revision(engine) == previous
        assert _schema(engine) == schemas[previous], (
            f"downgrade to {previous} left a different schema"
        )
    _alembic(engine, command.downgrade, "base")
    assert _revision(engine) is None
    assert _schema(engine) == {}
    _alembic(engine, command.upgrade, "head")
    assert _schema(engine) == schemas[REVISIONS[-1]]
    # The rebuilt schema works: rows go in and come out again.
    _fill(engine)
    assert all(len(rows) == ROWS_PER_TABLE for rows in _contents(engine).values())


def test_migrating_twice_is_harmless(engine: Engine) -> None:
    store.migrate(engine)
    _fill(engine)
    before = _contents(engine)
    store.migrate(engine)  # every app process runs this on start
    assert _contents(engine) == before

"""Shared fixtures: real databases (a SQLite file, a PostgreSQL server of our own) and CI rules.

Nothing here is mocked. PostgreSQL comes from the machine's `initdb` / `pg_ctl`, started in a
temporary directory on a free port, once per test process (each pytest-xdist worker has its
own). Outside CI a missing server or browser skips the tests that need it, with the reason;
with `CI=true` the same situation fails them, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import free_port, unavailable, worker_id

from bench.apptest import app_on
from bench.commands import run_cli

PG_VERSION_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
PG_START_TIMEOUT_S = 30


# Keep every test away from the developer's own database (var/poctrap.db or a DATABASE_URL
# set in the shell): code that falls back to DATABASE_URL gets a throw-away file instead.
@pytest.fixture(scope="session", autouse=True)
def _isolated_default_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("DATABASE_URL")
    path = tmp_path_factory.mktemp("default-db") / "default.db"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    yield
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous


# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL for a real, empty SQLite file in this test's temporary directory."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def _demo_database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file per test process, migrated and seeded by `init-db --demo`."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    result = run_cli("init-db", "--demo", url=f"sqlite:///{path}")
    if result.returncode != 0:
        pytest.fail(
            f"`python -m diagnostics init-db --demo` failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return path


@pytest.fixture
def demo_sqlite_url(_demo_database_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo database (what `make run` starts with), for this test only."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database(sqlite_url: str):
    """A migrated, empty SQLite file that the app uses (no demo data), for `harness.open_app`."""
    from diagnostics.storage import store

    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    with app_on(sqlite_url):
        yield engine
    engine.dispose()


@pytest.fixture
def app_test(demo_sqlite_url: str):
    """Open the app as `streamlit run` would, on a fresh demo database: `open_app(page=None,
    timeout=30)` of `bench.apptest.app_on`."""
    with app_on(demo_sqlite_url) as open_app:
        yield open_app


# --- PostgreSQL ----------------------------------------------------------------------------


@dataclass
class PostgresServer:
    """A running server: `url` ends with `/`; append a database name."""

    url: str
    port: int
    data_dir: Path
    start_seconds: float


def _pg_binary(name: str) -> str | None:
    for bin_dir in PG_VERSION_DIRS:
        if (bin_dir / name).exists():
            return str(bin_dir / name)
    return shutil.which(name)


def _as_postgres_user(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` account."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}): {' '.join(command)}\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )


def _start_postgres(base_dir: Path, initdb: str, pg_ctl: str) -> PostgresServer:
    data_dir = base_dir / "data"
    log_file = base_dir / "server.log"
    started = time.perf_counter()
    _run(
        _as_postgres_user(
            [initdb, "-D", str(data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        ),
        "initdb",
    )
    last_error = ""
    for _attempt in range(3):  # another process may grab the free port first: try another
        port = free_port()
        options = (
            f"-p {port} -k {base_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        command = [pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(log_file)]
        command += ["-w", "-t", str(PG_START_TIMEOUT_S), "start"]
        result = subprocess.run(
            _as_postgres_user(command), capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode == 0:
            elapsed = time.perf_counter() - started
            url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
            return PostgresServer(url=url, port=port, data_dir=data_dir, start_seconds=elapsed)
        log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        last_error = f"{result.stdout}\n{result.stderr}\n{log}"
    raise RuntimeError(f"pg_ctl start failed three times:\n{last_error}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own for this test process, stopped and deleted afterwards."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        unavailable(
            "PostgreSQL binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin "
            "or on PATH; install them with `apt-get install -y postgresql-15`"
        )
    if os.geteuid() == 0 and not shutil.which("runuser"):
        unavailable("running as root needs `runuser` to start PostgreSQL as `postgres`")
    # Directly under /tmp (not pytest's 0700 tmp tree) so the postgres account can reach it;
    # short, because the socket path must stay under about 100 characters.
    base_dir = Path(tempfile.mkdtemp(prefix=f"pg-{worker_id()}-", dir="/tmp"))
    if os.geteuid() == 0:
        try:
            shutil.chown(base_dir, user="postgres", group="postgres")
        except (LookupError, PermissionError) as exc:
            shutil.rmtree(base_dir, ignore_errors=True)
            unavailable(f"cannot hand a directory to the `postgres` account ({exc})")
    try:
        server = _start_postgres(base_dir, initdb, pg_ctl)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(base_dir, ignore_errors=True)
        unavailable(f"PostgreSQL could not be started: {exc}")
    try:
        yield server
    finally:
        subprocess.run(
            _as_postgres_user([pg_ctl, "-D", str(server.data_dir), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL for a brand-new, empty database on the test server."""
    import psycopg

    name = f"test_{worker_id()}_{uuid.uuid4().hex[:12]}"
    admin = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server.url}{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        # FORCE ends connections a test's engine may still hold open.
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on a SQLite file and on a PostgreSQL database."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


# --- collection and session rules ------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server, so `-m "not postgres"` leaves them out."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "postgres"
        ):
            item.add_marker(pytest.mark.postgres)


_outcomes: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Runs in the controlling process too under xdist, so the counts cover every worker.
    if report.when == "call" or report.outcome != "passed":
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run where tests were collected but none passed is a failure, never a green build."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if exitstatus == 0 and session.testscollected and _outcomes["passed"] == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        _outcomes["nothing_verified"] = 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _outcomes.get("nothing_verified"):
        terminalreporter.write_sep(
            "!",
            f"no test passed ({_outcomes['skipped']} skipped): a run that verifies nothing "
            "is not green",
            red=True,
        )

"""One function per measurement. Each returns plain numbers (seconds, megabytes) or raises
`NotAvailable` when the piece it measures is not part of the code base yet.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


class NotAvailable(Exception):
    """The module or function a measurement needs does not exist (yet)."""


@dataclass(frozen=True)
class Budget:
    """What a measurement (`key` in the results) must stay under, said in words and a unit."""

    key: str
    text: str
    limit: float
    unit: str


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds (this process) of repeated runs; medians are reported.

    On a machine shared with other work the wall clock also measures the neighbours; the
    CPU time of single-threaded work does not, so both are kept.
    """

    runs: tuple[float, ...]
    cpu_runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_runs)


@dataclass(frozen=True)
class Spent:
    """Wall-clock and CPU seconds (this process) of one call."""

    wall_s: float
    cpu_s: float

    def __add__(self, other: Spent) -> Spent:
        return Spent(self.wall_s + other.wall_s, self.cpu_s + other.cpu_s)


def timed(fn: Callable[[], T]) -> tuple[T, Spent]:
    """What `fn()` returns, and the time it took."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, Spent(time.perf_counter() - started, time.process_time() - cpu)


def repeat(fn: Callable[[], object], times: int) -> Timing:
    spent = [timed(fn)[1] for _ in range(times)]
    return Timing(tuple(s.wall_s for s in spent), tuple(s.cpu_s for s in spent))


def require(module: str, *names: str):
    """The module, or NotAvailable naming what is missing."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise NotAvailable(f"{module} is not built yet") from None
        raise
    missing = [n for n in names if not hasattr(loaded, n)]
    if missing:
        raise NotAvailable(f"{module} has no {', '.join(missing)} yet")
    return loaded


# Floors -------------------------------------------------------------------------------------


def bare_parse(path: Path) -> pd.DataFrame:
    """The least any import must do: read every cell into a frame, nothing else."""
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return pd.DataFrame(rows)


# Import -------------------------------------------------------------------------------------


def fresh_database(directory: Path, name: str) -> str:
    """A migrated, empty SQLite file (the migration is not part of any timing)."""
    from diagnostics.storage import store

    path = directory / f"{name}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = store.make_engine(url)
    store.migrate(engine)
    engine.dispose()
    return url


@dataclass(frozen=True)
class ImportRun:
    read: Spent  # import_portfolio: read, header, mapping, normalisation, validation
    save: Spent  # save_portfolio into a fresh SQLite file
    rows: int

    @property
    def total(self) -> Spent:
        return self.read + self.save


def full_import(path: Path, url: str):
    """Import the file and save it; returns (ImportRun, the canonical frame)."""
    from diagnostics.storage import store

    portfolio_import = require("diagnostics.portfolio.importer", "import_portfolio")
    portfolio_store = require("diagnostics.storage.portfolios", "save_portfolio")
    engine = store.make_engine(url)
    try:
        imported, read = timed(lambda: portfolio_import.import_portfolio(path, path.name))
        _, save = timed(
            lambda: portfolio_store.save_portfolio(engine, imported, f"bench {path.name}")
        )
    finally:
        engine.dispose()
    return ImportRun(read, save, len(imported.frame)), imported


# Aggregates and cost --------------------------------------------------------------------------


def aggregates_and_cost(frame: pd.DataFrame) -> Callable[[], object]:
    """A callable computing every portfolio aggregate and the cost model on `frame`."""
    from bench import adapters

    return adapters.aggregates_and_cost(frame)


# Dashboard ------------------------------------------------------------------------------------


def dashboard_rerun(url: str, repeats: int = 5) -> dict[str, float]:
    """Open pages/portfolio.py through AppTest on `url`; time the first run and warm reruns."""
    if not (REPO_ROOT / "pages" / "portfolio.py").exists():
        raise NotAvailable("pages/portfolio.py is not built yet")
    from bench import adapters

    return adapters.dashboard_rerun(url, repeats)


# Workshop -------------------------------------------------------------------------------------


def workshop_round(url: str, participants: int = 40) -> dict[str, float]:
    from bench import adapters

    return adapters.workshop_round(url, participants)


def workshop_paced(url: str, participants: int = 40) -> dict[str, float]:
    from bench import adapters

    return adapters.workshop_paced(url, participants)


# Memory ---------------------------------------------------------------------------------------


def peak_memory(path: Path) -> dict[str, float]:
    """Peak resident memory of a child process that imports and saves `path`.

    The child's VmHWM: it counts everything (Python, numpy buffers and the Rust reader's
    allocations alike), including what the libraries take once loaded, which is reported
    separately as the baseline.
    """
    require("diagnostics.portfolio.importer", "import_portfolio")
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        result = subprocess.run(
            [sys.executable, "-m", "bench.memory", str(path), tmp],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
    if result.returncode != 0:
        raise RuntimeError(f"memory probe failed: {result.stderr[-1500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])

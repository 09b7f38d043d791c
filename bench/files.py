"""Benchmark input files: synthetic portfolios written once as xlsx and csv, then reused.

Writing 100,000 rows of xlsx takes openpyxl a while even in write-only mode, so files are
cached in `var/bench-cache/` (git-ignored), keyed by size, seed and a digest of the generator's
source: a change to `diagnostics/portfolio/synthetic.py`, to the words it writes
(`data/synthetic_portfolio.yaml`) or to this file produces new files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnostics.portfolio import synthetic

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / "var" / "bench-cache"
# A workbook as people keep it: a title line and a blank line above the header row.
TITLE = "AI pilot portfolio (synthetic benchmark data)"
_NUMERAL = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class PortfolioFiles:
    rows: int
    seed: int
    xlsx: Path
    csv: Path

    def path(self, kind: str) -> Path:
        return self.xlsx if kind == "xlsx" else self.csv


def _generator_digest() -> str:
    digest = hashlib.sha256()
    for source in (Path(synthetic.__file__), synthetic.SYNTHETIC_WORDS_PATH, Path(__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def _cell(value: str) -> object:
    """Plain numerals become numbers, as a spreadsheet program would store them."""
    if value and _NUMERAL.match(value):
        return float(value) if "." in value else int(value)
    return value if value != "" else None


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """A write-only openpyxl workbook (streams rows, constant memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Portfolio")
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
    tmp = path.with_suffix(".tmp")
    workbook.save(tmp)
    tmp.replace(path)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)


def portfolio_files(rows: int, seed: int = 7, cache_dir: Path = CACHE_DIR) -> PortfolioFiles:
    """The xlsx and csv of a synthetic portfolio of `rows` pilots, generated when missing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"portfolio-{rows}-seed{seed}-{_generator_digest()}"
    files = PortfolioFiles(rows, seed, cache_dir / f"{stem}.xlsx", cache_dir / f"{stem}.csv")
    if not (files.xlsx.exists() and files.csv.exists()):
        frame = synthetic.synthetic_portfolio(rows, seed=seed)
        if not files.csv.exists():
            write_csv(frame, files.csv)
        if not files.xlsx.exists():
            write_xlsx(frame, files.xlsx)
    return files

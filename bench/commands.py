"""The app's command line run as a user types it, for the benchmarks and the tests alike."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python -m diagnostics ARGS` from the checkout, its output kept as text (UTF-8, as the
    command line writes it, whatever this machine's locale).

    It runs in `env` (this process's environment by default), on the database at `url` when
    one is given; with `check`, a non-zero exit raises `CalledProcessError`.
    """
    child = dict(os.environ if env is None else env)
    if url is not None:
        child["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "diagnostics", *args],
        cwd=REPO_ROOT,
        env=child,
        input=stdin,
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        check=check,
    )

"""Start the app server: `python -m ui.serve [streamlit run options]`.

The same as `streamlit run app.py` from any working directory: the one entry point the team
script, the Dockerfile and the deployment guide use. (A deep link as a fresh process's first
request still opens inside app.py's frame: every page checks that itself, see `ui/frame.py`.)
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: Sequence[str] | None = None) -> None:
    options = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *options]
    runpy.run_module("streamlit", run_name="__main__")  # exactly `python -m streamlit`


if __name__ == "__main__":
    main()

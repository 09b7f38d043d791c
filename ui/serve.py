"""Start the app server: `python -m ui.serve [streamlit run options]`.

Streamlit treats an app with a `pages/` folder beside its main script as an old-style
multipage app until some session has run `app.py` (whose `st.navigation` switches that off,
for the whole process). Until then, a deep link such as a workshop join link or a shared
screen link runs the page file alone: without the frame of `app.py` (no join code taken from
the link, the raw file list as menu, no plain database error message). A freshly restarted
process behind a load balancer meets exactly that. Starting the server through this module
switches the old behaviour off before the first session, so every request goes through
`app.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: Sequence[str] | None = None) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # every page goes through st.navigation
    options = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


if __name__ == "__main__":
    main()

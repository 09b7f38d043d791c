"""What the portfolio page's parts share: its two tabs, the session keys more than one part
reads (every key of the page starts with `portfolio_`), the banner naming what a portfolio
lacks and the empty template's download. The parts themselves: the dashboard of a saved
version (`portfolio_dashboard.py`: figures, charts, units, matrix, technologies, dropped
pilots), every pilot with what to do with it (`portfolio_pilots.py`: filters, table, assess
button, downloads), the matching of saved assessments to rows (`pilot_matching.py`) and the
import of a spreadsheet (`portfolio_import.py`: upload, mapping, stage texts, save)."""

from __future__ import annotations

import streamlit as st

from ui import cache
from ui.components import XLSX_MIME

PREFIX = "portfolio_"
TAB_KEY = f"{PREFIX}tab"
PICK_KEY = f"{PREFIX}pick"  # the version on the dashboard; a save opens the new one
DASHBOARD, IMPORT = "Dashboard", "Import a spreadsheet"


def gap_banner(gaps) -> None:
    """What the portfolio lacks for its first questions, above everything it affects."""
    if not gaps:
        return
    lines = "\n".join(f"- **{g.title}.** {g.message}" for g in gaps)
    st.warning(lines, icon=":material/report:")


def template_button(where, label: str, *, key: str, help: str) -> None:
    """The empty portfolio template as a download, in `where` (the page or a column)."""
    where.download_button(
        label,
        data=cache.portfolio_template_xlsx(),
        file_name="ai-pilot-portfolio-template.xlsx",
        mime=XLSX_MIME,
        key=key,
        icon=":material/download:",
        on_click="ignore",
        help=help,
    )

"""The page registry: app.py builds st.navigation from it, Home links to it, tests cover it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    default: bool = False
    in_menu: bool = True

    @property
    def url_path(self) -> str:
        """The page's address: its file's name, as Streamlit would name it."""
        return Path(self.path).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", "Start", default=True),
    PageSpec("pages/framework.py", "Framework guide", ":material/menu_book:", "Start"),
    PageSpec("pages/assess.py", "Assess a pilot", ":material/assignment:", "Assess a pilot"),
    PageSpec("pages/actions.py", "Action register", ":material/checklist:", "Follow up"),
    PageSpec("pages/workshop.py", "Run a workshop", ":material/groups:", "Workshop"),
    PageSpec(
        "pages/present.py", "Shared screen", ":material/present_to_all:", "Workshop", in_menu=False
    ),
    PageSpec("pages/join.py", "Join a workshop", ":material/login:", "Workshop", in_menu=False),
    PageSpec("pages/portfolio.py", "Portfolio", ":material/table_chart:", "Portfolio"),
    PageSpec("pages/cost.py", "Cost of the trap", ":material/payments:", "Portfolio"),
    PageSpec(
        "pages/organisation.py", "Organisation view", ":material/corporate_fare:", "Portfolio"
    ),
)


def available_pages() -> list[PageSpec]:
    """Registered pages whose file exists (a page appears once it is built)."""
    return [p for p in PAGES if (ROOT / p.path).exists()]


def page_spec(path: str) -> PageSpec | None:
    return next((p for p in available_pages() if p.path == path), None)

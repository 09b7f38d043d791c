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
    url_path: str
    default: bool = False
    in_menu: bool = True


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", "Start", "home", default=True),
    PageSpec("pages/framework.py", "Framework guide", ":material/menu_book:", "Start", "framework"),
    PageSpec(
        "pages/assess.py", "Assess a pilot", ":material/assignment:", "Assess a pilot", "assess"
    ),
    PageSpec("pages/actions.py", "Action register", ":material/checklist:", "Follow up", "actions"),
    PageSpec("pages/workshop.py", "Run a workshop", ":material/groups:", "Workshop", "workshop"),
    PageSpec(
        "pages/present.py",
        "Shared screen",
        ":material/present_to_all:",
        "Workshop",
        "present",
        in_menu=False,
    ),
    PageSpec(
        "pages/join.py", "Join a workshop", ":material/login:", "Workshop", "join", in_menu=False
    ),
    PageSpec("pages/portfolio.py", "Portfolio", ":material/table_chart:", "Portfolio", "portfolio"),
    PageSpec("pages/cost.py", "Cost of the trap", ":material/payments:", "Portfolio", "cost"),
    PageSpec(
        "pages/organisation.py",
        "Organisation view",
        ":material/corporate_fare:",
        "Portfolio",
        "organisation",
    ),
)


def available_pages() -> list[PageSpec]:
    """Registered pages whose file exists (a page appears once it is built)."""
    return [p for p in PAGES if (ROOT / p.path).exists()]


def page_spec(path: str) -> PageSpec | None:
    return next((p for p in available_pages() if p.path == path), None)

"""Plain helpers shared by the conftest files (importable, unlike a conftest)."""

from __future__ import annotations

import ast
import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

from bench import apptest

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
# The shared real data sets sit beside the checkout; POC_TRAP_DATASETS points elsewhere.
DATASETS = Path(os.environ.get("POC_TRAP_DATASETS") or REPO_ROOT.parent / "shared" / "datasets")
FEDERAL = DATASETS / "us-federal-ai-inventory-2025"


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose infrastructure is missing, or fail it in CI, where it must run."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def worker_id() -> str:
    """`gw0`, `gw1`, ... under pytest-xdist; `main` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _titles_the_page(call: ast.Call) -> bool:
    """`st.title(...)`, or `open_page(...)`, whose first argument is the page's title."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "open_page"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "title"
        and isinstance(func.value, ast.Name)
        and func.value.id == "st"
    )


def open_app(page: str, token: str | None = None):
    """The app on the database a fixture pointed it at (`database`), switched to `page`;
    with `token`, opened from that resume link. Fails the test if the page raised."""
    at = apptest.open_app(page, timeout=60, query=None if token is None else {"token": token})
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    """What a page says: its markdown, captions and messages, one per line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("success", "warning", "error", "info"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def page_heading(page_file: str) -> str | None:
    """The literal title of a page's first `st.title("...")` or `open_page("...", ...)`, if
    it has one."""
    tree = ast.parse((REPO_ROOT / page_file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _titles_the_page(node)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
    return None


INPUT_KINDS = (
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "selectbox",
    "multiselect",
    "radio",
    "slider",
    "select_slider",
    "checkbox",
    "toggle",
)


def inputs_without_help(at) -> list[str]:
    """The inputs an AppTest shows whose help (the ⓘ beside the label) is missing or blank.

    A question's answer buttons are left out: their label is collapsed and the question's
    help is printed under it, readable on a phone without a tap.
    """
    return [
        f"{kind} {widget.label!r}"
        for kind in INPUT_KINDS
        for widget in getattr(at, kind)
        if not (getattr(widget, "help", None) or "").strip() and not _label_collapsed(widget)
    ]


def _label_collapsed(widget) -> bool:
    visibility = getattr(getattr(widget, "proto", None), "label_visibility", None)
    return visibility is not None and visibility.value == visibility.COLLAPSED


def vote(engine, person, question_id: str, value: str) -> None:
    """One participant's answer to one question, as their phone sends it."""
    from diagnostics import workshop
    from diagnostics.framework.content import load_content

    workshop.cast_vote(
        engine,
        load_content(),
        workshop_id=person.workshop_id,
        participant_token=person.token,
        question_id=question_id,
        value=value,
    )


def votes_in_db(engine, workshop_id: int) -> int:
    """How many votes the database holds for one workshop."""
    from sqlalchemy import func, select

    from diagnostics.storage.models import WorkshopVote

    with engine.connect() as connection:
        return connection.execute(
            select(func.count())
            .select_from(WorkshopVote)
            .where(WorkshopVote.workshop_id == workshop_id)
        ).scalar_one()

"""Report downloads for every page that offers them (results, workshop, organisation,
portfolio, cost).

A page offers its files behind a "Prepare the files" button (`prepared_row`): a click builds
them into this session, then download buttons hand over those bytes. So a page that offers
a PDF, a deck and a workbook costs nothing until someone wants one, and a file, once built,
cannot be dropped by the server before the browser fetches it (see `ready_row`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import streamlit as st

from diagnostics.render.files import MIME
from ui.components import show_problem


@dataclass(frozen=True)
class ReportFile:
    label: str
    fmt: str  # html, pdf, pptx, xlsx or csv: the MIME type and the file name follow it
    build: Callable[[], bytes | str]
    file_name: str
    help: str


ICONS = {
    "pdf": ":material/picture_as_pdf:",
    "pptx": ":material/slideshow:",
    "html": ":material/description:",
    "xlsx": ":material/table_view:",
    "csv": ":material/csv:",
}


@dataclass(frozen=True)
class ReadyFile:
    """A file already built (bytes), offered as it is."""

    label: str
    fmt: str
    data: bytes
    file_name: str
    help: str


def ready_row(
    files: Sequence[ReadyFile], key_prefix: str, per_row: int = 3, *, sizes: bool = False
) -> None:
    """Files built beforehand, as download buttons, `per_row` to a row.

    Use it where other script runs happen between a click and the browser's fetch (a page
    with a ticking fragment, a server holding a room of phones): Streamlit keeps a file built
    by a deferred download referenced by no session, so the next two script runs of any
    session may drop it before the browser fetches it, and the browser then saves the bare
    media address under its hash. A file handed over as bytes stays referenced by this
    session until its next full run, which hands it over again.
    """
    for start in range(0, len(files), per_row):
        chunk = files[start : start + per_row]
        for column, item in zip(st.columns(per_row), chunk, strict=False):
            column.download_button(
                item.label,
                data=item.data,
                file_name=item.file_name,
                mime=MIME[item.fmt],
                key=f"{key_prefix}ready_{item.fmt}",
                icon=ICONS[item.fmt],
                help=item.help,
                on_click="ignore",
                # One to a row: as wide as its label; several: the row's width shared.
                width="content" if per_row == 1 else "stretch",
            )
            if sizes:
                column.caption(f"{item.fmt.upper()}, {file_size(len(item.data))}")


def prepared_row(
    files: Sequence[ReportFile],
    key_prefix: str,
    basis: Hashable,
    *,
    per_row: int = 3,
    prepare: str = "Prepare the files",
    help: str = "Builds the files from what this page shows now; the download buttons appear "
    "here when they are ready.",
    hint: str | None = None,
) -> None:
    """A "Prepare" button that builds `files` into this session, then their download buttons.

    `basis` names what the files are built from (the assessment, the portfolio version and
    date, the filters, the cost assumptions): prepared files whose basis differs from this
    run's are dropped, so nobody downloads a file about data the page no longer shows.
    `hint` (how long preparing may take) stands under the button until the files are ready.
    """
    _prepared_row(tuple(files), key_prefix, basis, per_row, prepare, help, hint)


@st.fragment
def _prepared_row(
    files: tuple[ReportFile, ...],
    key_prefix: str,
    basis: Hashable,
    per_row: int,
    prepare: str,
    help: str,
    hint: str | None,
) -> None:
    # A fragment: preparing redraws this row only, not the page around it.
    held_key, asked_key = f"{key_prefix}prepared", f"{key_prefix}prepare_asked"
    held = st.session_state.get(held_key)
    if held is not None and held[0] != basis:
        st.session_state.pop(held_key, None)
        held = None
    if st.session_state.pop(asked_key, False):
        try:
            with st.spinner(f"{prepare.replace('Prepare', 'Preparing', 1)}…"):
                held = (basis, [_built(item) for item in files])
        except Exception as exc:  # a message and the button again, never a traceback
            show_problem(exc)
        else:
            st.session_state[held_key] = held
    if held is None:
        st.button(
            prepare,
            key=f"{key_prefix}prepare",
            icon=":material/download:",
            help=help,
            on_click=_ask,
            args=(asked_key,),
        )
        if hint:
            st.caption(hint)
        return
    ready_row(held[1], key_prefix, per_row, sizes=True)


def _ask(asked_key: str) -> None:
    st.session_state[asked_key] = True


def _built(item: ReportFile) -> ReadyFile:
    data = item.build()
    if isinstance(data, str):
        data = data.encode("utf-8")  # as Streamlit hands over a text file
    return ReadyFile(item.label, item.fmt, data, item.file_name, item.help)


def file_size(size: int) -> str:
    """`12 KB`, `1.4 MB`: a file's size as a person reads it."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"

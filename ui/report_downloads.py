"""One row of report downloads for every page that offers them (results, workshop, organisation).

Each file is built only when its button is clicked (deferred downloads), so a page that
offers a PDF, a deck and a workbook costs nothing until someone wants one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from diagnostics.render.files import MIME


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


def download_row(files: Sequence[ReportFile], key_prefix: str, per_row: int = 3) -> None:
    """The files as download buttons, `per_row` to a row (they stack on a phone)."""
    _button_rows(files, [item.build for item in files], f"{key_prefix}dl_", per_row)


@dataclass(frozen=True)
class ReadyFile:
    """A file already built (bytes), offered as it is."""

    label: str
    fmt: str
    data: bytes
    file_name: str
    help: str


def ready_row(files: Sequence[ReadyFile], key_prefix: str, per_row: int = 3) -> None:
    """Files built beforehand, as download buttons, `per_row` to a row.

    Use it where other script runs happen between a click and the browser's fetch (a page
    with a ticking fragment, a server holding a room of phones): Streamlit keeps a file built
    by a deferred download referenced by no session, so the next two script runs of any
    session may drop it before the browser fetches it, and the browser then saves the bare
    media address under its hash. A file handed over as bytes stays referenced by this
    session until its next full run, which hands it over again.
    """
    _button_rows(files, [item.data for item in files], f"{key_prefix}ready_", per_row)


def _button_rows(files: Sequence, payloads: list, key_prefix: str, per_row: int) -> None:
    """One download button per file (its bytes, or the function that builds them),
    `per_row` to a row; each keyed by its format."""
    for start in range(0, len(files), per_row):
        chunk = zip(files[start : start + per_row], payloads[start : start + per_row], strict=True)
        for column, (item, payload) in zip(st.columns(per_row), chunk, strict=False):
            column.download_button(
                item.label,
                data=payload,
                file_name=item.file_name,
                mime=MIME[item.fmt],
                key=f"{key_prefix}{item.fmt}",
                icon=ICONS[item.fmt],
                help=item.help,
                on_click="ignore",
                width="stretch",
            )

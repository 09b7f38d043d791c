"""The shared "Prepare the files" piece in AppTest, on a page of its own: files are built only
when asked for, handed over as bytes with their size, dropped when what they were built from
changes, and a build that fails says why instead of showing a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.report_downloads import file_size


def _page() -> None:
    import streamlit as st

    from diagnostics.errors import DiagnosticError
    from ui.report_downloads import ReportFile, prepared_row

    basis = st.session_state.get("basis", 1)

    def build() -> str:
        if st.session_state.get("fail"):
            raise DiagnosticError("The sheet holds no pilot: add one, then prepare again.")
        return f"basis {basis}"  # 7 bytes

    prepared_row(
        [ReportFile("Answers (csv)", "csv", build, "poc-trap-answers.csv", "One row each.")],
        "t_",
        basis=basis,
        hint="Instant.",
    )


def _open() -> AppTest:
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def _downloads(at) -> list:
    return [b.proto for b in at.get("download_button")]


def test_files_are_built_when_asked_and_handed_over_as_bytes() -> None:
    at = _open()
    assert _downloads(at) == []
    assert at.button(key="t_prepare").label == "Prepare the files"
    assert [c.value for c in at.caption] == ["Instant."]
    at.button(key="t_prepare").click().run()
    (button,) = _downloads(at)
    assert button.label == "Answers (csv)"
    assert button.help == "One row each."
    assert button.url
    assert not button.deferred_file_id
    assert [c.value for c in at.caption] == ["CSV, 7 bytes"]
    at.run()  # nothing changed: still offered, no new button to prepare
    assert len(_downloads(at)) == 1
    assert not [b for b in at.button if b.key == "t_prepare"]


def test_prepared_files_are_dropped_when_their_basis_changes() -> None:
    at = _open()
    at.button(key="t_prepare").click().run()
    assert len(_downloads(at)) == 1
    at.session_state["basis"] = 2
    at.run()
    assert _downloads(at) == []
    assert at.button(key="t_prepare").label == "Prepare the files"
    at.button(key="t_prepare").click().run()
    assert len(_downloads(at)) == 1


def test_a_build_that_fails_says_why_and_offers_the_button_again() -> None:
    at = _open()
    at.session_state["fail"] = True
    at.button(key="t_prepare").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["The sheet holds no pilot: add one, then prepare again."]
    assert _downloads(at) == []
    assert at.button(key="t_prepare").label == "Prepare the files"


def test_file_sizes_read_as_a_person_reads_them() -> None:
    assert file_size(999) == "999 bytes"
    assert file_size(1_000) == "1 KB"
    assert file_size(92_400) == "92 KB"
    assert file_size(1_460_000) == "1.5 MB"

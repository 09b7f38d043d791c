"""Every corpus file through the engine, the command line and the upload page; exports made
inert; a failed import leaves the database exactly as it was.

Files that could abort or exhaust a process if parsed blindly (a far-corner cell, a zip bomb,
an entity bomb) go through the engine in a child process with a memory cap, so a regression
fails its test instead of taking the test run down.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from harness import REPO_ROOT
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from bench.commands import run_cli
from diagnostics.errors import ImportFileError
from diagnostics.sheets import limits
from diagnostics.sheets.safe_export import (
    FORMULA_PREFIXES,
    escape_html,
    frame_to_csv_bytes,
    frames_to_xlsx_bytes,
    neutralise_cell,
)
from diagnostics.storage import store
from hostile.corpus import BY_NAME, CORPUS, HTML_TEXTS, Accepted, Rejected, build_corpus

REJECTED = [f.name for f in CORPUS if isinstance(f.expect, Rejected)]
ACCEPTED = [f.name for f in CORPUS if isinstance(f.expect, Accepted)]
CHILD_MEMORY_BYTES = 3 * 1024**3
CHILD_TIMEOUT_S = 90


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile-corpus")
    build_corpus(directory)
    return directory


def _import_in_child(paths: list[Path]) -> dict[str, dict]:
    """import_portfolio on each file in one fresh interpreter capped at 3 GB of address space;
    a file that kills it fails the tests of every file, with the child's last words."""
    code = textwrap.dedent(
        f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({CHILD_MEMORY_BYTES}, {CHILD_MEMORY_BYTES}))
        from diagnostics.errors import ImportFileError
        from diagnostics.portfolio.importer import import_portfolio
        for path in sys.argv[1:]:
            name = path.rsplit("/", 1)[-1]
            try:
                imported = import_portfolio(path, name)
            except ImportFileError as exc:
                outcome = {{"outcome": "rejected", "message": str(exc)}}
            else:
                outcome = {{"outcome": "accepted", "rows": len(imported.frame)}}
            print(json.dumps({{"name": name, **outcome}}), flush=True)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    outcomes = {}
    for line in result.stdout.splitlines():
        data = json.loads(line)
        outcomes[data.pop("name")] = data
    for path in paths:
        outcomes.setdefault(
            path.name,
            {
                "outcome": "crashed",
                "message": f"the process died (exit {result.returncode}): {result.stderr[-1500:]}",
                "rows": None,
            },
        )
    return outcomes


_OUTCOMES: dict[Path, dict] = {}


def engine_outcome(path: Path) -> dict:
    """What the engine does with a corpus file: rejected with a message, or accepted.

    Computed once per file and test process (the command-line tests compare with it)."""
    from diagnostics.portfolio.importer import import_portfolio

    if path not in _OUTCOMES:
        if BY_NAME[path.name].dangerous:
            dangerous = [path.parent / f.name for f in CORPUS if f.dangerous]
            for name, outcome in _import_in_child(dangerous).items():
                _OUTCOMES[path.parent / name] = outcome
        else:
            try:
                imported = import_portfolio(path.read_bytes(), path.name)
            except ImportFileError as exc:
                _OUTCOMES[path] = {"outcome": "rejected", "message": str(exc)}
            else:
                rows = len(imported.frame)
                _OUTCOMES[path] = {"outcome": "accepted", "rows": rows, "imported": imported}
    return _OUTCOMES[path]


# The corpus itself ------------------------------------------------------------------------------


def test_the_corpus_covers_the_named_kinds_of_bad_file(corpus_dir: Path) -> None:
    names = [f.name for f in CORPUS]
    assert len(names) == len(set(names)) >= 20
    suffixes = {Path(n).suffix for n in names}
    assert {".csv", ".xlsx", ".xlsm", ".ods"} <= suffixes
    assert len(REJECTED) >= 12
    assert len(ACCEPTED) >= 8
    assert (corpus_dir / "empty.csv").stat().st_size == 0
    assert (corpus_dir / "zero-byte.xlsx").stat().st_size == 0
    assert (corpus_dir / "over-25mb.csv").stat().st_size > limits.MAX_UPLOAD_BYTES
    assert (corpus_dir / "password-protected.xlsx").read_bytes()[:8] == bytes.fromhex(
        "d0cf11e0a1b11ae1"
    )
    import zipfile

    with zipfile.ZipFile(corpus_dir / "zip-bomb.xlsx") as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
        assert part.file_size / part.compress_size > limits.MAX_COMPRESSION_RATIO
    with zipfile.ZipFile(corpus_dir / "macros.xlsm") as archive:
        assert "xl/vbaProject.bin" in archive.namelist()


# The engine -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REJECTED)
def test_engine_rejects_with_a_message_saying_what_and_how(corpus_dir: Path, name: str) -> None:
    outcome = engine_outcome(corpus_dir / name)
    assert outcome["outcome"] == "rejected", f"{name}: {outcome['outcome']} {outcome}"
    missing = BY_NAME[name].expect.problems(outcome["message"], name)
    assert not missing, f"{name}: message {outcome['message']!r} lacks {missing}"


@pytest.mark.parametrize("name", ACCEPTED)
def test_engine_accepts_and_neutralises(corpus_dir: Path, name: str) -> None:
    outcome = engine_outcome(corpus_dir / name)
    assert outcome["outcome"] == "accepted", f"{name}: {outcome.get('message')}"
    expect = BY_NAME[name].expect
    assert outcome["rows"] == expect.rows
    if expect.check is not None:
        expect.check(outcome["imported"])


def test_path_and_bytes_give_the_same_message(corpus_dir: Path) -> None:
    from diagnostics.portfolio.importer import import_portfolio

    for name in ("header-only.csv", "password-protected.xlsx", "too-many-columns.csv"):
        path = corpus_dir / name
        messages = []
        for source in (path, path.read_bytes()):
            with pytest.raises(ImportFileError) as caught:
                import_portfolio(source, name)
            messages.append(str(caught.value))
        assert messages[0] == messages[1]


# The command line -------------------------------------------------------------------------------


def _seeded_database(url: str) -> None:
    """A migrated database holding one portfolio, so "unchanged" is not trivially zero."""
    from portfolio_frames import HandImport, random_canonical

    from diagnostics.storage.portfolios import save_portfolio

    engine = store.make_engine(url)
    store.migrate(engine)
    save_portfolio(engine, HandImport(random_canonical(25)), "Existing portfolio")
    engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = store.make_engine(url)
    try:
        return store.count_rows(engine)
    finally:
        engine.dispose()


def _run_cli(path: Path, url: str) -> subprocess.CompletedProcess:
    return run_cli("portfolio", str(path), url=url, timeout=CHILD_TIMEOUT_S)


DANGEROUS = [f.name for f in CORPUS if f.dangerous]
# Through the real `python -m diagnostics` entry point: the dangerous files and a sample of the
# others; every rejected file also goes through `cli.main` in-process below.
CLI_SUBPROCESS = sorted({*DANGEROUS, "password-protected.xlsx"})


@pytest.mark.parametrize("name", CLI_SUBPROCESS)
def test_cli_process_exits_2_with_the_engine_message(
    corpus_dir: Path, sqlite_url: str, name: str
) -> None:
    _seeded_database(sqlite_url)
    before = _counts(sqlite_url)
    expected = engine_outcome(corpus_dir / name)["message"]
    result = _run_cli(corpus_dir / name, sqlite_url)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr[-2000:])
    assert expected in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert _counts(sqlite_url) == before


def test_cli_main_rejects_every_bad_file_and_changes_nothing(
    corpus_dir: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from diagnostics.cli import main

    _seeded_database(sqlite_url)
    before = _counts(sqlite_url)
    os.environ["DATABASE_URL"] = sqlite_url  # restored by the session fixture in conftest
    for name in REJECTED:
        if name in DANGEROUS:
            continue  # covered in a child process above
        expected = engine_outcome(corpus_dir / name)["message"]
        status = main(["portfolio", str(corpus_dir / name)])
        out = capsys.readouterr()
        assert status == 2, name
        assert expected in out.err + out.out, name
    assert _counts(sqlite_url) == before


# All or nothing ---------------------------------------------------------------------------------


def test_an_import_failing_half_way_leaves_no_half_portfolio(db_url: str) -> None:
    from portfolio_frames import HandImport, random_canonical

    from diagnostics.storage.portfolios import list_portfolios, save_portfolio

    _seeded_database(db_url)
    engine = store.make_engine(db_url)
    before = store.count_rows(engine)
    pilot_inserts = []

    def fail_on_second_chunk(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PORTFOLIO_PILOTS"):
            pilot_inserts.append(statement)
            if len(pilot_inserts) == 2:
                raise RuntimeError("disk full (injected)")

    event.listen(engine, "before_cursor_execute", fail_on_second_chunk)
    try:
        with pytest.raises(Exception, match=r"injected|could not be saved|nothing"):
            save_portfolio(engine, HandImport(random_canonical(10)), "Half", chunk_rows=4)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_second_chunk)
    assert len(pilot_inserts) == 2  # the portfolio row and a first chunk had been written
    assert store.count_rows(engine) == before
    assert [p.name for p in list_portfolios(engine)] == ["Existing portfolio"]

    # The same save without the injected failure stores everything.
    save_portfolio(engine, HandImport(random_canonical(10)), "Half", chunk_rows=4)
    after = store.count_rows(engine)
    assert after["portfolios"] == before["portfolios"] + 1
    assert after["portfolio_pilots"] == before["portfolio_pilots"] + 10
    engine.dispose()


# Exports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_formula_prefix_is_neutralised(prefix: str) -> None:
    text = f"{prefix}cmd|' /C calc'!A0"
    assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("Invoice = matching") == "Invoice = matching"  # not at the start
    assert neutralise_cell(-5.0) == -5.0  # numbers stay numbers
    assert neutralise_cell(None) is None


@given(st.text(max_size=40))
def test_neutralised_text_is_inert_and_loses_nothing(text: str) -> None:
    out = neutralise_cell(text)
    assert not out.startswith(FORMULA_PREFIXES)
    assert out == text or (out == "'" + text and text.startswith(FORMULA_PREFIXES))


def test_csv_and_xlsx_exports_of_a_hostile_import_hold_no_formula(corpus_dir: Path) -> None:
    import openpyxl

    imported = engine_outcome(corpus_dir / "formulas.csv")["imported"]
    frame = imported.frame[["pilot_id", "name", "pilot_budget"]]

    rows = list(csv.reader(io.StringIO(frame_to_csv_bytes(frame).decode("utf-8-sig"))))
    names = [r[1] for r in rows[1:]]
    assert len(names) == 7
    assert all(n.startswith("'") for n in names), names
    assert [r[2] for r in rows[1:]] == ["1000.0"] * len(names)

    book = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx_bytes({"Pilots": frame})))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert all(c.value.startswith("'") for c in cells if c.column == 2)
    assert [c.value for c in cells if c.column == 3] == [1000.0] * len(names)


def test_html_export_escapes_every_user_string() -> None:
    for text in HTML_TEXTS:
        escaped = escape_html(text)
        for tag in ("<script", "<img", "<iframe"):
            assert tag not in escaped
        assert escaped.count("&lt;") == text.count("<")
    assert escape_html("\"><b x='1'>") == "&quot;&gt;&lt;b x=&#x27;1&#x27;&gt;"


# The upload page --------------------------------------------------------------------------------

UPLOADED = ("zip-bomb.xlsx", "password-protected.xlsx", "binary-garbage.csv", "header-only.csv")
UPLOAD_KEY = "portfolio_file"


def _import_tab(app_test):
    """The portfolio page with its import tab open (the dashboard opens first otherwise)."""
    if not (REPO_ROOT / "pages" / "portfolio.py").exists():
        pytest.fail("pages/portfolio.py does not exist")
    from ui.portfolio_view import IMPORT, TAB_KEY

    at = app_test("pages/portfolio.py")
    assert not at.exception
    at.session_state[TAB_KEY] = IMPORT
    at.run()
    assert not at.exception
    return at


def test_uploading_bad_files_shows_the_message_and_the_app_lives_on(
    corpus_dir: Path, app_test, demo_sqlite_url: str
) -> None:
    before = _counts(demo_sqlite_url)
    at = _import_tab(app_test)
    for name in UPLOADED:
        expected = engine_outcome(corpus_dir / name)["message"]
        data = (corpus_dir / name).read_bytes()
        at.file_uploader(key=UPLOAD_KEY).set_value((name, data, "application/octet-stream"))
        at.run()
        assert not at.exception, (name, at.exception)
        shown = [e.value for e in at.error]
        assert any(expected in s for s in shown), (name, shown)
    # Still usable: a good file goes through after the bad ones.
    good = (corpus_dir / "semicolons.csv").read_bytes()
    at.file_uploader(key=UPLOAD_KEY).set_value(("semicolons.csv", good, "text/csv"))
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert _counts(demo_sqlite_url) == before


def test_html_in_cells_is_shown_as_text_on_the_page(corpus_dir: Path, app_test) -> None:
    at = _import_tab(app_test)
    data = (corpus_dir / "html-script.csv").read_bytes()
    at.file_uploader(key=UPLOAD_KEY).set_value(("html-script.csv", data, "text/csv"))
    at.run()
    assert not at.exception
    # Markdown elements must never carry the raw tags (that would be HTML rendering).
    for element in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]:
        assert "<script" not in str(element.value), element.value
        assert "<img" not in str(element.value), element.value

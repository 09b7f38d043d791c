"""The layering rules hold: the engine never touches streamlit, every page is routable and runs.

These tests read the code itself (imports, the page registry, the real navigation built by
app.py), so a page or engine module added later is covered without editing this file.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit
from harness import REPO_ROOT, inputs_without_help, page_heading

from ui.navigation import available_pages

ENGINE_DIR = REPO_ROOT / "diagnostics"
PAGES_DIR = REPO_ROOT / "pages"
# Checked statically only: importing them acts (runs the command line, runs migrations).
NOT_IMPORTABLE = {"diagnostics.__main__", "diagnostics.storage.migrations.env"}
FORBIDDEN_IN_ENGINE = ("streamlit", "ui", "pages", "app")
PAGES = available_pages()


def _engine_files() -> list[Path]:
    files = sorted(ENGINE_DIR.rglob("*.py"))
    assert len(files) >= 5, f"expected the engine's modules under {ENGINE_DIR}, found {files}"
    return files


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_roots(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (  # importlib.import_module("streamlit") / __import__("streamlit")
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            )
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def test_engine_source_never_imports_streamlit_or_the_ui() -> None:
    offences = []
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, root in _imported_roots(tree):
            if root in FORBIDDEN_IN_ENGINE:
                offences.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {root}")
    assert offences == [], "the engine must stay free of the UI:\n" + "\n".join(offences)


def test_importing_every_engine_module_leaves_streamlit_unloaded() -> None:
    modules = [_module_name(p) for p in _engine_files() if _module_name(p) not in NOT_IMPORTABLE]
    # A fresh interpreter: this test process has streamlit loaded already.
    probe = (
        "import importlib, json, sys\n"
        "culprits = []\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'streamlit' in sys.modules and not culprits:\n"
        "        culprits.append(name)\n"
        "print(json.dumps({'culprits': culprits, 'count': len(sys.modules)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"an engine module fails to import:\n{result.stderr}"
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["culprits"] == [], f"importing {outcome['culprits'][0]} loads streamlit"


def test_every_page_file_is_registered_and_every_registered_page_exists() -> None:
    files = {f"pages/{p.name}" for p in PAGES_DIR.glob("*.py") if p.name != "__init__.py"}
    registered = {spec.path for spec in PAGES}
    assert files - registered == set(), "page files missing from ui/navigation.PAGES"
    assert registered <= files
    assert sum(spec.default for spec in PAGES) == 1, "exactly one default page"
    url_paths = [spec.url_path for spec in PAGES]
    assert len(set(url_paths)) == len(url_paths), f"url paths must be unique: {url_paths}"


def test_app_hands_every_page_file_to_st_navigation(app_test, monkeypatch) -> None:
    """The registry is what app.py really routes (read from st.navigation at run time)."""
    handed_over: list = []
    real_navigation = streamlit.navigation

    def recording_navigation(pages, *args, **kwargs):
        flat = [p for group in pages.values() for p in group] if isinstance(pages, dict) else pages
        handed_over.extend(flat)
        return real_navigation(pages, *args, **kwargs)

    monkeypatch.setattr(streamlit, "navigation", recording_navigation)
    at = app_test()
    assert not at.exception, [e.value for e in at.exception]
    routed = {
        Path(page._page).resolve().relative_to(REPO_ROOT).as_posix()
        for page in handed_over
        if isinstance(page._page, (str, Path))
    }
    files = {f"pages/{p.name}" for p in PAGES_DIR.glob("*.py") if p.name != "__init__.py"}
    assert routed == files
    assert {page.url_path for page in handed_over if not page._default} == {
        spec.url_path for spec in PAGES if not spec.default
    }


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_page_runs_in_apptest_without_errors(app_test, spec) -> None:
    at = app_test(spec.path)
    assert not at.exception, f"{spec.path} raised:\n" + "\n".join(
        f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception
    )
    assert [e.value for e in at.error] == [], f"{spec.path} shows an error"
    titles = [t.value for t in at.title]
    expected = page_heading(spec.path)
    if expected is not None:
        # Proves the switch happened: the page's own heading is what is shown.
        assert expected in titles, f"{spec.path}: expected title {expected!r}, shown {titles}"
    else:
        assert titles, f"{spec.path} shows no title"


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_every_input_a_page_opens_with_explains_itself(app_test, spec) -> None:
    """Polish: every input says, in its help, what it is for (the ⓘ beside its label)."""
    at = app_test(spec.path)
    assert inputs_without_help(at) == [], spec.path


def test_every_chart_on_a_page_uses_the_shared_chart_settings() -> None:
    """One look everywhere: no chart toolbar over a chart on a phone or the shared screen."""
    loose = []
    for path in [
        REPO_ROOT / "app.py",
        *(REPO_ROOT / "ui").glob("*.py"),
        *(REPO_ROOT / "pages").glob("*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "plotly_chart"
                and not any(
                    k.arg == "config"
                    and isinstance(k.value, ast.Name)
                    and k.value.id == "CHART_CONFIG"
                    for k in node.keywords
                )
            ):
                loose.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert loose == [], f"charts without config=CHART_CONFIG: {loose}"


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_every_page_first_makes_sure_it_runs_inside_the_app_frame(spec) -> None:
    """A deep link as a fresh server's first request runs the page file alone (ui/frame.py);
    each page's first statement after its imports sends it through app.py."""
    tree = ast.parse((REPO_ROOT / spec.path).read_text(encoding="utf-8"))
    first = next(
        node
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    )
    assert isinstance(first, ast.Expr), ast.dump(first)[:120]
    assert isinstance(first.value, ast.Call), ast.dump(first)[:120]
    assert getattr(first.value.func, "id", None) == "through_app", ast.dump(first)[:120]


# A module of the engine does one job and a function one step: past these sizes, split.
MAX_ENGINE_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80
# Tables of rules with their sentences, read best whole: longer is allowed there.
TABLES_OF_MESSAGES = {"diagnostics/portfolio/recommendations.py _rules"}


def test_no_engine_module_outgrows_one_job() -> None:
    sizes = {_module_name(p): len(p.read_text().splitlines()) for p in _engine_files()}
    too_long = {name: lines for name, lines in sizes.items() if lines > MAX_ENGINE_MODULE_LINES}
    assert not too_long, f"split these by job (over {MAX_ENGINE_MODULE_LINES} lines): {too_long}"


def test_no_function_of_the_engine_ui_or_pages_outgrows_one_step() -> None:
    files = [
        *_engine_files(),
        *(REPO_ROOT / "ui").glob("*.py"),
        *PAGES_DIR.glob("*.py"),
        REPO_ROOT / "app.py",
    ]
    too_long = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name} ({lines} lines)"
        for path in files
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
        and f"{path.relative_to(REPO_ROOT)} {node.name}" not in TABLES_OF_MESSAGES
    ]
    assert not too_long, f"split these into named steps: {too_long}"

"""`make bench-ui`: each interaction a new user makes, timed in Chromium against a real server.

A fresh SQLite database seeded with the demo (as `make run` does), one `streamlit run` server,
Debian's Chromium driven by Playwright at 1366x768. Every interaction runs REPEATS times and
is timed from the click (or the URL typed) to the app settled: a script run started and
finished, no spinner left, the element the user waits for drawn. The table gives the median
and the worst of the runs against the budget; `bench/ui_results.json` keeps every sample.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.ui.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    NoRerun,
    settle,
    timed_load,
    timed_prepared_download,
    timed_rerun,
    watch_runs,
)
from bench.ui.server import REPO_ROOT, Server
from ui.navigation import page_spec

REPEATS = 5
RESULTS_PATH = Path(__file__).resolve().parents[1] / "ui_results.json"
FEDERAL_NAME = Path(
    "shared/datasets/us-federal-ai-inventory-2025/2025_individually_reported_AI_use_cases.xlsx"
)
# The shared data set sits beside the checkout (or beside the folder of checkouts), unless
# POCTRAP_FEDERAL_XLSX names the file.
FEDERAL_XLSX = Path(
    os.environ.get("POCTRAP_FEDERAL_XLSX")
    or next(
        (p / FEDERAL_NAME for p in REPO_ROOT.parents if (p / FEDERAL_NAME).exists()),
        REPO_ROOT.parent / FEDERAL_NAME,
    )
)
# The menu pages timed, and the heading each opens with (their addresses and menu titles are
# the page registry's).
HEADINGS = {
    "pages/home.py": "PoC Trap Diagnostic",
    "pages/framework.py": "How the framework works",
    "pages/assess.py": "Assess a pilot",
    "pages/workshop.py": "Run a workshop",
    "pages/portfolio.py": "Portfolio",
    "pages/cost.py": "Cost of the PoC trap",
    "pages/organisation.py": "Organisation view",
}


@dataclass
class Row:
    key: str
    label: str
    budget: float
    samples: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    note: str = ""
    no_rerun: int = 0  # samples whose action started no run: not timings, counted apart

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def worst(self) -> float | None:
        return max(self.samples) if self.samples else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.server_cpu) if self.server_cpu else None

    @property
    def holds(self) -> bool | None:
        if self.no_rerun:
            return False  # an action that changed nothing measured nothing
        return None if not self.samples else self.worst <= self.budget


class Bench:
    def __init__(self, browser, server: Server, repeats: int, workdir: Path) -> None:
        self.browser = browser
        self.server = server
        self.url = server.url
        self.repeats = repeats
        self.workdir = workdir
        self.rows: dict[str, Row] = {}

    def row(self, key: str, label: str, budget: float) -> Row:
        return self.rows.setdefault(key, Row(key, label, budget))

    def sample(self, row: Row, measure: Callable[..., float], *args) -> None:
        """Take one sample of `row` (`measure(*args)`), with the CPU the server spent."""
        before = self.server.cpu_seconds()
        try:
            seconds = measure(*args)
        except NoRerun:
            row.no_rerun += 1
            return
        row.samples.append(seconds)
        row.server_cpu.append(self.server.cpu_seconds() - before)

    def new_page(self):
        context = self.browser.new_context(viewport=LAPTOP, accept_downloads=True)
        return watch_runs(context).new_page()

    def heading(self, page, text: str):
        return page.locator('[data-testid="stMain"]').get_by_role("heading", name=text, exact=True)

    # --- pages --------------------------------------------------------------------------

    def first_loads(self) -> None:
        pages = [(page_spec(path), title) for path, title in HEADINGS.items()]
        for spec, title in pages:
            key, address = spec.url_path, "" if spec.default else spec.url_path
            cold = self.row(f"load_cold_{key}", f"first load, new session: {key}", 2.0)
            for _ in range(self.repeats):
                page = self.new_page()
                self.sample(
                    cold, timed_load, page, f"{self.url}/{address}", self.heading(page, title)
                )
                page.context.close()
        page = self.new_page()
        page.goto(self.url)
        settle(page, self.heading(page, HEADINGS["pages/home.py"]))
        for spec, title in pages:
            key = spec.url_path
            warm = self.row(f"load_warm_{key}", f"page opened from the menu: {key}", 2.0)
            for _ in range(self.repeats):
                other = "Framework guide" if spec.default else "Home"
                sidebar = page.get_by_test_id("stSidebar")
                timed_rerun(page, sidebar.get_by_role("link", name=other, exact=True).click, None)
                link = sidebar.get_by_role("link", name=spec.title, exact=True)
                self.sample(warm, timed_rerun, page, link.click, self.heading(page, title))
        page.context.close()

    # --- self-assessment ----------------------------------------------------------------

    def _new_assessment(self, step: int = 0) -> str:
        from diagnostics.framework.content import load_content
        from diagnostics.storage import store

        engine = store.make_engine(self.server.database_url)
        content = load_content()
        pilot = store.create_pilot(engine, f"Bench pilot {time.time_ns()}")
        assessment = store.start_assessment(
            engine, pilot.id, content.version, position="decision_point"
        )
        if step:
            store.update_assessment(engine, assessment.id, current_step=step)
        engine.dispose()
        return assessment.token

    def assessment(self) -> None:
        from diagnostics.framework.content import load_content

        content = load_content()
        titles = [f"{i + 1}. {r.title}" for i, r in enumerate(content.reasons)]
        resume = self.row("resume_link", "resume link opened (new session)", 2.0)
        tap = self.row("answer_tap", "answer tap", 0.5)
        step_next = self.row("next", "Next (next step drawn)", 1.0)
        results = self.row("see_results", "See the results (verdict drawn)", 2.0)
        for _ in range(self.repeats):
            token = self._new_assessment()
            page = self.new_page()
            self.sample(
                resume,
                timed_load,
                page,
                f"{self.url}/assess?token={token}",
                self.heading(page, titles[0]),
            )
            page.context.close()
        page = self.new_page()
        token = self._new_assessment()
        page.goto(f"{self.url}/assess?token={token}")
        settle(page, self.heading(page, titles[0]))
        answers = ["Yes", "Partly", "No", "Don't know"]
        for i in range(self.repeats):
            radio = page.locator('[data-testid="stRadio"]').nth(i % 3)
            option = radio.get_by_text(answers[i % len(answers)], exact=True)
            self.sample(tap, timed_rerun, page, option.click, None)
        for i in range(min(self.repeats, len(titles) - 1)):
            button = page.get_by_role("button", name="Next", exact=True)
            self.sample(
                step_next,
                timed_rerun,
                page,
                button.click,
                self.heading(page, titles[i + 1]),
            )
        page.context.close()
        for _ in range(self.repeats):
            token = self._new_assessment(step=len(content.reasons))
            page = self.new_page()
            page.goto(f"{self.url}/assess?token={token}")
            settle(page, page.get_by_role("button", name="See the results"))
            button = page.get_by_role("button", name="See the results")
            verdict = self.heading(page, "The three most urgent actions")
            self.sample(results, timed_rerun, page, button.click, verdict)
            page.context.close()

    # --- portfolio ----------------------------------------------------------------------

    def _variant(self, i: int) -> Path:
        """The federal workbook with a different zip comment: same cells, a new file hash,
        so that every upload is read afresh rather than found among earlier reads."""
        path = self.workdir / f"federal-inventory-{i}.xlsx"
        data = FEDERAL_XLSX.read_bytes()
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.comment = f"bench variant {i} {time.time_ns()}".encode()
        path.write_bytes(buffer.getvalue())
        return path

    def _open_owner_cell(self, page) -> None:
        """Open the "Your column" cell of the Owner / sponsor row, which the federal sheet
        leaves "(not used)": any column chosen there is a real change."""
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        # The header row, then ID, Name, Business unit, Sub-unit, Owner / sponsor: 35 px each.
        page.mouse.dblclick(box["x"] + 0.4 * box["width"], box["y"] + 35 * 5 + 17)

    def portfolio(self) -> None:
        if not FEDERAL_XLSX.exists():
            print(f"  the federal inventory is missing ({FEDERAL_XLSX}): portfolio rows skipped")
            return
        upload = self.row("upload", "upload 3,611-row xlsx to mapping shown", 2.0)
        mapping = self.row("mapping_change", "one mapping change", 1.0)
        save = self.row("save", "Save to dashboard (KPIs drawn)", 2.0)
        filter_change = self.row("filter", "a filter change on the dashboard", 1.0)
        xlsx = self.row("enriched_xlsx", "Prepare → enriched xlsx starts (3,611 rows)", 2.0)
        owners = ["Email Address", "Agency Name"]
        for i in range(self.repeats):
            path = self._variant(i)
            page = self.new_page()
            page.goto(f"{self.url}/portfolio")
            settle(page, self.heading(page, "Portfolio"))
            tab = page.get_by_role("tab", name="Import a spreadsheet")
            timed_rerun(page, tab.click, page.get_by_text("up to 25 MB"))
            chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            self.sample(
                upload,
                timed_rerun,
                page,
                lambda chooser=chooser, path=path: chooser.set_input_files(str(path)),
                page.get_by_text("3,611 rows imported"),
            )
            # Timed from the choice: opening the cell's list is the person reading it.
            self._open_owner_cell(page)
            option = page.get_by_role("option", name=owners[i % 2], exact=True).first
            self.sample(
                mapping, timed_rerun, page, option.click, page.get_by_text("3,611 rows imported")
            )
            name = page.get_by_label("Portfolio name", exact=True)
            name.fill(f"Federal inventory {i}")
            button = page.get_by_role("button", name="Save portfolio")
            kpi = page.get_by_test_id("stMetricValue").filter(has_text="3,611")
            self.sample(save, timed_rerun, page, button.click, kpi)
            # The options of the recommendation filter (its first button is the help icon):
            # Stop, Decide now or Assess, each of which lists pilots of the federal sheet.
            control = page.get_by_test_id("stButtonGroup").first
            choice = control.locator("button[aria-pressed]").nth(2 + i % 3)
            caption = page.get_by_text("pilots shown. Select a row to assess it.", exact=False)
            self.sample(filter_change, timed_rerun, page, choice.click, caption)
            prepare = page.get_by_role("button", name="Prepare the files", exact=True)
            self.sample(xlsx, timed_prepared_download, page, prepare, "Enriched portfolio (xlsx)")
            page.context.close()

    def cost(self) -> None:
        change = self.row("cost_assumption", "a cost assumption changed", 1.0)
        page = self.new_page()
        page.goto(f"{self.url}/cost")
        settle(page, self.heading(page, "Cost of the PoC trap"))
        field_ = page.get_by_test_id("stNumberInput").first.locator("input")
        for i in range(self.repeats):
            value = str(40 + 5 * i)

            def retype(value=value) -> None:
                field_.fill(value)
                field_.press("Enter")

            self.sample(change, timed_rerun, page, retype, None)
        page.context.close()

    # --- organisation -------------------------------------------------------------------

    def _answer_sheet(self, i: int) -> Path:
        from openpyxl import Workbook

        from diagnostics.framework.content import load_content

        content = load_content()
        rng = random.Random(i)
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Answers"
        ids = [q.id for q in content.questions]
        sheet.append(["pilot_id", "pilot_name", "business_unit", "position", *ids])
        units = ("Customer Service", "Finance", "Operations", "HR", "Legal")
        for n in range(30):
            answers = [rng.choice(["Yes", "Yes", "Partly", "No", "Don't know"]) for _ in ids]
            sheet.append([f"AI-{n:03d}", f"Pilot {n + 1}", units[n % 5], "", *answers])
        path = self.workdir / f"thirty-pilots-{i}.xlsx"
        workbook.save(path)
        return path

    def organisation(self) -> None:
        upload = self.row("organisation_upload", "organisation: 30-pilot answer sheet read", 2.0)
        for i in range(self.repeats):
            path = self._answer_sheet(i)
            page = self.new_page()
            page.goto(f"{self.url}/organisation")
            settle(page, self.heading(page, "Organisation view"))
            expander = page.get_by_text("Add answers for many pilots from a spreadsheet")
            chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            if not chooser.first.is_visible():
                expander.click()
            self.sample(
                upload,
                timed_rerun,
                page,
                lambda chooser=chooser, path=path: chooser.set_input_files(str(path)),
                page.get_by_text("Read 30 pilots (30 with answers)"),
                "attached",  # the panel may fold itself away once the sheet is read
            )
            page.context.close()


GROUPS: dict[str, Callable[[Bench], None]] = {
    "pages": Bench.first_loads,
    "assessment": Bench.assessment,
    "portfolio": Bench.portfolio,
    "cost": Bench.cost,
    "organisation": Bench.organisation,
}


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def table(rows: list[Row], load: list[float] | None) -> str:
    lines = [
        f"load average at the start: {load}",
        "| interaction | median s | max s | budget s | | server CPU s |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        verdict = {True: "holds", False: "OVER", None: row.note or "not measured"}[row.holds]
        if row.no_rerun:
            verdict = f"{row.no_rerun} action(s) started no run"
        lines.append(
            f"| {row.label} | {_seconds(row.median)} | {_seconds(row.worst)} | "
            f"{row.budget:g} | {verdict} | {_seconds(row.cpu)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--only", nargs="*", choices=list(GROUPS), help="measure these groups only (default: all)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
        return 2
    from playwright.sync_api import sync_playwright

    described = machine.describe()
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="poctrap-bench-ui-"))
    server = Server(workdir)
    print(f"Machine: {machine.one_line(described)}; load {machine.load_average()}")
    server.start()
    cpu_before = server.cpu_seconds()
    bench = None
    failures = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            bench = Bench(browser, server, args.repeats, workdir)
            for name in args.only or list(GROUPS):
                print(f"measuring {name}…", flush=True)
                try:
                    GROUPS[name](bench)
                except Exception as exc:  # one broken group must not hide the others
                    traceback.print_exc(limit=4)
                    failures.append(f"{name}: {type(exc).__name__}: {exc}")
            browser.close()
    finally:
        server_cpu = server.cpu_seconds() - cpu_before
        server.stop()
    rows = list(bench.rows.values()) if bench else []
    load_end = machine.load_average()
    print()
    print(table(rows, described["load_average_at_start"]))
    print(f"load average at the end: {load_end}; server CPU {server_cpu:.1f} s")
    for failure in failures:
        print(f"FAILED {failure}")
    RESULTS_PATH.write_text(
        json.dumps(
            {
                "started": started.isoformat(timespec="seconds"),
                "machine": described,
                "load_average_at_end": load_end,
                "server_cpu_s": round(server_cpu, 2),
                "repeats": args.repeats,
                "rows": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "budget_s": r.budget,
                        "median_s": r.median,
                        "max_s": r.worst,
                        "holds": r.holds,
                        "samples_s": [round(s, 3) for s in r.samples],
                        "actions_without_a_run": r.no_rerun,
                        "server_cpu_s": [round(s, 3) for s in r.server_cpu],
                    }
                    for r in rows
                ],
                "failures": failures,
            },
            indent=2,
        )
    )
    print(f"written: {RESULTS_PATH.relative_to(REPO_ROOT)}")
    return 1 if failures or any(r.holds is False for r in rows) else 0

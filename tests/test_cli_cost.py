"""`python -m diagnostics cost FILE`: the same numbers as the engine, worked out by hand.

The sheet holds the five pilots of tests/test_page_cost.py in an organisation's own column
names. As of 30 June 2026, with a team cost of 30,437.5 a month (1,000 a day), no value
ramp and the 10 / 22-week decision point and path: direct 180,000 + 100,000 = 280,000,
opportunity 46,000 + 100,000 = 146,000, total 426,000; one pilot left out (no start date).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench.commands import run_cli
from diagnostics.cli import main
from diagnostics.cost import CostAssumptions, compute_cost
from diagnostics.framework.content import load_content
from diagnostics.portfolio.importer import import_portfolio

HEADER = [
    "Project ID",
    "Project name",
    "Business unit",
    "Status",
    "Kick-off",
    "Decision / go-live date",
    "Pilot budget",
    "Expected annual value",
]
ROWS = [
    ["A-1", "Ticket triage", "Ops", "Pilot", "2025-12-12", "", "50000", "365250"],
    ["A-2", "Email sorter", "Ops", "Stopped", "2025-09-03", "2025-12-12", "", "365250"],
    ["B-1", "Invoice matching", "Finance", "Live", "2025-05-26", "2026-02-04", "80000", "365250"],
    ["C-1", "Contract clauses", "Legal", "Prototype", "2026-05-11", "", "25000", ""],
    ["C-2", "Undated", "Legal", "Pilot", "", "", "1000000", ""],
]
HAND = ["--as-of", "2026-06-30", "--monthly-team-cost", "30437.5", "--value-ramp-months", "0"]


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "pilots.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def run_json(capsys, *args: str) -> dict:
    assert main(["cost", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_totals_match_the_hand_computation(sheet, capsys) -> None:
    data = run_json(capsys, str(sheet), *HAND)
    assert data["totals"]["direct"] == pytest.approx(280_000)
    assert data["totals"]["opportunity"] == pytest.approx(146_000)
    assert data["totals"]["total"] == pytest.approx(426_000)
    assert data["left_out"] == {"no start date": 1}
    assert [p["pilot_id"] for p in data["pilots_left_out"]] == ["C-2"]
    counted = {p["pilot_id"]: p["total_cost"] for p in data["pilots_counted"]}
    assert counted == pytest.approx({"A-1": 226_000, "A-2": 100_000, "B-1": 100_000})
    units = {u["business_unit"]: u["total_cost"] for u in data["by_business_unit"]}
    assert units == pytest.approx({"Ops": 326_000, "Finance": 100_000, "Legal": 0})
    assert data["assumptions"]["monthly_team_cost"] == 30_437.5
    assert data["assumptions"]["as_of"] == "2026-06-30"


def test_json_agrees_with_the_engine_on_the_same_file(sheet, capsys) -> None:
    data = run_json(capsys, str(sheet), "--as-of", "2026-06-30")
    frame = import_portfolio(sheet, sheet.name).frame
    assumptions = CostAssumptions.from_content(load_content(), as_of="2026-06-30")
    engine = compute_cost(frame, assumptions)
    for key in ("direct", "opportunity", "total", "pilots_left_out"):
        assert data["totals"][key] == pytest.approx(engine.totals[key]), key
    assert [m["message"] for m in data["missing_data"]] == engine.missing_statement()


def test_text_output_names_totals_units_gaps_and_assumptions(sheet, capsys) -> None:
    assert main(["cost", str(sheet), *HAND, "--stop", "overdue"]) == 0
    out = capsys.readouterr().out
    assert "Total 426,000 = direct 280,000 + opportunity 146,000" in out
    assert "  1 no start date" in out
    assert "1 of 5 pilots have no pilot budget" in out
    # Stopping A-1 saves a year (365.25 days) of team cost and of value: 730,500.
    assert "saving 730,500 by 2027-06-30" in out
    assert "Monthly team cost: 30,437.5 currency per month" in out
    ops = next(line for line in out.splitlines() if line.strip().startswith("Ops"))
    assert "326,000" in ops


def test_assumptions_file_is_read_and_options_win(sheet, tmp_path, capsys) -> None:
    settings = tmp_path / "assumptions.json"
    settings.write_text(json.dumps({"monthly_team_cost": 0, "value_ramp_months": 0}))
    data = run_json(capsys, str(sheet), "--assumptions", str(settings), "--as-of", "2026-06-30")
    assert data["totals"]["direct"] == pytest.approx(50_000)  # recorded budgets only
    data = run_json(
        capsys,
        str(sheet),
        "--assumptions",
        str(settings),
        "--monthly-team-cost",
        "30437.5",
        "--as-of",
        "2026-06-30",
    )
    assert data["totals"]["direct"] == pytest.approx(280_000)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--decision-point-weeks", "30"], "decision point (30 weeks) must not come after"),
        (["--monthly-team-cost", "-5"], "monthly_team_cost"),
    ],
)
def test_bad_assumptions_exit_2_with_a_reason(sheet, capsys, extra, message) -> None:
    assert main(["cost", str(sheet), *extra]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_exits_2(tmp_path, capsys) -> None:
    assert main(["cost", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_module_entry_point_prints_the_same_json(sheet) -> None:
    result = run_cli("cost", str(sheet), *HAND, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["total"] == pytest.approx(426_000)
    bad = run_cli("cost", str(sheet), "--as-of", "30/06/2026")
    assert bad.returncode == 2
    assert "is not a date like 2026-06-30" in bad.stderr

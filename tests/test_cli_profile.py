"""`python -m diagnostics profile FILE [--json]`: per pilot, per reason and the systemic gaps."""

from __future__ import annotations

import json

import pytest

from bench.commands import run_cli
from diagnostics.cli import main
from diagnostics.framework.content import load_content

# (business problem, data, production, buy-in, governance, change): every question of a
# reason answered alike, so readiness per reason is 100 / 50 / 0 whatever the weights.
FIVE = {
    "P1": ("Yes", "Yes", "Yes", "No", "Yes", "Yes"),
    "P2": ("Partly", "Yes", "No", "Yes", "Partly", "Yes"),
    "P3": ("Yes", "Partly", "Partly", "Partly", "No", "Partly"),
    "P4": ("Yes", "Partly", "Don't know", "Yes", "Partly", "Partly"),
    "P5": ("Yes", "Yes", "Yes", "Yes", "Yes", "Partly"),
}


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture
def sheet_path(tmp_path, content):
    ids = [q.id for q in content.questions]
    reason_index = {r.key: i for i, r in enumerate(content.reasons)}
    lines = [",".join(["pilot_name", "business_unit", *ids])]
    for name, pattern in FIVE.items():
        cells = [pattern[reason_index[q.reason]] for q in content.questions]
        lines.append(",".join([name, "Ops", *cells]))
    # A bad cell in P5's first question: reported with its reference, the row kept.
    lines[-1] = lines[-1].replace("P5,Ops,Yes", "P5,Ops,Yess", 1)
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_json(capsys, *args) -> dict:
    assert main(["profile", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_per_pilot_per_reason_and_gaps(sheet_path, capsys, content) -> None:
    data = _run_json(capsys, str(sheet_path))
    pilots = {p["pilot"]: p for p in data["pilots"]}
    assert list(pilots) == ["P1", "P2", "P3", "P4", "P5"]
    assert pilots["P2"]["readiness"] == {
        "business_problem": 50.0,
        "data_readiness": 100.0,
        "production_readiness": 0.0,
        "organizational_buy_in": 100.0,
        "governance": 50.0,
        "change_management": 100.0,
    }
    assert pilots["P1"]["decision"] == "fix_first"
    reasons = {r["reason"]: r for r in data["reasons"]}
    # production readiness over the five pilots: 100 0 50 0 100
    assert reasons["production_readiness"] == {
        "reason": "production_readiness",
        "median": 50.0,
        "mean": 50.0,
        "min": 0.0,
        "weakest_count": 2,
    }
    # governance: 100 50 0 50 100 -> median 50, mean 60; weakest for P3 only
    assert (reasons["governance"]["median"], reasons["governance"]["mean"]) == (50.0, 60.0)
    assert reasons["governance"]["weakest_count"] == 1
    # The production questions are answered No (P2) or Don't know (P4): 2 of 5 each, the
    # most frequent gaps; with no systemic gap, the most frequent ones are listed.
    production = {q.id for q in content.questions_for("production_readiness")}
    top = data["systemic_gaps"][: len(production)]
    assert {g["question_id"] for g in top} == production
    assert all(g["share"] == 0.4 and g["gaps"] == 2 for g in top)


def test_bad_cell_is_reported_and_the_row_kept(sheet_path, capsys, content) -> None:
    data = _run_json(capsys, str(sheet_path))
    first = content.questions[0].id
    assert data["problems"] == [
        {
            "cell": "C6",
            "row": 6,
            "column": first,
            "value": "Yess",
            "message": "'Yess' is not an answer",
        }
    ]
    assert "P5" in {p["pilot"] for p in data["pilots"]}


def test_text_output_names_pilots_reasons_and_gaps(sheet_path, capsys) -> None:
    assert main(["profile", str(sheet_path), "--gaps", "3"]) == 0
    out = capsys.readouterr().out
    assert "C6 (bp_problem_statement): 'Yess' is not an answer" in out
    assert "P2 [Ops]: Fix first" in out
    assert "Decisions: Proceed 1, Fix first 4, Stop 0" in out
    gap_lines = [line for line in out.splitlines() if line.startswith("  pr_")]
    assert len(gap_lines) == 3
    assert all("40% (2 of 5)" in line for line in gap_lines)


def test_missing_and_unreadable_files_exit_2(tmp_path, capsys) -> None:
    assert main(["profile", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    plain.write_text("name,score\nA,3\n", encoding="utf-8")
    assert main(["profile", str(plain)]) == 2
    assert "no column is headed by a question id" in capsys.readouterr().err


def test_module_entry_point(sheet_path) -> None:
    result = run_cli("profile", str(sheet_path), "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["pilots"]) == 5

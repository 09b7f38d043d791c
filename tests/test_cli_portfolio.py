"""`python -m diagnostics portfolio FILE`: the import summary, and exit status 2 on bad files."""

from __future__ import annotations

import json

import pytest

from bench.commands import run_cli
from diagnostics.cli import main
from tests.harness import FEDERAL, unavailable

FEDERAL_STAGES = {
    "idea": 0,
    "development": 1479,
    "pilot": 440,
    "decision": 0,
    "production": 1040,
    "retired": 314,
    "unknown": 338,
}


def federal(suffix: str):
    path = FEDERAL / f"2025_individually_reported_AI_use_cases.{suffix}"
    if not path.is_file():
        unavailable(f"the federal dataset is missing: {path}")
    return path


def run_json(capsys, *argv: str) -> dict:
    assert main(["portfolio", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_federal_files_through_the_command_line(capsys, suffix):
    data = run_json(capsys, str(federal(suffix)))
    assert data["rows_imported"] == data["rows_read"] == 3611
    assert data["stage_counts"] == FEDERAL_STAGES
    assert data["production_rate"] == pytest.approx(1040 / 3273, abs=1e-4)
    assert data["business_unit_count"] == 41
    assert len(data["business_units"]) == 41
    assert sum(u["pilots"] for u in data["business_units"]) == 3611
    assert data["column_mapping"]["stage"]["confidence"] == 1.0
    assert data["header_row"] == (2 if suffix == "xlsx" else 1)
    assert data["unmapped_stage_values"] == {}
    unit = data["business_units"][0]
    assert set(unit["symptoms"]) == {
        "many_pilots_none_live",
        "fragmented_technology",
        "results_without_users",
    }
    assert any("No stage in 338 rows" in w for w in data["warnings"])
    unit_column = "Agency Abbreviation" if suffix == "xlsx" else "agency"
    assert data["business_unit_column"] == unit_column
    subunit_column = "Bureau/Component" if suffix == "xlsx" else "agency_bureau"
    assert (data["business_subunit_column"], data["business_subunit_count"]) == (
        subunit_column,
        401,
    )
    start = data["date_columns"]["start_date"]
    assert start == ("operational_date" if suffix == "csv" else start)
    assert start.startswith(("operational_date", "Date when AI use case became operational"))
    assert data["date_columns"]["decision_date"] is None
    texts = {t["stage"]: 0 for t in data["stage_texts"]}
    for text in data["stage_texts"]:
        texts[text["stage"]] += text["rows"]
    assert texts == {"development": 1479, "pilot": 440, "production": 1040, "retired": 314}
    assert data["missing"] == []


def test_the_text_summary_names_the_unit_dates_and_stage_texts(capsys, tmp_path):
    path = tmp_path / "agency.csv"
    path.write_text(
        "Use Case Name,Agency,Bureau,Stage,Date Initiated\n"
        "Triage,DHS,CBP,In mission,2023-01-05\n"
        "Search,DHS,TSA,Implementation,2024-02-01\n"
        "Drafts,DHS,CBP,Implementation,\n",
        encoding="utf-8",
    )
    assert main(["portfolio", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Business units: 2, from column 'Bureau'" in out
    assert "Date columns: start date 'Date Initiated'" in out
    assert "  'Implementation' (2 rows) -> pilot" in out
    assert "  'In mission' (1 row) -> production" in out


def test_sheet_and_profile_options(capsys, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    pilots = book.create_sheet("Q3")
    for row in (["Code", "Title", "Lifecycle"], ["A", "Bot", "Trial"], ["B", "Radar", "Live"]):
        pilots.append(row)
    path = tmp_path / "mine.xlsx"
    book.save(path)
    profile = tmp_path / "mine.yaml"
    profile.write_text("columns:\n  name: Code\n  stage: Lifecycle\n", encoding="utf-8")

    data = run_json(capsys, str(path), "--sheet", "Q3", "--profile", str(profile))
    assert data["sheet"] == "Q3"
    assert data["column_mapping"]["name"] == {
        "column": "Code",
        "confidence": 1.0,
        "source": "profile",
    }
    assert data["stage_counts"]["pilot"] == 1
    assert data["stage_counts"]["production"] == 1
    assert data["production_rate"] == 0.5


def test_text_output_names_the_mapping_and_counts(capsys):
    assert main(["portfolio", str(federal("csv"))]) == 0
    out = capsys.readouterr().out
    assert "Rows imported: 3,611" in out
    assert "development_stage" in out
    assert "  production      1,040" in out
    assert "Production rate: 31.8%" in out


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.xlsx", b"", "empty"),
        ("notes.xlsx", b"just,some\ntext,here\n", "plain text"),
        ("garbage.csv", bytes(range(256)) * 20, "binary"),
        ("header-only.csv", b"ID,Name,Stage\n", "no rows of pilots"),
    ],
)
def test_bad_files_exit_2_with_the_message(capsys, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["portfolio", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert words in captured.err


def test_missing_file_and_unknown_profile(capsys, tmp_path):
    assert main(["portfolio", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err
    path = tmp_path / "p.csv"
    path.write_text("Name,Stage\nA,Pilot\n", encoding="utf-8")
    assert main(["portfolio", str(path), "--profile", "no-such-profile"]) == 2
    assert "us-federal-ai-inventory" in capsys.readouterr().err


def test_real_process_exit_status(tmp_path):
    """The module entry point itself returns 2 and prints the message on stderr."""
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    result = run_cli("portfolio", str(path))
    assert result.returncode == 2
    assert "PDF document" in result.stderr
    assert "Traceback" not in result.stderr

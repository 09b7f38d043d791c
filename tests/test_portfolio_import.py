"""Importing portfolios end to end: the real federal inventory, hand-made sheets, synthetic ones."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from diagnostics.errors import ImportFileError
from diagnostics.portfolio.fields import CANONICAL_COLUMNS
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.portfolio.stages import CANONICAL_STAGES, STARTED_STAGES
from diagnostics.portfolio.synthetic import canonical_stage_counts, synthetic_portfolio
from tests.harness import FEDERAL, unavailable

FEDERAL_XLSX = FEDERAL / "2025_individually_reported_AI_use_cases.xlsx"
FEDERAL_CSV = FEDERAL / "2025_individually_reported_AI_use_cases.csv"


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


# The federal inventory ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def federal_xlsx():
    if not FEDERAL_XLSX.is_file():
        unavailable(f"the federal dataset is missing: {FEDERAL_XLSX}")
    return import_portfolio(FEDERAL_XLSX, FEDERAL_XLSX.name)


@pytest.fixture(scope="module")
def federal_csv():
    if not FEDERAL_CSV.is_file():
        unavailable(f"the federal dataset is missing: {FEDERAL_CSV}")
    return import_portfolio(FEDERAL_CSV, FEDERAL_CSV.name)


def _stage_of_federal_answer(text: object) -> str:
    """The letter of the federal multiple-choice answer, by hand: a) b) c) d)."""
    if not isinstance(text, str) or not text.strip():
        return "unknown"
    first = text.strip().lower()
    if first.startswith(("a)", "pre-deployment")):
        return "development"
    if first.startswith(("b)", "pilot")):
        return "pilot"
    if first.startswith(("c)", "deployed")):
        return "production"
    if first.startswith(("d)", "retired")):
        return "retired"
    return "other"


def _hand_counts(raw: pd.Series) -> dict[str, int]:
    counts = dict.fromkeys(CANONICAL_STAGES, 0)
    for stage, n in raw.map(_stage_of_federal_answer).value_counts().items():
        counts[stage] += int(n)
    return counts


def test_federal_xlsx_stage_counts_match_a_hand_count(federal_xlsx):
    raw = pd.read_excel(FEDERAL_XLSX, header=None, dtype=object, engine="openpyxl")
    header_at = raw.index[raw.eq("Stage of Development").any(axis=1)][0]
    stage_column = raw.columns[raw.loc[header_at].eq("Stage of Development")][0]
    hand = _hand_counts(raw.loc[header_at + 1 :, stage_column])
    assert len(raw) - header_at - 1 == 3611
    assert hand == {
        "idea": 0,
        "development": 1479,
        "pilot": 440,
        "decision": 0,
        "production": 1040,
        "retired": 314,
        "unknown": 338,
    }
    assert federal_xlsx.rows_imported == 3611
    assert federal_xlsx.stage_counts() == hand
    assert federal_xlsx.header_row == header_at + 1  # blank first row, header on row 2
    assert federal_xlsx.sheet == "Consolidated Inventory"


def test_federal_csv_matches_the_xlsx(federal_csv, federal_xlsx):
    raw = pd.read_csv(FEDERAL_CSV, encoding="utf-8-sig", dtype=str)
    assert federal_csv.rows_imported == len(raw) == 3611
    assert federal_csv.stage_counts() == _hand_counts(raw["development_stage"])
    assert federal_csv.stage_counts() == federal_xlsx.stage_counts()
    assert federal_csv.frame["business_unit"].nunique() == raw["agency"].nunique() == 41
    # the two files list the same use cases in a different order
    assert federal_csv.frame["business_unit"].value_counts().to_dict() == (
        federal_xlsx.frame["business_unit"].value_counts().to_dict()
    )


def test_federal_profile_applies_by_itself(federal_csv, federal_xlsx):
    for imported in (federal_csv, federal_xlsx):
        assert imported.profile == "US federal AI use case inventory"
        assert imported.mapping["stage"].source == "profile"
        assert imported.mapping["technology"].column in ("vendor_name", "Vendor(s) Name")


def test_federal_production_rate(federal_xlsx):
    # production ÷ started (development + pilot + decision + production + retired)
    assert federal_xlsx.production_rate() == pytest.approx(1040 / (1479 + 440 + 1040 + 314))


def test_federal_dates_read(federal_csv):
    raw = pd.read_csv(FEDERAL_CSV, encoding="utf-8-sig", dtype=str)["operational_date"]
    given = raw.notna() & raw.str.strip().ne("")
    start = federal_csv.frame["start_date"]
    assert start.notna().sum() == given.sum()
    first = raw[given].index[0]
    assert start.iloc[first] == pd.Timestamp(pd.to_datetime(raw.iloc[first]).date())


# The canonical frame --------------------------------------------------------------------------


SMALL = [
    ["Pilot portfolio 2026"],
    [],
    ["ID", "Project", "Unit", "Owner", "Status", "Start", "Go-live", "Budget", "Value", "Users"],
    ["P-1", "Invoice bot", "Finance", "Ana", "Pilot", "2026-01-05", "", "$120k", "1.2M", "40"],
    ["P-2", "Churn radar", "Sales", "Ben", "Live", "03/02/2025", "2025-09-01", "80,000", "", "250"],
    ["", "CV screening", "HR", "", "Gate 3", "garbage", "", "-5000", "abc", "-2"],
    ["P-4", "", None, None, "", "2025-13-45", "2024-01-01", "", "", ""],
]


@pytest.fixture(scope="module")
def small():
    return import_portfolio(xlsx_bytes(SMALL), "small.xlsx")


def test_frame_has_exactly_the_canonical_columns_and_types(small):
    frame = small.frame
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert list(frame["stage"].cat.categories) == list(CANONICAL_STAGES)
    for column in ("start_date", "decision_date"):
        assert frame[column].dtype == "datetime64[ns]"
    for column in ("pilot_budget", "production_estimate", "expected_annual_value"):
        assert frame[column].dtype == "float64"
    for column in ("live_users", "data_sources"):
        assert frame[column].dtype == "float64"
    assert frame["production_estimate"].isna().all()  # unmapped: all missing, still present


def test_small_sheet_values(small):
    frame = small.frame
    assert small.header_row == 3
    assert small.rows_read == small.rows_imported == 4
    assert frame["pilot_id"].tolist() == ["P-1", "P-2", "row-6", "P-4"]
    assert frame["stage"].tolist() == ["pilot", "production", "unknown", "unknown"]
    assert frame["stage_raw"].tolist()[:3] == ["Pilot", "Live", "Gate 3"]
    assert frame["start_date"].iloc[1] == pd.Timestamp("2025-03-02")
    assert frame["pilot_budget"].tolist()[:2] == [120_000, 80_000]
    assert np.isnan(frame["pilot_budget"].iloc[2])  # negative: left out, with a warning
    assert frame["expected_annual_value"].iloc[0] == 1_200_000
    assert frame["live_users"].tolist()[:2] == [40, 250]
    assert pd.isna(frame["business_unit"].iloc[3])  # kept as missing, not "Unassigned"


def test_small_sheet_problems_per_row(small):
    problems = small.row_problems
    found = set(zip(problems["row"], problems["field"], problems["problem"], strict=True))
    assert found == {
        (6, "stage", "stage not recognised"),
        (6, "start_date", "not a date"),
        (6, "pilot_budget", "negative amount (left out)"),
        (6, "expected_annual_value", "not an amount"),
        (6, "live_users", "negative (left out)"),
        (7, "name", "no name"),
        (7, "start_date", "not a date"),
    }
    assert small.rows_with_warnings == 2
    assert small.unmapped_stage_values == {"Gate 3": 1}
    text = " ".join(small.warnings)
    assert "'Gate 3' (1)" in text
    assert "No stage in 1 row; counted as unknown." in text
    assert "No name in 1 row" in text
    assert "4 rows imported, 2 with warnings" in text


def test_a_past_stop_date_on_an_open_stage_is_said_and_counted_open():
    """Two pilots say they stopped in 2020 while their stage is still open; the retired one
    and the one whose stop date lies ahead are as expected and pass unremarked."""
    rows = [
        ["ID", "Name", "Stage", "Start date", "Stop date"],
        ["P-1", "Chatbot", "Pilot", "2019-05-01", "2020-02-01"],
        ["P-2", "Forecast", "In development", "2019-06-01", "2020-03-01"],
        ["P-3", "Triage", "Retired", "2019-07-01", "2020-04-01"],
        ["P-4", "Search", "Pilot", "2019-08-01", "2099-01-01"],
    ]
    imported = import_portfolio(xlsx_bytes(rows), "stops.xlsx")
    assert imported.frame["stage"].tolist() == ["pilot", "development", "retired", "pilot"]
    problems = imported.row_problems
    said = problems[problems["field"] == "stop_date"]
    assert said["row"].tolist() == [2, 3]
    assert set(said["problem"]) == {"stopped, but the stage is open"}
    assert (
        "A stop date in the past but a stage still open in 2 rows; counted as open, so their "
        "cost runs to today. Set their stage to retired if they stopped."
    ) in imported.warnings


def test_stage_overrides_and_user_mapping(small):
    again = import_portfolio(
        xlsx_bytes(SMALL),
        "small.xlsx",
        stage_overrides={"Gate 3": "decision"},
        mapping={"owner": None, "technology": "Owner"},
    )
    assert again.frame["stage"].tolist() == ["pilot", "production", "decision", "unknown"]
    assert again.unmapped_stage_values == {}
    assert again.frame["owner"].isna().all()
    assert again.frame["technology"].tolist()[:2] == ["Ana", "Ben"]
    assert again.mapping["technology"].source == "user"


def test_source_hash_and_path_or_bytes(tmp_path):
    data = xlsx_bytes(SMALL)
    path = tmp_path / "small.xlsx"
    path.write_bytes(data)
    from_path = import_portfolio(path, "small.xlsx")
    from_bytes = import_portfolio(data, "small.xlsx")
    assert from_path.source_hash == from_bytes.source_hash == hashlib.sha256(data).hexdigest()
    pd.testing.assert_frame_equal(from_path.frame, from_bytes.frame)


def test_original_columns_kept_alongside(small):
    assert list(small.source.columns)[:3] == ["ID", "Project", "Unit"]
    assert len(small.source) == len(small.frame)


def test_summary_for_the_command_line(small):
    summary = small.summary()
    assert summary["rows_imported"] == 4
    assert summary["stage_counts"]["pilot"] == 1
    assert summary["stage_counts"]["unknown"] == 2
    assert summary["production_rate"] == pytest.approx(1 / 2)
    # header "Status" is a synonym (1.0), weighed by the values: 2 of the 3 non-blank texts
    # are stages, so 1.0 * (0.4 + 0.6 * 2/3) = 0.8
    assert summary["column_mapping"]["stage"] == {
        "column": "Status",
        "confidence": 0.8,
        "source": "header",
    }


OWN_SHEET = [
    ["ACME Corp – AI initiatives tracker"],
    ["Last updated: 12 Oct 2026"],
    [],
    [
        *("#", "Initiative", "Division", "Exec Sponsor", "Current Phase", "Kick-off"),
        *("Target go-live", "Vendor", "Budget (€)", "Est. annual savings", "# users"),
    ],
    [
        *(1, "Invoice OCR", "Finance", "M. Weber", "Proof of Concept", "2026-02-01"),
        *("2026-09-01", "ABBYY", "€ 90k", "€ 400k", None),
    ],
    [
        *(2, "Chatbot HR", "HR", "S. Klein", "Live", "2025-05-10"),
        *("2025-11-01", "Azure OpenAI", "120.000", "250k", 340),
    ],
    [
        *(3, "Demand forecast", "Supply Chain", "T. Braun", "Pilot", "2026-04-15"),
        *(None, "In-house", "60k", "1,2 Mio", 12),
    ],
    [
        *(4, "Contract review", "Legal", "A. Roth", "On hold", "2025-09-01"),
        *(None, "Harvey", "80k", "", 0),
    ],
    [
        *(5, "Fraud scoring", "Finance", "M. Weber", "Stopped", "2024-11-01"),
        *("2025-03-01", "SAS", "150k", "2M", None),
    ],
]


def test_a_sheet_in_its_own_words_needs_no_changes():
    imported = import_portfolio(xlsx_bytes(OWN_SHEET), "acme.xlsx")
    mapped = {k: m.column for k, m in imported.mapping.items() if m.column}
    assert mapped == {
        "pilot_id": "#",
        "name": "Initiative",
        "business_unit": "Division",
        "owner": "Exec Sponsor",
        "stage": "Current Phase",
        "start_date": "Kick-off",
        "decision_date": "Target go-live",
        "technology": "Vendor",
        "pilot_budget": "Budget (€)",
        "expected_annual_value": "Est. annual savings",
        "live_users": "# users",
    }
    frame = imported.frame
    assert imported.header_row == 4
    assert frame["stage"].tolist() == ["development", "production", "pilot", "decision", "retired"]
    assert frame["pilot_budget"].tolist() == [90_000, 120_000, 60_000, 80_000, 150_000]
    assert frame["expected_annual_value"].tolist()[:3] == [400_000, 250_000, 1_200_000]
    assert frame["live_users"].tolist()[1:4] == [340, 12, 0]
    assert imported.rows_with_warnings == 0
    # 1 production of 5 started (development, production, pilot, decision, retired)
    assert imported.production_rate() == pytest.approx(1 / 5)


# Synthetic portfolios ----------------------------------------------------------------------------


def test_synthetic_portfolio_stage_counts():
    data = synthetic_portfolio(3000, seed=11)
    imported = import_portfolio(csv_bytes(data), "synthetic.csv")
    expected = canonical_stage_counts(data)
    counts = imported.stage_counts()
    assert imported.rows_imported == 3000
    for stage in CANONICAL_STAGES:
        assert counts[stage] == expected.get(stage, 0), stage
    started = sum(expected.get(s, 0) for s in STARTED_STAGES)
    assert imported.production_rate() == pytest.approx(expected["production"] / started)
    assert {f"score_{k}" for k in ("governance", "data_readiness")} <= set(imported.frame.columns)


def test_synthetic_money_matches_its_source():
    data = synthetic_portfolio(500, seed=5)
    imported = import_portfolio(csv_bytes(data), "synthetic.csv")
    budget = imported.frame["pilot_budget"]
    texts = data["Pilot budget"]
    plain = texts.str.fullmatch(r"[\d,]+")
    assert plain.any()
    expected = texts[plain].str.replace(",", "").astype(float)
    assert budget[plain].tolist() == expected.tolist()
    assert imported.frame["pilot_budget"].notna().sum() == (texts != "").sum()


# Refusals -----------------------------------------------------------------------------------


def test_headerless_sheet_is_refused_with_what_to_do():
    rows = [
        ["P-1", "Invoice bot", "Finance", "Pilot", "2026-01-05", "$120k"],
        ["P-2", "Churn radar", "Sales", "Live", "2025-03-02", "80,000"],
    ]
    with pytest.raises(ImportFileError, match="no row of column names") as caught:
        import_portfolio(xlsx_bytes(rows), "nohead.xlsx")
    assert "Add a header row" in str(caught.value)


def test_headerless_sheet_imports_when_the_user_maps_it():
    rows = [["P-1", "Invoice bot", "Pilot"], ["P-2", "Churn radar", "Live"]]
    imported = import_portfolio(
        xlsx_bytes(rows), "nohead.xlsx", mapping={"pilot_id": "P-1", "stage": "Pilot"}
    )
    assert imported.frame["stage"].tolist() == ["production"]


def test_unexpected_failures_still_read_as_a_message(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("something internal")

    monkeypatch.setattr("diagnostics.portfolio.importer.read_table", broken)
    with pytest.raises(ImportFileError, match="could not be read") as caught:
        import_portfolio(b"a,b\n1,2\n", "x.csv")
    assert "save it as .xlsx or .csv" in str(caught.value)


def test_missing_file():
    with pytest.raises(ImportFileError, match="file not found"):
        import_portfolio("/nonexistent/pilots.xlsx", "pilots.xlsx")


def test_repeated_ids_are_found_as_pandas_finds_duplicates():
    import numpy as np

    from diagnostics.portfolio.importer import _repeated

    for values, dtype in (
        (["a", "b", "a", None, None, "c"], "str"),
        ([1.0, np.nan, np.nan, 2.0, 1.0], "float64"),
        (["x"], "str"),
        ([], "str"),
    ):
        series = pd.Series(values, dtype=dtype)
        assert _repeated(series).tolist() == series.duplicated(keep=False).tolist(), values


def test_progress_is_told_each_step_in_order_and_ends_at_one():
    frame = synthetic_portfolio(300, seed=3)
    data = frame.to_csv(index=False).encode()
    told: list[tuple[float, str]] = []
    imported = import_portfolio(data, "pilots.csv", progress=lambda s, t: told.append((s, t)))
    shares = [share for share, _ in told]
    assert shares == sorted(shares)
    assert (shares[0], shares[-1]) == (0.0, 1.0)
    assert len(told) == 4
    assert told[-1][1] == f"Read {len(imported.frame):,} rows"
    assert f"of {len(frame):,} rows" in told[2][1]


def test_a_refused_file_never_reports_it_is_done():
    told: list[float] = []
    with pytest.raises(ImportFileError):
        import_portfolio(b"", "empty.csv", progress=lambda s, _t: told.append(s))
    assert 1.0 not in told

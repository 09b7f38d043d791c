"""Real inventories in their published layouts import without touching the mapping.

Each sheet here is written by hand after a layout seen in published AI use-case inventories
(per-agency files and consolidated ones): the unit column under its many names, dates with
question-like headers, the older life-cycle words for stages, stray marks below the table.
The federal 2025 inventory itself is checked at the end, with and without its shipped profile.
"""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics.formats import count_of
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.portfolio.mapping import MappingProfile
from diagnostics.portfolio.stages import load_stage_synonyms
from tests.harness import FEDERAL, unavailable

FEDERAL_XLSX = FEDERAL / "2025_individually_reported_AI_use_cases.xlsx"
FEDERAL_CSV = FEDERAL / "2025_individually_reported_AI_use_cases.csv"
NO_PROFILE = MappingProfile(name="none")  # the automatic mapping alone, as for a new layout


def xlsx(rows: dict[int, list], sheet: str = "Inventory") -> bytes:
    """A workbook whose rows sit at the sheet row numbers given (gaps are blank rows)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for number, row in rows.items():
        for column, value in enumerate(row, start=1):
            ws.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table(header: list, body: list[list]) -> bytes:
    return xlsx({i + 1: row for i, row in enumerate([header, *body])})


def column(imported, key: str) -> str | None:
    return imported.mapping[key].column


BUREAUS = ["Office of Research", "Field Operations", "Office of Research", "Customs", "Customs"]


# Business units ------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Bureau/Component", "Bureau / Department", "bureau"])
def test_a_bureau_column_is_the_business_unit(header):
    body = [[f"Use case {i}", unit, "Pilot"] for i, unit in enumerate(BUREAUS)]
    imported = import_portfolio(table(["Use Case Name", header, "Stage"], body), "x.xlsx")
    assert column(imported, "business_unit") == header
    assert imported.business_units() == {
        "Office of Research": 2,
        "Customs": 2,
        "Field Operations": 1,
    }
    assert not [g for g in imported.gaps() if g.key == "business_unit"]


def test_a_constant_agency_column_gives_way_to_the_bureau_beside_it():
    body = [[f"Use case {i}", "DHS", unit, "Deployed"] for i, unit in enumerate(BUREAUS)]
    imported = import_portfolio(
        table(["Use Case Name", "Agency", "Bureau", "Stage"], body), "dhs.xlsx"
    )
    assert column(imported, "business_unit") == "Bureau"
    assert column(imported, "business_subunit") is None  # one agency: nothing to drill from
    assert imported.summary()["business_unit_count"] == 3


def test_nested_agency_and_bureau_are_both_kept_outer_first():
    rows = [
        ("USDA", "Forest Service"),
        ("USDA", "Forest Service"),
        ("USDA", "Farm Service Agency"),
        ("DOT", "FAA"),
        ("DOT", "FAA"),
        ("DOT", "FRA"),
        ("DOT", "FTA"),
    ]
    body = [[f"Use case {i}", b, a, "Pilot"] for i, (a, b) in enumerate(rows)]
    imported = import_portfolio(
        table(["Use Case Name", "Bureau", "Agency", "Stage"], body), "all.xlsx"
    )
    assert column(imported, "business_unit") == "Agency"
    assert column(imported, "business_subunit") == "Bureau"
    summary = imported.summary()
    assert (summary["business_unit_count"], summary["business_subunit_count"]) == (2, 5)
    assert summary["business_unit_column"] == "Agency"
    assert summary["business_subunit_column"] == "Bureau"


def test_a_unit_column_under_an_unknown_header_is_found_by_its_values():
    units = ["FAA", "FAA", "FRA", "Office of the Secretary", "NHTSA", "FAA", "PHMSA", "FRA"]
    body = [[f"Use case {i}", u, "In production"] for i, u in enumerate(units)]
    header = ["Use Case Name", "Reporting element", "Status"]
    imported = import_portfolio(table(header, body), "dot.xlsx")
    match = imported.mapping["business_unit"]
    assert (match.column, match.source) == ("Reporting element", "values")
    assert imported.summary()["business_unit_count"] == 5


def test_a_column_of_yes_and_no_is_not_a_unit():
    body = [[f"Use case {i}", yn, "Pilot"] for i, yn in enumerate(["Yes", "No", "Yes", "No"])]
    imported = import_portfolio(table(["Use Case Name", "Is it public", "Stage"], body), "x.xlsx")
    assert column(imported, "business_unit") is None
    assert [g.key for g in imported.gaps()] == ["business_unit", "start_date"]


def test_a_cp1252_csv_with_an_office_column():
    text = "Use Case Name;Sponsoring Office;Status\r\n"
    text += "Café triage;Bureau des Études;Pilot\r\nRésumé search;Direction générale;Deployed\r\n"
    text += "Lettres;Bureau des Études;Retired\r\n"
    imported = import_portfolio(text.encode("cp1252"), "inventaire.csv")
    assert column(imported, "business_unit") == "Sponsoring Office"
    assert imported.business_units() == {"Bureau des Études": 2, "Direction générale": 1}
    assert imported.stage_counts()["retired"] == 1


# Dates -----------------------------------------------------------------------------------


def test_date_initiated_and_date_implemented_are_start_and_go_live():
    body = [
        ["Claims triage", "Claims", "Operation and Maintenance", "03/01/2021", "2022-06-30"],
        ["Fraud flags", "Audit", "Implementation", "2023-02-15", None],
        ["Chat help", "Claims", "Initiation", "2024-11-04", None],
    ]
    header = ["Use Case Name", "Office", "Stage", "Date Initiated", "Date Implemented"]
    imported = import_portfolio(table(header, body), "agency.xlsx")
    assert imported.summary()["date_columns"] == {
        "start_date": "Date Initiated",
        "decision_date": "Date Implemented",
        "stop_date": None,
    }
    frame = imported.frame
    assert frame["start_date"].tolist()[:2] == [pd.Timestamp(2021, 3, 1), pd.Timestamp(2023, 2, 15)]
    assert frame["decision_date"].iloc[0] == pd.Timestamp(2022, 6, 30)
    assert frame["stage"].tolist() == ["production", "pilot", "idea"]
    assert imported.gaps() == []


@pytest.mark.parametrize(
    "header",
    [
        "Date when AI use case became operational or the pilot’s start date",
        "Use case operational date\n\nIf the use case is operational, when did it become "
        "operational? If it is a pilot, when did the pilot start?",
        "When did the use case become operational, or when did its pilot start?",
    ],
)
def test_a_long_question_like_date_header_is_the_start_date(header):
    body = [
        ["Use case A", "Bureau A", "Deployed", datetime(2023, 4, 1)],
        ["Use case B", "Bureau B", "Pilot", "9/15/2024"],
        ["Use case C", "Bureau A", "Pilot", None],
    ]
    imported = import_portfolio(table(["Use Case Name", "Bureau", "Stage", header], body), "a.xlsx")
    assert column(imported, "start_date") == header
    assert imported.frame["start_date"].iloc[1] == pd.Timestamp(2024, 9, 15)


def test_a_retirement_date_is_the_stop_date_and_a_question_without_dates_is_not():
    body = [
        ["Use case A", "Office A", "Retired", "2024-01-31", "Yes"],
        ["Use case B", "Office B", "Pilot", None, "No"],
    ]
    header = ["Use Case Name", "Office", "Stage", "Date Retired", "Has it been deployed?"]
    imported = import_portfolio(table(header, body), "a.xlsx")
    assert column(imported, "stop_date") == "Date Retired"
    assert column(imported, "decision_date") is None
    assert imported.frame["stop_date"].iloc[0] == pd.Timestamp(2024, 1, 31)


def test_a_date_without_a_year_is_reported_not_guessed():
    body = [
        ["Use case A", "Office A", "Pilot", "03/15"],
        ["Use case B", "Office A", "Pilot", "March 2"],
        ["Use case C", "Office B", "Pilot", "2024-05-01"],
        ["Use case D", "Office B", "Pilot", "someday"],
    ]
    imported = import_portfolio(table(["Name", "Office", "Stage", "Start date"], body), "a.xlsx")
    assert imported.frame["start_date"].isna().tolist() == [True, True, False, True]
    problems = imported.row_problems.set_index("row")["problem"].to_dict()
    assert problems == {
        2: "date without a year (left blank, not guessed)",
        3: "date without a year (left blank, not guessed)",
        5: "not a date",
    }
    assert any(w.startswith("2 rows: start date date without a year") for w in imported.warnings)


# Stages ----------------------------------------------------------------------------------

STAGE_TEXTS = {
    "In mission": "production",
    "Implementation": "pilot",
    "In-use": "production",
    "Operation and Management": "production",
    "Operation and Maintenance": "production",
    "Sandbox": "development",
    "Initiation": "idea",
    "Development and Acquisition": "development",
    "Implementation and Assessment": "pilot",
    "Proof-of-concept completed": "decision",
    "Stage 1 - Initiation (the purpose and the needs are written down)": "idea",
    "Stage 3 - Implementation (the use case is under test and evaluation)": "pilot",
    "Stage 4 - Operation and Maintenance (the use case is in use)": "production",
    "Stage 9 - Other (the use case is in production in two regions)": "production",
    "Planned (not in production)": "idea",
    "In production: more than 1 year": "production",
    "Research & Development": "development",
    "Stage 5: Retired (no longer in use)": "retired",
}


def test_the_older_life_cycle_words_and_numbered_stages_are_placed():
    body = [[f"Use case {i}", "Office", text] for i, text in enumerate(STAGE_TEXTS)]
    imported = import_portfolio(table(["Name", "Office", "Stage"], body), "old.xlsx")
    placed = dict(zip(imported.frame["stage_raw"], imported.frame["stage"], strict=True))
    assert placed == STAGE_TEXTS
    assert imported.unmapped_stage_values == {}


def test_every_stage_text_is_listed_and_any_can_be_changed():
    texts = ["Pilot", "Pilot", "Deployed", "Proof-of-concept completed", "Shelf"]
    body = [[f"Use case {i}", "Office", t] for i, t in enumerate(texts)]
    data = table(["Name", "Office", "Stage"], body)
    listed = [t.to_dict() for t in import_portfolio(data, "s.xlsx").stage_texts]
    assert listed == [
        {"text": "Pilot", "rows": 2, "stage": "pilot", "source": "synonyms"},
        {"text": "Deployed", "rows": 1, "stage": "production", "source": "synonyms"},
        {
            "text": "Proof-of-concept completed",
            "rows": 1,
            "stage": "decision",
            "source": "synonyms",
        },
        {"text": "Shelf", "rows": 1, "stage": "unknown", "source": "unplaced"},
    ]
    changed = import_portfolio(
        data, "s.xlsx", stage_overrides={"Proof-of-concept completed": "development"}
    )
    assert changed.stage_counts()["development"] == 1
    assert changed.stage_counts()["decision"] == 0
    assert changed.stage_texts[2].source == "yours"


# Stray rows -----------------------------------------------------------------------------


def test_a_stray_backtick_below_two_blank_rows_is_not_a_pilot():
    rows = {
        1: ["Name", "Office", "Stage"],
        2: ["Use case A", "Office A", "Pilot"],
        3: ["Use case B", "Office B", "Deployed"],
        6: ["`"],
    }
    imported = import_portfolio(xlsx(rows), "stray.xlsx")
    assert imported.rows_imported == 2
    assert imported.rows_left_out == 1
    report = imported.row_problems
    assert report["row"].tolist() == [6]
    assert report["value"].tolist() == ["`"]
    assert any("below blank rows holds only a stray mark (row 6)" in w for w in imported.warnings)


def test_a_mark_inside_the_table_or_a_real_row_below_blank_rows_is_kept():
    rows = {
        1: ["Name", "Office", "Stage"],
        2: ["Use case A", "Office A", "Pilot"],
        3: ["-", None, None],
        4: ["Use case B", "Office B", "Deployed"],
        7: ["Use case C", "Office B", "Pilot"],
        9: [".", "·", None],
    }
    imported = import_portfolio(xlsx(rows), "kept.xlsx")
    assert imported.rows_imported == 4  # rows 2, 3, 4 and 7; row 9 is a stray mark
    assert imported.rows_left_out == 1


# A sheet that lacks what the first questions need ----------------------------------------------


def test_what_is_missing_is_said_with_what_to_do():
    body = [["Use case A", "1000"], ["Use case B", "2000"]]
    imported = import_portfolio(table(["Name", "Budget"], body), "thin.xlsx")
    gaps = imported.gaps()
    assert [g.key for g in gaps] == ["stage", "business_unit", "start_date"]
    assert all("Choose the column in the mapping" in g.message for g in gaps)
    assert [g["key"] for g in imported.summary()["missing"]] == [g.key for g in gaps]


# The federal inventory ---------------------------------------------------------------------

FEDERAL_STAGES = {
    "idea": 0,
    "development": 1479,
    "pilot": 440,
    "decision": 0,
    "production": 1040,
    "retired": 314,
    "unknown": 338,
}


@pytest.mark.parametrize("profile", [None, NO_PROFILE], ids=["shipped-profile", "automatic"])
@pytest.mark.parametrize(
    ("path", "unit", "subunit", "dates"),
    [
        (
            FEDERAL_XLSX,
            "Agency Abbreviation",
            "Bureau/Component",
            {"start_date": "Date when AI use case became operational or the pilot’s start date"},
        ),
        (FEDERAL_CSV, "agency", "agency_bureau", None),
    ],
    ids=["xlsx", "csv"],
)
def test_the_federal_inventory_finds_units_dates_and_stages(path, unit, subunit, dates, profile):
    if not path.is_file():
        unavailable(f"the federal dataset is missing: {path}")
    imported = import_portfolio(path, path.name, profile=profile)
    summary = imported.summary()
    assert summary["rows_imported"] == 3611
    assert summary["stage_counts"] == FEDERAL_STAGES
    assert (summary["business_unit_column"], summary["business_unit_count"]) == (unit, 41)
    assert (summary["business_subunit_column"], summary["business_subunit_count"]) == (
        subunit,
        401,
    )
    found = {k: v for k, v in summary["date_columns"].items() if v}
    if dates is None:  # the csv's operational_date: go-live by its name, start by the profile
        dates = {"decision_date" if profile else "start_date": "operational_date"}
    assert found == dates
    assert summary["missing"] == [] or dates.get("decision_date")
    stage_rows = {t["stage"]: 0 for t in summary["stage_texts"]}
    for text in summary["stage_texts"]:
        stage_rows[text["stage"]] += text["rows"]
    assert stage_rows == {k: v for k, v in FEDERAL_STAGES.items() if v and k != "unknown"}


# Hidden sheets ----------------------------------------------------------------------------


def hidden_sheet_workbook() -> bytes:
    """An inventory beside a hidden, larger copy of last year's list."""
    book = openpyxl.Workbook()
    current = book.active
    current.title = "Inventory"
    for row in (["Use Case Name", "Office", "Stage"], ["Triage", "Claims", "Pilot"]):
        current.append(row)
    old = book.create_sheet("Inventory 2023")
    old.append(["Use Case Name", "Office", "Stage", "Start date", "Owner"])
    for i in range(30):
        old.append([f"Old use case {i}", "Claims", "Deployed", "2021-01-01", "Someone"])
    old.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hidden_sheet_is_not_offered_unless_asked_for():
    data = hidden_sheet_workbook()
    imported = import_portfolio(data, "inventory.xlsx")
    assert imported.sheet == "Inventory"
    assert imported.sheets == ["Inventory"]
    assert imported.hidden_sheets == ["Inventory 2023"]
    assert imported.rows_imported == 1
    asked = import_portfolio(data, "inventory.xlsx", sheet="Inventory 2023")
    assert (asked.sheet, asked.rows_imported) == ("Inventory 2023", 30)
    assert asked.summary()["hidden_sheets"] == ["Inventory 2023"]


def test_counts_of_one_read_in_the_singular():
    rows = {1: ["Name", "Office", "Stage", "Budget"], 2: ["Triage", "Claims", "Pilot", "-5"]}
    imported = import_portfolio(xlsx(rows), "one.xlsx")
    assert "1 row: pilot budget negative amount (left out) (e.g. '-5')." in imported.warnings
    assert "1 row imported, 1 with warnings (see the row report)." in imported.warnings
    assert count_of(1, "pilot") == "1 pilot"
    assert count_of(1200, "technology", "technologies") == "1,200 technologies"


def test_the_sub_unit_and_stop_date_reach_the_export_and_the_search():
    from datetime import date

    from diagnostics.framework.content import load_content
    from diagnostics.portfolio.analysis import analyse_portfolio, export_frame, filter_pilots

    body = [
        ["Rail defects", "DOT", "FRA", "Retired", "2024-05-31"],
        ["Runway alerts", "DOT", "FAA", "Pilot", None],
        ["Crop maps", "USDA", "Forest Service", "Pilot", None],
        ["Loan review", "USDA", "Farm Service Agency", "Pilot", None],
    ]
    header = ["Use Case Name", "Agency", "Bureau", "Stage", "Date Retired"]
    imported = import_portfolio(table(header, body), "all.xlsx")
    content = load_content()
    analysis = analyse_portfolio(imported.frame, content, as_of=date(2026, 11, 1))
    out = export_frame(analysis, content).set_index("Name")
    assert out.loc["Rail defects", "Sub-unit"] == "FRA"
    assert out.loc["Rail defects", "Stop / retirement date"] == date(2024, 5, 31)
    found = filter_pilots(analysis.pilots, text="forest")
    assert found["name"].tolist() == ["Crop maps"]


def test_a_file_of_one_agency_says_the_unit_charts_will_show_one_row():
    body = [[f"Use case {i}", "DHS", "Pilot"] for i in range(3)]
    imported = import_portfolio(table(["Use Case Name", "Agency", "Stage"], body), "dhs.xlsx")
    assert column(imported, "business_unit") == "Agency"
    assert any(
        w.startswith("Every pilot has the same business unit ('DHS', column 'Agency')")
        for w in imported.warnings
    )
    assert not any("low confidence" in w for w in imported.warnings)


def test_an_amount_under_a_go_live_word_is_not_taken_for_a_date():
    # 45,000 is also an Excel day number (2023); only a header that says "date" or "when"
    # is read for its meaning.
    body = [["Use case A", "Office A", "Pilot", 45000], ["Use case B", "Office B", "Pilot", 52000]]
    imported = import_portfolio(table(["Name", "Office", "Stage", "Production"], body), "a.xlsx")
    assert column(imported, "decision_date") is None


# Properties --------------------------------------------------------------------------------

_NEUTRAL = ["the", "use", "case", "is", "of", "agency", "team", "purpose", "records", "data"]


@settings(max_examples=60, deadline=None)
@given(
    stage=st.sampled_from(sorted(set(STAGE_TEXTS.values()))),
    number=st.integers(min_value=0, max_value=12),
    dash=st.sampled_from(["-", "–", "—", ":"]),
    words=st.lists(st.sampled_from(_NEUTRAL), min_size=0, max_size=8),
)
def test_a_numbered_label_with_any_neutral_definition_keeps_its_stage(stage, number, dash, words):
    synonyms = load_stage_synonyms()
    label = next(text for text, placed in STAGE_TEXTS.items() if placed == stage)
    label = label.split(" - ", 1)[-1].split(" (", 1)[0]
    definition = f" ({' '.join(words)})" if words else ""
    assert synonyms.classify(f"Stage {number} {dash} {label}{definition}") == stage


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    marks=st.lists(
        st.one_of(st.none(), st.sampled_from(["`", ".", "-", "'", "·", "--", "*", "x", " "])),
        min_size=1,
        max_size=3,
    ),
    blank_rows=st.integers(min_value=1, max_value=3),
)
def test_marks_below_blank_rows_are_left_out_and_words_never_are(marks, blank_rows):
    if all(m is None or not m.strip() for m in marks):
        marks = ["`", *marks[1:]]
    rows = {1: ["Name", "Office", "Stage"], 2: ["Triage", "Claims", "Pilot"]}
    rows[3 + blank_rows] = marks
    rows[4 + blank_rows + 1] = ["Search", "Audit", "Pilot"]  # a real pilot further down
    imported = import_portfolio(xlsx(rows), "marks.xlsx")
    assert imported.rows_left_out == 1
    assert imported.frame["name"].tolist() == ["Triage", "Search"]


@pytest.mark.parametrize(
    "header",
    ["Responsible Office", "Operating Division (OPDIV)", "Sub-Agency", "Owning Organization"],
)
def test_more_names_for_the_unit(header):
    body = [[f"Use case {i}", unit, "Pilot"] for i, unit in enumerate(BUREAUS)]
    imported = import_portfolio(table(["Use Case Name", header, "Stage"], body), "x.xlsx")
    assert column(imported, "business_unit") == header
    assert column(imported, "owner") is None

"""The portfolio import in AppTest for real inventories: units, dates and stage texts found,
every stage reviewable and kept in a profile, what is missing said up front, names and
versions asked rather than guessed."""

from __future__ import annotations

import hashlib
import io
import os

import openpyxl
import pandas as pd
import yaml
from harness import inputs_without_help

from diagnostics.portfolio import mapping as portfolio_mapping
from diagnostics.storage import portfolios as portfolio_store
from diagnostics.storage import store

PAGE = "pages/portfolio.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAVE = "FormSubmitter:portfolio_save_form-Save portfolio"


def _engine():
    return store.make_engine(os.environ["DATABASE_URL"])


def _problems(at) -> list:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _workbook(header: list, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Inventory"
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _agency_sheet() -> bytes:
    """Two agencies and their bureaus, the older life-cycle words, Date Initiated."""
    rows = [
        ["Claims triage", "DOT", "FAA", "In mission", "2023-01-05"],
        ["Runway alerts", "DOT", "FAA", "Implementation", "2026-03-01"],
        ["Rail defects", "DOT", "FRA", "Proof-of-concept completed", "2025-06-01"],
        ["Crop maps", "USDA", "Forest Service", "Operation and Management", "2022-02-01"],
        ["Loan review", "USDA", "Farm Service Agency", "Sandbox", "2026-09-01"],
        ["Fire risk", "USDA", "Forest Service", "Implementation", "2025-11-15"],
    ]
    header = ["Use Case Name", "Agency", "Bureau / Component", "Stage", "Date Initiated"]
    return _workbook(header, rows)


def _open_import(app_test, filename: str, data: bytes):
    at = app_test(PAGE)
    at.session_state["portfolio_tab"] = "Import a spreadsheet"
    at.run()
    at.file_uploader(key="portfolio_file").set_value((filename, data, XLSX)).run()
    assert _problems(at) == []
    return at


def _table(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _stage_counts(at) -> dict[str, int]:
    stages = next(d.value for d in at.dataframe if list(d.value.columns) == ["Stage", "Pilots"])
    return dict(zip(stages["Stage"], stages["Pilots"], strict=True))


def test_an_agency_inventory_maps_units_dates_and_stages_by_itself(app_test):
    at = _open_import(app_test, "raw_DOT-USDA_inventory__2026 (1).xlsx", _agency_sheet())
    assert inputs_without_help(at) == []
    mapping = _table(at, "Our field")
    mapped = dict(zip(mapping["Our field"], mapping["Your column"], strict=True))
    assert mapped["Business unit"] == "Agency"
    assert mapped["Sub-unit"] == "Bureau / Component"
    assert mapped["Start date"] == "Date Initiated"
    assert mapped["Stage"] == "Stage"
    # Nothing important is missing: the summary is green and no warning banner shows.
    assert at.success[0].value.startswith("6 rows imported, 0 with warnings")
    assert not [w for w in at.warning if "Missing" in w.value]
    assert _stage_counts(at) == {
        "Idea": 0,
        "Development": 1,
        "Pilot": 2,
        "Decision": 1,
        "Production": 2,
        "Retired": 0,
        "Unknown": 0,
    }
    # The name offered reads cleanly.
    assert at.text_input(key="portfolio_name").value == "DOT USDA inventory 2026"


def test_a_recognised_stage_can_be_changed_and_kept_in_a_profile(app_test, tmp_path, monkeypatch):
    monkeypatch.setattr(portfolio_mapping, "PROFILES_DIR", tmp_path)
    data = _agency_sheet()
    at = _open_import(app_test, "agencies.xlsx", data)
    texts = _table(at, "Text in your sheet")
    listed = dict(zip(texts["Text in your sheet"], texts["Stage"], strict=True))
    assert listed == {
        "Implementation": "pilot",
        "In mission": "production",
        "Operation and Management": "production",
        "Proof-of-concept completed": "decision",
        "Sandbox": "development",
    }
    assert set(texts["Placed by"]) == {"our stage words"}
    row = texts.index[texts["Text in your sheet"] == "Proof-of-concept completed"][0]
    key = f"portfolio_stages_{hashlib.sha256(data).hexdigest()[:16]}_Inventory"
    at.session_state[key] = {
        "edited_rows": {int(row): {"Stage": "development"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert _problems(at) == []
    counts = _stage_counts(at)
    assert (counts["Decision"], counts["Development"]) == (0, 2)

    at.text_input(key="portfolio_profile_name").set_value("Agency inventory")
    at.button(key="FormSubmitter:portfolio_profile_form-Save mapping profile").click().run()
    assert _problems(at) == []
    assert any("Saved the profile “Agency inventory”" in s.value for s in at.success)
    saved = yaml.safe_load((tmp_path / "agency-inventory.yaml").read_text(encoding="utf-8"))
    assert saved["stage_overrides"] == {"Proof-of-concept completed": "development"}
    assert saved["columns"]["business_subunit"] == ["Bureau / Component"]


def test_a_sheet_without_units_dates_or_stages_says_so_up_front(app_test):
    data = _workbook(["Name", "Budget"], [["Chat help", "10000"], ["Search", "2000"]])
    at = _open_import(app_test, "thin.xlsx", data)
    assert not at.success
    banner = " ".join(w.value for w in at.warning)
    assert "Missing: stage, business unit, start dates" in banner
    assert "**No business unit.**" in banner
    assert "Choose the column in the mapping" in banner

    at.text_input(key="portfolio_name").set_value("Thin list")
    at.button(key=SAVE).click().run()
    assert _problems(at) == []
    assert at.session_state["portfolio_tab"] == "Dashboard"
    metrics = {m.label: m for m in at.metric}
    assert metrics["Past the decision point"].value == "–"
    assert metrics["Median weeks in pilot"].value == "–"
    assert (
        "Cannot tell: the portfolio has no start dates." in metrics["Past the decision point"].help
    )
    dashboard_banner = " ".join(w.value for w in at.warning)
    assert "**No start dates.**" in dashboard_banner


def test_a_second_file_under_an_existing_name_is_asked_about(app_test):
    data = _agency_sheet()
    at = _open_import(app_test, "agencies.xlsx", data)
    at.text_input(key="portfolio_name").set_value("Agencies")
    at.button(key=SAVE).click().run()
    assert _problems(at) == []
    first = portfolio_store.list_portfolios(_engine())[0]
    assert (first.name, first.version) == ("Agencies", 1)

    other = _workbook(
        ["Use Case Name", "Agency", "Stage"], [["Other", "DOE", "Pilot"], ["More", "DOE", "Live"]]
    )
    at = _open_import(app_test, "agencies.csv.xlsx", other)
    at.text_input(key="portfolio_name").set_value("Agencies")
    at.button(key=SAVE).click().run()
    assert [e.value for e in at.error] == [
        "A portfolio named “Agencies” already exists (v1, from agencies.xlsx). Tick “Add as a "
        "new version” to save this file as v2 of it, or give this portfolio another name."
    ]
    assert portfolio_store.list_portfolios(_engine())[0].id == first.id

    at.checkbox(key="portfolio_new_version").check()
    at.button(key=SAVE).click().run()
    assert _problems(at) == []
    latest = portfolio_store.list_portfolios(_engine())[0]
    assert (latest.name, latest.version, latest.row_count) == ("Agencies", 2, 2)


def test_the_dashboard_drills_from_an_agency_into_its_bureaus(app_test):
    at = _open_import(app_test, "agencies.xlsx", _agency_sheet())
    at.text_input(key="portfolio_name").set_value("Agencies drill")
    at.button(key=SAVE).click().run()
    assert _problems(at) == []
    units = _table(at, "Business unit")
    assert sorted(units["Business unit"]) == ["DOT", "USDA"]
    assert at.selectbox(key="portfolio_drill_unit").options == ["DOT", "USDA"]
    at.selectbox(key="portfolio_drill_unit").set_value("USDA").run()
    drill = _table(at, "Sub-unit")
    assert dict(zip(drill["Sub-unit"], drill["Pilots"], strict=True)) == {
        "Forest Service": 2,
        "Farm Service Agency": 1,
    }


def test_the_dropped_pilots_table_reads_as_words(app_test):
    at = app_test(PAGE)
    dropped = next(d.value for d in at.dataframe if "Start date" in d.value.columns)
    assert list(dropped.columns) == ["ID", "Name", "Business unit", "Stage", "Start date"]
    assert not dropped.isna().any().any()
    assert set(dropped["Stage"]) <= {"Development", "Pilot", "Decision", "Idea", "Unknown"}


def test_hidden_sheets_are_offered_only_on_request(app_test):
    from test_real_inventories import hidden_sheet_workbook

    data = hidden_sheet_workbook()
    at = _open_import(app_test, "inventory.xlsx", data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert not [s for s in at.selectbox if s.key == f"portfolio_sheet_{digest}"]
    toggle = at.toggle(key=f"portfolio_hidden_{digest}")
    assert toggle.label == "Show hidden sheets (1)"
    toggle.set_value(True).run()
    sheet = at.selectbox(key=f"portfolio_sheet_{digest}")
    assert sheet.options == ["Inventory", "Inventory 2023"]
    sheet.set_value("Inventory 2023").run()
    assert _problems(at) == []
    assert at.success[0].value.startswith("30 rows imported")


def test_choosing_another_stage_column_starts_its_stage_choices_afresh(app_test):
    header = ["Use Case Name", "Office", "Stage", "Status last year"]
    rows = [
        ["Triage", "Claims", "Pilot", "Idea"],
        ["Search", "Audit", "Deployed", "Pilot"],
        ["Letters", "Audit", "Pilot", "Idea"],
    ]
    data = _workbook(header, rows)
    at = _open_import(app_test, "two-stages.xlsx", data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    at.session_state[f"portfolio_stages_{digest}_Inventory"] = {
        "edited_rows": {0: {"Stage": "retired"}},  # "Pilot" (2 rows) -> retired
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert _stage_counts(at)["Retired"] == 2
    mapping = _table(at, "Our field")
    row = int(mapping.index[mapping["Our field"] == "Stage"][0])
    at.session_state[f"portfolio_mapping_{digest}_Inventory"] = {
        "edited_rows": {row: {"Your column": "Status last year"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert _problems(at) == []
    texts = _table(at, "Text in your sheet")
    assert dict(zip(texts["Text in your sheet"], texts["Stage"], strict=True)) == {
        "Idea": "idea",
        "Pilot": "pilot",
    }
    counts = _stage_counts(at)
    assert (counts["Idea"], counts["Pilot"], counts["Retired"]) == (2, 1, 0)

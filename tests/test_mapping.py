"""Mapping an organisation's columns to portfolio fields: headers, values, profiles, the user."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from diagnostics.errors import ContentError, ImportFileError
from diagnostics.portfolio.column_words import (
    load_column_synonyms,
    normalise_header,
    parse_column_synonyms,
)
from diagnostics.portfolio.fields import CANONICAL_COLUMNS, FIELD_KEYS
from diagnostics.portfolio.mapping import (
    MIN_CONFIDENCE,
    ColumnMatch,
    auto_map,
    detect_profile,
    header_score,
    list_profiles,
    load_profile,
    parse_profile,
    profile_from_mapping,
    resolve_mapping,
    save_profile,
)


def frame(columns: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


OWN_NAMES = frame(
    {
        "Ref": ["A1", "A2", "A3", "A4"],
        "Initiative": ["Invoice bot", "Churn radar", "CV screening", "Demand forecast"],
        "Dept.": ["Finance", "Sales", "HR", "Finance"],
        "Exec sponsor": ["Ana", "Ben", "Chloe", "Dev"],
        "Phase": ["PoC", "Live", "Trial", "Stopped"],
        "Kickoff": ["2025-01-10", "2024-03-01", "2025-06-01", "2024-01-15"],
        "Go-live date": ["", "2024-09-01", "", ""],
        "Budget (EUR)": ["€ 90k", "120,000", "40k", "75000"],
        "Annual benefit": ["$1.2M", "300k", "", "50,000"],
        "Platform": ["Azure", "In-house", "Azure", "AWS"],
    }
)


def test_normalise_header():
    assert normalise_header("Use Case ID\n\n[Agency Abbrev.] – [#]") == "use case id"
    assert normalise_header("use_case_name") == "use case name"
    assert normalise_header("ProjectName") == "project name"
    assert normalise_header("Vendor(s) Name") == "vendors name"
    assert normalise_header("  Decision / Go-Live  ") == "decision / go live"


def test_header_score_exact_contained_fuzzy_and_unrelated():
    synonyms = ("business unit", "department")
    assert header_score("Business Unit", synonyms) == 1.0
    # a synonym that is half of the header: 0.9 * sqrt(2/4)
    assert header_score("Owning business unit name", synonyms) == pytest.approx(0.9 * 0.5**0.5)
    assert 0.7 < header_score("Busines unit", synonyms) < 1.0  # a typo
    assert header_score("Vendor", synonyms) == 0.0


def test_own_column_names_map_without_help():
    mapping = auto_map(list(OWN_NAMES.columns), OWN_NAMES)
    assert {k: m.column for k, m in mapping.items()} == {
        "pilot_id": "Ref",
        "name": "Initiative",
        "business_unit": "Dept.",
        "owner": "Exec sponsor",
        "stage": "Phase",
        "start_date": "Kickoff",
        "decision_date": "Go-live date",
        "pilot_budget": "Budget (EUR)",
        "expected_annual_value": "Annual benefit",
        "technology": "Platform",
    }
    assert all(MIN_CONFIDENCE <= m.confidence <= 1 for m in mapping.values())


def test_a_column_of_stage_texts_is_the_stage_whatever_its_header():
    data = frame({"Project": ["A", "B", "C"], "Where are we?": ["Pilot", "Live", "Idea"]})
    mapping = auto_map(list(data.columns), data)
    assert mapping["stage"].column == "Where are we?"
    assert mapping["stage"].source == "values"
    # 0.35 + 0.4 * share recognised (all three)
    assert mapping["stage"].confidence == pytest.approx(0.75)


def test_values_are_judged_on_a_spread_sample_of_a_long_column():
    # 20,000 rows whose stage texts only start after row 500: the sample spreads over the
    # whole column, so the stage column is still recognised by its values.
    n = 20_000
    stages = ["", "Pilot", "Live", "Idea", "Stopped"]
    data = frame(
        {
            "Project": [f"Pilot {i}" for i in range(n)],
            "Where are we?": [None] * 600 + [stages[1 + i % 4] for i in range(n - 600)],
        }
    )
    mapping = auto_map(list(data.columns), data)
    assert mapping["stage"].column == "Where are we?"
    assert mapping["stage"].source == "values"
    assert mapping["stage"].confidence == pytest.approx(0.75)


def test_framework_fields_come_from_the_validated_content_file():
    from diagnostics.framework.content import load_content
    from diagnostics.portfolio.mapping import _framework_targets

    content = load_content()
    targets = _framework_targets(None)
    assert {k for k in targets if k.startswith("score_")} == {
        f"score_{r.key}" for r in content.reasons
    }
    assert {k for k in targets if k.startswith("answer_")} == {
        f"answer_{q.id}" for q in content.questions
    }


def test_values_that_do_not_fit_lower_the_confidence():
    amounts = frame({"Budget": ["10k", "20k", "5k"]})
    words = frame({"Budget": ["approved", "pending", "approved"]})
    good = auto_map(["Budget"], amounts)["pilot_budget"]
    assert good.confidence == pytest.approx(1.0)
    # header 1.0 weighed by no readable amount: 1.0 * (0.4 + 0.6 * 0) = 0.4, below the bar
    assert "pilot_budget" not in auto_map(["Budget"], words)


def test_one_field_per_column_and_one_column_per_field():
    data = frame({"Name": ["a", "b"], "Project name": ["x", "y"], "Status": ["Pilot", "Live"]})
    mapping = auto_map(list(data.columns), data)
    columns = [m.column for m in mapping.values()]
    assert len(columns) == len(set(columns))
    assert mapping["name"].column == "Name"  # exact beats exact-later-in-order


def test_score_and_answer_columns_found_from_the_framework():
    data = frame(
        {
            "Name": ["a", "b"],
            "Governance": ["80", "40"],
            "bp_problem_statement": ["Yes", "Partly"],
        }
    )
    mapping = auto_map(list(data.columns), data)
    assert mapping["score_governance"].column == "Governance"
    assert mapping["answer_bp_problem_statement"].column == "bp_problem_statement"


def test_resolve_gives_every_field_and_user_choices_win():
    mapping = resolve_mapping(
        list(OWN_NAMES.columns),
        OWN_NAMES,
        user={"owner": None, "technology": "Dept.", "live_users": None},
    )
    assert set(FIELD_KEYS) <= set(mapping)
    assert mapping["owner"] == ColumnMatch("owner", None, 1.0, "user")
    assert mapping["technology"] == ColumnMatch("technology", "Dept.", 1.0, "user")
    # the column moved to technology is no longer the business unit
    assert mapping["business_unit"].column is None


def test_user_mapping_to_a_missing_column_or_field_is_refused():
    with pytest.raises(ImportFileError, match="does not have"):
        resolve_mapping(list(OWN_NAMES.columns), OWN_NAMES, user={"name": "Title"})
    with pytest.raises(ImportFileError, match="does not exist"):
        resolve_mapping(list(OWN_NAMES.columns), OWN_NAMES, user={"colour": "Ref"})


def test_profiles_save_load_and_apply(tmp_path):
    profile = profile_from_mapping(
        "Finance team export", {"name": "Initiative", "stage": "Phase"}, {"Gate 2": "decision"}
    )
    path = save_profile(profile, tmp_path)
    assert path.name == "finance-team-export.yaml"
    assert list_profiles(tmp_path) == ["finance-team-export"]
    loaded = load_profile("Finance team export", tmp_path)
    assert loaded == profile
    assert loaded.resolve(["Initiative", "Phase", "Other"]) == {
        "name": "Initiative",
        "stage": "Phase",
    }
    assert detect_profile(["Phase", "Initiative"], tmp_path) == profile
    assert detect_profile(["Phase"], tmp_path) is None


def test_unknown_profile_lists_the_available_ones(tmp_path):
    save_profile(profile_from_mapping("mine", {"name": "N"}), tmp_path)
    with pytest.raises(ImportFileError, match="Profiles available: mine"):
        load_profile("theirs", tmp_path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "columns"),
        ({"columns": {"colour": "X"}}, "not a portfolio field"),
        ({"columns": {"name": 5}}, "must be a header"),
        ({"columns": {"name": "N"}, "stage_overrides": {"x": "launched"}}, "stage_overrides"),
    ],
)
def test_broken_profiles_are_refused(raw, message):
    with pytest.raises(ImportFileError, match=message):
        parse_profile(raw, "p.yaml")


def test_shipped_federal_profile_knows_both_shapes():
    profile = load_profile("us-federal-ai-inventory")
    csv_headers = ["agency", "agency_name", "id", "use_case_name", "development_stage"]
    xlsx_headers = [
        "Agency Abbreviation",
        "Use Case ID\n\n[Agency Abbrev.] – [#]",
        "Use Case Name",
        "Stage of Development",
        "Vendor(s) Name",
    ]
    assert profile.matches(csv_headers)
    assert profile.matches(xlsx_headers)
    assert profile.resolve(csv_headers)["stage"] == "development_stage"
    assert profile.resolve(xlsx_headers)["pilot_id"] == xlsx_headers[1]
    assert profile.resolve(xlsx_headers)["technology"] == "Vendor(s) Name"


def test_fields_cover_the_canonical_columns():
    assert set(CANONICAL_COLUMNS) - {"stage_raw"} == set(FIELD_KEYS)
    assert CANONICAL_COLUMNS.index("stage_raw") == CANONICAL_COLUMNS.index("stage") + 1
    synonyms = load_column_synonyms()
    assert list(synonyms) == list(FIELD_KEYS)
    assert all(synonyms[k] for k in FIELD_KEYS)


def _synonyms_with(**changes) -> dict:
    words = {key: list(words) for key, words in load_column_synonyms().items()}
    words.update(changes)
    return {"version": 1, "synonyms": words}


def test_column_synonyms_come_from_the_data_file_normalised():
    synonyms = load_column_synonyms()
    assert "business unit" in synonyms["business_unit"]
    assert "vendors name" not in synonyms["business_unit"]
    parsed = parse_column_synonyms(_synonyms_with(owner=["Executive_Sponsor", "ProjectLead"]))
    assert parsed["owner"] == ("executive sponsor", "project lead")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"budgett": ["x"]}, "synonyms.budgett is not a portfolio field"),
        ({"owner": []}, "synonyms.owner must be a list of header words"),
        ({"owner": "sponsor"}, "synonyms.owner must be a list of header words"),
        ({"owner": ["sponsor", None]}, "synonyms.owner[1] (None) is not a header word"),
        ({"owner": ["sponsor", "--"]}, "synonyms.owner[1] ('--') is not a header word"),
        ({"owner": ["sponsor", "Business_Unit"]}, "also listed under synonyms.business_unit"),
    ],
)
def test_a_bad_column_synonym_is_named(changes, message):
    with pytest.raises(ContentError, match=re.escape(message)):
        parse_column_synonyms(_synonyms_with(**changes), "column_synonyms.yaml")


def test_a_field_without_column_synonyms_is_named():
    raw = _synonyms_with()
    del raw["synonyms"]["data_sources"]
    with pytest.raises(ContentError, match="no header words for data_sources"):
        parse_column_synonyms(raw)
    with pytest.raises(ContentError, match="a `synonyms` section"):
        parse_column_synonyms({"fields": {}})


def test_the_column_synonyms_file_is_checked_on_load(tmp_path):
    bad = tmp_path / "column_synonyms.yaml"
    bad.write_text("synonyms:\n  owner: [sponsor]\n  ceo: [chief]\n", encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape("column_synonyms.yaml: synonyms.ceo is not")):
        load_column_synonyms(bad)
    bad.write_text("synonyms: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_column_synonyms(bad)

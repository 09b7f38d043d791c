"""The six-symptom check: three read from a portfolio with their evidence, three asked."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from diagnostics.framework.content import load_content
from diagnostics.organisation.trap_check import trap_check
from diagnostics.portfolio.analysis import analyse_portfolio
from diagnostics.portfolio.fields import (
    CANONICAL_COLUMNS,
    DATE_FIELDS,
    NUMBER_FIELDS,
    STAGE_RAW,
    TEXT_FIELDS,
)

TODAY = date(2026, 11, 25)
COLUMNS = list(CANONICAL_COLUMNS)
STAGES = ["idea", "development", "pilot", "decision", "production", "retired", "unknown"]


@pytest.fixture(scope="module")
def content():
    return load_content()


def portfolio(rows: list[dict]) -> pd.DataFrame:
    """A canonical portfolio frame from a few hand-written rows (missing fields are NA)."""
    frame = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], columns=COLUMNS)
    frame["stage"] = pd.Categorical(frame["stage"].fillna("unknown"), categories=STAGES)
    for column in DATE_FIELDS:
        frame[column] = pd.to_datetime(frame[column])
    for column in NUMBER_FIELDS:
        frame[column] = frame[column].astype("float64")
    for column in (*TEXT_FIELDS, STAGE_RAW):
        frame[column] = frame[column].astype("string")
    return frame


def _trapped_rows() -> list[dict]:
    # Five pilots started within 12 months of TODAY, none in production, five vendors;
    # two more pilots at the decision point report no live users.
    return [
        {"name": "Routing", "business_unit": "Service", "technology": "Vendor A",
         "stage": "pilot", "start_date": "2026-03-01"},
        {"name": "Invoices", "business_unit": "Finance", "technology": "Vendor B",
         "stage": "development", "start_date": "2026-05-10"},
        {"name": "Forecast", "business_unit": "Finance", "technology": "vendor c ",
         "stage": "decision", "start_date": "2026-01-15", "live_users": 0},
        {"name": "Contracts", "business_unit": "Legal", "technology": "Vendor D",
         "stage": "decision", "start_date": "2025-12-01", "live_users": 0},
        {"name": "Churn", "business_unit": None, "technology": "Vendor E",
         "stage": "retired", "start_date": "2026-02-01"},
        # started too long ago to count in the 12-month window, but it is live
        {"name": "Old chatbot", "business_unit": "Service", "technology": "Vendor F",
         "stage": "production", "start_date": "2024-06-01", "live_users": 300},
        # an idea has not started
        {"name": "Idea", "business_unit": "HR", "technology": "Vendor F",
         "stage": "idea", "start_date": "2026-10-01"},
    ]  # fmt: skip


def test_portfolio_in_the_trap_names_pilots_and_units(content) -> None:
    check = trap_check(content, portfolio(_trapped_rows()), today=TODAY)
    by_id = {f.id: f for f in check.findings}
    recent = by_id["many_pilots_none_live"]
    assert recent.status == "present"
    assert recent.source == "portfolio"
    assert "5 pilots started since 2025-11-25" in recent.evidence
    assert sorted(recent.pilots) == ["Churn", "Contracts", "Forecast", "Invoices", "Routing"]
    assert recent.units == ["Finance (2)", "Service (1)", "Legal (1)", "Unassigned (1)"]
    # Technologies: 6 started pilots (the idea excluded) on 6 vendors (case and spaces folded).
    tech = by_id["fragmented_technology"]
    assert tech.status == "present"
    assert tech.evidence.startswith("6 started pilots use 6 different technologies")
    # Results without users: decision/production pilots with a count: 3, of which 2 have none.
    users = by_id["results_without_users"]
    assert users.status == "present"
    assert users.evidence.startswith("2 of 3 pilots")
    assert sorted(users.pilots) == ["Contracts", "Forecast"]
    assert check.verdict == "in_trap"
    assert "none goes live" in check.summary
    # The three perception symptoms were not answered: named as not known.
    assert [f.id for f in check.unknown] == [
        "integration_blocked",
        "leadership_sees_no_value",
        "team_demotivated",
    ]
    assert "Signs known: 3 of six; 3 still open." in check.summary
    assert "Answer next: Has your IT team said" in check.summary


def test_one_live_pilot_among_recent_ones_clears_the_defining_symptom(content) -> None:
    rows = _trapped_rows()
    rows[0] = {**rows[0], "stage": "production", "live_users": 40}
    check = trap_check(content, portfolio(rows), today=TODAY)
    recent = next(f for f in check.findings if f.id == "many_pilots_none_live")
    assert recent.status == "absent"
    assert recent.evidence.startswith("5 pilots started since 2025-11-25; 1 of them in production")
    # Still two symptoms from the portfolio: at risk, not in the trap.
    assert [f.id for f in check.present] == ["fragmented_technology", "results_without_users"]
    assert check.verdict == "at_risk"


def test_three_pilots_are_not_more_than_three(content) -> None:
    rows = [
        {"name": f"P{i}", "stage": "pilot", "start_date": "2026-06-01", "technology": "Same"}
        for i in range(3)
    ]
    check = trap_check(content, portfolio(rows), today=TODAY)
    assert next(f for f in check.findings if f.id == "many_pilots_none_live").status == "absent"
    rows.append({"name": "P3", "stage": "pilot", "start_date": "2026-06-01", "technology": "Same"})
    check = trap_check(content, portfolio(rows), today=TODAY)
    assert next(f for f in check.findings if f.id == "many_pilots_none_live").status == "present"
    # four pilots on one shared technology are not fragmented
    assert next(f for f in check.findings if f.id == "fragmented_technology").status == "absent"


def test_answers_decide_the_perception_symptoms(content) -> None:
    rows = [
        {"name": "A", "stage": "production", "start_date": "2026-01-01", "live_users": 9},
        {"name": "B", "stage": "pilot", "start_date": "2026-02-01"},
        {"name": "C", "stage": "pilot", "start_date": "2026-03-01"},
    ]
    rows = [{**row, "technology": "X"} for row in rows]
    frame = portfolio(rows)
    clear = trap_check(
        content,
        frame,
        {"integration_blocked": "no", "leadership_sees_no_value": "no", "team_demotivated": "no"},
        today=TODAY,
    )
    assert clear.verdict == "clear"
    assert clear.label == "Clear"
    assert clear.summary == "None of the six symptoms shows."
    partial = trap_check(content, frame, {"team_demotivated": "no"}, today=TODAY)
    assert (partial.verdict, partial.label) == ("clear", "Clear so far")
    assert "None of the 4 signs known so far shows." in partial.summary
    assert "Signs known: 4 of six; 2 still open." in partial.summary
    one = trap_check(content, frame, {"team_demotivated": "yes"}, today=TODAY)
    assert one.verdict == "at_risk"
    demotivated = next(f for f in one.findings if f.id == "team_demotivated")
    assert (demotivated.status, demotivated.source) == ("present", "answer")
    assert "Morale in the data science team has dropped" in one.summary
    three = trap_check(
        content,
        frame,
        {
            "integration_blocked": "yes",
            "leadership_sees_no_value": "yes",
            "team_demotivated": "yes",
        },
        today=TODAY,
    )
    assert three.verdict == "in_trap"
    assert three.summary.startswith("3 of the six symptoms show")


def test_without_a_portfolio_every_symptom_is_asked(content) -> None:
    check = trap_check(content, None, {"many_pilots_none_live": "yes"}, today=TODAY)
    recent = next(f for f in check.findings if f.id == "many_pilots_none_live")
    assert (recent.status, recent.source) == ("present", "answer")
    assert check.verdict == "in_trap"
    assert len(check.unknown) == 5
    dont_know = trap_check(content, None, {"team_demotivated": "dont_know"}, today=TODAY)
    assert next(f for f in dont_know.findings if f.id == "team_demotivated").status == "unknown"
    assert all(f.question.endswith("?") for f in check.findings)


def test_missing_columns_fall_back_to_the_question(content) -> None:
    rows = [{"name": "A", "stage": "pilot"}, {"name": "B", "stage": "decision"}]
    check = trap_check(content, portfolio(rows), {"fragmented_technology": "yes"}, today=TODAY)
    by_id = {f.id: f for f in check.findings}
    assert by_id["many_pilots_none_live"].status == "unknown"
    assert "no start dates" in by_id["many_pilots_none_live"].evidence
    assert (by_id["fragmented_technology"].status, by_id["fragmented_technology"].source) == (
        "present",
        "answer",
    )
    assert by_id["results_without_users"].status == "unknown"


def test_thresholds_come_from_the_content_file(content) -> None:
    rows = [{"name": f"P{i}", "stage": "pilot", "start_date": "2026-06-01"} for i in range(3)]
    rules = content.symptom_rules.model_copy(update={"min_recent_pilots": 3})
    strict = content.model_copy(update={"symptom_rules": rules})
    assert trap_check(strict, portfolio(rows), today=TODAY).verdict == "in_trap"
    assert trap_check(content, portfolio(rows), today=TODAY).verdict != "in_trap"


def test_unknown_is_never_clear(content) -> None:
    # Five of the six signs unknown and the sixth absent: not "clear so far".
    check = trap_check(content, None, {"team_demotivated": "no"}, today=TODAY)
    assert check.known == 1
    assert (check.verdict, check.label) == ("not_enough", "Not enough known yet")
    assert check.summary.startswith("Only 1 of the six signs known so far")
    first_unknown = check.unknown[0]
    assert first_unknown.id == "many_pilots_none_live"
    assert check.summary.endswith(f"Answer next: {first_unknown.question}")
    nothing = trap_check(content, None, {}, today=TODAY)
    assert (nothing.verdict, nothing.known) == ("not_enough", 0)


def test_the_dashboard_and_the_trap_check_agree(content) -> None:
    """Test that the unit table and the trap check read one rule for each symptom."""
    rows = [
        # four recent pilots, one of unknown stage: unknown is not "started" in either view
        *[{"name": f"P{i}", "business_unit": "Ops", "stage": "pilot",
           "start_date": "2026-06-01", "technology": f"Vendor {i}"} for i in range(3)],
        {"name": "U", "business_unit": "Ops", "stage": "unknown", "start_date": "2026-06-01",
         "technology": "vendor 0"},
        {"name": "R", "business_unit": "Ops", "stage": "decision", "start_date": "2026-05-01",
         "technology": " VENDOR 1 ", "live_users": 0},
    ]  # fmt: skip
    frame = portfolio(rows)
    check = trap_check(content, frame, today=TODAY)
    units = analyse_portfolio(frame, content, as_of=TODAY).units.set_index("business_unit")
    by_id = {f.id: f for f in check.findings}
    for key in ("many_pilots_none_live", "fragmented_technology", "results_without_users"):
        unit_value = units.loc["Ops", key]
        status = "unknown" if pd.isna(unit_value) else ("present" if unit_value else "absent")
        assert by_id[key].status == status, key
    # 4 started (U is unknown) of which 4 recent and none live: present in both views
    assert by_id["many_pilots_none_live"].status == "present"
    assert "(0 without a start date and 1 of unknown stage were not counted)" in (
        by_id["many_pilots_none_live"].evidence
    )
    # "vendor 1" and " VENDOR 1 " are one technology: 4 started pilots on 3 vendors
    assert (units.loc["Ops", "tech_known"], units.loc["Ops", "technologies"]) == (4, 3)
    assert by_id["fragmented_technology"].status == "absent"


def test_large_portfolio_is_quick_and_lists_are_capped(content) -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    frame = portfolio(
        [{"name": f"P{i}", "stage": "pilot", "start_date": "2026-06-01"} for i in range(n)]
    )
    frame["technology"] = pd.Series(rng.integers(0, 10, size=n)).astype(str).astype("string")
    check = trap_check(content, frame, today=TODAY)
    recent = next(f for f in check.findings if f.id == "many_pilots_none_live")
    assert len(recent.pilots) == 51  # 50 names and "and 19950 more"
    assert recent.pilots[-1] == "and 19950 more"
    assert check.to_frame().shape == (6, 6)


def test_the_report_never_calls_unknown_clear(content) -> None:
    from diagnostics.organisation.profile import organisation_profile
    from diagnostics.render.organisation_report import OrganisationReport, organisation_report_html

    check = trap_check(content, None, {"team_demotivated": "no"}, today=TODAY)
    html = organisation_report_html(
        OrganisationReport(organisation_profile([], content), content, check=check)
    )
    assert "Not enough known yet" in html
    assert "Clear so far" not in html
    assert "Only 1 of the six signs known so far" in html

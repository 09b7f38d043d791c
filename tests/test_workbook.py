"""Workbooks people can use, read back with openpyxl: columns as wide as their content, a
frozen and filterable bold header, readable labels instead of keys, the pilot's details on
the summary, number formats, and still no live formula anywhere."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from report_cases import CONTENT, FORMULA_OWNER, make_organisation, make_review

from diagnostics.render import organisation_report, pilot_report
from diagnostics.render.workbook import MAX_WIDTH, PERCENT, Sheet, workbook_bytes


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def pilot_book():
    review, _ = make_review()
    return _book(pilot_report.report_xlsx(review, CONTENT))


def test_every_sheet_has_a_frozen_bold_filterable_header(pilot_book) -> None:
    for sheet in pilot_book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title


def test_columns_fit_their_content_within_limits(pilot_book) -> None:
    answers = pilot_book["Answers"]
    header = [c.value for c in answers[1]]
    width = {h: answers.column_dimensions[chr(65 + i)].width for i, h in enumerate(header)}
    longest_id = max(len(q.id) for q in CONTENT.questions)
    assert width["Question id"] == max(longest_id, len("Question id")) + 2
    assert width["Question"] == MAX_WIDTH  # long questions: capped, and wrapped
    assert answers.cell(row=2, column=header.index("Question") + 1).alignment.wrap_text
    assert width["Answer"] < 20


def test_the_summary_holds_the_pilots_details_with_formats(pilot_book) -> None:
    rows = {r[0].value: r[1] for r in pilot_book["Summary"].iter_rows(min_row=2)}
    assert rows["Expected annual value"].value == 520_000
    assert rows["Expected annual value"].number_format == "#,##0"
    assert rows["Pilot budget"].value == 80_000
    assert rows["Currency"].value == "not set"
    assert rows["Start date"].value.date() == date(2026, 1, 5)
    assert rows["Start date"].is_date
    assert rows["Decision"].value == "Fix first"
    assert rows["Overall readiness (0-100)"].number_format in ("#,##0.0", "#,##0")
    assert rows["Owner / sponsor"].value == "'" + FORMULA_OWNER  # still neutralised


def test_actions_say_answers_in_words_not_keys(pilot_book) -> None:
    actions = list(pilot_book["Actions"].iter_rows(values_only=True))
    answers = {row[actions[0].index("Answer now")] for row in actions[1:]}
    assert "Don't know" in answers  # cm_trust
    assert not answers & {"dont_know", "no", "partly", "yes", "na"}
    assert answers <= {"Yes", "Partly", "No", "Don't know", "N/A", "Not answered"}


def test_no_formula_anywhere(pilot_book) -> None:
    for sheet in pilot_book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_the_organisation_workbook_speaks_words() -> None:
    profile, check = make_organisation()
    book = _book(
        organisation_report.organisation_report_xlsx(
            organisation_report.OrganisationReport(profile, CONTENT, check=check)
        )
    )
    pilots = book["Pilots"]
    header = [c.value for c in pilots[1]]
    assert header[:3] == ["Pilot", "Business unit", "Answers from"]
    assert "Overall readiness (0-100)" in header
    assert "pilot_key" not in header
    decisions = {row[header.index("Decision")] for row in pilots.iter_rows(2, values_only=True)}
    assert decisions <= {d.label for d in CONTENT.decisions}
    gaps = book["Systemic gaps"]
    gap_header = [c.value for c in gaps[1]]
    share = gaps.cell(row=2, column=gap_header.index("Share of pilots") + 1)
    assert share.number_format == PERCENT
    assert 0 < share.value <= 1
    answers = book["Answers"]
    answer_header = [c.value for c in answers[1]]
    given = {r[answer_header.index("Answer")] for r in answers.iter_rows(2, values_only=True)}
    assert given <= {"Yes", "Partly", "No", "Don't know", "N/A", None}


def test_numbers_get_formats_by_kind() -> None:
    frame = pd.DataFrame(
        {
            "count": [1, 2000],
            "score": [12.345, 50.0],
            "amount": [1_000_000.0, 2_500.0],
            "day": pd.to_datetime(["2026-01-05", "2026-02-01"]),
            "share": [0.25, 0.5],
            "name": ["=cmd", "ok"],
        }
    )
    book = _book(workbook_bytes({"Data": Sheet(frame, {"share": PERCENT})}))
    sheet = book["Data"]
    formats = {sheet.cell(1, i + 1).value: sheet.cell(2, i + 1).number_format for i in range(6)}
    assert formats["count"] == "#,##0"
    assert formats["score"] == "#,##0.0"
    assert formats["amount"] == "#,##0"
    assert formats["day"] == "yyyy-mm-dd"
    assert formats["share"] == "0%"
    assert sheet.cell(2, 6).value == "'=cmd"


def test_the_organisation_workbook_prices_the_trap_in_its_currency() -> None:
    from portfolio_frames import random_canonical

    from diagnostics import cost as cost_model

    profile, check = make_organisation()
    assumptions = cost_model.CostAssumptions.from_content(
        CONTENT, as_of=date(2026, 11, 25), currency="EUR"
    )
    cost = cost_model.compute_cost(random_canonical(60), assumptions)
    data = organisation_report.organisation_report_xlsx(
        organisation_report.OrganisationReport(profile, CONTENT, check=check, cost=cost)
    )
    rows = list(_book(data)["Cost of the trap"].iter_rows(values_only=True))
    assert rows[0] == ("Measure", "Amount (EUR)", "Pilots", "Note")
    measures = {r[0]: next((v for v in r[1:] if v is not None), None) for r in rows[1:]}
    assert "Amounts in EUR" in measures["Currency"]
    assert measures["Total cost of the trap"] == round(cost.totals["total"])
    assert measures["Pilots in the portfolio"] == 60
    assert not any("_" in m for m in measures)  # words, not keys

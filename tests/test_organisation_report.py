"""The organisation report: every user text escaped, formulas neutralised, the numbers right."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest
from openpyxl import load_workbook

from diagnostics.framework.content import load_content
from diagnostics.organisation.answers import PilotAnswers
from diagnostics.organisation.profile import organisation_profile
from diagnostics.organisation.trap_check import trap_check
from diagnostics.render.organisation_report import (
    OrganisationReport,
    organisation_report_html,
    organisation_report_xlsx,
    report_filename,
)

HOSTILE_NAME = "<script>alert('pilot')</script>"
HOSTILE_UNIT = "<img src=x onerror=alert(1)>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def content():
    return load_content()


def _pilot(content, key, name, unit, production_answer) -> PilotAnswers:
    answers = {q.id: "yes" for q in content.questions}
    for q in content.questions_for("production_readiness"):
        answers[q.id] = production_answer
    return PilotAnswers(key, name, unit, "import", "decision_point", answers)


@pytest.fixture(scope="module")
def profile(content):
    return organisation_profile(
        [
            _pilot(content, "a", HOSTILE_NAME, HOSTILE_UNIT, "no"),
            _pilot(content, "b", FORMULA_NAME, "Finance", "no"),
            _pilot(content, "c", "Plain pilot", "Finance", "yes"),
        ],
        content,
    )


@pytest.fixture(scope="module")
def check(content):
    frame = pd.DataFrame(
        {
            "pilot_id": pd.array(["1", "2", "3", "4"], dtype="string"),
            "name": pd.array([HOSTILE_NAME, "B", "C", "D"], dtype="string"),
            "business_unit": pd.array([HOSTILE_UNIT] * 4, dtype="string"),
            "technology": pd.array(["X", "Y", "Z", "W"], dtype="string"),
            "stage": pd.Categorical(["pilot"] * 4),
            "start_date": pd.to_datetime(["2026-05-01"] * 4),
            "live_users": [float("nan")] * 4,
        }
    )
    return trap_check(content, frame, {"team_demotivated": "yes"}, today=TODAY)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_user_text_is_escaped_everywhere(profile, check, content) -> None:
    html = organisation_report_html(OrganisationReport(profile, content, check=check, today=TODAY))
    parsed = _Collector()
    parsed.feed(html)
    # No script, image or event handler got into the document: they are text.
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert not [a for a in parsed.attributes if a.startswith("on")]
    text = "".join(parsed.text)
    assert HOSTILE_NAME in text
    assert HOSTILE_UNIT in text
    assert "&lt;script&gt;alert(&#x27;pilot&#x27;)&lt;/script&gt;" in html
    # The trap check's evidence names the pilots and units, escaped as well.
    assert text.count(HOSTILE_NAME) >= 3  # gap list, pilots table, trap evidence


def test_report_numbers_are_those_of_the_profile(profile, check, content) -> None:
    html = organisation_report_html(OrganisationReport(profile, content, check=check, today=TODAY))
    assert "<b id='kpi-pilots'>3</b>" in html
    # Two pilots answer every production question No: 2 of 3, a systemic gap.
    assert "2 of 3 (67%)" in html
    assert "<b id='kpi-proceed'>1</b>" in html
    assert f"id='trap-verdict' style='color:#D55E00'>{check.label}</strong>" in html
    assert check.label == "In the PoC trap"  # four recent pilots, none live


def test_xlsx_neutralises_formulas_and_holds_every_table(profile, check, content) -> None:
    data = organisation_report_xlsx(OrganisationReport(profile, content, check=check))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        "Trap check",
        "Pilots",
        "Reasons",
        "Systemic gaps",
        "Business units",
        "Decisions",
        "Answers",
    ]
    names = [row[0].value for row in workbook["Pilots"].iter_rows(min_row=2)]
    assert "'" + FORMULA_NAME in names
    assert HOSTILE_NAME in names
    assert all(c.data_type != "f" for row in workbook["Pilots"].iter_rows() for c in row)
    answers = workbook["Answers"]
    assert answers.max_row == 1 + 3 * len(content.questions)


def test_filenames_are_dated_and_match() -> None:
    assert report_filename(TODAY, "html") == "poc-trap-organisation-2026-11-25.html"
    assert report_filename(TODAY, "xlsx") == "poc-trap-organisation-2026-11-25.xlsx"

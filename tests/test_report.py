"""The reports: hostile text stays text, spreadsheets hold no live formulas, the numbers are the
engine's, the charts are embedded as SVG (no script, a small file) and the article is credited."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from report_cases import FORMULA_OWNER, HOSTILE_COMMENT, HOSTILE_NAME, make_review

from diagnostics.framework.content import load_content
from diagnostics.framework.history import HistoryEntry
from diagnostics.framework.review import build_review
from diagnostics.framework.scoring import score
from diagnostics.render import pilot_report as report
from diagnostics.storage.store import PilotRecord

CONTENT = load_content()
TODAY = date(2026, 3, 9)


@pytest.fixture(scope="module")
def reviewed():
    return make_review()


@pytest.fixture(scope="module")
def html(reviewed) -> str:
    return report.report_html(reviewed[0], CONTENT)


def test_hostile_text_is_escaped_everywhere_in_the_html(html) -> None:
    for raw in ("<script>alert", "<img src=x", "</td></tr></table><script>steal"):
        assert raw not in html
    assert "&lt;script&gt;alert(&quot;pilot&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;steal()&lt;/script&gt;" in html


def test_no_script_runs_in_the_report(html) -> None:
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()
    assert not re.search(r"\son[a-z]+=", html.replace("onerror=alert(1)&gt;", ""))


def test_the_report_is_small_enough_to_mail(html) -> None:
    # plotly.js alone was 4.6 MB; the charts as SVG keep the whole page far below 1.5 MB.
    assert len(html.encode("utf-8")) < 400_000


def test_the_numbers_are_the_engines(reviewed, html) -> None:
    review, values = reviewed
    expected = score(values, CONTENT, position="decision_point")
    assert review.result.overall == pytest.approx(expected.overall)
    assert f"id='kpi-overall'>{expected.overall:.0f}/100<" in html
    assert f"id='kpi-weakest'>{expected.weakest_readiness:.0f}/100<" in html
    assert "id='kpi-uncertainty'>1<" in html  # cm_trust
    assert "id='kpi-blockers'>1<" in html  # bp_success_criteria
    assert f"id='verdict' style='color:#E69F00'>{expected.verdict_label}</strong>" in html
    assert expected.verdict == "fix_first"
    for reason in expected.reasons:
        assert f"{reason.title}</td><td class='num'>{reason.readiness:.0f}</td>" in html


def test_timeline_and_cost_of_delay_are_stated(html) -> None:
    # Started 5 Jan 2026; on 9 Mar the 2-week decision window (2–16 Mar) is open.
    assert "decision window is open until 16 Mar 2026" in html
    assert "production is due by 8 Jun 2026" in html


def test_charts_are_embedded_for_offline_use(html) -> None:
    assert html.count("<svg") == 2  # readiness bars, timeline (one assessment)
    assert "<figure class='chart' role='img' aria-label='Readiness per reason'>" in html
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=", html)


def test_the_article_is_credited(html) -> None:
    src = CONTENT.source
    assert f"“{src.title}” by {src.author} ({src.date})" in html


def test_history_adds_the_trend_and_what_changed() -> None:
    earlier = HistoryEntry(
        assessment_id=3,
        created_at=datetime(2026, 2, 9, tzinfo=UTC),
        position="running",
        position_label="Running",
        verdict="at_risk",
        verdict_label="At risk",
        decision="fix_first",
        overall=40.0,
        weakest="data_readiness",
        readiness={r.key: 40.0 for r in CONTENT.reasons},
        answered=20,
        completed=True,
    )
    review, _ = make_review(history=[earlier])
    assert review.previous == earlier
    # The earlier assessment, then this one (an unsaved assessment has id 0).
    assert [h.assessment_id for h in review.history] == [3, 0]
    html = report.report_html(review, CONTENT)
    assert html.count("<svg") == 3  # and the trend
    assert "What changed since 9 Feb 2026" in html
    frame = report.history_frame(review, CONTENT)
    assert list(frame["Verdict"]) == ["At risk", "Fix first"]


def test_xlsx_neutralises_formulas_and_keeps_comments(reviewed) -> None:
    review, values = reviewed
    workbook = openpyxl.load_workbook(io.BytesIO(report.report_xlsx(review, CONTENT)))
    assert workbook.sheetnames == [
        "Summary",
        "Answers",
        "Scores",
        "Actions",
        "Checklist",
        "History",
    ]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Pilot"] == HOSTILE_NAME  # starts with "<": not a formula, kept as is
    assert summary["Owner / sponsor"] == "'" + FORMULA_OWNER
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    header = answers[0]
    by_id = {row[header.index("Question id")]: row for row in answers[1:]}
    assert by_id["dr_real_data"][header.index("Comment")] == HOSTILE_COMMENT
    assert by_id["dr_real_data"][header.index("Answer")] == "Partly"
    assert by_id["gv_common_stack"][header.index("Answer")] == "N/A"
    scores = list(workbook["Scores"].iter_rows(values_only=True))
    expected = score(values, CONTENT, position="decision_point")
    for row, reason in zip(scores[1:], expected.reasons, strict=True):
        assert row[0] == reason.title
        assert row[1] == round(reason.readiness, 1)


def test_csv_is_neutralised_with_a_bom(reviewed) -> None:
    review, _ = reviewed
    data = report.answers_csv(review, CONTENT)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(CONTENT.questions)
    comment = next(r["Comment"] for r in rows if r["Question id"] == "dr_real_data")
    assert comment == HOSTILE_COMMENT  # starts with "<": harmless text
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Support ticket routing", "poc-trap-report-support-ticket-routing-2026-03-09.html"),
        ("Café Ümlaut / Q3 ✓", "poc-trap-report-cafe-umlaut-q3-2026-03-09.html"),
        ("../../etc/passwd", "poc-trap-report-etc-passwd-2026-03-09.html"),
        ("<<>>", "poc-trap-report-pilot-2026-03-09.html"),
        ("x" * 200, f"poc-trap-report-{'x' * 60}-2026-03-09.html"),
    ],
)
def test_report_file_names(name, expected) -> None:
    assert report.report_filename(name, TODAY, "html") == expected


def test_reports_without_a_start_date_skip_the_timeline() -> None:
    review, _ = make_review()
    bare = build_review(
        CONTENT,
        pilot=PilotRecord(id=2, name="No dates"),
        assessment=review.assessment,
        answers=review.answers,
        today=TODAY + timedelta(days=1),
    )
    html = report.report_html(bare, CONTENT)
    assert bare.path is None
    assert html.count("<svg") == 1
    assert "Timeline and cost of delay" not in html

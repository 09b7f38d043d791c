"""`python -m diagnostics report`: the same report as the results page, in every format, from
an answers file; exit 2 with a message on bad input. Each file is read back by its own
reader (pypdf, python-pptx, openpyxl)."""

from __future__ import annotations

import io
import json

import openpyxl
import pypdf
import pytest
from pptx import Presentation
from report_cases import CONTENT

from bench.commands import run_cli
from diagnostics import cli
from diagnostics.framework.scoring import score
from diagnostics.render import pilot_report

ANSWERS = dict.fromkeys(CONTENT.questions_by_id, "yes") | {
    "bp_success_criteria": "no",
    "cm_trust": "dont_know",
}
FILE = {
    "answers": ANSWERS,
    "comments": {"dr_real_data": "=1+1 is not a formula here"},
    "pilot": {
        "name": "Invoice matching",
        "business_unit": "Finance",
        "start_date": "2026-01-05",
        "expected_annual_value": 520000,
        "pilot_budget": 80000,
        "currency": "eur",
    },
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def answers_file(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(FILE), encoding="utf-8")
    return str(path)


def test_pdf_brief_from_a_file(capsys, tmp_path, answers_file) -> None:
    out_file = tmp_path / "brief.pdf"
    status, out, _ = run(
        capsys, "report", answers_file, "--format", "pdf", "-o", str(out_file),
        "--today", "2026-09-07",
    )  # fmt: skip
    assert status == 0
    assert out.startswith(f"Wrote {out_file} (pdf, ")
    reader = pypdf.PdfReader(out_file)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    expected = score(ANSWERS, CONTENT, position="decision_point")
    assert expected.decision == "fix_first"
    assert "Invoice matching" in text
    assert "Fix first" in text
    assert f"Overall readiness {expected.overall:.0f}/100" in text
    # 13 weeks past the 8 Jun due date: 520,000 × 13 / 52 = 130,000, in the pilot's currency.
    assert "Forgone so far: EUR 130k" in text
    assert "EUR 43k more each month" in text


def test_the_format_follows_the_file_name(capsys, tmp_path, answers_file) -> None:
    deck = tmp_path / "deck.pptx"
    book = tmp_path / "book.xlsx"
    assert run(capsys, "report", answers_file, "-o", str(deck))[0] == 0
    assert run(capsys, "report", answers_file, "-o", str(book), "--pilot-name", "Renamed")[0] == 0
    slides = list(Presentation(str(deck)).slides)
    assert slides[0].shapes.title.text == "Invoice matching"
    summary = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(book)["Summary"].iter_rows(values_only=True)
    }
    assert summary["Pilot"] == "Renamed"  # the option wins over the file
    assert summary["Expected annual value (EUR)"] == 520000
    assert summary["Pilot budget (EUR)"] == 80000
    assert summary["Currency"] == "EUR"


def test_html_is_the_same_report_as_the_page(capsys, tmp_path, answers_file) -> None:
    """The command builds the same review as the page, so the page's report comes out."""
    out_file = tmp_path / "report.html"
    assert run(capsys, "report", answers_file, "-o", str(out_file), "--today", "2026-03-09")[0] == 0
    args = cli.build_parser().parse_args(
        ["report", answers_file, "-o", "x.html", "--today", "2026-03-09"]
    )
    from diagnostics.cli.report import build_review_from_file

    review = build_review_from_file(args, CONTENT)
    assert out_file.read_text(encoding="utf-8") == pilot_report.report_html(review, CONTENT)
    assert review.pilot.currency == "EUR"
    assert review.result.overall == score(ANSWERS, CONTENT, position="decision_point").overall


def test_phase_scores_only_that_phase(capsys, tmp_path) -> None:
    path = tmp_path / "flat.json"
    path.write_text(json.dumps(ANSWERS), encoding="utf-8")  # the plain shape, as for assess
    out_file = tmp_path / "start.xlsx"
    assert run(capsys, "report", str(path), "-o", str(out_file), "--phase", "start")[0] == 0
    scores = list(openpyxl.load_workbook(out_file)["Answers"].iter_rows(values_only=True))
    header = scores[0]
    scored = [r for r in scores[1:] if r[header.index("Scored now")] == "yes"]
    assert len(scored) == len([q for q in CONTENT.questions if q.phase == "start"])


@pytest.mark.parametrize(
    ("payload", "extra", "message"),
    [
        ({"nope": "yes"}, [], "unknown question ids: nope"),
        ({"bp_problem_statement": "maybe"}, [], "values outside the answer scale"),
        ({}, [], "no answers to report on"),
        ([1, 2], [], "expected a JSON object"),
        ({"answers": ANSWERS, "pilot": {"colour": "red"}}, [], "unknown pilot fields colour"),
        (ANSWERS, ["--start-date", "05/01/2026"], "is not a date like 2026-01-05"),
        (ANSWERS, ["--currency", "euro"], "not a three-letter code"),
        (ANSWERS, ["--expected-annual-value", "lots"], "is not a number"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, tmp_path, payload, extra, message) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    out_file = tmp_path / "out.pdf"
    status, _, err = run(capsys, "report", str(path), "-o", str(out_file), *extra)
    assert status == 2
    assert message in err
    assert not out_file.exists()


def test_unknown_format_or_folder_exits_2(capsys, tmp_path, answers_file) -> None:
    status, _, err = run(capsys, "report", answers_file, "-o", str(tmp_path / "report.doc"))
    assert status == 2
    assert "--format" in err
    status, _, err = run(capsys, "report", answers_file, "-o", str(tmp_path / "no" / "x.pdf"))
    assert status == 2
    assert "Choose a folder that exists" in err


def test_as_a_process(tmp_path, answers_file) -> None:
    out_file = tmp_path / "brief.pdf"
    done = run_cli("report", answers_file, "-o", str(out_file))
    assert done.returncode == 0, done.stderr
    assert pypdf.PdfReader(io.BytesIO(out_file.read_bytes())).pages
    missing = run_cli("report", "missing.json", "-o", "x.pdf")
    assert missing.returncode == 2
    assert "missing.json: file not found." in missing.stderr

"""The report pages in Chromium as the people they are forwarded to open them: on a 390-pixel
phone nothing runs off the side of the page and every chart fits; printed on A4 portrait the
pages are A4 and every chart stays whole on its page. No app server needed: the files are
opened as files, like an attachment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from report_cases import CONTENT, make_organisation, make_review

from diagnostics.framework.history import HistoryEntry
from diagnostics.render import organisation_report, pilot_report

from .helpers import screenshot

# Wider than the phone: what is inside may scroll sideways within its own box, never the page.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.table-wrap')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)) out.push(el.tagName);
  }
  return {page: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""
_CHARTS = """() => [...document.querySelectorAll('figure.chart svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  return {left: box.left, right: box.right, width: box.width, height: box.height};
})"""


def _pilot_html(tmp_path: Path) -> Path:
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
    path = tmp_path / "pilot.html"
    path.write_text(pilot_report.report_html(review, CONTENT), encoding="utf-8")
    return path


def _organisation_html(tmp_path: Path) -> Path:
    profile, check = make_organisation()
    path = tmp_path / "organisation.html"
    html = organisation_report.organisation_report_html(
        organisation_report.OrganisationReport(profile, CONTENT, check=check)
    )
    path.write_text(html, encoding="utf-8")
    return path


@pytest.mark.parametrize("which", ["pilot", "organisation"])
def test_on_a_phone_nothing_runs_off_the_page(phone_page, tmp_path, which) -> None:
    path = (_pilot_html if which == "pilot" else _organisation_html)(tmp_path)
    assert path.stat().st_size < 1_500_000
    phone_page.goto(path.as_uri())
    overflow = phone_page.evaluate(_OVERFLOW)
    assert overflow["page"] <= overflow["width"], overflow
    assert overflow["out"] == [], overflow
    charts = phone_page.evaluate(_CHARTS)
    assert charts
    for chart in charts:
        assert chart["left"] >= 0
        assert chart["right"] <= overflow["width"] + 1
        assert chart["height"] > 100  # drawn, at its own proportions
    screenshot(phone_page, f"report-{which}-phone")


@pytest.mark.parametrize("which", ["pilot", "organisation"])
def test_printed_on_a4_every_chart_stays_whole(laptop_page, tmp_path, which) -> None:
    path = (_pilot_html if which == "pilot" else _organisation_html)(tmp_path)
    laptop_page.goto(path.as_uri())
    laptop_page.emulate_media(media="print")
    pdf_path = tmp_path / f"{which}.pdf"
    laptop_page.pdf(path=str(pdf_path), format="A4", print_background=True)
    reader = pypdf.PdfReader(pdf_path)
    assert len(reader.pages) >= 2
    for page in reader.pages:  # A4: 595.3 × 841.9 points (Chromium rounds to 596 × 843)
        assert abs(float(page.mediabox.width) - 595.3) < 1.5
        assert abs(float(page.mediabox.height) - 841.9) < 1.5
    text = " ".join(p.extract_text() for p in reader.pages)
    if which == "pilot":
        # The table's words are all there, nothing cut at the page edge.
        for reason in CONTENT.reasons:
            assert reason.title in text
    else:
        assert "In the PoC trap" in text

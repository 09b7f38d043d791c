"""An organisation report says which pilots it covers in the same sentence in all four
formats: the HTML page, the workbook, the PDF brief and the deck (read back with pypdf,
openpyxl and python-pptx)."""

from __future__ import annotations

import io
import re
from html import escape as html_escape

import openpyxl
import pypdf
import pytest
from pptx import Presentation
from report_cases import CONTENT, ORG_TODAY, make_organisation

from diagnostics.render.files import organisation_file

SCOPES = [
    "The assessed pilots of the portfolio AI pilots 2026 (v2, 3,611 pilots); its trap check "
    "and cost count from it.",
    "The demo's made-up pilots and demo portfolio, kept apart from your own data.",
]


@pytest.fixture(scope="module")
def organisation():
    return make_organisation()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _files(organisation, scope: str | None) -> dict[str, bytes]:
    profile, check = organisation
    return {
        fmt: organisation_file(profile, CONTENT, fmt, check=check, today=ORG_TODAY, scope=scope)
        for fmt in ("html", "xlsx", "pdf", "pptx")
    }


@pytest.mark.parametrize("scope", SCOPES)
def test_every_format_states_the_scope_in_the_same_sentence(organisation, scope) -> None:
    files = _files(organisation, scope)
    sentence = f"In view: {scope}"
    html = files["html"].decode()
    assert f"<p class='meta' id='report-scope'>{html_escape(sentence)}</p>" in html
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))["Scope"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("In view", scope)
    pdf = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    assert len(pdf.pages) == 2  # the scope line keeps the brief to two pages
    assert sentence in _flat(pdf.pages[0].extract_text())
    title_slide = Presentation(io.BytesIO(files["pptx"])).slides[0]
    texts = [s.text_frame.text for s in title_slide.shapes if s.has_text_frame]
    assert any(sentence in t.split("\n") for t in texts)


def test_without_a_scope_no_format_invents_one(organisation) -> None:
    files = _files(organisation, None)
    assert "In view" not in files["html"].decode()
    assert "Scope" not in openpyxl.load_workbook(io.BytesIO(files["xlsx"])).sheetnames
    pdf = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    assert "In view" not in _flat(" ".join(p.extract_text() for p in pdf.pages))
    deck = Presentation(io.BytesIO(files["pptx"]))
    assert not any(
        "In view" in s.text_frame.text
        for slide in deck.slides
        for s in slide.shapes
        if s.has_text_frame
    )

"""A manager's self-assessment in a real browser: answer on a phone, reload, resume from the
link in another browser, finish, and download both reports."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from diagnostics.framework.content import load_content
from diagnostics.storage import store

from .conftest import LAPTOP, PHONE
from .helpers import EXCEPTION, after_rerun, click_button, fill, open_page, screenshot, wait_for_app

CONTENT = load_content()
DEMO_PILOT = "Support ticket routing assistant"  # demo data: two assessments, 9 weeks in
PILOT = "Routing <assistant> & “ΔΩ” pilot"
START_QUESTIONS = {
    r.key: [q for q in CONTENT.questions_for(r.key) if q.phase == "start"] for r in CONTENT.reasons
}


def answer_for(question) -> str:
    return "No" if question.knockout else "Yes"


def radio(page, question, label: str):
    group = page.get_by_role("radiogroup", name=question.text, exact=True)
    return group.get_by_role("radio", name=label, exact=True)


def answer(page, question, label: str) -> None:
    target = radio(page, question, label).locator("xpath=ancestor::label[1]")
    # The input itself is visually hidden: click its label, as a person would, once it is in
    # the middle of the screen (Streamlit's sticky header covers the top edge).
    target.evaluate("element => element.scrollIntoView({block: 'center'})")
    after_rerun(page, target.click)


def answer_step(page, reason_key: str) -> None:
    for question in START_QUESTIONS[reason_key]:
        answer(page, question, answer_for(question))


def assert_step_answers(page, reason_key: str) -> None:
    for question in START_QUESTIONS[reason_key]:
        expect(radio(page, question, answer_for(question))).to_be_checked()


@pytest.mark.browser
@pytest.mark.timeout(420)  # a whole journey: about 30 reruns, two reports, three browsers
def test_assess_on_phone_reload_resume_elsewhere_finish_and_download(
    app_server, browser, tmp_path
) -> None:
    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    phone = phone_context.new_page()
    open_page(phone, app_server, "assess")
    screenshot(phone, "assess-1-start-phone")
    fill(phone, "Pilot name", PILOT)
    click_button(phone, "Start the assessment")
    expect(phone.get_by_text("Step 1 of 7")).to_be_visible(timeout=15_000)
    token = parse_qs(urlparse(phone.url).query)["token"][0]
    assert len(token) >= 32
    # The name is shown as typed, never as markup.
    expect(phone.get_by_role("heading", name=PILOT)).to_be_visible()

    answer_step(phone, "business_problem")
    screenshot(phone, "assess-2-step1-answered-phone")
    phone.reload()
    wait_for_app(phone)
    assert_step_answers(phone, "business_problem")  # nothing lost on reload
    screenshot(phone, "assess-3-step1-after-reload-phone")
    click_button(phone, "Next")
    expect(phone.get_by_text("Step 2 of 7")).to_be_visible()
    answer_step(phone, "data_readiness")
    link = phone.get_by_test_id("stCode").first.text_content().strip()
    assert link.endswith(f"?token={token}")
    phone_context.close()  # the phone is put away half-way

    laptop_context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    laptop = laptop_context.new_page()
    laptop.goto(link)
    wait_for_app(laptop)
    expect(laptop.get_by_text("Step 2 of 7")).to_be_visible()
    assert_step_answers(laptop, "data_readiness")
    click_button(laptop, "Back")
    assert_step_answers(laptop, "business_problem")
    click_button(laptop, "Next")
    for number, reason in enumerate(CONTENT.reasons[2:], 3):
        click_button(laptop, "Next")
        expect(laptop.get_by_text(f"Step {number} of 7")).to_be_visible()
        answer_step(laptop, reason.key)
    screenshot(laptop, "assess-4-last-step-laptop")
    click_button(laptop, "Next")
    expect(laptop.get_by_text("Step 7 of 7")).to_be_visible()
    screenshot(laptop, "assess-5-review-laptop")
    click_button(laptop, "See the results")
    expect(laptop.locator(EXCEPTION)).to_have_count(0)
    # Every start question Yes except the knock-outs (No): a blocker, so fix before starting.
    expect(laptop.get_by_text("Fix before starting.")).to_be_visible()
    overall = laptop.get_by_test_id("stMetric").first.inner_text()
    screenshot(laptop, "assess-6-results-laptop")

    click_button(laptop, "Prepare the files")
    with laptop.expect_download() as html_download:
        laptop.get_by_role("button", name=re.compile("Full report \\(HTML\\)")).click()
    html_file = tmp_path / html_download.value.suggested_filename
    html_download.value.save_as(html_file)
    assert re.fullmatch(
        r"poc-trap-report-routing-assistant-pilot-\d{4}-\d{2}-\d{2}\.html", html_file.name
    )
    html = html_file.read_text(encoding="utf-8")
    assert "Routing &lt;assistant&gt; &amp; “ΔΩ” pilot" in html
    assert "<assistant>" not in html
    assert "Fix before starting" in html
    overall_value = re.search(r"\d+/100", overall).group(0)
    assert f"id='kpi-overall'>{overall_value}<" in html  # the same number as the screen

    with laptop.expect_download() as pdf_download:
        laptop.get_by_role("button", name=re.compile("Brief \\(PDF")).click()
    assert pdf_download.value.suggested_filename == html_file.name.replace(".html", ".pdf")
    brief = pypdf.PdfReader(pdf_download.value.path())
    assert len(brief.pages) == 1
    brief_text = brief.pages[0].extract_text()
    assert "Routing <assistant> & “ΔΩ” pilot" in brief_text
    assert overall_value in brief_text

    with laptop.expect_download() as xlsx_download:
        laptop.get_by_role("button", name=re.compile("Workbook \\(xlsx\\)")).click()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert answers[0][:2] == ("Reason", "Question id")
    given = {row[1]: row[5] for row in answers[1:]}
    for questions in START_QUESTIONS.values():
        for question in questions:
            assert given[question.id] == answer_for(question)
    laptop_context.close()

    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    phone = phone_context.new_page()
    phone.goto(link)
    wait_for_app(phone)
    expect(phone.get_by_text("Fix before starting.")).to_be_visible()
    screenshot(phone, "assess-7-results-phone")
    phone_context.close()


@pytest.mark.browser
def test_wrong_link_says_so_and_starts_again(app_server, laptop_page) -> None:
    open_page(laptop_page, app_server, "assess?token=not-a-real-token-0123456789abcdef")
    expect(laptop_page.get_by_text("This assessment link is not valid")).to_be_visible()
    screenshot(laptop_page, "assess-wrong-link-laptop")
    click_button(laptop_page, "Start a new assessment")
    expect(laptop_page.get_by_label("Pilot name", exact=True)).to_be_visible()
    assert "token" not in laptop_page.url


@pytest.mark.browser
def test_results_with_timeline_and_history_on_laptop_and_phone(
    app_server, laptop_page, phone_page
) -> None:
    engine = store.make_engine(app_server.database_url)
    pilot = next(p for p in store.list_pilots(engine) if p.name == DEMO_PILOT)
    latest = store.pilot_assessments(engine, pilot.id)[-1]
    engine.dispose()
    for device, page in (("laptop", laptop_page), ("phone", phone_page)):
        open_page(page, app_server, f"assess?token={latest.token}")
        expect(page.locator(EXCEPTION)).to_have_count(0)
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
        # The demo pilot started 9 weeks ago: inside its 2-week decision window.
        expect(page.get_by_text("the decision window is open until")).to_be_visible()
        expect(page.get_by_role("heading", name="History")).to_be_visible()
        # Readiness bars, timeline and trend: static pictures, each drawn and fitting the
        # screen's width (no Plotly script is needed on this page).
        pictures = page.locator('[data-testid="stMain"] [data-testid="stImage"] img')
        expect(pictures).to_have_count(3)
        width = page.viewport_size["width"]
        for picture in pictures.all():
            box = picture.bounding_box()
            assert box["width"] > 200
            assert box["height"] > 100
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width
        expect(page.locator(".js-plotly-plot")).to_have_count(0)
        screenshot(page, f"assess-8-demo-results-{device}")

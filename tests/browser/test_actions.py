"""The manager's loop in a real browser: adopt three actions from a result, mark two done,
assess the pilot again, and read what the results say about them; then the register's sheet
goes out and comes back with a status changed, and the portfolio shows the overdue actions."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from playwright.sync_api import expect

from diagnostics.actions import register
from diagnostics.framework.content import load_content
from diagnostics.storage import store

from .conftest import LAPTOP, PHONE
from .helpers import EXCEPTION, after_rerun, click_button, open_page, screenshot

CONTENT = load_content()
START = [q for q in CONTENT.questions if q.phase == "start"]
FIRST = {"bp_problem_statement": "no", "bp_success_criteria": "no", "dr_sources_access": "no"}
SECOND = {"bp_problem_statement": "yes", "bp_success_criteria": "no", "dr_sources_access": "partly"}
LABELS = {"yes": "Yes", "partly": "Partly", "no": "No"}
PILOT = "Invoice matching pilot"


def _click_label(page, control) -> None:
    """Click a radio's label, as a person would: the input itself is visually hidden."""
    target = control.locator("xpath=ancestor::label[1]")
    target.evaluate("element => element.scrollIntoView({block: 'center'})")
    after_rerun(page, target.click)


def answer(page, question, value: str) -> None:
    group = page.get_by_role("radiogroup", name=question.text, exact=True)
    _click_label(page, group.get_by_role("radio", name=LABELS[value], exact=True))


def set_status(page, action_id: int, label: str) -> None:
    group = page.get_by_role("radiogroup", name=f"Status of action {action_id}", exact=True)
    _click_label(page, group.get_by_role("radio", name=label, exact=True))


@pytest.mark.browser
@pytest.mark.timeout(480)  # about 40 reruns on a shared two-core machine
def test_adopt_three_mark_two_done_reassess_and_see_what_moved(app_server, browser) -> None:
    engine = store.make_engine(app_server.database_url)
    pilot = store.create_pilot(engine, PILOT, business_unit="Finance")
    first = store.start_assessment(engine, pilot.id, CONTENT.version, "about_to_start")
    store.save_answers(engine, first.id, {q.id: FIRST.get(q.id, "yes") for q in START})
    store.update_assessment(engine, first.id, current_step=len(CONTENT.reasons) + 1)

    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = context.new_page()
    open_page(page, app_server, f"assess?token={first.token}")
    expect(page.get_by_role("heading", name="The three most urgent actions")).to_be_visible()
    for _ in range(3):  # one click each; each button goes once its action is adopted
        click_button(page, "Adopt this action")
    expect(page.get_by_role("button", name="Adopt this action", exact=True)).to_have_count(0)
    expect(page.get_by_text("In the action register: Open")).to_have_count(3)
    adopted = {a.question_id: a for a in register.list_actions(engine, pilot_id=pilot.id)}
    assert set(adopted) == set(FIRST)
    screenshot(page, "actions-1-adopted-laptop")

    set_status(page, adopted["bp_problem_statement"].id, "Done")
    set_status(page, adopted["dr_sources_access"].id, "Done")
    done = {
        a.question_id
        for a in register.list_actions(engine, pilot_id=pilot.id)
        if a.status == "done"
    }
    assert done == {"bp_problem_statement", "dr_sources_access"}

    # Assess the pilot again, answering the questionnaire as the manager would.
    click_button(page, "Assess this pilot again")
    click_button(page, "Start the new assessment")
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    # The action still open is shown beside its question; the done ones are not.
    criteria = adopted["bp_success_criteria"]
    expect(page.get_by_text(f"Open action: {criteria.title}")).to_be_visible()
    expect(page.get_by_text("Open action:")).to_have_count(1)
    screenshot(page, "actions-2-open-action-beside-question-laptop")
    for reason in CONTENT.reasons:
        for question in (q for q in START if q.reason == reason.key):
            answer(page, question, SECOND.get(question.id, "yes"))
        click_button(page, "Next")
    click_button(page, "See the results")
    expect(page.locator(EXCEPTION)).to_have_count(0)

    since = page.get_by_text(re.compile(r"Done since the last assessment \(.+\): 2"))
    expect(since).to_be_visible()
    # By hand: business problem 1/5 = 20 → 3/5 = 60; data readiness 2/3.5 = 57 → 2.75/3.5 = 79.
    expect(page.get_by_text("Business problem: readiness 20 → 60 (↑ +40)")).to_be_visible()
    expect(page.get_by_text("Data readiness: readiness 57 → 79 (↑ +21)")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Marked done, yet .* still answered Partly"))
    ).to_be_visible()
    since.scroll_into_view_if_needed()
    screenshot(page, "actions-3-reassessed-results-laptop")
    context.close()

    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    phone = phone_context.new_page()
    second = store.pilot_assessments(engine, pilot.id)[-1]
    open_page(phone, app_server, f"assess?token={second.token}")
    expect(phone.get_by_text("Business problem: readiness 20 → 60 (↑ +40)")).to_be_visible()
    screenshot(phone, "actions-4-reassessed-results-phone")
    phone_context.close()
    engine.dispose()


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_exported_sheet_round_trips_and_the_portfolio_shows_overdue_per_unit(
    app_server, browser, tmp_path
) -> None:
    engine = store.make_engine(app_server.database_url)
    pilot = store.create_pilot(engine, "Claims triage", business_unit="Insurance ops")
    today = date.today()
    late = register.add_action(
        engine, title="Name a production budget owner", pilot_id=pilot.id, owner="CFO office"
    )
    kept = register.add_action(engine, title="Agree one stack for all pilots", owner="CIO office")
    from sqlalchemy import update

    from diagnostics.storage.models import RegisterAction

    with store.session_scope(engine) as session:  # three weeks on: the first is overdue
        session.execute(
            update(RegisterAction)
            .where(RegisterAction.id == late.id)
            .values(due_date=today - timedelta(days=6))
        )

    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = context.new_page()
    open_page(page, app_server, "actions")
    expect(page.get_by_role("heading", name="Action register")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^due .*, 6 days overdue$"))).to_be_visible()
    screenshot(page, "actions-5-register-laptop")

    page.get_by_role("tab", name="Export and import").click()
    click_button(page, "Prepare the files")
    with page.expect_download() as started:
        page.get_by_role("button", name=re.compile(r"Register \(xlsx\)")).click()
    assert started.value.suggested_filename == f"poc-trap-actions-{today.isoformat()}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(started.value.path().read_bytes()))
    sheet = book["Actions"]
    header = [c.value for c in sheet[1]]
    status_column = header.index("Status") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == kept.id)
    sheet.cell(row, status_column).value = "Done"
    edited = tmp_path / "actions-edited.xlsx"
    book.save(edited)

    after_rerun(
        page, lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(edited)
    )
    click_button(page, "Update the register from this sheet")
    expect(page.get_by_text("1 action updated, 0 added")).to_be_visible()
    assert register.get_action(engine, kept.id).status == "done"
    assert len(register.list_actions(engine, pilot_id=pilot.id)) == 1  # updated, not copied
    screenshot(page, "actions-6-imported-laptop")

    page.get_by_role("tab", name="Follow-up").click()
    expect(page.get_by_text("Per business unit")).to_be_visible()
    screenshot(page, "actions-7-follow-up-laptop")
    context.close()

    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_page(page, app_server, "portfolio")
        heading = page.get_by_role("heading", name="Actions in the register")
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_visible()
        expect(
            page.get_by_text(re.compile(r"Claims triage · CFO office · 6 days overdue"))
        ).to_be_visible()
        screenshot(page, f"actions-8-portfolio-follow-up-{name}")
        context.close()
    engine.dispose()

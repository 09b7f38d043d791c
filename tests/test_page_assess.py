"""The self-assessment page through AppTest: a full journey, resume by token, a wrong token."""

from __future__ import annotations

import re
from datetime import date, timedelta

from harness import open_app, texts

from diagnostics.framework.content import load_content
from diagnostics.framework.scoring import score
from diagnostics.storage import store

PAGE = "pages/assess.py"
CONTENT = load_content()
HOSTILE_NAME = "<b>Bold</b> [click](javascript:alert(1)) =SUM(A1)"


def start(at, name: str, start_date: date | None = None, position: str | None = None):
    at.text_input(key="assess_name_new").set_value(name).run()
    if start_date is not None:
        at.date_input(key="assess_start_new").set_value(start_date).run()
    if position is not None:
        radio = next(r for r in at.radio if r.key.startswith("assess_position_new"))
        radio.set_value(position).run()
    at.button(key="assess_start_button").click().run()
    assert not at.exception, at.exception
    return at.session_state["link_token"]


def test_full_journey_saves_every_answer_and_shows_the_engines_verdict(database) -> None:
    at = open_app(PAGE)
    token = start(at, HOSTILE_NAME, start_date=date.today() - timedelta(weeks=5))
    assert len(token) >= 32  # 24 random bytes, url-safe: 192 bits
    record = store.get_assessment(database, token=token)
    assert record.position == "running"  # suggested from a start 5 weeks ago
    # The name is shown as text: every markdown character escaped.
    assert "\\<b\\>Bold\\</b\\> \\[click\\]\\(javascript\\:alert\\(1\\)\\)" in texts(at)

    scored = score({}, CONTENT, position="running").scored_questions
    plan = {q: ("no" if i % 3 == 0 else "yes") for i, q in enumerate(scored)}
    for step, reason in enumerate(CONTENT.reasons):
        assert f"Step {step + 1} of 7: {reason.title}" in at.get("progress")[0].proto.text
        for q in CONTENT.questions_for(reason.key):
            key = f"assess_{record.id}_{q.id}"
            if q.id not in scored:
                assert key not in [r.key for r in at.radio]  # later phases are not asked
                continue
            at.radio(key=key).set_value(plan[q.id]).run()
            assert store.answer_values(database, record.id)[q.id] == plan[q.id]
        at.button(key="assess_next").click().run()
        assert not at.exception, at.exception
    assert "Review" in texts(at) or any("Review" in s.value for s in at.subheader)
    at.button(key="assess_finish").click().run()
    assert not at.exception, at.exception

    expected = score(plan, CONTENT, position="running")
    shown = texts(at)
    assert expected.verdict_label in shown
    assert expected.why in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overall readiness"] == f"{expected.overall:.0f}/100"
    assert metrics["Don't know answers"] == "0"
    assert metrics["Blockers"] == str(len(expected.knockouts))
    assert store.get_assessment(database, token=token).completed_at is not None
    assert expected.top_actions[0].text in shown


def test_comment_is_saved_and_comes_back(database) -> None:
    at = open_app(PAGE)
    token = start(at, "Pilot with comments", position="about_to_start")
    record = store.get_assessment(database, token=token)
    at.radio(key=f"assess_{record.id}_bp_problem_statement").set_value("partly").run()
    at.text_input(key=f"assess_{record.id}_bp_problem_statement_comment").set_value(
        '=HYPERLINK("x")  sponsor unsure'
    ).run()
    saved = store.load_answers(database, record.id)["bp_problem_statement"]
    assert (saved.value, saved.comment) == ("partly", '=HYPERLINK("x")  sponsor unsure')


def test_resume_by_token_in_a_new_session_keeps_answers_and_step(database) -> None:
    pilot = store.create_pilot(database, "Resumed pilot")
    record = store.start_assessment(database, pilot.id, CONTENT.version, "decision_point")
    store.save_answer(database, record.id, "dr_real_data", "partly", "extract from May")
    store.update_assessment(database, record.id, current_step=1)

    at = open_app(PAGE, token=record.token)
    assert at.session_state["link_token"] == record.token
    assert at.radio(key=f"assess_{record.id}_dr_real_data").value == "partly"
    assert at.text_input(key=f"assess_{record.id}_dr_real_data_comment").value == (
        "extract from May"
    )
    assert any("Data readiness" in s.value for s in at.subheader)


def test_wrong_token_says_so_and_offers_a_fresh_start(database) -> None:
    at = open_app(PAGE, token="this-is-not-a-valid-token-at-all-0000")
    errors = " ".join(e.value for e in at.error)
    assert "This assessment link is not valid" in errors
    at.button(key="assess_restart").click().run()
    assert "link_token" not in at.session_state
    assert at.text_input(key="assess_name_new").value == ""


def test_empty_name_is_refused_with_a_message(database) -> None:
    at = open_app(PAGE)
    at.button(key="assess_start_button").click().run()
    assert "Give the pilot a name first" in " ".join(e.value for e in at.error)
    assert store.list_pilots(database) == []


def test_reassessing_builds_a_history(database) -> None:
    at = open_app(PAGE)
    token = start(at, "Pilot assessed twice", position="about_to_start")
    first = store.get_assessment(database, token=token)
    store.save_answers(database, first.id, {q: "no" for q in CONTENT.questions_by_id})
    store.update_assessment(database, first.id, current_step=7)
    at = open_app(PAGE, token=token)
    at.selectbox(key=f"assess_again_position_{first.id}").set_value("running").run()
    at.button(key=f"assess_again_{first.id}").click().run()
    second_token = at.session_state["link_token"]
    assert second_token != token
    second = store.get_assessment(database, token=second_token)
    assert (second.pilot_id, second.position) == (first.pilot_id, "running")
    store.save_answers(database, second.id, {q: "yes" for q in CONTENT.questions_by_id})
    store.update_assessment(database, second.id, current_step=7)
    at = open_app(PAGE, token=second_token)
    assert not at.exception
    # One column per assessment (numbered, oldest first), one row per figure.
    history = at.table[-1].value
    assert [c.split(". ")[0] for c in history.columns] == ["1", "2"]
    assert list(history.loc["Verdict"]) == ["Fix before starting", "On track"]
    assert list(history.loc["Overall"]) == ["0.0", "100.0"]


def test_pick_a_demo_pilot_and_open_its_latest_assessment(app_test, demo_sqlite_url) -> None:
    at = app_test(PAGE)
    at.radio(key="assess_pilot_kind").set_value("saved").run()
    picker = at.selectbox(key="assess_pilot")
    demo = next(p for p in picker.options if p == "Support ticket routing assistant")
    picker.select(demo).run()
    engine = store.make_engine(demo_sqlite_url)
    try:
        pilot = next(p for p in store.list_pilots(engine) if p.name == demo)
        records = store.pilot_assessments(engine, pilot.id)
    finally:
        engine.dispose()
    # The name field is filled in for the chosen pilot.
    assert at.text_input(key=f"assess_name_{pilot.id}").value == demo
    at.button(key=f"assess_open_{records[-1].id}").click().run()
    assert not at.exception, at.exception
    assert at.session_state["link_token"] == records[-1].token
    metrics = {m.label: m.value for m in at.metric}
    assert "Overall readiness" in metrics
    # Two assessments of this pilot: the history table lists both, oldest first.
    history = at.table[-1].value
    assert list(history.loc["Position"]) == ["Running", "At the decision point"]
    assert any("Timeline" in s.value for s in at.subheader)


def test_adding_the_start_date_later_brings_the_timeline(database) -> None:
    pilot = store.create_pilot(database, "Undated pilot")
    record = store.start_assessment(database, pilot.id, CONTENT.version, "running")
    store.save_answers(database, record.id, dict.fromkeys(CONTENT.questions_by_id, "yes"))
    store.update_assessment(database, record.id, current_step=7)
    at = open_app(PAGE, token=record.token)
    assert "Add the pilot's start date" in texts(at)
    started = date.today() - timedelta(weeks=3)
    at.date_input(key="assess_details_start").set_value(started)
    at.number_input(key="assess_details_value").set_value(520_000.0)
    submit = next(b for b in at.button if b.label == "Save the details")
    submit.click().run()
    assert not at.exception, at.exception
    saved = store.get_pilot(database, pilot.id)
    assert (saved.start_date, saved.expected_annual_value) == (started, 520_000.0)
    shown = texts(at)
    assert "3 weeks since the start, within the recommended pilot of 6–8 weeks" in shown
    assert "each month without it forgoes about 43k" in shown


def test_the_currency_is_saved_and_named_with_every_amount(database) -> None:
    pilot = store.create_pilot(database, "Priced pilot")
    record = store.start_assessment(database, pilot.id, CONTENT.version, "running")
    store.save_answers(database, record.id, dict.fromkeys(CONTENT.questions_by_id, "yes"))
    store.update_assessment(database, record.id, current_step=7)
    at = open_app(PAGE, token=record.token)
    assert at.selectbox(key="assess_details_currency").value == ""  # none by default
    at.date_input(key="assess_details_start").set_value(date.today() - timedelta(weeks=3))
    at.number_input(key="assess_details_value").set_value(520_000.0)
    at.selectbox(key="assess_details_currency").set_value("TRY")
    next(b for b in at.button if b.label == "Save the details").click().run()
    assert not at.exception, at.exception
    assert store.get_pilot(database, pilot.id).currency == "TRY"
    assert "each month without it forgoes about TRY 43k" in texts(at)


def test_every_report_format_is_offered_with_a_dated_name(database) -> None:
    pilot = store.create_pilot(database, "Ticket routing")
    record = store.start_assessment(database, pilot.id, CONTENT.version, "decision_point")
    store.save_answers(database, record.id, dict.fromkeys(CONTENT.questions_by_id, "yes"))
    store.update_assessment(database, record.id, current_step=7)
    at = open_app(PAGE, token=record.token)
    # Nothing is built until asked for: one button prepares the five files.
    assert not at.get("download_button")
    assert at.button(key="assess_prepare").label == "Prepare the files"
    assert at.button(key="assess_prepare").help
    at.button(key="assess_prepare").click().run()
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    stem = f"poc-trap-report-ticket-routing-{date.today().isoformat()}"
    expected = {
        "Brief (PDF, one page)": "pdf",
        "Slides (PowerPoint)": "pptx",
        "Full report (HTML)": "html",
        "Workbook (xlsx)": "xlsx",
        "Answers (csv)": "csv",
    }
    assert set(buttons) == set(expected)
    for label in expected:
        assert buttons[label].help  # every button says what the file holds
        # Handed over as built bytes (kept for this session), not as a deferred file that
        # a busy server drops before the browser fetches it.
        assert buttons[label].url
        assert not buttons[label].deferred_file_id
    sizes = [
        c.value for c in at.caption if re.fullmatch(r"[A-Z]+, \d+(\.\d)? (bytes|KB|MB)", c.value)
    ]
    assert [size.split(",")[0] for size in sizes] == ["PDF", "PPTX", "HTML", "XLSX", "CSV"]
    assert not any(b.key == "assess_prepare" for b in at.button)

    # An answer changed since: the files prepared before it are dropped, not offered stale.
    store.save_answers(database, record.id, {next(iter(CONTENT.questions_by_id)): "no"})
    at.run()
    assert not at.exception, at.exception
    assert not at.get("download_button")
    at.button(key="assess_prepare").click().run()
    assert len(at.get("download_button")) == 5
    from diagnostics.render.pilot_report import report_filename

    for ext in expected.values():
        assert report_filename("Ticket routing", date.today(), ext) == f"{stem}.{ext}"

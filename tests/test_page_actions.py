"""The action register through AppTest: adopting from a result, marking done, the carry-over
on a re-assessment, the register page (filters, adding by hand, bad input), and the follow-up
on the portfolio and organisation pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from harness import REPO_ROOT, inputs_without_help, open_app, texts, vote

from diagnostics.actions import register
from diagnostics.framework.content import load_content
from diagnostics.storage import store

CONTENT = load_content()
RESULTS_STEP = len(CONTENT.reasons) + 1
START = {
    "bp_problem_statement": "no",
    "bp_success_criteria": "no",
    "bp_timeframe": "yes",
    "dr_sources_access": "no",
    "dr_prep_time_planned": "yes",
    "dr_production_profile": "yes",
}


def finished_assessment(engine, pilot_id: int, answers: dict[str, str]):
    record = store.start_assessment(engine, pilot_id, CONTENT.version, "about_to_start")
    store.save_answers(engine, record.id, {**dict.fromkeys(_start_questions(), "yes"), **answers})
    store.update_assessment(engine, record.id, current_step=RESULTS_STEP)
    return record


def _start_questions() -> list[str]:
    return [q.id for q in CONTENT.questions if q.phase == "start"]


def test_adopt_three_mark_two_done_and_the_reassessment_shows_what_moved(database) -> None:
    pilot = store.create_pilot(database, "Ticket routing", business_unit="Customer service")
    first = finished_assessment(database, pilot.id, START)
    at = open_app("pages/assess.py", token=first.token)
    adopt = [b for b in at.button if b.key and b.key.startswith("actions_adopt_")]
    assert len(adopt) == 3  # one under each of the three most urgent actions
    for button in adopt:
        at.button(key=button.key).click().run()
        assert not at.exception, at.exception
    adopted = register.list_actions(database)
    assert len(adopted) == 3
    assert {a.question_id for a in adopted} == {
        "bp_problem_statement",
        "bp_success_criteria",
        "dr_sources_access",
    }
    assert not [b for b in at.button if b.key and b.key.startswith("actions_adopt_")]
    assert texts(at).count("In the action register: Open") == 3
    by_question = {a.question_id: a for a in adopted}
    for qid in ("bp_problem_statement", "dr_sources_access"):
        action = by_question[qid]
        at.radio(key=f"actions_pilot_status_{action.id}_open").set_value("done").run()
        assert not at.exception, at.exception
    assert {a.question_id for a in register.list_actions(database) if a.status == "done"} == {
        "bp_problem_statement",
        "dr_sources_access",
    }

    # Reassess: the open action shows beside its question, then the results say what moved.
    second = store.start_assessment(database, pilot.id, CONTENT.version, "about_to_start")
    at = open_app("pages/assess.py", token=second.token)
    captions = [c.value for c in at.caption]
    criteria = by_question["bp_success_criteria"]
    assert any(
        c.startswith(f":material/task_alt: Open action: {criteria.title[:20]}") for c in captions
    )
    assert not any(
        "Open action: " + by_question["bp_problem_statement"].title[:20] in c for c in captions
    )
    store.save_answers(
        database,
        second.id,
        {
            **dict.fromkeys(_start_questions(), "yes"),
            **START,
            "bp_problem_statement": "yes",
            "dr_sources_access": "partly",
        },
    )
    store.update_assessment(database, second.id, current_step=RESULTS_STEP)
    at = open_app("pages/assess.py", token=second.token)
    shown = texts(at)
    assert "Done since the last assessment" in shown
    assert ": 2**" in shown
    # By hand: business problem 1/5 = 20 → 3/5 = 60; data readiness 2/3.5 = 57 → 2.75/3.5 = 79.
    assert "Business problem: readiness 20 → 60 (:green[↑ +40])" in shown
    assert "Data readiness: readiness 57 → 79 (:green[↑ +21])" in shown
    warnings = " ".join(w.value for w in at.warning)
    assert "Marked done, yet" in warnings
    assert "still answered Partly" in warnings


def test_the_register_page_lists_filters_and_changes_actions(database) -> None:
    at = open_app("pages/actions.py")
    assert "No action yet" in texts(at)
    assert inputs_without_help(at) == []
    routing = store.create_pilot(database, "Ticket routing", business_unit="Support")
    today = date.today()
    late = register.add_action(
        database, title="Name the sponsor", pilot_id=routing.id, owner="Ana Costa", due_date=today
    )
    register.add_action(database, title="Agree one stack", owner="CIO office")
    done = register.add_action(database, title="Log data quality", pilot_id=routing.id)
    register.update_action(database, done.id, status="done")
    at = open_app("pages/actions.py")
    assert {m.label: m.value for m in at.metric} == {
        "To do": "2",
        "Overdue": "0",
        "Done": "1",
        "Dropped": "0",
    }
    assert inputs_without_help(at) == []
    # To do by default; the done action appears when Done is chosen too.
    keys = [r.key for r in at.radio]
    assert f"actions_status_{late.id}_open" in keys
    assert f"actions_status_{done.id}_done" not in keys
    at.multiselect(key="actions_filter_status").set_value(["done"]).run()
    keys = [r.key for r in at.radio]
    assert keys == [f"actions_status_{done.id}_done"]
    at.multiselect(key="actions_filter_status").set_value(["open", "in_progress"]).run()
    at.selectbox(key="actions_filter_owner").set_value("CIO office").run()
    assert "Agree one stack" in texts(at)
    assert "Name the sponsor" not in texts(at)


def test_adding_by_hand_refuses_an_unknown_owner_format_and_keeps_nothing(database) -> None:
    at = open_app("pages/actions.py")
    at.text_input(key="actions_add_title").set_value("Book the data review")
    at.text_input(key="actions_add_owner").set_value("Ana; Ben")
    at.button(key="FormSubmitter:actions_add_form-Add the action").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "is not a name, a role or an e-mail address" in errors
    assert "pick one and name the others in the note" in errors
    assert register.list_actions(database) == []
    at.text_input(key="actions_add_title").set_value("Book the data review")
    at.text_input(key="actions_add_owner").set_value("ana.costa@example.org")
    at.button(key="FormSubmitter:actions_add_form-Add the action").click().run()
    [action] = register.list_actions(database)
    assert (action.title, action.owner, action.pilot_id) == (
        "Book the data review",
        "ana.costa@example.org",
        None,
    )
    assert action.due_date == date.today() + timedelta(days=30)


def test_portfolio_and_organisation_pages_show_overdue_actions_per_unit(app_test, demo_sqlite_url):
    engine = store.make_engine(demo_sqlite_url)
    try:
        pilots = store.list_pilots(engine)
        today = date.today()
        for pilot in pilots[:2]:
            register.add_action(
                engine, title=f"Fix {pilot.name}", pilot_id=pilot.id, due_date=today, today=today
            )
        # Overdue is measured against today: move the due dates back in the database.
        from sqlalchemy import update

        from diagnostics.storage.models import RegisterAction

        with store.session_scope(engine) as session:
            session.execute(
                update(RegisterAction)
                .where(RegisterAction.title.startswith("Fix "))
                .values(due_date=today - timedelta(days=4))
            )
    finally:
        engine.dispose()
    # the demo's own register has 2 overdue actions (30 and 9 days): 4 with these two
    for page in ("pages/portfolio.py", "pages/organisation.py"):
        at = app_test(page)
        assert not at.exception, at.exception
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Overdue"] == "4"
        assert "Actions in the register" in [s.value for s in at.subheader]
        shown = texts(at)
        assert "4 days overdue" in shown
        owners = next(d.value for d in at.dataframe if "overdue" in d.value.columns)
        assert owners["overdue"].sum() == 4


def test_a_systemic_gap_is_adopted_for_the_whole_organisation(app_test, demo_sqlite_url):
    at = app_test("pages/organisation.py")
    buttons = [b for b in at.button if b.key and b.key.startswith("actions_gap_")]
    if not buttons:
        pytest.skip("the demo data has no shared gap to adopt")
    at.button(key=buttons[0].key).click().run()
    assert not at.exception, at.exception
    engine = store.make_engine(demo_sqlite_url)
    try:
        # the demo's own actions all belong to its pilots
        [action] = [a for a in register.list_actions(engine) if a.pilot_id is None]
    finally:
        engine.dispose()
    assert (action.pilot_id, action.source) == (None, "organisation")
    assert "In the action register: Open" in texts(at)


def test_a_workshops_agreed_actions_go_to_the_register_once(app_test, demo_sqlite_url):
    import os

    from streamlit.testing.v1 import AppTest

    from diagnostics import workshop as ws

    engine = store.make_engine(os.environ["DATABASE_URL"])
    try:
        created = ws.create_workshop(engine, CONTENT, pilot_name="Agreed pilot", pacing="all")
        qid = created.state.question_ids[0]
        person = ws.join_workshop(engine, created.state.code, "c0")
        vote(engine, person, qid, "no")
        app_test()  # clears the caches and points the app at the demo database

        def console() -> AppTest:
            at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
            at.query_params["facilitator"] = created.facilitator_token
            at.run()
            at.switch_page("pages/workshop.py").run()
            assert not at.exception, at.exception
            return at

        at = console()
        assert "Agreed actions go to the action register once they are saved here." in texts(at)
        next(b for b in at.button if b.key == "ws_save_consensus").click().run()
        carry = next(b for b in at.button if b.key == "actions_workshop_carry")
        assert carry.label == "Add the 1 agreed action to the action register"
        carry.click().run()
        assert not at.exception, at.exception
        # the demo's own actions were adopted from assessments
        [action] = [a for a in register.list_actions(engine) if a.source == "workshop"]
        question = CONTENT.questions_by_id[qid]
        assert (action.title, action.owner, action.source, action.question_id) == (
            question.action.text,
            question.action.owner,
            "workshop",
            qid,
        )
        assert action.due_date == date.today() + timedelta(days=30)  # the console's default
        at = console()
        assert "The 1 agreed action is in the action register." in texts(at)
        assert not [b for b in at.button if b.key == "actions_workshop_carry"]
        assert len([a for a in register.list_actions(engine) if a.source == "workshop"]) == 1
    finally:
        engine.dispose()


def test_editing_an_action_checks_the_owner_and_keeps_the_old_values(database) -> None:
    action = register.add_action(database, title="Name the sponsor", owner="Ana Costa")
    at = open_app("pages/actions.py")
    key = f"actions_edit_{action.id}"
    at.text_input(key=f"{key}_owner").set_value("Ana and Ben; Carla")
    at.button(key=f"FormSubmitter:{key}_form-Save").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "'Ana and Ben; Carla' is not a name, a role or an e-mail address" in errors
    assert register.get_action(database, action.id).owner == "Ana Costa"
    at.text_input(key=f"{key}_owner").set_value("Ben Okafor")
    at.text_area(key=f"{key}_note").set_value("Sponsor meeting on Tuesday")
    at.button(key=f"FormSubmitter:{key}_form-Save").click().run()
    saved = register.get_action(database, action.id)
    assert (saved.owner, saved.note) == ("Ben Okafor", "Sponsor meeting on Tuesday")
    assert "Note: Sponsor meeting on Tuesday" in texts(at)


def test_the_register_sheet_is_prepared_then_follows_the_actions(database) -> None:
    """Test that the register's xlsx and csv are built on request and handed over as bytes,
    and that a changed action drops them, so the sheet on offer is never an older one."""
    action = register.add_action(database, title="Name the sponsor", owner="Ana Costa")
    at = open_app("pages/actions.py")
    assert not at.get("download_button")
    at.button(key="actions_register_prepare").click().run()
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(buttons) == {"Register (xlsx)", "Register (csv)"}
    for button in buttons.values():
        assert button.url
        assert not button.deferred_file_id
        assert button.help
    register.update_action(database, action.id, status="done")
    at.run()
    assert not at.get("download_button")
    assert at.button(key="actions_register_prepare").label == "Prepare the files"

"""The organisation page through AppTest: demo data, an empty database, an uploaded sheet,
the trap check and the report downloads."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bench.apptest import app_on
from diagnostics.demo import DEMO_PILOTS
from diagnostics.framework.content import load_content
from diagnostics.storage import store

PAGE = "pages/organisation.py"
HOSTILE = "**Bold** <b>pilot</b> [link](http://x)"


@pytest.fixture(scope="module")
def content():
    return load_content()


def _metric(at, label: str):
    return next(m.value for m in at.metric if m.label == label)


def _sheet(content, rows: list[tuple[str, str, str]]) -> bytes:
    """rows: (name, unit, answer given to every question)."""
    workbook = Workbook()
    sheet = workbook.active
    ids = [q.id for q in content.questions]
    sheet.append(["pilot_name", "business_unit", *ids])
    for name, unit, answer in rows:
        sheet.append([name, unit, *[answer] * len(ids)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(at, name: str, data: bytes):
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="org_upload").set_value((name, data, mime)).run()
    return at


def test_demo_pilots_are_profiled(app_test) -> None:
    at = app_test(PAGE, timeout=120)
    assert not at.exception
    assert at.title[0].value == "Organisation view"
    assert _metric(at, "Pilots assessed") == str(len(DEMO_PILOTS))
    decisions = sum(int(_metric(at, label)) for label in ("Proceed", "Fix first", "Stop"))
    assert decisions == len(DEMO_PILOTS)
    # The demo portfolio feeds the trap check: the three perception symptoms are asked.
    asked = [r.key for r in at.radio]
    assert asked == [
        "org_symptom_integration_blocked",
        "org_symptom_leadership_sees_no_value",
        "org_symptom_team_demotivated",
    ]


def test_empty_database_shows_the_way_in(sqlite_url) -> None:
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    engine.dispose()
    with app_on(sqlite_url) as open_app:
        at = open_app(PAGE, timeout=120)
        assert not at.exception
        assert not at.metric
        assert any("No pilot has been assessed yet" in i.value for i in at.info)
        assert at.expander[0].proto.expanded
        # Without a portfolio, all six symptoms are asked.
        assert len(at.radio) == 6
        at.radio(key="org_symptom_many_pilots_none_live").set_value("yes").run()
        assert any("In the PoC trap" in e.value for e in at.error)


def test_uploaded_sheet_is_checked_saved_and_counted(app_test, content) -> None:
    at = app_test(PAGE, timeout=120)
    data = _sheet(
        content,
        [("Alpha", "Ops", "Yes"), ("Beta", "Ops", "No"), (HOSTILE, "Ops", "Don't know")],
    )
    _upload(at, "answers.xlsx", data)
    assert not at.exception
    save = at.button(key="org_save")
    assert save.label == "Save the answers of 3 pilots"
    assert at.selectbox(key="org_scope").value == "demo"
    assert _metric(at, "Pilots assessed") == str(len(DEMO_PILOTS))
    save.click().run()
    assert any("Saved 3 assessments (3 new pilots, 0 updated)" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    # Right after the save, without another run: the view counts them, and only them (the
    # demo's made-up pilots are never mixed with real answers).
    assert at.selectbox(key="org_scope").value == "all"
    assert _metric(at, "Pilots assessed") == "3"
    assert any("Every assessed pilot" in c.value for c in at.caption)
    # The hostile name is offered as a plain option and never rendered as Markdown.
    at.session_state["org_tab"] = "One pilot vs the rest"
    at.run()
    assert HOSTILE in at.selectbox(key="org_pilot").options
    assert not [m.value for m in at.markdown if "<b>pilot</b>" in m.value]


def test_bad_cells_are_listed_before_saving(app_test, content) -> None:
    at = app_test(PAGE, timeout=120)
    data = _sheet(content, [("Alpha", "Ops", "Yes")])
    workbook_bytes = io.BytesIO(data)
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_bytes)
    workbook.active["D2"] = "Maybe"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _upload(at, "answers.xlsx", buffer.getvalue())
    assert any("1 cells are not answers" in w.value for w in at.warning)
    problems = at.dataframe[0].value
    assert problems.iloc[0]["cell"] == "D2"
    assert problems.iloc[0]["value"] == "Maybe"


def test_unreadable_upload_shows_a_message(app_test) -> None:
    at = app_test(PAGE, timeout=120)
    at.file_uploader(key="org_upload").set_value(("x.csv", b"name,score\nA,1\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("no column is headed by a question id" in e.value for e in at.error)


def test_trap_check_answers_change_the_verdict(app_test) -> None:
    at = app_test(PAGE, timeout=120)
    at.radio(key="org_symptom_team_demotivated").set_value("yes").run()
    at.radio(key="org_symptom_integration_blocked").set_value("no").run()
    at.radio(key="org_symptom_leadership_sees_no_value").set_value("no").run()
    # The demo portfolio shows none of the three computed symptoms (checked below), so one
    # answered Yes puts the organisation at risk.
    computed = [m.value for m in at.markdown if m.value.startswith("**Does not show:**")]
    assert len(computed) == 5
    verdicts = [w.value for w in at.warning if "At risk" in w.value]
    assert verdicts
    assert "Morale in the data science team has dropped" in verdicts[0]


def test_report_downloads_are_offered(app_test) -> None:
    """Test the five downloads; names and contents are checked in the browser test."""
    at = app_test(PAGE, timeout=120)
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert buttons["Download the answer template"].url.endswith(".xlsx")
    # The report files are built only when asked for, not on every run.
    assert set(buttons) == {"Download the answer template"}
    at.button(key="org_report_prepare").click().run()
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    for label in (
        "Download the brief (PDF, two pages)",
        "Download the slides (PowerPoint)",
        "Download the report (HTML)",
        "Download the data (xlsx)",
    ):
        # Built bytes kept for this session, not a deferred file a busy server can drop.
        assert buttons[label].url
        assert not buttons[label].deferred_file_id
        assert buttons[label].help
    # Still offered on the next run: nothing they were built from has changed.
    at.run()
    assert len(at.get("download_button")) == 5


def test_a_heading_counting_more_gaps_than_the_chart_says_why(app_test) -> None:
    """Test that when more gaps are shared than the chart lists, a caption says where the
    others are (the demo pilots share more than the eight charted)."""
    at = app_test(PAGE, timeout=120)
    heading = next(s.value for s in at.subheader if "gaps most pilots share" in s.value)
    shared = int(heading.split()[0])
    assert shared > 8
    captions = [c.value for c in at.caption]
    expected = (
        f"The 8 shared by the most pilots are charted and described here; the other "
        f"{shared - 8} are in “Every question, with its answers across pilots” below."
    )
    assert expected in captions


def test_the_shared_gaps_chart_is_a_picture(app_test) -> None:
    """Test that the first tab's chart is drawn on the server (the page's first view loads
    no chart script) and that the tab holds no Plotly chart."""
    at = app_test(PAGE, timeout=120)
    gaps_tab = at.tabs[0]
    assert gaps_tab.label == "Shared gaps"
    assert len(gaps_tab.get("image")) == 1
    assert not gaps_tab.get("plotly_chart")


def _tab_charts(at) -> int:
    """Plotly charts drawn in the page's tabs (the follow-up section below has its own)."""
    return sum(len(tab.get("plotly_chart")) for tab in at.tabs)


def test_the_interactive_charts_wait_for_their_tab(app_test) -> None:
    """Test that the first view draws no Plotly chart (the risk profile's and one pilot's
    charts are drawn when their tab is opened), and that the pilot chosen in its tab is
    still chosen after another tab was open in between."""
    at = app_test(PAGE, timeout=120)
    assert not _tab_charts(at)
    at.session_state["org_tab"] = "Risk profile"
    at.run()
    assert _tab_charts(at) == 4  # spread, units, decisions, pilots
    at.session_state["org_tab"] = "One pilot vs the rest"
    at.run()
    assert at.selectbox(key="org_pilot").index == 0
    at.selectbox(key="org_pilot").select_index(2).run()
    other = at.selectbox(key="org_pilot").value
    at.session_state["org_tab"] = "Shared gaps"
    at.run()
    assert not _tab_charts(at)
    at.session_state["org_tab"] = "One pilot vs the rest"
    at.run()
    assert at.selectbox(key="org_pilot").value == other
    assert at.selectbox(key="org_pilot").index == 2

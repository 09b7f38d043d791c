"""One pilot, one story: a 20-pilot portfolio assessed through the questionnaire (5), a
workshop's agreed answers (3) and an answer sheet (10, two matched by name only); the
portfolio's recommendations, the organisation view, the cost page's stop-now choice, the
exports and the command line agree pilot by pilot."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from harness import FEDERAL, unavailable

from diagnostics import workshop as ws
from diagnostics.cli import main as cli_main
from diagnostics.cost.assumptions import CostAssumptions
from diagnostics.cost.stop_now import stop_now, stop_selection
from diagnostics.framework.content import load_content
from diagnostics.organisation.answer_sheet import read_answer_sheet
from diagnostics.organisation.answers import save_answer_sheet
from diagnostics.organisation.profile import organisation_profile
from diagnostics.portfolio.analysis import analyse_portfolio, export_frame
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.portfolio.recommendations import DECISION_TO_RECOMMENDATION, RECOMMENDATIONS
from diagnostics.storage import store
from diagnostics.storage.links import (
    ALL_ASSESSED,
    DEMO_SCOPE,
    organisation_pilots,
    saved_readiness,
    set_link,
)
from diagnostics.storage.portfolios import (
    assess_portfolio_pilot,
    load_portfolio_frame,
    save_portfolio,
)

CONTENT = load_content()
TODAY = date.today()
QUESTIONS = [q.id for q in CONTENT.questions]
# Answering every question alike gives a known decision at the decision point:
# all Yes -> proceed (100/100), all No -> stop (most of the checklist is No),
# all Partly -> fix first (50/100, below the 75 needed).
PATTERN = {"proceed": "yes", "stop": "no", "fix_first": "partly"}
DECISIONS = ["proceed", "stop", "fix_first"]
UNITS = ["Finance", "Operations", "Customer Service", "Legal"]


def _pilot(n: int) -> dict:
    weeks = 60 if n == 20 else (4 if n == 19 else 12 + n)
    return {
        "Pilot ID": f"P{n:02d}",
        "Pilot name": f"Pilot number {n} assistant",
        "Business unit": UNITS[n % len(UNITS)],
        "Stage": "Pilot" if n % 3 else "Decision",
        "Start date": (TODAY - timedelta(weeks=weeks)).isoformat(),
        "Expected annual value": 100_000 + 10_000 * n,
        "Pilot budget": 50_000 + 1_000 * n,
        "Live users": 0,
    }


PILOTS = [_pilot(n) for n in range(1, 21)]
# which decision each assessed pilot's answers lead to
EXPECTED = {f"P{n:02d}": DECISIONS[n % 3] for n in range(1, 19)}


def _answers(decision: str) -> dict[str, str]:
    return dict.fromkeys(QUESTIONS, PATTERN[decision])


def _portfolio_csv() -> bytes:
    return pd.DataFrame(PILOTS).to_csv(index=False).encode()


def _answer_sheet_csv() -> bytes:
    rows = []
    for n in range(9, 19):
        pilot = PILOTS[n - 1]
        by_name_only = n in (17, 18)
        rows.append(
            {
                "pilot_id": "" if by_name_only else pilot["Pilot ID"],
                # the name as someone typed it: case and spacing differ
                "pilot_name": f"  {pilot['Pilot name'].upper()} " if by_name_only else "",
                "business_unit": pilot["Business unit"],
                "position": "decision_point",
                **_answers(EXPECTED[pilot["Pilot ID"]]),
            }
        )
    return pd.DataFrame(rows).to_csv(index=False).encode()


@pytest.fixture
def portfolio(sqlite_url: str):
    """The 20 pilots saved, and 18 of them assessed through the three journeys."""
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    imported = import_portfolio(_portfolio_csv(), "pilots.csv")
    pid = save_portfolio(engine, imported, "AI pilots 2026")
    frame = imported.frame
    # 5 through the questionnaire: 3 opened from the portfolio's row, 2 typed in by name
    for n in (1, 2, 3):
        row = frame.iloc[n - 1].to_dict()
        record = assess_portfolio_pilot(engine, CONTENT, row)
        store.update_assessment(engine, record.id, position="decision_point")
        store.save_answers(engine, record.id, _answers(EXPECTED[f"P{n:02d}"]))
    for n in (4, 5):
        pilot = store.create_pilot(
            engine, f"pilot NUMBER {n}  assistant", business_unit=PILOTS[n - 1]["Business unit"]
        )
        record = store.start_assessment(engine, pilot.id, CONTENT.version)
        store.save_answers(engine, record.id, _answers(EXPECTED[f"P{n:02d}"]))
    # 3 through a workshop's agreed answers
    for n in (6, 7, 8):
        opened = ws.create_workshop(
            engine, CONTENT, pilot_name=PILOTS[n - 1]["Pilot name"], position="decision_point"
        )
        fac = ws.facilitator(engine, opened.facilitator_token)
        ws.save_consensus(fac, CONTENT, _answers(EXPECTED[f"P{n:02d}"]))
    # 10 through an answer sheet, two of them by name only
    sheet = read_answer_sheet(_answer_sheet_csv(), "answers.csv", CONTENT)
    save_answer_sheet(engine, sheet, CONTENT)
    # a demo pilot of the same name as P19 must not reach the portfolio
    demo = store.create_pilot(engine, PILOTS[18]["Pilot name"], is_demo=True)
    record = store.start_assessment(engine, demo.id, CONTENT.version)
    store.save_answers(engine, record.id, _answers("proceed"))
    # a near miss: offered, never applied
    near = store.create_pilot(engine, "Pilot number 20 asistant")
    record = store.start_assessment(engine, near.id, CONTENT.version)
    store.save_answers(engine, record.id, _answers("proceed"))
    yield engine, pid
    engine.dispose()


def _analysis(engine, pid):
    frame = load_portfolio_frame(engine, pid)
    readiness = saved_readiness(engine, CONTENT, pid)
    return frame, readiness, analyse_portfolio(frame, CONTENT, TODAY, assessed=readiness)


def test_every_view_agrees_pilot_by_pilot(portfolio) -> None:
    """Test that recommendations, the organisation view, stop-now and exports agree."""
    engine, pid = portfolio
    frame, readiness, analysis = _analysis(engine, pid)
    pilots = analysis.pilots.set_index("pilot_id")
    # the portfolio: each assessed pilot follows its assessment's decision
    expected = {pid_: DECISION_TO_RECOMMENDATION[d] for pid_, d in EXPECTED.items()}
    expected["P19"] = "assess"  # 4 weeks in, never assessed (the demo pilot is not used)
    expected["P20"] = "stop"  # 60 weeks in: past twice the 22-week path, never assessed
    assert pilots["recommendation"].astype(str).to_dict() == expected
    sources = pilots["readiness_source"].to_dict()
    assert [sources[f"P{n:02d}"] for n in (1, 4, 6, 9, 17)] == [
        "Self-assessment",
        "Self-assessment",
        "Workshop consensus",
        "Imported sheet",
        "Imported sheet",
    ]
    assert pd.isna(sources["P19"])
    assert pd.isna(sources["P20"])
    assert pilots.loc[["P01", "P02", "P03"], "readiness"].tolist() == [0.0, 50.0, 100.0]
    assert str(pilots.loc["P03", "readiness_date"]) == datetime.now(UTC).date().isoformat()
    # how each was matched: P04/P05 (typed names), workshops and P17/P18 by name only
    matches = readiness.matching.matches
    how = dict(zip(matches["row"], matches["how"], strict=True))
    shown = [how[n - 1] for n in (1, 4, 6, 9, 17, 18)]
    assert shown == ["id", "name", "name", "id", "name", "name"]
    # the near miss is offered for row P20, not applied
    offers = readiness.matching.offers
    assert offers.loc[offers["row"] == 19, "why"].tolist() == ["A similar name"]

    # the organisation view of this portfolio: the same 18 pilots, the same decisions
    scoped = organisation_pilots(engine, CONTENT, pid)
    profile = organisation_profile(scoped, CONTENT)
    assert profile.pilot_count == 18
    row_of_key = {k: i for i, k in readiness.overlay["pilot_key"].dropna().items()}
    by_row = {
        frame.loc[row_of_key[key], "pilot_id"]: decision
        for key, decision in zip(
            profile.pilots["pilot_key"], profile.pilots["decision"], strict=True
        )
    }
    assert by_row == EXPECTED
    counts = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    assessed = pilots.loc[list(EXPECTED), "recommendation"].astype(str).value_counts()
    assert counts == {
        "proceed": assessed.get("push", 0),
        "fix_first": assessed.get("fix", 0),
        "stop": assessed.get("stop", 0),
    }
    assert counts == {"proceed": 6, "fix_first": 6, "stop": 6}

    # the cost page's stop-now choice: exactly the pilots the dashboard says to stop
    assumptions = CostAssumptions.from_content(CONTENT, as_of=TODAY)
    chosen = stop_selection(frame, assumptions, CONTENT, "recommended", analysis=analysis)
    stop_ids = set(frame.loc[chosen, "pilot_id"])
    assert stop_ids == {p for p, r in expected.items() if r == "stop"}
    assert stop_now(frame, assumptions, chosen).selected == 7

    # the export: the same recommendation and source per pilot
    export = export_frame(analysis, CONTENT).set_index("Pilot id")
    assert export["Recommendation"].to_dict() == {
        p: RECOMMENDATIONS[r] for p, r in expected.items()
    }
    assert export.loc["P06", "Readiness from"] == "Workshop consensus"


def test_demo_pilots_stay_in_their_scope(portfolio) -> None:
    engine, _ = portfolio
    every = organisation_pilots(engine, CONTENT, ALL_ASSESSED)
    demo = organisation_pilots(engine, CONTENT, DEMO_SCOPE)
    assert len(demo) == 1
    assert demo[0].name == PILOTS[18]["Pilot name"]
    assert demo[0].key not in {p.key for p in every}
    assert len(every) == 19  # 18 matched and the near miss; never the demo pilot


def test_a_link_and_an_unlink_change_the_story(portfolio) -> None:
    engine, pid = portfolio
    _, readiness, _ = _analysis(engine, pid)
    near = readiness.matching.offers.loc[readiness.matching.offers["row"] == 19, "pilot_key"]
    set_link(engine, "AI pilots 2026", "id:P20", near.iloc[0], True)
    _, readiness, analysis = _analysis(engine, pid)
    pilots = analysis.pilots.set_index("pilot_id")
    assert pilots.loc["P20", "recommendation"] == "push"  # its all-Yes assessment now counts
    assert readiness.overlay["matched_by"].iloc[19] == "link"
    # P04 was matched by name; telling them apart sends it back to time alone
    key = readiness.overlay["pilot_key"].iloc[3]
    set_link(engine, "AI pilots 2026", "id:P04", key, False)
    _, _, analysis = _analysis(engine, pid)
    assert analysis.pilots.set_index("pilot_id").loc["P04", "recommendation"] == "decide_now"


def test_the_command_line_joins_an_answer_sheet(tmp_path) -> None:
    """Test `portfolio FILE --answers ANSWERS --json`: by id, else by name."""
    pilots = tmp_path / "pilots.csv"
    pilots.write_bytes(_portfolio_csv())
    answers = tmp_path / "answers.csv"
    answers.write_bytes(_answer_sheet_csv())
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli_main(["portfolio", str(pilots), "--answers", str(answers), "--json"])
    assert status == 0
    data = json.loads(out.getvalue())
    by_id = {p["id"]: p for p in data["pilots"]}
    for n in range(9, 19):
        pilot = by_id[f"P{n:02d}"]
        assert pilot["recommendation"] == DECISION_TO_RECOMMENDATION[EXPECTED[f"P{n:02d}"]]
        assert pilot["readiness_source"] == "Imported sheet"
        assert pilot["why"]
    assert by_id["P17"]["readiness"] == by_id["P11"]["readiness"]  # joined by name
    assert by_id["P01"]["readiness"] is None
    assert by_id["P01"]["recommendation"] == "decide_now"  # 13 weeks, never assessed
    assert by_id["P20"]["recommendation"] == "stop"
    assert data["answers"]["matched"] == 10
    assert data["answers"]["unmatched"] == []
    counts = data["recommendation_counts"]
    assert sum(counts.values()) == 20
    assert counts["assess"] == 1  # P19


def test_the_federal_inventory_gets_decisions_on_time() -> None:
    """Test that no open pilot of the shared federal inventory (none assessed) is "fix":
    each gets assess, decide now or stop from its weeks since the start alone."""
    csv = FEDERAL / "2025_individually_reported_AI_use_cases.csv"
    if not csv.is_file():
        unavailable(f"the federal dataset is missing: {csv}")
    frame = import_portfolio(csv, csv.name).frame
    analysis = analyse_portfolio(frame, CONTENT, date(2026, 12, 5))
    pilots = analysis.pilots
    stage = pilots["stage"].astype(str)
    active = ~stage.isin(["production", "retired"])
    weeks = pilots["weeks_in_pilot"]
    assert pilots["readiness"].isna().all()  # the inventory carries no readiness data
    assert not (pilots["recommendation"] == "fix").any()
    # by hand, from the weeks alone: 10 weeks to the decision, twice the 22-week path to stop
    opened = active & stage.isin(["development", "pilot", "decision"])
    expected = {
        "stop": int((opened & (weeks > 44)).sum()),
        "decide_now": int((opened & (weeks > 10) & (weeks <= 44)).sum()),
    }
    counts = pilots["recommendation"].astype(str).value_counts()
    assert {k: int(counts.get(k, 0)) for k in expected} == expected
    assert expected["stop"] > 0
    assert expected["decide_now"] > 0
    far_past = opened & (weeks > 10 * 22)  # ten times the path: always a stop candidate
    assert far_past.any()
    assert (pilots.loc[far_past, "recommendation"] == "stop").all()
    assert int(counts.get("assess", 0)) == int(active.sum()) - sum(expected.values())


def test_an_older_demo_database_keeps_its_demo_apart(db_url: str) -> None:
    """Test that revision 0007 puts the demo pilots of a database seeded before it into
    the demo scope, and leaves everybody else's pilots where they were."""
    from sqlalchemy import text

    engine = store.make_engine(db_url)
    try:
        store.migrate(engine, "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO pilots (name, created_at) VALUES "
                    "('Spare-parts demand forecast', CURRENT_TIMESTAMP), "
                    "('Our own pilot', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO portfolios (name, created_at, row_count, is_demo) "
                    "VALUES ('Demo portfolio', CURRENT_TIMESTAMP, 0, true)"
                )
            )
        store.migrate(engine)
        flags = {p.name: p.is_demo for p in store.list_pilots(engine)}
        assert flags == {"Spare-parts demand forecast": True, "Our own pilot": False}
    finally:
        engine.dispose()

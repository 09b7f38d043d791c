"""The organisation's view: aggregates over pilots, checked against hand computations.

Each hand-made pilot answers every question of a reason the same way, so its readiness per
reason is 100 (Yes), 50 (Partly) or 0 (No / Don't know) whatever the question weights, and
the medians, means and counts below can be worked out on paper.
"""

from __future__ import annotations

import io

import pytest
import yaml
from openpyxl import Workbook

from diagnostics.framework.content import REASON_KEYS, load_content
from diagnostics.framework.scoring import score
from diagnostics.organisation.answer_sheet import read_answer_sheet
from diagnostics.organisation.answers import (
    PilotAnswers,
    collect_answers,
    save_answer_sheet,
    sheet_pilots,
)
from diagnostics.organisation.profile import (
    SYSTEMIC_ACTIONS_PATH,
    organisation_profile,
    pilot_vs_median,
    profile_summary,
    systemic_actions,
)
from diagnostics.storage import store

REASONS = REASON_KEYS  # the six reasons, in the order the content file lists them
Y, P, N, DK = "yes", "partly", "no", "dont_know"
# Per pilot, the answer given to every question of each reason (in REASONS order).
FIVE = {
    "P1": (Y, Y, Y, N, Y, Y),  # readiness 100 100 100   0 100 100, weakest buy-in
    "P2": (P, Y, N, Y, P, Y),  # 50 100   0 100  50 100, weakest production
    "P3": (Y, P, P, P, N, P),  # 100  50  50  50   0  50, weakest governance
    "P4": (Y, P, DK, Y, P, P),  # 100  50   0 100  50  50, weakest production
    "P5": (Y, Y, Y, Y, Y, P),  # 100 100 100 100 100  50, weakest change management
}
UNITS = {"P1": "Finance", "P2": "Finance", "P3": "HR", "P4": "HR", "P5": None}


@pytest.fixture(scope="module")
def content():
    return load_content()


def _answers(content, pattern) -> dict[str, str]:
    return {
        q.id: answer
        for reason, answer in zip(REASONS, pattern, strict=True)
        for q in content.questions_for(reason)
    }


@pytest.fixture(scope="module")
def five(content) -> list[PilotAnswers]:
    return [
        PilotAnswers(
            key=name,
            name=name,
            business_unit=UNITS[name],
            source="import",
            position="decision_point",
            answers=_answers(content, pattern),
        )
        for name, pattern in FIVE.items()
    ]


@pytest.fixture(scope="module")
def profile(five, content):
    return organisation_profile(five, content)


def test_readiness_per_reason_median_mean_min_by_hand(profile) -> None:
    stats = profile.reasons.set_index("reason")
    expected = {  # (median, mean, min, max, weakest_count)
        "business_problem": (100, 90, 50, 100, 0),  # 100 50 100 100 100
        "data_readiness": (100, 80, 50, 100, 0),  # 100 100 50 50 100
        "production_readiness": (50, 50, 0, 100, 2),  # 100 0 50 0 100
        "organizational_buy_in": (100, 70, 0, 100, 1),  # 0 100 50 100 100
        "governance": (50, 60, 0, 100, 1),  # 100 50 0 50 100
        "change_management": (50, 70, 50, 100, 1),  # 100 100 50 50 50
    }
    for reason, (median, mean, low, high, weakest) in expected.items():
        row = stats.loc[reason]
        assert (row["median"], row["mean"], row["min"], row["max"]) == pytest.approx(
            (median, mean, low, high)
        ), reason
        assert row["weakest_count"] == weakest, reason
        assert row["pilots"] == 5


def test_spread_quartiles_by_hand(profile) -> None:
    # production readiness 0 0 50 100 100: linear quartiles at positions 1 and 3
    row = profile.reasons.set_index("reason").loc["production_readiness"]
    assert (row["q1"], row["q3"]) == (0, 100)


def test_pilot_matrix_and_unit_matrix(profile) -> None:
    assert profile.pilot_matrix.loc["P2"].tolist() == [50, 100, 0, 100, 50, 100]
    units = profile.unit_matrix
    assert list(units.index) == ["Finance", "HR", "Unassigned"]
    # Finance: P1 and P2; median of two values is their mean
    assert units.loc["Finance"].tolist() == [75, 100, 50, 50, 75, 100]
    assert units.loc["HR"].tolist() == [100, 50, 25, 75, 25, 50]
    assert profile.unit_pilots.to_dict() == {"Finance": 2, "HR": 2, "Unassigned": 1}


def test_decisions_distribution(profile) -> None:
    # P1 has three knock-outs (buy-in all No); P2-P4 have a reason at 0: fix first.
    # P5: overall 550/6 = 91.7, weakest 50 (not below 50), no blocker: proceed.
    decisions = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    assert decisions == {"proceed": 1, "fix_first": 4, "stop": 0}
    by_pilot = dict(zip(profile.pilots["pilot"], profile.pilots["decision"], strict=True))
    assert by_pilot["P1"] == "fix_first"
    assert by_pilot["P5"] == "proceed"


def test_gap_counts_by_hand(profile, content) -> None:
    gaps = profile.gaps.set_index("question_id")
    for q in content.questions_for("production_readiness"):
        # P2 answered No, P4 Don't know: 2 of 5
        assert (gaps.loc[q.id, "no"], gaps.loc[q.id, "dont_know"]) == (1, 1), q.id
        assert gaps.loc[q.id, "gaps"] == 2
        assert gaps.loc[q.id, "share"] == pytest.approx(0.4)
        assert not gaps.loc[q.id, "systemic"]
    for q in content.questions_for("business_problem"):
        assert gaps.loc[q.id, "gaps"] == 0
        assert gaps.loc[q.id, "partly"] == 1
    assert profile.gaps["gaps"].iloc[0] == 2  # sorted, most frequent first


def test_pilot_against_the_median(profile) -> None:
    frame = pilot_vs_median(profile, "P3").set_index("reason")
    assert frame["pilot"].tolist() == [100, 50, 50, 50, 0, 50]
    assert frame["median"].tolist() == [100, 100, 50, 100, 50, 50]
    assert frame["difference"].tolist() == [0, -50, 0, -50, -50, 0]


def test_eleven_of_fourteen_without_budget_owner_is_one_systemic_gap(content) -> None:
    """Test the issue's example: one missing funding process, not eleven project problems."""
    everything_yes = {q.id: Y for q in content.questions}
    pilots = []
    for i in range(14):
        answers = dict(everything_yes)
        if i < 8:
            answers["ob_production_budget_owner"] = N
        elif i < 11:
            answers["ob_production_budget_owner"] = DK
        pilots.append(PilotAnswers(f"p{i}", f"Pilot {i}", "Ops", "self", "decision_point", answers))
    profile = organisation_profile(pilots, content)
    systemic = profile.systemic_gaps
    assert systemic["question_id"].tolist() == ["ob_production_budget_owner"]
    gap = systemic.iloc[0]
    assert (gap["gaps"], gap["asked"], gap["no"], gap["dont_know"]) == (11, 14, 8, 3)
    assert gap["share"] == pytest.approx(11 / 14)
    # It is a knock-out: closing it lifts the only blocker of all eleven, who then proceed.
    assert gap["unblocks"] == 11
    assert gap["to_proceed"] == 11
    assert "funding" in gap["systemic_action"].lower()
    decisions = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    assert decisions == {"proceed": 3, "fix_first": 11, "stop": 0}
    summary = profile_summary(profile)
    assert summary["systemic_gaps"][0]["question_id"] == "ob_production_budget_owner"
    assert summary["systemic_gaps"][0]["share"] == round(11 / 14, 3)


def test_later_phase_questions_are_not_gaps_of_pilots_not_there_yet(content) -> None:
    start_only = {q.id: N for q in content.questions if q.phase == "start"}
    pilots = [
        PilotAnswers(f"s{i}", f"S{i}", None, "self", "about_to_start", start_only) for i in range(3)
    ]
    gaps = organisation_profile(pilots, content).gaps.set_index("question_id")
    decision_q = next(q.id for q in content.questions if q.phase == "decision")
    start_q = next(q.id for q in content.questions if q.phase == "start")
    assert gaps.loc[decision_q, "asked"] == 0
    assert gaps.loc[decision_q, "gaps"] == 0
    assert gaps.loc[start_q, "gaps"] == 3


def test_every_question_has_its_own_systemic_action_in_our_words(content) -> None:
    raw = yaml.safe_load(SYSTEMIC_ACTIONS_PATH.read_text(encoding="utf-8"))
    ids = {q.id for q in content.questions}
    assert set(raw["questions"]) == ids
    assert set(raw["reasons"]) == set(REASONS)
    actions = systemic_actions(content)
    assert all(a.text and a.owner for a in actions.values())
    # Not the pilot-level action again: the organisation's version differs for every question.
    assert all(actions[q.id].text != q.action.text for q in content.questions)


def test_no_eight_word_run_of_the_article_in_systemic_actions() -> None:
    from test_content_file import DIGESTS_PATH, run_digests, text_fields

    digests = set(DIGESTS_PATH.read_text(encoding="utf-8").split())
    raw = yaml.safe_load(SYSTEMIC_ACTIONS_PATH.read_text(encoding="utf-8"))
    assert [w for w, text in text_fields(raw) if run_digests(text) & digests] == []


def _sheet_bytes(content) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    ids = [q.id for q in content.questions]
    sheet.append(["pilot_id", "pilot_name", "business_unit", *ids])
    labels = {Y: "Yes", P: "Partly", N: "No", DK: "Don't know"}
    for name, pattern in FIVE.items():
        answers = _answers(content, pattern)
        sheet.append([name.lower(), name, UNITS[name], *[labels[answers[q]] for q in ids]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_sheet_read_directly_gives_the_same_profile(content, profile) -> None:
    sheet = read_answer_sheet(_sheet_bytes(content), "five.xlsx", content)
    from_sheet = organisation_profile(sheet_pilots(sheet), content)
    assert from_sheet.reasons["median"].tolist() == profile.reasons["median"].tolist()
    assert from_sheet.gaps["gaps"].tolist() == profile.gaps["gaps"].tolist()


def test_imported_answers_equal_the_same_answers_entered_in_the_questionnaire(
    db_url, content
) -> None:
    """Test that a bulk import stores and scores exactly like answers typed one by one."""
    engine = store.make_engine(db_url)
    store.migrate(engine)
    # Entered through the questionnaire's path: one pilot, one answer saved at a time.
    typed = {}
    for name, pattern in FIVE.items():
        pilot = store.create_pilot(engine, f"typed {name}")
        assessment = store.start_assessment(engine, pilot.id, content.version)
        for qid, value in _answers(content, pattern).items():
            store.save_answer(engine, assessment.id, qid, value)
        typed[name] = store.answer_values(engine, assessment.id)
    sheet = read_answer_sheet(_sheet_bytes(content), "five.xlsx", content)
    summary = save_answer_sheet(engine, sheet, content)
    assert (summary.pilots_created, summary.assessments) == (5, 5)
    assert summary.answers == 5 * len(content.questions)

    gathered = {p.name: p for p in collect_answers(engine, content)}
    for name in FIVE:
        imported = gathered[name]
        assert imported.source == "import"
        assert imported.business_unit == UNITS[name]
        assert imported.answers == typed[name]
        assert gathered[f"typed {name}"].source == "self"
        assert score(imported.answers, content).to_dict() == score(typed[name], content).to_dict()

    # Importing the sheet again updates the same pilots: no pilot is counted twice.
    again = save_answer_sheet(engine, sheet, content)
    assert (again.pilots_created, again.pilots_updated) == (0, 5)
    assert len(collect_answers(engine, content)) == 10
    engine.dispose()


def test_latest_assessment_of_a_pilot_counts(sqlite_url, content) -> None:
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    pilot = store.create_pilot(engine, "Forecast", business_unit="Ops")
    first = store.start_assessment(engine, pilot.id, content.version)
    store.save_answers(engine, first.id, {"bp_problem_statement": N})
    second = store.start_assessment(engine, pilot.id, content.version, source="workshop")
    store.save_answers(engine, second.id, {"bp_problem_statement": Y})
    empty = store.start_assessment(engine, pilot.id, content.version)  # opened, never answered
    assert empty.id > second.id
    (gathered,) = collect_answers(engine, content)
    assert (gathered.source, gathered.answers) == ("workshop", {"bp_problem_statement": Y})
    engine.dispose()

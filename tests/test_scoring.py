"""Scoring: readiness on hand-computed examples, verdicts at each position, invariants.

Hand computations use the weights of data/framework.yaml (listed next to each example) and
the answer scale Yes = 1, Partly = 0.5, No = 0, Don't know = 0, N/A left out.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.errors import AnswerError
from diagnostics.framework.content import load_content
from diagnostics.framework.scoring import normalise_answer, score, validate_answers

CONTENT = load_content()
ALL_IDS = [q.id for q in CONTENT.questions]
START_IDS = [q.id for q in CONTENT.questions if q.phase == "start"]
KNOCKOUTS = [q.id for q in CONTENT.questions if q.knockout]
CHECKLIST = [q.id for q in CONTENT.questions if q.checklist]
RANK = {"stop": 0, "fix_first": 1, "proceed": 2}


def answers_all(value: str, **overrides: str) -> dict[str, str]:
    answers = dict.fromkeys(ALL_IDS, value)
    answers.update(overrides)
    return answers


def test_content_assumptions_behind_the_hand_computations() -> None:
    weights = {q.id: q.weight for q in CONTENT.questions}
    assert [weights[q] for q in ALL_IDS if q.startswith("bp_")] == [2, 2, 1, 1, 1.5, 2, 1.5]
    assert [weights[q] for q in ALL_IDS if q.startswith("gv_")] == [1, 1.5, 1.5, 1, 1.5, 1, 1.5]
    assert len(CHECKLIST) == 19
    assert all(r.weight == 1 for r in CONTENT.reasons)


def test_readiness_on_a_hand_computed_example() -> None:
    answers = answers_all(
        "yes",
        # business problem: 2*1 + 2*0.5 + 1*0 + 1*0 + 1.5*1 + 2*1 + 1.5*0.5 = 7.25 of 11
        bp_success_criteria="partly",
        bp_timeframe="no",
        bp_scope_stable="dont_know",
        bp_value_translated="partly",
        # governance, common stack N/A left out: 1.5 + 0 + 1 + 0.75 + 1 + 1.5 = 5.75 of 8
        gv_common_stack="na",
        gv_ethics_compliance="no",
        gv_performance_owner="partly",
    )
    result = score(answers, CONTENT, position="decision_point")
    assert result.readiness["business_problem"] == pytest.approx(725 / 11)
    assert result.readiness["governance"] == pytest.approx(71.875)
    assert result.readiness["data_readiness"] == 100
    by_key = {r.key: r for r in result.reasons}
    assert by_key["governance"].risk == pytest.approx(28.125)
    assert by_key["business_problem"].band == "medium"
    assert by_key["data_readiness"].band == "low"
    # Overall: unweighted mean of the six reasons (every reason weight is 1).
    assert result.overall == pytest.approx((725 / 11 + 71.875 + 400) / 6)
    assert result.weakest == "business_problem"
    assert result.uncertainty == 1
    assert result.knockouts == []  # Partly on a knock-out is not a blocker
    assert result.decision == "proceed"
    assert result.verdict == "proceed"
    # One checklist No (bp_timeframe) out of 19 answered checklist items.
    assert result.no_share == pytest.approx(1 / 19)
    assert len(result.actions) == 6  # every scored answer short of Yes, N/A excepted
    assert result.to_dict()["overall"] == round((725 / 11 + 71.875 + 400) / 6, 1)


def test_all_yes_proceeds_and_all_no_stops_at_the_decision_point() -> None:
    yes = score(answers_all("yes"), CONTENT, position="decision_point")
    assert (yes.overall, yes.decision, yes.actions) == (100, "proceed", [])
    no = score(answers_all("no"), CONTENT, position="decision_point")
    assert (no.overall, no.decision, no.verdict) == (0, "stop", "stop")
    assert "19 of 19 checklist answers are No" in no.why


@pytest.mark.parametrize("knockout", KNOCKOUTS)
def test_a_single_knockout_no_blocks_proceed(knockout) -> None:
    result = score(answers_all("yes", **{knockout: "no"}), CONTENT, position="decision_point")
    assert result.overall > 90
    assert result.decision == "fix_first"
    assert result.knockouts == [knockout]
    assert result.actions[0].question_id == knockout
    assert result.actions[0].knockout
    assert CONTENT.questions_by_id[knockout].short_label in result.why


def test_mostly_no_on_the_checklist_means_stop() -> None:
    # Ten of the 15 checklist items that are not knock-outs answered No, all else Yes.
    plain = [q for q in CHECKLIST if q not in KNOCKOUTS]
    ten_no = dict.fromkeys(plain[:10], "no")
    result = score(answers_all("yes", **ten_no), CONTENT, position="decision_point")
    assert result.no_share == pytest.approx(10 / 19)
    assert result.decision == "stop"
    assert "10 of 19 checklist answers are No" in result.why
    # Nine No is not most of the checklist: fix first, not stop.
    nine_no = dict.fromkeys(plain[:9], "no")
    result = score(answers_all("yes", **nine_no), CONTENT, position="decision_point")
    assert result.decision != "stop"


def test_a_running_pilot_is_at_risk_never_stopped() -> None:
    result = score(answers_all("no"), CONTENT, position="running")
    assert result.verdict == "at_risk"
    assert result.decision == "fix_first"
    assert set(result.scored_phases) == {"start", "during"}
    decision_phase = {q.id for q in CONTENT.questions if q.phase == "decision"}
    assert set(result.upcoming_questions) == decision_phase
    assert not decision_phase & set(result.scored_questions)


def test_a_running_pilot_on_track() -> None:
    answers = answers_all(
        "no",
        **dict.fromkeys([q.id for q in CONTENT.questions if q.phase in ("start", "during")], "yes"),
    )
    result = score(answers, CONTENT, position="running")
    assert (result.verdict, result.verdict_label) == ("on_track", "On track")
    assert result.overall == 100


def test_ready_to_start_whatever_later_answers_say() -> None:
    answers = answers_all("no", **dict.fromkeys(START_IDS, "yes"))
    result = score(answers, CONTENT, position="about_to_start")
    assert result.verdict == "ready_to_start"
    assert result.decision == "proceed"
    assert result.overall == 100
    assert result.scored_questions == START_IDS
    assert result.knockouts == []


def test_not_started_is_never_failed_on_success_criteria() -> None:
    # Targets cannot have been reached before the pilot runs: bp_criteria_met waits.
    answers = {q: "yes" for q in START_IDS} | {"bp_criteria_met": "no"}
    result = score(answers, CONTENT, position="about_to_start")
    assert "bp_criteria_met" in result.upcoming_questions
    assert "bp_criteria_met" not in result.knockouts
    assert result.verdict == "ready_to_start"
    status = {c.question_id: c.status for c in result.checklist}
    assert status["bp_criteria_met"] == "upcoming"
    assert status["bp_success_criteria"] == "done"


def test_fix_before_starting_when_a_start_knockout_is_missing() -> None:
    answers = {q: "yes" for q in START_IDS} | {"ob_senior_sponsor": "dont_know"}
    result = score(answers, CONTENT, position="about_to_start")
    assert result.verdict == "fix_before_starting"
    assert result.knockouts == ["ob_senior_sponsor"]
    assert result.uncertainty == 1


def test_too_few_answers_to_judge() -> None:
    result = score({"bp_problem_statement": "no"}, CONTENT, position="decision_point")
    assert result.decision == "fix_first"
    assert "Only 1 of 38 questions are answered" in result.why
    assert len(result.unanswered) == 37


def test_much_unknown_is_fix_first_not_stop() -> None:
    # Don't know scores 0, yet a pilot nobody knows enough about is not stopped blind.
    result = score(answers_all("dont_know"), CONTENT, position="decision_point")
    assert result.overall == 0
    assert result.uncertainty == 38
    assert result.decision == "fix_first"


def test_weakest_link_holds_back_a_good_average() -> None:
    # Change management all No: readiness 0 while the five others are 100 (overall 83).
    answers = answers_all("yes", **{q: "no" for q in ALL_IDS if q.startswith("cm_")})
    # Only cm_plan_ready of these is a checklist item: 1 of 19 No, far from most.
    result = score(answers, CONTENT, position="decision_point")
    assert result.overall == pytest.approx(500 / 6)
    assert result.weakest == "change_management"
    assert result.decision == "fix_first"
    assert "weakest link is Change management (0/100)" in result.why


def test_checklist_has_19_items_with_phase_and_status() -> None:
    result = score(answers_all("partly", bp_timeframe="yes"), CONTENT, position="decision_point")
    assert [c.phase for c in result.checklist].count("start") == 7
    assert [c.phase for c in result.checklist].count("during") == 6
    assert [c.phase for c in result.checklist].count("decision") == 6
    status = {c.question_id: c.status for c in result.checklist}
    assert status["bp_timeframe"] == "done"
    assert status["bp_success_criteria"] == "partly"


def test_actions_name_stage_owner_and_reason() -> None:
    result = score(answers_all("yes", dr_quality_log="no"), CONTENT, position="decision_point")
    (action,) = result.actions
    assert action.question_id == "dr_quality_log"
    assert action.stage == 2
    assert action.reason == "data_readiness"
    assert action.owner
    # All of the reason's missing weight: 1.0 of 7.5 -> gain 100 * 1 / 7.5.
    assert action.gain == pytest.approx(round(100 / 7.5, 1))


def test_validation_names_every_bad_entry() -> None:
    with pytest.raises(AnswerError) as info:
        validate_answers(
            {"nope": "yes", "bp_timeframe": "maybe", "bp_problem_statement": "na"}, CONTENT
        )
    message = str(info.value)
    assert "nope" in message
    assert "bp_timeframe='maybe'" in message
    assert "N/A is not allowed for: bp_problem_statement" in message


def test_unknown_position_is_refused() -> None:
    with pytest.raises(AnswerError, match="unknown position"):
        score({}, CONTENT, position="somewhere")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Yes", "yes"),
        (" partly ", "partly"),
        ("Don't know", "dont_know"),
        ("N/A", "na"),
        ("", None),
        ("maybe", None),
        (None, None),
    ],
)
def test_normalise_answer(raw, key) -> None:
    assert normalise_answer(raw) == key


# --- invariants --------------------------------------------------------------------------

SCALE = ["yes", "partly", "no", "dont_know"]
answer_sets = st.fixed_dictionaries({q: st.sampled_from(SCALE) for q in ALL_IDS})
positions = st.sampled_from([p.key for p in CONTENT.positions])


@settings(max_examples=150, deadline=None)
@given(answers=answer_sets, position=positions)
def test_scores_stay_between_0_and_100(answers, position) -> None:
    result = score(answers, CONTENT, position=position)
    for reason in result.reasons:
        assert 0 <= reason.readiness <= 100
        assert reason.risk == pytest.approx(100 - reason.readiness)
    assert 0 <= result.overall <= 100
    assert result.weakest_readiness <= result.overall + 1e-9
    assert result.verdict in CONTENT.positions_by_key[position].verdicts


@settings(max_examples=150, deadline=None)
@given(
    answers=st.fixed_dictionaries({q: st.sampled_from(["yes", "partly", "no"]) for q in ALL_IDS}),
    position=positions,
    which=st.sampled_from(ALL_IDS),
)
def test_a_better_answer_never_lowers_a_score_or_the_decision(answers, position, which) -> None:
    better = {"no": "partly", "partly": "yes", "yes": "yes"}
    improved = answers | {which: better[answers[which]]}
    before = score(answers, CONTENT, position=position)
    after = score(improved, CONTENT, position=position)
    for b, a in zip(before.reasons, after.reasons, strict=True):
        assert a.readiness >= b.readiness - 1e-9
    assert after.overall >= before.overall - 1e-9
    assert RANK[after.decision] >= RANK[before.decision]
    assert set(after.knockouts) <= set(before.knockouts)


def test_the_reason_names_the_next_step_for_where_the_pilot_stands() -> None:
    start_yes = dict.fromkeys(START_IDS, "yes")
    ready = score(start_yes, CONTENT, position="about_to_start")
    assert ready.why.endswith("Start the pilot, with the dates and targets agreed.")
    blocked = score(start_yes | {"ob_senior_sponsor": "no"}, CONTENT, position="about_to_start")
    assert "so fix it before the pilot starts" in blocked.why
    running = score(answers_all("yes"), CONTENT, position="running")
    assert running.why.endswith("prepare the evidence for the decision.")
    at_risk = score(answers_all("yes", ob_senior_sponsor="no"), CONTENT, position="running")
    assert "before the decision is due" in at_risk.why
    decision = score(answers_all("yes", ob_senior_sponsor="no"), CONTENT)
    assert "before committing more budget" in decision.why


def test_an_overdue_decision_is_said_in_the_verdict_and_agrees_with_the_timeline() -> None:
    """Test that a running pilot 26 weeks in (decision due at week 10) is not told to fix
    things "before the decision is due": its verdict uses the decision's words and says how
    long ago it was due, as the timeline does."""
    from datetime import date

    from diagnostics.framework.timeline import progress, recommended_path

    content = load_content()
    answers = {q.id: "partly" for q in content.questions if q.phase != "decision"}
    answers["bp_success_criteria"] = "no"
    start, today = date(2026, 6, 1), date(2026, 12, 5)
    on_time = score(answers, content, position="running")
    assert on_time.verdict_label == "At risk"
    assert "before the decision is due" in on_time.why
    late = score(answers, content, position="running", start_date=start, today=today)
    assert (late.decision, late.verdict_label) == ("fix_first", "Fix first")
    assert late.why.startswith("The decision was due 16 weeks ago (week 10 from the start)")
    assert "before the decision is due" not in late.why
    timeline = progress(recommended_path(start, content), today, "running").message
    assert "16 weeks ago" in timeline
    # within the pilot's weeks nothing changes
    early = score(answers, content, position="running", start_date=start, today=date(2026, 7, 1))
    assert early.why == on_time.why


def test_actions_of_a_phase_already_passed_are_said_for_now() -> None:
    content = load_content()
    answers = {q.id: "yes" for q in content.questions}
    answers["bp_success_criteria"] = "no"
    before = score(answers, content, position="about_to_start").top_actions[0]
    assert before.question_id == "bp_success_criteria"
    assert before.text.endswith("record them before the pilot begins.")
    for position in ("running", "decision_point"):
        action = score(answers, content, position=position).top_actions[0]
        assert action.question_id == "bp_success_criteria"
        assert "record them now; the pilot started without them" in action.text
        assert "before the pilot begins" not in action.text

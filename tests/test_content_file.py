"""Keep the shipped framework file honest: complete, consistent with the article, in our words.

The expectations below (reason keys, the 19 checklist items and their phases, timeframes,
rollout durations, symptoms) are written out by hand from the article and DOMAIN.md, not
read back from the file, so that an edit to the file that breaks them fails here.

The article itself is not part of the repository. Its 8-word runs are kept as one-way
digests in `tests/data/article_8gram_digests.txt`; when the article is available (next to
the repository as `../shared/seed/why-ai-pocs-fail.txt`, or at `POCTRAP_ARTICLE`), a test
checks that the digests still match it. To regenerate them:
`python -c "import runpy; runpy.run_path('tests/test_content_file.py')['write_digests']()"`.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from diagnostics.errors import ContentError
from diagnostics.framework.content import DEFAULT_CONTENT_PATH, Content, load_content, parse_content

REPO_ROOT = Path(__file__).resolve().parent.parent
DIGESTS_PATH = Path(__file__).resolve().parent / "data" / "article_8gram_digests.txt"
ARTICLE_PATH = Path(
    os.environ.get("POCTRAP_ARTICLE")
    or REPO_ROOT.parent / "shared" / "seed" / "why-ai-pocs-fail.txt"
)
RUN_LENGTH = 8

# The six reasons in the article's order, each with the prefix of its questions' ids.
REASON_PREFIX = {
    "business_problem": "bp_",
    "data_readiness": "dr_",
    "production_readiness": "pr_",
    "organizational_buy_in": "ob_",
    "governance": "gv_",
    "change_management": "cm_",
}
REASON_KEYS = list(REASON_PREFIX)

# The article's checklist, item by item, mapped to the question that carries it.
CHECKLIST = {
    # at the start
    "bp_problem_statement": "start",  # problem in one sentence
    "bp_success_criteria": "start",  # numeric success criteria
    "ob_senior_sponsor": "start",  # senior sponsor assigned
    "ob_business_rep": "start",  # business unit representative on the team
    "pr_budget_estimate": "start",  # production budget estimated with the pilot budget
    "bp_timeframe": "start",  # pilot 6-8 weeks, decision 2, production 8-12
    "dr_sources_access": "start",  # data sources and access permissions
    # during the pilot
    "ob_weekly_progress": "during",  # weekly progress meetings
    "bp_business_metrics": "during",  # technical and business metrics
    "ob_end_users_involved": "during",  # end users actively involved
    "dr_quality_log": "during",  # data quality issues recorded
    "pr_parallel_preparation": "during",  # production requirements prepared in parallel
    "gv_risks_reported": "during",  # risks and obstacles reported regularly
    # at the decision point
    "bp_criteria_met": "decision",  # success criteria met
    "ob_business_wants_it": "decision",  # business unit wants to use it
    "pr_technical_ready": "decision",  # technical preparation complete
    "dr_pipeline_automation": "decision",  # data pipeline ready to automate
    "cm_plan_ready": "decision",  # change management and training plan
    "gv_decision_criteria": "decision",  # proceed/stop on clear criteria
}
REQUIRED_KNOCKOUTS = {"ob_senior_sponsor", "ob_production_budget_owner", "bp_success_criteria"}
OWNERS = {
    "Business sponsor",
    "Product owner",
    "Data lead",
    "ML/IT engineering",
    "Business unit lead",
    "Governance & risk",
    "Change lead",
}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(DEFAULT_CONTENT_PATH)


@pytest.fixture(scope="module")
def raw_file() -> dict:
    return yaml.safe_load(DEFAULT_CONTENT_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def raw(raw_file: dict) -> dict:
    """A private copy of the parsed file for a test to break."""
    return copy.deepcopy(raw_file)


# --- the shipped file ---------------------------------------------------------------------


def test_shipped_file_loads_and_credits_the_article(content: Content) -> None:
    """Test that the default file validates and names the article it is adapted from."""
    assert content.version
    assert content.source.title == "Why AI Proof of Concepts Fail"
    assert content.source.author == "Koray Çetintaş"
    assert content.source.date == "2026-03-20"
    assert "adapted" in content.source.note


def test_six_reasons_with_the_domain_keys_in_order(content: Content) -> None:
    """Test that the reasons are exactly the six of DOMAIN.md, in its order, fully described."""
    assert [r.key for r in content.reasons] == REASON_KEYS
    for reason in content.reasons:
        assert reason.title, reason.key
        assert 0 < len(reason.short) <= 12, reason.key
        assert len(reason.explanation.split()) >= 40, reason.key


def test_reason_explanations_carry_the_articles_figures(content: Content) -> None:
    """Test that the key facts of the article reach the reasons' explanations."""
    by_key = {r.key: r.explanation for r in content.reasons}
    for figure in ("40%", "3 days", "three days", "85%"):
        if figure in by_key["business_problem"]:
            break
    else:
        pytest.fail("business_problem explanation lacks the measured problem example")
    for figure in ("5%", "25%", "10,000", "5–10", "60–80%"):
        assert figure in by_key["data_readiness"], figure
    for word in ("API", "peak", "retrain", "encryption", "ERP"):
        assert word in by_key["production_readiness"], word


def test_questions_per_reason_fit_a_ten_to_fifteen_minute_session(content: Content) -> None:
    """Test that every reason has 4-8 questions and the whole set stays around 30-40."""
    per_reason = Counter(q.reason for q in content.questions)
    assert set(per_reason) == set(REASON_KEYS)
    for key, count in per_reason.items():
        assert 4 <= count <= 8, f"{key} has {count} questions"
    assert 30 <= len(content.questions) <= 40


def test_question_ids_carry_their_reason_prefix(content: Content) -> None:
    """Test that ids are stable-looking and say which reason they belong to."""
    for q in content.questions:
        assert q.id.startswith(REASON_PREFIX[q.reason]), q.id


def test_every_reason_is_scored_in_every_phase(content: Content) -> None:
    """Test that each phase's score rests on at least one question of every reason."""
    for key in REASON_KEYS:
        phases = {q.phase for q in content.questions_for(key)}
        assert phases == {"start", "during", "decision"}, key


def test_checklist_is_the_articles_nineteen_items(content: Content) -> None:
    """Test that exactly the 19 items are flagged, 7/6/6, each in its checklist phase."""
    flagged = {q.id: q.phase for q in content.questions if q.checklist}
    assert flagged == CHECKLIST
    assert Counter(flagged.values()) == {"start": 7, "during": 6, "decision": 6}
    assert [len(content.checklist(p)) for p in ("start", "during", "decision")] == [7, 6, 6]


def test_checklist_labels_are_short_and_distinct(content: Content) -> None:
    """Test that checklist labels fit a table row and never repeat."""
    labels = [q.checklist_label for q in content.questions if q.checklist]
    assert all(0 < len(label) <= 60 for label in labels)
    assert len(set(labels)) == len(labels)
    assert not [q.id for q in content.questions if not q.checklist and q.checklist_label]


def test_knockouts_are_few_and_include_the_blockers(content: Content) -> None:
    """Test the knock-outs: sponsor, production budget owner, numeric criteria; 3-5 in all."""
    knockouts = {q.id for q in content.questions if q.knockout}
    assert knockouts >= REQUIRED_KNOCKOUTS
    assert 3 <= len(knockouts) <= 5
    # A knock-out that could be answered N/A could be dodged.
    assert not [q.id for q in content.questions if q.knockout and q.allow_na]


def test_every_question_is_answerable_and_actionable(content: Content) -> None:
    """Test texts, help, weights, stages and actions of every question."""
    for q in content.questions:
        assert q.text.endswith("?"), q.id
        assert 20 <= len(q.help) <= 400, q.id
        assert 1 <= q.weight <= 2, q.id
        assert 1 <= q.stage <= 4, q.id
        assert len(q.action.text.split()) >= 8, q.id
        assert q.action.owner in OWNERS, q.id
    assert {q.stage for q in content.questions} == {1, 2, 3, 4}
    assert sum(q.allow_na for q in content.questions) <= 4


def test_answer_scale_scores(content: Content) -> None:
    """Test Yes 1, Partly 0.5, No 0, Don't know 0 and uncertain, N/A left out."""
    scale = content.answers_by_key
    assert [scale[k].score for k in ("yes", "partly", "no", "dont_know")] == [1, 0.5, 0, 0]
    assert scale["na"].score is None
    assert [k for k, a in scale.items() if a.uncertain] == ["dont_know"]
    assert "risk" in scale["dont_know"].help
    assert all(a.label and a.help for a in content.answer_scale)


def test_bands_split_at_fifty_and_seventy_five(content: Content) -> None:
    """Test the band keys, thresholds and where the boundaries fall."""
    assert [(b.key, b.min_readiness) for b in content.bands] == [
        ("high", 0),
        ("medium", 50),
        ("low", 75),
    ]
    assert [content.band_for(x).key for x in (0, 49.9, 50, 74.9, 75, 100)] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
    ]
    assert len({b.color.lower() for b in content.bands}) == 3


def test_verdicts_and_positions_follow_the_pilots_life(content: Content) -> None:
    """Test that each position scores the right phases and offers the right verdicts."""
    decisions = {v.key: v.decision for v in content.verdicts}
    assert decisions == {
        "ready_to_start": "proceed",
        "fix_before_starting": "fix_first",
        "on_track": "proceed",
        "at_risk": "fix_first",
        "proceed": "proceed",
        "fix_first": "fix_first",
        "stop": "stop",
    }
    final = ("proceed", "fix_first", "stop")
    every = ("start", "during", "decision")
    assert {p.key: (p.scored_phases, p.verdicts) for p in content.positions} == {
        "about_to_start": (("start",), ("ready_to_start", "fix_before_starting")),
        "running": (("start", "during"), ("on_track", "at_risk")),
        "decision_point": (every, final),
        "preparing_production": (every, final),
        "rolling_out": (every, final),
    }


def test_timeframes_and_rollout_phases(content: Content) -> None:
    """Test pilot 6-8, decision 2, production 8-12 weeks and rollout 2-4/2-4/4-8/continuous."""
    tf = content.timeframes
    assert (tf.pilot.min_weeks, tf.pilot.max_weeks) == (6, 8)
    assert (tf.decision.min_weeks, tf.decision.max_weeks) == (2, 2)
    assert (tf.production.min_weeks, tf.production.max_weeks) == (8, 12)
    assert [s.number for s in content.stages] == [1, 2, 3, 4]
    assert all(len(s.items) >= 4 for s in content.stages)
    rollout = content.stage(4).rollout_phases
    durations = [(p.duration.min_weeks, p.duration.max_weeks) for p in rollout]
    assert durations == [(2, 4), (2, 4), (4, 8), (0, None)]
    assert not any(s.rollout_phases for s in content.stages if s.number != 4)


def test_six_symptoms_three_computable(content: Content) -> None:
    """Test the symptoms: three computed from a portfolio, three asked with a question."""
    assert len(content.symptoms) == 6
    computable = {s.id for s in content.symptoms if s.computable}
    assert computable == {"many_pilots_none_live", "fragmented_technology", "results_without_users"}
    for s in content.symptoms:
        assert s.text, s.id
        assert s.help, s.id
        assert s.question.endswith("?") if not s.computable else s.question == ""


# --- broken variants fail with a message naming the entry and the field ---------------------


def _entry(raw: dict, section: str, ident: str) -> dict:
    return next(e for e in raw[section] if (e.get("id") or e.get("key")) == ident)


def _set(section: str, ident: str, field: str, value: object) -> Callable[[dict], None]:
    def mutate(raw: dict) -> None:
        _entry(raw, section, ident)[field] = value

    return mutate


def _drop(section: str, ident: str, field: str) -> Callable[[dict], None]:
    def mutate(raw: dict) -> None:
        del _entry(raw, section, ident)[field]

    return mutate


BROKEN = {
    "unknown reason": (
        _set("questions", "bp_scope_stable", "reason", "budgeting"),
        ["questions[bp_scope_stable].reason", "budgeting"],
    ),
    "duplicate id": (
        _set("questions", "bp_timeframe", "id", "bp_problem_statement"),
        ["questions[bp_problem_statement]", "id"],
    ),
    "weight zero": (
        _set("questions", "dr_quality_log", "weight", 0),
        ["questions[dr_quality_log].weight"],
    ),
    "missing help": (
        _drop("questions", "gv_versioning", "help"),
        ["questions[gv_versioning].help", "required"],
    ),
    "checklist without label": (
        _set("questions", "ob_weekly_progress", "checklist_label", ""),
        ["questions[ob_weekly_progress]", "checklist_label"],
    ),
    "bad band order": (
        _set("bands", "medium", "min_readiness", 90),
        ["bands[low].min_readiness", "lowest min_readiness"],
    ),
    "unknown phase": (
        _set("questions", "cm_trust", "phase", "after"),
        ["questions[cm_trust].phase"],
    ),
    "stage out of range": (
        _set("questions", "pr_requirements", "stage", 5),
        ["questions[pr_requirements].stage"],
    ),
    "missing reason title": (
        _drop("reasons", "governance", "title"),
        ["reasons[governance].title"],
    ),
    "unknown verdict in a position": (
        _set("positions", "running", "verdicts", ["on_track", "sideways"]),
        ["positions[running].verdicts", "sideways"],
    ),
    "misspelt field": (
        _set("symptoms", "team_demotivated", "questoin", "Typo?"),
        ["symptoms[team_demotivated].questoin"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_variants_name_the_entry_and_field(raw: dict, case: str) -> None:
    """Test that each kind of broken entry is refused with a message that locates it."""
    mutate, expected = BROKEN[case]
    parse_content(raw, origin="framework.yaml")  # the unbroken copy is valid
    mutate(raw)
    with pytest.raises(ContentError) as caught:
        parse_content(raw, origin="framework.yaml")
    message = str(caught.value)
    assert message.startswith("framework.yaml")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# --- our own words ---------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Case- and punctuation-free words; apostrophes dropped so "we've" matches "we’ve"."""
    return re.findall(r"\w+", text.casefold().replace("’", "").replace("'", ""))


def digest(run: list[str]) -> str:
    return hashlib.blake2b(" ".join(run).encode(), digest_size=8).hexdigest()


def run_digests(text: str, n: int = RUN_LENGTH) -> set[str]:
    w = words(text)
    return {digest(w[i : i + n]) for i in range(len(w) - n + 1)}


def write_digests() -> None:
    """Regenerate the digest file from the article (run by hand when the article changes)."""
    digests = sorted(run_digests(ARTICLE_PATH.read_text(encoding="utf-8")))
    DIGESTS_PATH.parent.mkdir(exist_ok=True)
    DIGESTS_PATH.write_text("\n".join(digests) + "\n", encoding="utf-8")


def text_fields(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from text_fields(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            ident = (value.get("id") or value.get("key")) if isinstance(value, dict) else None
            yield from text_fields(value, f"{where}[{ident or i}]")
    elif isinstance(node, str):
        yield where, node


@pytest.fixture(scope="module")
def article_digests() -> set[str]:
    return set(DIGESTS_PATH.read_text(encoding="utf-8").split())


def test_digest_file_matches_the_article(article_digests: set[str]) -> None:
    """Test that the stored digests are those of the article, when the article is at hand."""
    if not ARTICLE_PATH.is_file():
        pytest.skip(f"article not found at {ARTICLE_PATH}; set POCTRAP_ARTICLE to check")
    assert article_digests == run_digests(ARTICLE_PATH.read_text(encoding="utf-8"))


def test_digests_catch_a_copied_sentence(article_digests: set[str]) -> None:
    """Test that the check can fail: a sentence taken from the article is recognised."""
    copied = "Data preparation accounts for 60-80% of the total time in AI projects."
    assert len(article_digests) > 1000
    assert run_digests(copied) & article_digests
    assert not run_digests("Getting data ready takes 60–80% of the time of an AI project.") & (
        article_digests
    )


def test_no_eight_word_run_of_the_article_in_the_file(
    raw_file: dict, article_digests: set[str]
) -> None:
    """Test that no text field repeats eight consecutive words of the article."""
    copied = [where for where, text in text_fields(raw_file) if run_digests(text) & article_digests]
    assert copied == []

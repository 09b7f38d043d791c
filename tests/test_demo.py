"""The demo pilots as data: the shipped file loads, a bad entry is named."""

from __future__ import annotations

import pytest

from diagnostics.demo import DEMO_PILOTS_PATH, demo_answers, load_demo_pilots
from diagnostics.errors import ContentError
from diagnostics.framework.content import load_content


def test_the_shipped_demo_has_four_pilots_one_with_an_earlier_assessment():
    pilots = load_demo_pilots()
    assert [p.name for p in pilots] == [
        "Support ticket routing assistant",
        "Invoice matching for accounts payable",
        "Spare-parts demand forecast",
        "Contract clause extraction",
    ]
    assert [len(p.history) for p in pilots] == [1, 0, 0, 0]
    assert pilots[3].weeks_since_start == -1
    assert pilots[0].history[0].patterns["production_readiness"] == (
        "no",
        "no",
        "no",
        "dont_know",
        "no",
        "no",
    )


def test_answers_cycle_through_a_reasons_pattern():
    content = load_content()
    answers = demo_answers(content, {"business_problem": ("yes", "no")})
    questions = content.questions_for("business_problem")
    assert [answers[q.id] for q in questions[:3]] == ["yes", "no", "yes"]
    other = content.questions_for("governance")[0]
    assert answers[other.id] == "partly"


def test_a_bare_yes_read_as_true_is_refused_with_the_entry_named(tmp_path):
    text = DEMO_PILOTS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "demo_pilots.yaml"
    bad.write_text(text.replace('business_problem: ["yes"]', "business_problem: [yes]", 1))
    with pytest.raises(
        ContentError, match=r"demo_pilots.yaml: pilots\.1\.patterns\.business_problem\.0"
    ):
        load_demo_pilots(str(bad))


def test_an_empty_pattern_is_refused(tmp_path):
    text = DEMO_PILOTS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "demo_pilots.yaml"
    bad.write_text(text.replace('change_management: ["yes"]', "change_management: []", 1))
    with pytest.raises(ContentError, match=r"pilots\.3\.patterns\.change_management"):
        load_demo_pilots(str(bad))

"""The synthetic portfolio's words as data: the shipped file loads, a bad entry is named."""

from __future__ import annotations

import pytest

from diagnostics.errors import ContentError
from diagnostics.portfolio.synthetic import (
    SYNTHETIC_WORDS_PATH,
    stage_of_text,
    synthetic_portfolio,
    synthetic_words,
)


def test_the_shipped_words_spell_stages_as_real_sheets_do():
    stages = stage_of_text()
    assert len(stages) == 20
    assert stages["PoC"] == "development"
    assert stages["Go/no-go"] == "decision"
    assert stages[
        "c) Deployed – The use case is being actively used in an operational capacity"
    ] == ("production")
    assert stages[""] == "unknown"
    assert synthetic_words().business_units[:2] == ("Customer Service", "Finance")


def test_a_sheet_writes_only_the_files_words():
    frame = synthetic_portfolio(200, seed=3)
    assert set(frame["Status"]) <= set(stage_of_text())
    assert set(frame["Vendor / technology"]) <= set(synthetic_words().vendors)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "stage: retired, weight: 1}",
            "stage: retried, weight: 1}",
            "stage_texts.17.stage: 'retried' is not a stage; use one of idea, development",
        ),
        ("stage: idea, weight: 4}", "stage: idea, weight: 0}", "stage_texts.0.weight"),
        ("vendors:\n", "sellers:\n", "synthetic_portfolio.yaml: vendors: Field required"),
    ],
)
def test_a_bad_entry_is_named(tmp_path, old, new, message):
    text = SYNTHETIC_WORDS_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "synthetic_portfolio.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=r"^synthetic_portfolio\.yaml: ") as caught:
        synthetic_words(path)
    assert message in str(caught.value)

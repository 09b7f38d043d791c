"""Stage normalisation: every spelling to a canonical stage, nothing dropped."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from diagnostics.errors import ContentError, ImportFileError
from diagnostics.portfolio.stages import (
    CANONICAL_STAGES,
    STAGE_SYNONYMS_PATH,
    load_stage_synonyms,
    normalise_stages,
    parse_stage_synonyms,
    stage_counts,
)

FEDERAL_ANSWERS = {
    "a) Pre-deployment – The use case is in a development or acquisition status.": "development",
    "b) Pilot – The use case has been deployed in a limited test or pilot capacity.": "pilot",
    "c) Deployed – The use case is being actively authorized or utilized to support the "
    "functions or mission of an agency.": "production",
    "d) Retired – The use case was reported in the agency’s prior year’s inventory, but its "
    "development and/or use has since been discontinued.": "retired",
    "Pre-deployment": "development",
    "Pilot": "pilot",
    "Deployed": "production",
    "Retired": "retired",
}
COMMON_WORDS = {
    "idea": "idea",
    "Proposal": "idea",
    "PoC": "development",
    "Prototype": "development",
    "In development": "development",
    "pilot": "pilot",
    "Trial": "pilot",
    "Decision": "decision",
    "Go-live": "production",
    "Live": "production",
    "In production": "production",
    "Operational": "production",
    "Retired": "retired",
    "Stopped": "retired",
    "Cancelled": "retired",
    "On hold": "decision",
}
LIFECYCLE_TERMS = {
    "Initiated": "idea",
    "Acquisition and/or Development": "development",
    "Implementation and Assessment": "pilot",
    "Operation and Maintenance": "production",
}


@pytest.mark.parametrize(
    ("text", "stage"), [*FEDERAL_ANSWERS.items(), *COMMON_WORDS.items(), *LIFECYCLE_TERMS.items()]
)
def test_known_texts_map_to_their_stage(text, stage):
    result = normalise_stages(pd.Series([text]))
    assert result.stages.iloc[0] == stage
    assert result.unmapped == {}


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("No longer in production", "retired"),
        ("Pilot cancelled", "retired"),
        ("Live pilot", "pilot"),
        ("Deployed (limited)", "production"),
        ("  IN   PRODUCTION ", "production"),
    ],
)
def test_keyword_rules(text, stage):
    assert normalise_stages(pd.Series([text])).stages.iloc[0] == stage


@pytest.mark.parametrize("text", ["Not live yet", "Not deployed", "never deployed"])
def test_denied_stages_are_left_for_the_user(text):
    """A text denying a stage must not be read as that stage."""
    result = normalise_stages(pd.Series([text]))
    assert result.stages.iloc[0] == "unknown"
    assert result.unmapped == {text: 1}


def test_unknown_and_blank_texts_are_kept_and_counted():
    series = pd.Series(["Pilot", "weird", "weird", "", None, "other", "n/a"], dtype=object)
    result = normalise_stages(series)
    assert len(result.stages) == 7
    assert result.stages.tolist() == ["pilot"] + ["unknown"] * 6
    assert result.unmapped == {"weird": 2, "other": 1}
    assert result.blank_count == 3
    # 4 non-blank cells, of which 1 recognised
    assert result.recognised_share == pytest.approx(1 / 4)


def test_overrides_place_unknown_texts():
    series = pd.Series(["Gate 3", "gate 3", "Pilot"])
    result = normalise_stages(series, overrides={"Gate 3": "decision"})
    assert result.stages.tolist() == ["decision", "decision", "pilot"]
    assert result.unmapped == {}


def test_override_to_a_non_stage_is_refused():
    with pytest.raises(ImportFileError, match="not a stage"):
        normalise_stages(pd.Series(["x"]), overrides={"x": "launched"})


def test_stage_counts_have_every_stage():
    stages = normalise_stages(pd.Series(["Pilot", "Live", "Live", None])).stages
    counts = stage_counts(stages)
    assert list(counts) == list(CANONICAL_STAGES)
    assert counts == {
        "idea": 0,
        "development": 0,
        "pilot": 1,
        "decision": 0,
        "production": 2,
        "retired": 0,
        "unknown": 1,
    }


def test_stages_are_an_ordered_categorical():
    stages = normalise_stages(pd.Series(["Live"])).stages
    assert list(stages.cat.categories) == list(CANONICAL_STAGES)
    assert stages.cat.ordered


def test_synonyms_file_lists_every_word_once():
    raw = yaml.safe_load(STAGE_SYNONYMS_PATH.read_text(encoding="utf-8"))
    table = parse_stage_synonyms(raw)
    assert set(table.exact.values()) <= set(CANONICAL_STAGES)
    assert load_stage_synonyms().exact == table.exact


def test_broken_synonyms_are_refused():
    with pytest.raises(ContentError, match="not a canonical stage"):
        parse_stage_synonyms({"synonyms": {"launched": ["live"]}})
    with pytest.raises(ContentError, match="both"):
        parse_stage_synonyms({"synonyms": {"pilot": ["trial"], "retired": ["trial"]}})

"""A near spelling of a header word counts as a typo only between words long enough for one
letter to be a slip: "Mode" is another word, not a misspelt "model" (a technology synonym)."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics.portfolio.column_words import load_column_synonyms
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.portfolio.mapping import header_score, resolve_mapping

SYNONYMS = load_column_synonyms()


@pytest.mark.parametrize("header", ["Mode", "mode", "MODE", "Modes", "Node"])
def test_a_short_word_one_letter_from_a_synonym_names_no_field(header) -> None:
    scores = {key: header_score(header, words) for key, words in SYNONYMS.items()}
    assert max(scores.values()) == 0, scores


@pytest.mark.parametrize(
    ("header", "field"),
    [("Tecnology", "technology"), ("Busines unit", "business_unit"), ("Suplier", "technology")],
)
def test_a_typo_in_a_longer_word_still_finds_its_field(header, field) -> None:
    assert header_score(header, SYNONYMS[field]) >= 0.75


def test_a_mode_column_is_not_taken_for_the_technology() -> None:
    sheet = pd.DataFrame(
        {
            "Pilot name": ["Claims triage", "Churn model"],
            "Stage": ["Pilot", "Development"],
            "Mode": ["Batch", "Online"],
        }
    )
    mapping = resolve_mapping(list(sheet.columns), sheet)
    assert mapping["technology"].column is None
    imported = import_portfolio(sheet.to_csv(index=False).encode(), "pilots.csv")
    assert imported.column_of("technology") is None
    assert imported.frame["technology"].isna().all()
    # beside a real vendor column, Mode is still left alone
    sheet["Vendor"] = ["Azure OpenAI", "In-house"]
    mapping = resolve_mapping(list(sheet.columns), sheet)
    assert mapping["technology"].column == "Vendor"
    assert "Mode" not in {m.column for m in mapping.values()}

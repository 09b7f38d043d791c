"""Normalising the stage or status texts of a pilot spreadsheet to the canonical stages.

The words live in `data/stage_synonyms.yaml` so an organisation can add its own. Only the
distinct texts of a column are classified (a few dozen even in 100,000 rows), then mapped
back onto the column. Nothing is dropped: a blank or unrecognised text becomes `unknown`,
and the unrecognised texts are reported with their counts so the user can map them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics.errors import ContentError, ImportFileError
from diagnostics.framework.content import DATA_DIR, load_data_file
from diagnostics.portfolio.values import as_text

STAGE_SYNONYMS_PATH = DATA_DIR / "stage_synonyms.yaml"

CANONICAL_STAGES: tuple[str, ...] = (
    "idea",
    "development",
    "pilot",
    "decision",
    "production",
    "retired",
    "unknown",
)
# Stages of pilots that have started: the denominator of the production rate.
STARTED_STAGES: tuple[str, ...] = ("development", "pilot", "decision", "production", "retired")
# Stages of pilots still waiting for a go / no-go.
OPEN_STAGES: tuple[str, ...] = ("development", "pilot", "decision")
STAGE_LABELS: dict[str, str] = {
    "idea": "Idea",
    "development": "Development",
    "pilot": "Pilot",
    "decision": "Decision",
    "production": "Production",
    "retired": "Retired",
    "unknown": "Unknown",
}
STAGE_DTYPE = pd.CategoricalDtype(list(CANONICAL_STAGES), ordered=True)

_LIST_MARKER = re.compile(r"^\s*(?:\(?[a-h1-9]\)|[a-h1-9][.)])\s+")
# "Stage 3 - Implementation (...)", "Phase 2: Pilot": the number is not the stage.
_STAGE_NUMBER = re.compile(r"^\s*(?:stage|phase|step|level)\s*\d+[a-z]?\s*(?:[-–—:.)]\s*)?", re.I)
_EXPLANATION = re.compile(r"\s+[-–—]\s+|:\s+|\s+\(")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "’": "'", "_": " "})
_NON_WORD = re.compile(r"[^a-z0-9&/+\-' ]+")
_SPACES = re.compile(r"\s+")
# "Not live yet", "never deployed", "yet to go live": the stage word is denied, so keyword
# rules would place the pilot wrongly; such texts are left for the user unless listed whole.
_NEGATION = re.compile(r"(?<![a-z])(?:not|never|yet to|no)(?![a-z])(?! longer)")


def stage_key(text: str) -> str:
    """A text reduced for matching: lower case, no list marker, hyphens as spaces ("In-use"
    reads "in use"), single spaces."""
    lowered = str(text).strip().lower().translate(_DASHES)
    lowered = _LIST_MARKER.sub("", lowered)
    lowered = _NON_WORD.sub(" ", lowered).replace("-", " ")
    return _SPACES.sub(" ", lowered).strip()


def _head(text: str) -> str:
    """The label before its explanation: "Deployed – The use case is ..." → "Deployed",
    "Stage 3 - Implementation (the use case is under test)" → "Implementation"."""
    cleaned = _LIST_MARKER.sub("", str(text).strip())
    cleaned = _STAGE_NUMBER.sub("", cleaned)
    return _EXPLANATION.split(cleaned, maxsplit=1)[0]


@dataclass(frozen=True)
class StageSynonyms:
    """The synonyms table: exact keys, then ordered keyword rules."""

    exact: Mapping[str, str]
    keywords: tuple[tuple[re.Pattern[str], str], ...]

    def classify(self, text: str) -> str | None:
        """The canonical stage of one text, or None when nothing matches."""
        key = stage_key(text)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        head = stage_key(_head(text))
        if head in self.exact:
            return self.exact[head]
        # The label's own words first; the definition after it may confirm a stage when the
        # label alone says nothing.
        for part in dict.fromkeys((head, key)):
            if not part or (_NEGATION.search(part) and not part.startswith("no longer")):
                continue
            for pattern, stage in self.keywords:
                if pattern.search(part):
                    return stage
        return None


def parse_stage_synonyms(raw: object, origin: str = "stage synonyms") -> StageSynonyms:
    """Validate the YAML data of a synonyms file."""
    if not isinstance(raw, dict) or not isinstance(raw.get("synonyms"), dict):
        raise ContentError(f"{origin}: expected a mapping with a `synonyms` section")
    exact: dict[str, str] = {}
    for stage, words in raw["synonyms"].items():
        if stage not in CANONICAL_STAGES:
            raise ContentError(f"{origin}: synonyms.{stage} is not a canonical stage")
        for word in words or ():
            key = stage_key(word)
            if key in exact and exact[key] != stage:
                raise ContentError(
                    f"{origin}: {word!r} is listed under both {exact[key]} and {stage}"
                )
            exact[key] = stage
    keywords: list[tuple[re.Pattern[str], str]] = []
    for i, rule in enumerate(raw.get("keywords") or ()):
        stage = rule.get("stage") if isinstance(rule, dict) else None
        if stage not in CANONICAL_STAGES or not rule.get("words"):
            raise ContentError(f"{origin}: keywords[{i}] needs a canonical `stage` and `words`")
        words = sorted((stage_key(w) for w in rule["words"]), key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        keywords.append((re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])"), stage))
    return StageSynonyms(exact=exact, keywords=tuple(keywords))


def load_stage_synonyms(path: str | Path | None = None) -> StageSynonyms:
    """The synonyms table (cached until the file changes)."""
    resolved = Path(path) if path else STAGE_SYNONYMS_PATH
    return load_data_file(
        resolved, parse_stage_synonyms, f"stage synonyms file not found: {resolved}"
    )


@dataclass(frozen=True)
class StageText:
    """One distinct stage text of a sheet: how many rows hold it, the stage it became, and by
    what: "synonyms" (the synonyms table), "yours" (a choice made on screen or in a profile)
    or "unplaced" (nothing matched: unknown)."""

    text: str
    rows: int
    stage: str
    source: str

    def to_dict(self) -> dict:
        return {"text": self.text, "rows": self.rows, "stage": self.stage, "source": self.source}


@dataclass(frozen=True)
class StageNormalisation:
    """A stage column normalised: canonical stages, and what could not be placed.

    `unmapped` lists each non-blank text that matched nothing, with how many rows hold it,
    most frequent first; those rows are `unknown`, as are blank ones (`blank_count`).
    """

    stages: pd.Series
    unmapped: dict[str, int]
    blank_count: int
    texts: tuple[StageText, ...] = ()  # every distinct text, most rows first

    @property
    def recognised_share(self) -> float:
        """Share of non-blank cells that were recognised (0 when all are blank)."""
        given = len(self.stages) - self.blank_count
        if given <= 0:
            return 0.0
        return 1 - sum(self.unmapped.values()) / given


def validate_overrides(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """User overrides raw text → canonical stage, checked; keys are matched exactly or by key."""
    checked: dict[str, str] = {}
    for raw, stage in (overrides or {}).items():
        if stage not in CANONICAL_STAGES:
            raise ImportFileError(
                f"The stage chosen for {str(raw)[:80]!r} is {stage!r}, which is not a stage. "
                f"Choose one of: {', '.join(CANONICAL_STAGES)}."
            )
        checked[str(raw)] = stage
    return checked


def normalise_stages(
    series: pd.Series,
    overrides: Mapping[str, str] | None = None,
    synonyms: StageSynonyms | None = None,
) -> StageNormalisation:
    """Canonical stages for a column of stage texts (a categorical in canonical order)."""
    synonyms = synonyms or load_stage_synonyms()
    checked = validate_overrides(overrides)
    override_keys = {stage_key(k): v for k, v in checked.items()}
    text = as_text(series)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    stage_of_unique = np.empty(len(uniques), dtype=np.int8)
    unmapped_uniques: list[int] = []
    sources: list[str] = []
    for i, value in enumerate(uniques):
        value = str(value)
        stage = checked.get(value) or override_keys.get(stage_key(value))
        source = "yours" if stage else "synonyms"
        stage = stage or synonyms.classify(value)
        if stage is None:
            stage, source = "unknown", "unplaced"
            unmapped_uniques.append(i)
        sources.append(source)
        stage_of_unique[i] = CANONICAL_STAGES.index(stage)
    unknown_code = CANONICAL_STAGES.index("unknown")
    stage_codes = np.where(codes >= 0, stage_of_unique[np.maximum(codes, 0)], unknown_code)
    if not len(uniques):
        stage_codes = np.full(len(codes), unknown_code)
    stages = pd.Series(
        pd.Categorical.from_codes(stage_codes, dtype=STAGE_DTYPE), index=series.index
    )
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    unmapped: dict[str, int] = {}
    if unmapped_uniques:
        pairs = sorted(
            ((str(uniques[i]), int(counts[i])) for i in unmapped_uniques),
            key=lambda p: (-p[1], p[0]),
        )
        unmapped = dict(pairs)
    texts = sorted(
        (
            StageText(str(value), int(counts[i]), CANONICAL_STAGES[stage_of_unique[i]], sources[i])
            for i, value in enumerate(uniques)
        ),
        key=lambda t: (-t.rows, t.text),
    )
    return StageNormalisation(
        stages=stages,
        unmapped=unmapped,
        blank_count=int((codes < 0).sum()),
        texts=tuple(texts),
    )


def stage_counts(stages: pd.Series) -> dict[str, int]:
    """Rows per canonical stage, every stage present (zero when none)."""
    counts = stages.astype(STAGE_DTYPE).value_counts(sort=False)
    return {stage: int(counts.get(stage, 0)) for stage in CANONICAL_STAGES}

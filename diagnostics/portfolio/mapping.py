"""Which column of an organisation's spreadsheet feeds which portfolio field, and how sure.

Three kinds of evidence, combined into a confidence from 0 to 1 per field: the header
(exact synonyms, synonyms inside a longer header, fuzzy matches for typos via rapidfuzz), the
values themselves (a column whose texts are stages is the stage, whatever its header says;
a "budget" column must hold amounts), and saved mapping profiles. The user has the last word:
their choices override everything, and can be saved as a named profile (YAML in
`data/mapping_profiles/`) for the next upload of the same kind of file.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from rapidfuzz import fuzz

from diagnostics.errors import ImportFileError
from diagnostics.framework.content import DATA_DIR
from diagnostics.portfolio.column_words import (
    date_meaning,
    has_date_cue,
    load_column_synonyms,
    load_column_words,
    meaning_key,
    normalise_header,
    synonym_keys,
)
from diagnostics.portfolio.fields import (
    ANSWER_PREFIX,
    FIELDS,
    FIELDS_BY_KEY,
    SCORE_PREFIX,
    kind_of,
)
from diagnostics.portfolio.stages import CANONICAL_STAGES, load_stage_synonyms
from diagnostics.portfolio.values import PARSERS, PLACEHOLDERS, as_text

PROFILES_DIR = DATA_DIR / "mapping_profiles"
# Below this confidence a field is left unmapped and the user is asked to choose.
MIN_CONFIDENCE = 0.45
# A near spelling counts as a typo only between words this long: one letter apart, short
# words are other words ("Mode" is not "model", "Date" not "data"), not typos.
FUZZY_MIN_CHARS = 6
# Rows looked at to judge a column by its values (spread over the whole column).
VALUE_SAMPLE = 500
# A stage column holds a handful of different texts; a column with more is something else.
MAX_STAGE_TEXTS = 60
# The unit fields, found together: the outer unit and, when nested inside it, the sub-unit.
UNIT_FIELDS = ("business_unit", "business_subunit")
# A unit column repeats a handful to a few hundred short names; more is a list of something.
MAX_UNITS = 400
# Share of the inner column's names that sit in one outer unit for the two to be nested
# (a few names such as "Office of the CIO" recur in several agencies).
NESTED_SHARE = 0.9
# A date header found by its meaning, its cells read as dates: how sure, at best.
DATE_MEANING_CONFIDENCE = 0.75


@dataclass(frozen=True)
class ColumnMatch:
    """Which source column feeds a field, how sure the mapping is (0-1) and why."""

    field: str
    column: str | None
    confidence: float
    source: str  # "header", "values", "profile", "user" or "none"

    def to_dict(self) -> dict:
        return {
            "column": self.column,
            "confidence": round(self.confidence, 2),
            "source": self.source,
        }


# Headers -----------------------------------------------------------------------------------


def _synonym_keys(words: Iterable[str]) -> tuple[str, ...]:
    return synonym_keys(words)


def _field_synonyms() -> dict[str, tuple[str, ...]]:
    return load_column_synonyms()


def _phrase_in(phrase: str, words: list[str]) -> bool:
    target = phrase.split()
    n = len(target)
    return any(words[i : i + n] == target for i in range(len(words) - n + 1))


def header_score(header: str, synonyms: Iterable[str]) -> float:
    """How well a header names a field, from its synonyms: 1 exact, less when the synonym is
    a small part of a long header, or only a near spelling."""
    return _header_score(str(header), tuple(synonyms))


@lru_cache(maxsize=65536)
def _header_score(header: str, synonyms: tuple[str, ...]) -> float:
    norm = normalise_header(header)
    if not norm:
        return 0.0
    words = norm.replace("/", " ").split()
    best = 0.0
    for synonym in synonyms:
        if norm == synonym:
            return 1.0
        syn_words = synonym.replace("/", " ").split()
        if syn_words and _phrase_in(" ".join(syn_words), words):
            best = max(best, 0.9 * math.sqrt(len(syn_words) / len(words)))
        elif len(synonym) >= FUZZY_MIN_CHARS and len(norm) >= FUZZY_MIN_CHARS:
            ratio = fuzz.ratio(norm, synonym) / 100
            if ratio >= 0.85:
                best = max(best, 0.85 * ratio)
    return best


def header_hint(headers: list[str]) -> float:
    """0-1: how much a row of headers looks like a pilot table (for choosing the sheet)."""
    synonyms = _field_synonyms()
    found = {key for key, syns in synonyms.items() for h in headers if header_score(h, syns) >= 0.6}
    return min(len(found) / 5, 1.0)


# Values ------------------------------------------------------------------------------------


def _sample(series: pd.Series) -> pd.Series:
    """Up to VALUE_SAMPLE non-blank cells spread evenly over the column.

    The spread positions are picked before any conversion, so a 100,000-row column costs no
    more than a 2,000-row one; then plain Python on a few thousand cells, far cheaper than
    pandas machinery at this size.
    """
    n = len(series)
    if n > VALUE_SAMPLE * 4:
        series = series.iloc[(np.arange(VALUE_SAMPLE * 4) * (n / (VALUE_SAMPLE * 4))).astype(int)]
    cells = series.to_numpy(dtype=object, na_value=None)
    present = [c for c in cells.tolist() if _present(c)]
    if len(present) > VALUE_SAMPLE:
        step = len(present) / VALUE_SAMPLE
        present = [present[int(i * step)] for i in range(VALUE_SAMPLE)]
    return pd.Series(present, dtype=object)


def _present(cell: object) -> bool:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return False
    return not isinstance(cell, str) or cell.strip().lower() not in PLACEHOLDERS


def stage_value_fit(series: pd.Series) -> float:
    """Share of non-blank cells whose text is a recognised stage."""
    return _stage_evidence(series)[0]


def _stage_evidence(series: pd.Series) -> tuple[float, int]:
    """(share of non-blank cells that are recognised stages, how many different stages)."""
    counts = Counter(str(c).strip() for c in series.tolist() if _present(c))
    total = sum(counts.values())
    if not total or len(counts) > MAX_STAGE_TEXTS:
        return 0.0, 0
    stages = {value: _classify_stage(value) for value in counts}
    recognised = sum(n for value, n in counts.items() if stages[value])
    return recognised / total, len({s for s in stages.values() if s})


@lru_cache(maxsize=4096)
def _classify_stage(text: str) -> str | None:
    return load_stage_synonyms().classify(text)


def value_fit(series: pd.Series, field_key: str, sampled: bool = False) -> float | None:
    """0-1: how well a column's values suit a field; None when values say nothing."""
    sample = series if sampled else _sample(series)
    if sample.empty:
        return 0.0
    n = len(sample)
    if field_key == "stage":
        return stage_value_fit(sample)
    parser = PARSERS.get(kind_of(field_key))
    if parser is not None:
        return float(parser(sample).values.notna().sum() / n)
    text = as_text(sample).dropna()
    if text.empty:
        return 0.0
    unique_share = text.nunique() / len(text)
    if field_key == "pilot_id":
        return float(unique_share >= 0.95 and text.str.len().median() <= 40)
    if field_key == "name":
        return min(1.0, unique_share / 0.5)
    if field_key in UNIT_FIELDS:
        return unit_evidence(sample, sampled=True)[0]
    if field_key == "technology":
        return 1.0 if text.nunique() <= max(60, 0.3 * len(text)) else 0.5
    return None


_YES_NO = frozenset({"yes", "no", "y", "n", "true", "false", "x", "n/a", "na"})
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&/.\-]{1,11}$")


def unit_evidence(series: pd.Series, sampled: bool = False) -> tuple[float, int, float]:
    """What a column's values say about it being a unit column.

    (fit 0-1, how many different names, share of names that read like an organisation).
    Fit is 1 for a handful to a few hundred short names repeated down the column, 0.3 for a
    single name repeated (a constant tells no unit from another), 0 for sentences or yes/no.
    """
    sample = series if sampled else _sample(series)
    text = as_text(sample).dropna().str.strip()
    text = text[text != ""]
    if text.empty:
        return 0.0, 0, 0.0
    names = text.value_counts()
    distinct = len(names)
    if text.str.len().median() > 80 or {n.lower() for n in names.index} <= _YES_NO:
        return 0.0, distinct, 0.0
    words = load_column_words().unit_value_words
    org_like = [
        bool(_ACRONYM.match(name)) or any(w in words for w in meaning_key(name).split())
        for name in names.index
    ]
    org_share = float(np.average(org_like, weights=names.to_numpy()))
    if distinct == 1:
        return 0.3, 1, org_share
    if distinct > MAX_UNITS or (len(text) >= 20 and distinct > 0.6 * len(text)):
        return 0.4, distinct, org_share
    return 1.0, distinct, org_share


def nests(outer: pd.Series, inner: pd.Series) -> bool:
    """True when every name of `inner` (but a few) sits inside one name of `outer`, and the
    outer has fewer, at least two: bureaus inside agencies, not two spellings of one list."""
    pair = pd.DataFrame({"outer": as_text(outer), "inner": as_text(inner)}).dropna()
    if pair.empty:
        return False
    outer_count, inner_count = pair["outer"].nunique(), pair["inner"].nunique()
    if outer_count < 2 or inner_count <= outer_count:
        return False
    per_inner = pair.groupby("inner", sort=False)["outer"].nunique()
    return bool((per_inner == 1).mean() >= NESTED_SHARE)


@dataclass(frozen=True)
class _UnitCandidate:
    column: str
    confidence: float
    distinct: int
    position: int
    source: str
    named_inner: bool = False  # its header names a sub-unit ("Sub-unit", "Sub-agency")


def _choose_units(candidates: list[_UnitCandidate], frame: pd.DataFrame) -> dict[str, ColumnMatch]:
    """The unit column, and the sub-unit when another candidate nests with it.

    A column with several names beats a constant one (one agency's own file repeats its name
    on every row beside the bureau that tells units apart).
    """
    usable = [c for c in candidates if c.confidence >= MIN_CONFIDENCE]
    informative = [c for c in usable if c.distinct >= 2]
    pool = informative or usable
    if not pool:
        return {}

    def rank(c: _UnitCandidate) -> tuple[float, int]:
        return (c.confidence, -c.position)

    named = [c for c in informative if c.named_inner]
    outers = [c for c in pool if not c.named_inner]
    if named and outers:  # a column headed as the sub-unit is one, beside any other unit
        outer, inner = max(outers, key=rank), max(named, key=rank)
        return _unit_matches(outer, inner)
    best = max(pool, key=rank)
    outer, inner = best, None
    nested: list[tuple[_UnitCandidate, bool]] = []  # (candidate, it is the outer one)
    for other in informative:
        if other is best:
            continue
        if nests(frame[other.column], frame[best.column]):
            nested.append((other, True))
        elif nests(frame[best.column], frame[other.column]):
            nested.append((other, False))
    if nested:
        other, is_outer = max(nested, key=lambda pair: rank(pair[0]))
        outer, inner = (other, best) if is_outer else (best, other)
    return _unit_matches(outer, inner)


def _unit_matches(outer: _UnitCandidate, inner: _UnitCandidate | None) -> dict[str, ColumnMatch]:
    chosen = {
        "business_unit": ColumnMatch(
            "business_unit", outer.column, min(outer.confidence, 1.0), outer.source
        )
    }
    if inner is not None:
        chosen["business_subunit"] = ColumnMatch(
            "business_subunit", inner.column, min(inner.confidence, 1.0), inner.source
        )
    return chosen


def _combine(header: float, fit: float | None) -> float:
    """Header evidence weighed by the values: a "budget" column of words is not a budget."""
    if fit is None:
        return header
    return header * (0.4 + 0.6 * fit)


# Framework-based fields (scores, answers) -----------------------------------------------------


@lru_cache(maxsize=4)
def _framework_targets(content_key: str | None) -> dict[str, tuple[str, ...]]:
    """Per-reason score and per-question answer fields, with the headers that name them."""
    from diagnostics.framework.content import load_content

    content = load_content(content_key)
    targets: dict[str, tuple[str, ...]] = {}
    for reason in content.reasons:
        names = (reason.key, reason.title, f"{reason.title} score", f"{reason.key} score")
        targets[SCORE_PREFIX + reason.key] = _synonym_keys((*names, f"score {reason.title}"))
    for question in content.questions:
        names = [question.id, question.text]
        if question.checklist_label:
            names.append(question.checklist_label)
        targets[ANSWER_PREFIX + question.id] = _synonym_keys(names)
    return targets


def known_field(key: str, content_key: str | None = None) -> bool:
    return key in FIELDS_BY_KEY or key in _framework_targets(content_key)


# Automatic mapping -------------------------------------------------------------------------


class _Evidence:
    """A sheet's columns sampled once, and what each sample's values say of a field, cached."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._samples: dict[str, pd.Series] = {}
        self._fits: dict[tuple[str, str], float | None] = {}

    def sample(self, column: str) -> pd.Series:
        if column not in self._samples:
            self._samples[column] = _sample(self.frame[column])
        return self._samples[column]

    def fit(self, column: str, key: str) -> float | None:
        if (column, key) not in self._fits:
            self._fits[(column, key)] = value_fit(self.sample(column), key, sampled=True)
        return self._fits[(column, key)]


# (confidence, -field order, -column position, field, column, source): sorts best first.
_Candidate = tuple[float, int, int, str, str, str]


def auto_map(
    columns: list[str], frame: pd.DataFrame, content_key: str | None = None
) -> dict[str, ColumnMatch]:
    """The best column for each field, one field per column, from headers and values."""
    evidence = _Evidence(frame)
    candidates: list[_Candidate] = []
    unit_headers: dict[str, dict[str, float]] = {}
    for position, column in enumerate(columns):
        candidates += _column_candidates(evidence, position, column, content_key, unit_headers)
    # A header that names a unit better than another field keeps its column for the units
    # ("Responsible Office" is the office, not the person responsible).
    candidates = [
        c for c in candidates if max(unit_headers.get(c[4], {}).values(), default=0.0) <= c[0]
    ]
    candidates.sort(reverse=True)
    chosen: dict[str, ColumnMatch] = {}
    used: set[str] = set()
    for confidence, _, _, key, column, source in candidates:
        if confidence < MIN_CONFIDENCE or key in chosen or column in used:
            continue
        chosen[key] = ColumnMatch(key, column, min(confidence, 1.0), source)
        used.add(column)
    units = _unit_candidates(evidence, [c for c in columns if c not in used], columns, unit_headers)
    chosen.update(_choose_units(units, frame))
    return chosen


def _column_candidates(
    evidence: _Evidence,
    position: int,
    column: str,
    content_key: str | None,
    unit_headers: dict[str, dict[str, float]],
) -> list[_Candidate]:
    """Every field one column could be, by its header, its date question, the framework's
    question ids and its stage texts; unit header scores go to `unit_headers` instead."""
    field_order = {f.key: i for i, f in enumerate(FIELDS)}
    found: list[_Candidate] = []
    for key, syns in _field_synonyms().items():
        header = header_score(column, syns)
        if key in UNIT_FIELDS:  # chosen together once the other fields are placed
            unit_headers.setdefault(column, {})[key] = header
        elif header >= MIN_CONFIDENCE:  # values only ever lower the header's confidence
            confidence = _combine(header, evidence.fit(column, key))
            found.append((confidence, -field_order[key], -position, key, column, "header"))
    # A date header found by what it asks ("Date Initiated", "When did the pilot start?"),
    # when most of its cells read as dates. The header must say it is a date: amounts
    # such as 45,000 read as Excel day numbers, so "Production cost" is not a date.
    meaning = date_meaning(column) if has_date_cue(column) else None
    if meaning is not None:
        fit = evidence.fit(column, meaning) or 0.0
        if fit >= 0.5:
            confidence = DATE_MEANING_CONFIDENCE * (0.4 + 0.6 * fit)
            found.append((confidence, -field_order[meaning], -position, meaning, column, "header"))
    for key, syns in _framework_targets(content_key).items():
        header = header_score(column, syns)
        if header >= 0.8:
            fit = evidence.fit(column, key)
            if fit is not None and fit >= 0.5:
                found.append((_combine(header, fit), -99, -position, key, column, "header"))
    # A column of stage texts is the stage, whatever its header (at least two different
    # stages: one word repeated down a column is weak evidence).
    fit, different = _stage_evidence(evidence.sample(column))
    if fit >= 0.8 and different >= 2:
        confidence = 0.35 + 0.4 * fit
        found.append((confidence, -field_order["stage"], -position, "stage", column, "values"))
    return found


def _unit_candidates(
    evidence: _Evidence,
    free: list[str],
    columns: list[str],
    unit_headers: dict[str, dict[str, float]],
) -> list[_UnitCandidate]:
    """The columns still free that could hold a unit, by a unit header or by their values."""
    units: list[_UnitCandidate] = []
    for column in free:
        position = columns.index(column)
        fit, distinct, org_share = unit_evidence(evidence.sample(column), sampled=True)
        scores = unit_headers.get(column, {})
        header = max(scores.values(), default=0.0)
        inner = scores.get("business_subunit", 0.0) > scores.get("business_unit", 0.0)
        if header >= 1.0:  # headed by a unit word itself: odd values lower the confidence only
            fit = max(fit, 0.5)
        if header >= MIN_CONFIDENCE and fit > 0:
            confidence = _combine(header, fit)
            units.append(_UnitCandidate(column, confidence, distinct, position, "header", inner))
        elif fit == 1.0 and org_share >= 0.8:
            units.append(_UnitCandidate(column, 0.5, distinct, position, "values"))
    return units


# Profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingProfile:
    """A saved mapping: for each field, the headers that feed it (first one found wins).

    `detect` lists headers whose presence identifies the kind of file, so a shipped profile
    applies by itself when a matching file is uploaded.
    """

    name: str
    description: str = ""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stage_overrides: Mapping[str, str] = field(default_factory=dict)
    detect: tuple[tuple[str, ...], ...] = ()

    def resolve(self, columns: list[str]) -> dict[str, str]:
        """Field → the first of its headers present in `columns` (compared loosely)."""
        exact = {c: c for c in columns}
        loose = {_loose(c): c for c in reversed(columns)}
        resolved: dict[str, str] = {}
        for key, headers in self.columns.items():
            for header in headers:
                found = exact.get(header) or loose.get(_loose(header))
                if found:
                    resolved[key] = found
                    break
        return resolved

    def matches(self, columns: list[str]) -> bool:
        """True when every header of one of the `detect` sets is present."""
        present = {_loose(c) for c in columns}
        return any(all(_loose(h) in present for h in group) for group in self.detect)

    def to_dict(self) -> dict:
        data: dict = {"name": self.name, "description": self.description}
        data["columns"] = {k: list(v) for k, v in self.columns.items()}
        if self.stage_overrides:
            data["stage_overrides"] = dict(self.stage_overrides)
        if self.detect:
            data["detect"] = [list(g) for g in self.detect]
        return data


def _loose(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def parse_profile(raw: object, origin: str) -> MappingProfile:
    """Check a profile's YAML data; `ImportFileError` naming the problem when it is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise ImportFileError(f"{origin}: a mapping profile needs a `columns` section.")
    columns: dict[str, tuple[str, ...]] = {}
    for key, headers in raw["columns"].items():
        if not known_field(str(key)):
            raise ImportFileError(
                f"{origin}: {key!r} is not a portfolio field. "
                f"Use one of: {', '.join(f.key for f in FIELDS)}."
            )
        if isinstance(headers, str):
            headers = [headers]
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise ImportFileError(f"{origin}: columns.{key} must be a header or a list of them.")
        columns[str(key)] = tuple(headers)
    overrides = raw.get("stage_overrides") or {}
    if not isinstance(overrides, dict) or any(
        v not in CANONICAL_STAGES for v in overrides.values()
    ):
        raise ImportFileError(
            f"{origin}: stage_overrides must map texts to one of {', '.join(CANONICAL_STAGES)}."
        )
    detect = tuple(tuple(str(h) for h in group) for group in raw.get("detect") or ())
    return MappingProfile(
        name=str(raw.get("name") or origin),
        description=str(raw.get("description") or ""),
        columns=columns,
        stage_overrides={str(k): str(v) for k, v in overrides.items()},
        detect=detect,
    )


_PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")


def profile_slug(name: str) -> str:
    """A file-safe name for a profile: "US federal inventory" → "us-federal-inventory"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    if not slug:
        raise ImportFileError("Give the mapping profile a name with letters or digits.")
    return slug


def list_profiles(directory: Path | None = None) -> list[str]:
    """The names (file stems) of the profiles in a folder, sorted."""
    folder = directory or PROFILES_DIR
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_profile(name_or_path: str | Path, directory: Path | None = None) -> MappingProfile:
    """A profile by name (a file in the profiles folder) or by path to a YAML file."""
    path = Path(name_or_path)
    if not path.suffix:
        slug = str(name_or_path)
        if not _PROFILE_NAME.match(slug):
            slug = profile_slug(slug)
        path = (directory or PROFILES_DIR) / f"{slug}.yaml"
    if not path.is_file():
        known = ", ".join(list_profiles(directory)) or "none"
        raise ImportFileError(
            f"No mapping profile {str(name_or_path)!r}. Profiles available: {known}."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name} is not a valid profile file ({exc}).") from None
    return parse_profile(raw, path.name)


def save_profile(profile: MappingProfile, directory: Path | None = None) -> Path:
    """Write a profile as YAML under its slug; returns the file written."""
    folder = directory or PROFILES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile_slug(profile.name)}.yaml"
    path.write_text(
        yaml.safe_dump(profile.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return path


def profile_from_mapping(
    name: str,
    mapping: Mapping[str, ColumnMatch | str | None],
    stage_overrides: Mapping[str, str] | None = None,
    description: str = "",
) -> MappingProfile:
    """A profile recording a mapping the user confirmed (unmapped fields left out)."""
    columns: dict[str, tuple[str, ...]] = {}
    for key, match in mapping.items():
        column = match.column if isinstance(match, ColumnMatch) else match
        if column:
            columns[key] = (column,)
    return MappingProfile(
        name=name,
        description=description,
        columns=columns,
        stage_overrides=dict(stage_overrides or {}),
        detect=(tuple(columns[k][0] for k in columns),) if columns else (),
    )


def detect_profile(columns: list[str], directory: Path | None = None) -> MappingProfile | None:
    """The first saved profile whose `detect` headers are all present in the file."""
    for name in list_profiles(directory):
        try:
            profile = load_profile(name, directory)
        except ImportFileError:
            continue
        if profile.detect and profile.matches(columns):
            return profile
    return None


# Putting it together ---------------------------------------------------------------------------


def resolve_mapping(
    columns: list[str],
    frame: pd.DataFrame,
    *,
    profile: MappingProfile | None = None,
    user: Mapping[str, str | None] | None = None,
    content_key: str | None = None,
    automatic: Mapping[str, ColumnMatch] | None = None,
) -> dict[str, ColumnMatch]:
    """The mapping to use: automatic, then the profile over it, then the user's choices.

    `automatic` is `auto_map` of these very columns and frame when the caller kept it from an
    earlier read (it is most of the work). Returns a match for every fixed field (unmapped
    ones with `column=None`) plus any score and answer fields that were found or chosen.
    """
    mapping = dict(automatic) if automatic is not None else auto_map(columns, frame, content_key)
    if profile is not None:
        for key, column in profile.resolve(columns).items():
            _take(mapping, ColumnMatch(key, column, 1.0, "profile"))
    for key, column in (user or {}).items():
        if not known_field(key, content_key):
            raise ImportFileError(
                f"The mapping names a field {key!r} that does not exist. "
                f"Fields: {', '.join(f.key for f in FIELDS)}."
            )
        if column is None or column == "":
            mapping.pop(key, None)
            mapping[key] = ColumnMatch(key, None, 1.0, "user")
            continue
        if column not in columns:
            shown = ", ".join(repr(c) for c in columns[:20])
            raise ImportFileError(
                f"The mapping sends {key!r} to a column {column!r} that the sheet does not "
                f"have. Its columns are: {shown}{' ...' if len(columns) > 20 else ''}."
            )
        _take(mapping, ColumnMatch(key, column, 1.0, "user"))
    for f in FIELDS:
        mapping.setdefault(f.key, ColumnMatch(f.key, None, 0.0, "none"))
    order = {f.key: i for i, f in enumerate(FIELDS)}
    return dict(sorted(mapping.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def _take(mapping: dict[str, ColumnMatch], match: ColumnMatch) -> None:
    """Give `match.column` to `match.field`, taking it away from any other field."""
    for key, other in list(mapping.items()):
        if other.column == match.column and key != match.field:
            del mapping[key]
    mapping[match.field] = match

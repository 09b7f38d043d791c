"""The words that name portfolio columns, kept in `data/column_synonyms.yaml` and checked on
load: header words per field, the words that tell what a date header asks (start, go-live,
stop), and the words that make a column's values read as organisation names. Headers are
compared after `normalise_header` (lower case, underscores and camelCase split, first line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from diagnostics.errors import ContentError
from diagnostics.framework.content import DATA_DIR, load_data_file
from diagnostics.portfolio.fields import FIELDS, FIELDS_BY_KEY

COLUMN_SYNONYMS_PATH = DATA_DIR / "column_synonyms.yaml"

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PLURAL_S = re.compile(r"\(s\)", re.I)
_NON_WORD = re.compile(r"[^a-z0-9&#/]+")


def normalise_header(text: object) -> str:
    """A header reduced for matching: first non-empty line, words in lower case.

    "Use Case ID\\n\\n[Agency Abbrev.]" → "use case id"; "use_case_name" → "use case name";
    "ProjectName" → "project name"; "Vendor(s) Name" → "vendors name".
    """
    lines = [line for line in str(text).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = _PLURAL_S.sub("s", _CAMEL.sub(" ", first)).lower().replace("_", " ")
    first = first.replace("/", " / ")
    return " ".join(_NON_WORD.sub(" ", first).split()).replace(" / ", " / ").strip(" /")


def synonym_keys(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise_header(w) for w in words))


@dataclass(frozen=True)
class ColumnWords:
    """The column synonyms file: header words per field, and the words that give a date
    header its meaning (`date_cues` say "this is a date", `date_meanings` which one)."""

    synonyms: dict[str, tuple[str, ...]]
    date_cues: frozenset[str] = frozenset()
    date_meanings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unit_value_words: frozenset[str] = frozenset()


def parse_column_synonyms(
    raw: object, origin: str = "column synonyms"
) -> dict[str, tuple[str, ...]]:
    """Check the YAML data of a column synonyms file: field → its header words, normalised."""
    return parse_column_words(raw, origin).synonyms


def parse_column_words(raw: object, origin: str = "column synonyms") -> ColumnWords:
    """Check the YAML data of a column synonyms file.

    Every field needs at least one word, every word is text, and a word names one field only;
    date meanings name date fields. `ContentError` names the bad entry otherwise.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("synonyms"), dict):
        raise ContentError(f"{origin}: expected a mapping with a `synonyms` section")
    fields = ", ".join(FIELDS_BY_KEY)
    owner: dict[str, str] = {}
    synonyms: dict[str, tuple[str, ...]] = {}
    for key, words in raw["synonyms"].items():
        if key not in FIELDS_BY_KEY:
            raise ContentError(
                f"{origin}: synonyms.{key} is not a portfolio field (fields: {fields})"
            )
        for i, word in enumerate(_word_list(words, f"{origin}: synonyms.{key}")):
            norm = normalise_header(word)
            if owner.setdefault(norm, key) != key:
                raise ContentError(
                    f"{origin}: {word!r} (synonyms.{key}[{i}]) is also listed under "
                    f"synonyms.{owner[norm]}; a header word may name one field only"
                )
        synonyms[key] = synonym_keys(str(w) for w in words)
    missing = [key for key in FIELDS_BY_KEY if key not in synonyms]
    if missing:
        raise ContentError(f"{origin}: no header words for {', '.join(missing)}")
    cues = raw.get("date_cues")
    cues = _word_list(cues, f"{origin}: date_cues") if cues is not None else []
    cue_words = frozenset(meaning_key(w) for w in cues)
    meanings_raw = raw.get("date_meanings") or {}
    if not isinstance(meanings_raw, dict):
        raise ContentError(f"{origin}: date_meanings must map date fields to lists of words")
    meanings: list[tuple[str, tuple[str, ...]]] = []
    for key, words in meanings_raw.items():
        if key not in FIELDS_BY_KEY or FIELDS_BY_KEY[key].kind != "date":
            dates = ", ".join(f.key for f in FIELDS if f.kind == "date")
            raise ContentError(
                f"{origin}: date_meanings.{key} is not a date field (date fields: {dates})"
            )
        listed = _word_list(words, f"{origin}: date_meanings.{key}")
        meanings.append((key, tuple(meaning_key(w) for w in listed)))
    unit_words = raw.get("unit_value_words")
    if unit_words is not None:
        unit_words = _word_list(unit_words, f"{origin}: unit_value_words")
    return ColumnWords(
        synonyms={key: synonyms[key] for key in FIELDS_BY_KEY},
        date_cues=cue_words,
        date_meanings=tuple(meanings),
        unit_value_words=frozenset(meaning_key(w) for w in unit_words or ()),
    )


def _word_list(words: object, where: str) -> list[str]:
    """A non-empty list of header words, each with a letter, digit or #."""
    if not isinstance(words, list) or not words:
        raise ContentError(f"{where} must be a list of header words")
    for i, word in enumerate(words):
        if not isinstance(word, str | int) or not normalise_header(word):
            raise ContentError(
                f"{where}[{i}] ({word!r}) is not a header word: give text with at least one "
                "letter, digit or #"
            )
    return [str(w) for w in words]


def meaning_key(text: str) -> str:
    """Words for meaning matching: lower case, hyphens and punctuation as spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())


def load_column_words(path: str | Path | None = None) -> ColumnWords:
    """The column synonyms file, checked (cached until the file changes)."""
    resolved = Path(path) if path else COLUMN_SYNONYMS_PATH
    return load_data_file(
        resolved, parse_column_words, f"column synonyms file not found: {resolved}"
    )


def load_column_synonyms(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Field → the header words that name it (cached until the file changes)."""
    return load_column_words(path).synonyms


def date_meaning(header: str) -> str | None:
    """The date field a header asks about by its words, or None: "Date Initiated" → start,
    "When did the use case become operational?" → decision / go-live, "Date retired" → stop.

    The whole header counts here (every line), since long questions carry the meaning late.
    """
    words = load_column_words()
    text = f" {meaning_key(header)} "
    for key, meaning in words.date_meanings:
        if any(f" {w} " in text for w in meaning):
            return key
    return None


def has_date_cue(header: str) -> bool:
    """True when a header says it holds a date ("date", "when", "since" ...)."""
    cues = load_column_words().date_cues
    return any(word in cues for word in meaning_key(header).split())

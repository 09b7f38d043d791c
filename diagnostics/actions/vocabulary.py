"""The register's words as data (`data/actions.yaml`): statuses with their labels and the
words issue trackers use for them, where an action comes from, the default due date.

Validated on load; a bad entry is named in the error, so an organisation that edits the
file sees what to fix.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from diagnostics.framework.content import DATA_DIR, read_data_file

VOCABULARY_PATH = DATA_DIR / "actions.yaml"
STATUSES = ("open", "in_progress", "done", "dropped")
ACTIVE = ("open", "in_progress")  # still to do: these count as open and can be overdue
CLOSED = ("done", "dropped")
SOURCES = ("assessment", "workshop", "organisation", "manual", "import")


def normal_word(text: object) -> str:
    """Lower case, curly apostrophes straight, inner spaces collapsed: how words are matched."""
    return " ".join(str(text or "").replace("’", "'").replace("_", " ").lower().split())


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusWords(_Model):
    label: str = Field(min_length=1)
    tracker: list[str] = []


class Vocabulary(_Model):
    version: str
    default_due_days: int = Field(ge=1, le=365)
    statuses: dict[str, StatusWords]
    sources: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> Vocabulary:
        if set(self.statuses) != set(STATUSES):
            raise ValueError(
                f"statuses must be exactly {', '.join(STATUSES)} (found {', '.join(self.statuses)})"
            )
        if set(self.sources) != set(SOURCES):
            raise ValueError(f"sources must be exactly {', '.join(SOURCES)}")
        seen: dict[str, str] = {}
        for key, words in self.statuses.items():
            for word in [key, words.label, *words.tracker]:
                other = seen.setdefault(normal_word(word), key)
                if other != key:
                    raise ValueError(f"the tracker word {word!r} is given to {other} and {key}")
        return self

    def label(self, status: str) -> str:
        return self.statuses[status].label if status in self.statuses else status

    def status_for(self, text: object) -> str | None:
        """The status a tracker's word stands for (Open, To Do, Closed, Won't do…), or None."""
        word = normal_word(text)
        for key, words in self.statuses.items():
            if word in {normal_word(w) for w in [key, words.label, *words.tracker]}:
                return key
        return None

    def status_list(self) -> str:
        return ", ".join(self.statuses[s].label for s in STATUSES)


@lru_cache(maxsize=4)
def _read(path: str) -> Vocabulary:
    return read_data_file(path, Vocabulary)


def vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The register's vocabulary (POCTRAP_ACTIONS may point to an organisation's own file)."""
    return _read(str(path or os.environ.get("POCTRAP_ACTIONS") or VOCABULARY_PATH))

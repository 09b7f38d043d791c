"""Rules kept as data beside the framework: the thresholds and sentences of the three
symptoms a portfolio shows, of the trap check, of the decisions a portfolio takes on time
alone for pilots nobody has assessed, and of a sheet's pilot held back by its weakest reason.

Each sentence is a template; its placeholders are checked on load, so a tailored file with a
misspelt placeholder fails at start with the entry named, not half-way through a report.
"""

from __future__ import annotations

import string
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_templates(sentences: BaseModel, allowed: dict[str, set[str]]) -> list[str]:
    """Every placeholder a sentence uses must be one its caller fills."""
    problems = []
    for key, names in allowed.items():
        text = getattr(sentences, key)
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        except ValueError as exc:
            problems.append(f"sentences.{key}: {exc}")
            continue
        unknown = sorted(used - names)
        if unknown:
            known = ", ".join("{" + n + "}" for n in sorted(names)) or "none"
            problems.append(
                f"sentences.{key}: unknown placeholder {{{unknown[0]}}}; this sentence may use "
                f"{known}"
            )
    return problems


def _sentences(name: str, placeholders: dict[str, set[str]]) -> type[_Model]:
    """The model of a rule set's sentences: one required text per key of `placeholders`, so
    the sentence names are written once, beside the placeholders each may use."""
    return create_model(name, __base__=_Model, **{key: (str, ...) for key in placeholders})


class _WithSentences(_Model):
    """Rules with template sentences; each may use only the placeholders its caller fills
    (`placeholders`, sentence key -> names), checked on load."""

    placeholders: ClassVar[dict[str, set[str]]] = {}

    def _problems(self) -> list[str]:
        return _check_templates(self.sentences, self.placeholders)

    @model_validator(mode="after")
    def _checks(self) -> _WithSentences:
        problems = self._problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self


SYMPTOM_PLACEHOLDERS: dict[str, set[str]] = {
    "many_present": {"recent", "since", "not_counted"},
    "many_absent": {"recent", "live", "since", "not_counted"},
    "many_none_started": {"since", "not_counted"},
    "many_not_counted": {"undated", "unknown_stage"},
    "many_unknown": set(),
    "tech_present": {"known", "distinct", "alone"},
    "tech_absent": {"known", "distinct", "alone"},
    "tech_too_few": {"known", "minimum"},
    "tech_unknown": set(),
    "users_present": {"none", "known"},
    "users_absent": {"none", "known"},
    "users_no_results": set(),
    "users_not_reported": set(),
    "users_unknown": set(),
}
SymptomSentences = _sentences("SymptomSentences", SYMPTOM_PLACEHOLDERS)


class SymptomRules(_WithSentences):
    """When each of the three portfolio symptoms shows; one set for every view."""

    window_days: int = Field(gt=0, le=3660)
    min_recent_pilots: int = Field(gt=0)
    fragmented_share: float = Field(gt=0, le=1)
    min_pilots_for_technology: int = Field(gt=0)
    no_users_share: float = Field(gt=0, le=1)
    sentences: SymptomSentences
    placeholders: ClassVar[dict[str, set[str]]] = SYMPTOM_PLACEHOLDERS


TRAP_PLACEHOLDERS: dict[str, set[str]] = {
    "in_trap_defining": {"symptoms"},
    "in_trap_many": {"count", "symptoms"},
    "at_risk": {"count", "symptoms"},
    "clear": set(),
    "clear_so_far": {"known"},
    "not_enough": {"known", "needed"},
    "known": {"known", "unknown"},
    "answer_next": {"question"},
}
TrapSentences = _sentences("TrapSentences", TRAP_PLACEHOLDERS)


class TrapRules(_WithSentences):
    """How the six signs add up to a verdict, and when enough of them are known to say so."""

    in_trap_min_present: int = Field(ge=1, le=6)
    min_known_for_clear: int = Field(ge=1, le=6)
    labels: dict[str, str]
    sentences: TrapSentences
    placeholders: ClassVar[dict[str, set[str]]] = TRAP_PLACEHOLDERS

    def _problems(self) -> list[str]:
        problems = super()._problems()
        needed = {"in_trap", "at_risk", "clear", "clear_so_far", "not_enough"}
        missing = sorted(needed - set(self.labels))
        if missing:
            problems.append(f"labels: missing {', '.join(missing)}")
        return problems


UNASSESSED_PLACEHOLDERS: dict[str, set[str]] = {
    "assess_before": {"w", "dp", "left"},
    "assess_no_start": {"dp"},
    "assess_not_started": set(),
    "assess_unknown_stage": set(),
    "decide_now": {"w", "dp", "days"},
    "stop_candidate": {"w", "path", "times"},
}
UnassessedSentences = _sentences("UnassessedSentences", UNASSESSED_PLACEHOLDERS)


class UnassessedRules(_WithSentences):
    """Decisions a portfolio takes on time alone, for open pilots without readiness data.

    Before the decision point: assess before it is due. Past it: decide now (assess within
    `decide_within_days` or stop). Past `stop_after_path_times` × the whole recommended path
    (start to production): a stop candidate, with the reason.
    """

    decide_within_days: int = Field(gt=0, le=365)
    stop_after_path_times: float = Field(gt=1, le=100)
    sentences: UnassessedSentences
    placeholders: ClassVar[dict[str, set[str]]] = UNASSESSED_PLACEHOLDERS


WEAK_LINK_PLACEHOLDERS: dict[str, set[str]] = {"fix": {"r", "reason", "s", "min"}}
WeakLinkSentences = _sentences("WeakLinkSentences", WEAK_LINK_PLACEHOLDERS)


class WeakLinkRules(_WithSentences):
    """What a portfolio says of a pilot scored on its sheet whose overall readiness is high
    enough to go ahead but whose weakest reason is not (see decision_rules): fix it first, as
    the questionnaire would say of the same scores."""

    sentences: WeakLinkSentences
    placeholders: ClassVar[dict[str, set[str]]] = WEAK_LINK_PLACEHOLDERS


TIMING_PLACEHOLDERS: dict[str, set[str]] = {"overdue": {"ago", "dp"}}
TimingSentences = _sentences("TimingSentences", TIMING_PLACEHOLDERS)


class TimingRules(_WithSentences):
    """How a single pilot's verdict speaks when its decision is overdue (see scoring)."""

    sentences: TimingSentences
    placeholders: ClassVar[dict[str, set[str]]] = TIMING_PLACEHOLDERS

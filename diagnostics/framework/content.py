"""The framework as data: reasons, questions, answers, bands, stages, checklist, symptoms.

Everything an organisation may want to tailor lives in one versioned YAML file
(`data/framework.yaml` by default, or the file named by `POCTRAP_CONTENT`). It is validated
on load so that a broken file fails with a message naming the entry and the field, rather
than producing a wrong score later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from diagnostics.errors import ContentError
from diagnostics.framework.rules import (
    SymptomRules,
    TimingRules,
    TrapRules,
    UnassessedRules,
    WeakLinkRules,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_CONTENT_PATH = DATA_DIR / "framework.yaml"
CONTENT_ENV_VAR = "POCTRAP_CONTENT"

AnswerKey = Literal["yes", "partly", "no", "dont_know", "na"]
ANSWER_KEYS: tuple[str, ...] = ("yes", "partly", "no", "dont_know", "na")
Phase = Literal["start", "during", "decision"]
PHASES: tuple[str, ...] = ("start", "during", "decision")
REASON_KEYS: tuple[str, ...] = (
    "business_problem",
    "data_readiness",
    "production_readiness",
    "organizational_buy_in",
    "governance",
    "change_management",
)
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """The article the framework comes from, credited wherever it is shown."""

    title: str
    author: str
    date: str
    note: str = ""


class AnswerOption(_Model):
    key: AnswerKey
    label: str
    score: float | None = Field(ge=0, le=1)
    uncertain: bool = False
    help: str = ""


class Band(_Model):
    key: str = Field(pattern=ID_PATTERN)
    label: str
    min_readiness: float = Field(ge=0, le=100)
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class DecisionRules(_Model):
    """Thresholds behind proceed / fix first / stop; see scoring.decide for how they combine."""

    proceed_min_overall: float = Field(75, ge=0, le=100)
    proceed_min_weakest: float = Field(50, ge=0, le=100)
    stop_below_overall: float = Field(40, ge=0, le=100)
    stop_no_share: float = Field(0.5, ge=0, le=1)
    max_uncertain_share_to_stop: float = Field(0.34, ge=0, le=1)
    min_answered_share: float = Field(0.5, ge=0, le=1)
    knockout_answers: tuple[AnswerKey, ...] = ("no", "dont_know")


DecisionKey = Literal["proceed", "fix_first", "stop"]
DECISION_KEYS: tuple[str, ...] = ("proceed", "fix_first", "stop")


class Decision(_Model):
    """One of the three calls (proceed, fix first, stop): its words and its colour everywhere."""

    key: DecisionKey
    label: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


# The calls as shipped; a content file may restate them with its own words or colours.
DEFAULT_DECISIONS = (
    Decision(key="proceed", label="Proceed", color="#009E73"),
    Decision(key="fix_first", label="Fix first", color="#E69F00"),
    Decision(key="stop", label="Stop", color="#D55E00"),
)


class Verdict(_Model):
    key: str = Field(pattern=ID_PATTERN)
    label: str
    decision: Literal["proceed", "fix_first", "stop"]
    summary: str


class Position(_Model):
    """Where a pilot stands; decides which question phases are scored and the verdicts used."""

    key: str = Field(pattern=ID_PATTERN)
    label: str
    help: str
    scored_phases: tuple[Phase, ...]
    verdicts: tuple[str, ...]


class Reason(_Model):
    key: str
    title: str
    failure: str = ""
    short: str
    explanation: str
    weight: float = Field(1.0, gt=0)

    @field_validator("key")
    @classmethod
    def _known_reason(cls, value: str) -> str:
        if value not in REASON_KEYS:
            expected = ", ".join(REASON_KEYS)
            raise ValueError(f"unknown reason key {value!r}; expected one of {expected}")
        return value


class Action(_Model):
    text: str
    owner: str
    # the same action said for a pilot already past the question's phase ("do it now")
    late_text: str = ""


class Question(_Model):
    id: str = Field(pattern=ID_PATTERN)
    reason: str
    text: str
    help: str
    weight: float = Field(1.0, gt=0)
    knockout: bool = False
    allow_na: bool = False
    phase: Phase
    checklist: bool = False
    checklist_label: str = ""
    label: str = ""
    stage: int = Field(ge=1, le=4)
    action: Action

    @property
    def short_label(self) -> str:
        """A few words naming what the question checks, for verdicts and tables."""
        return self.label or self.checklist_label or self.text.rstrip("?")

    @model_validator(mode="after")
    def _checklist_label_present(self) -> Question:
        if self.checklist and not self.checklist_label:
            raise ValueError("checklist questions need a short checklist_label")
        return self


class Duration(_Model):
    min_weeks: float = Field(ge=0)
    max_weeks: float | None = Field(default=None, ge=0)

    @property
    def label(self) -> str:
        if self.max_weeks is None:
            return f"{self.min_weeks:g}+ weeks, ongoing" if self.min_weeks else "ongoing"
        if self.max_weeks == self.min_weeks:
            return f"{self.min_weeks:g} weeks"
        return f"{self.min_weeks:g}–{self.max_weeks:g} weeks"

    @property
    def upper_weeks(self) -> float:
        return self.min_weeks if self.max_weeks is None else self.max_weeks

    @property
    def mid_weeks(self) -> float:
        return self.min_weeks if self.max_weeks is None else (self.min_weeks + self.max_weeks) / 2


class RolloutPhase(_Model):
    key: str = Field(pattern=ID_PATTERN)
    title: str
    duration: Duration


class Stage(_Model):
    number: int = Field(ge=1, le=4)
    key: str = Field(pattern=ID_PATTERN)
    title: str
    summary: str
    items: tuple[str, ...]
    rollout_phases: tuple[RolloutPhase, ...] = ()


class Timeframes(_Model):
    pilot: Duration
    decision: Duration
    production: Duration

    @property
    def recommended_path_weeks(self) -> float:
        """Start to production at the longest recommended durations (8 + 2 + 12 = 22 weeks).

        The upper ends are used on purpose: a pilot is only counted as late, or as costing
        delay, once it is past the most generous recommended plan.
        """
        return self.pilot.upper_weeks + self.decision.upper_weeks + self.production.upper_weeks

    @property
    def decision_point_weeks(self) -> float:
        """Weeks from the start by which a decision is due: longest pilot plus the window."""
        return self.pilot.upper_weeks + self.decision.upper_weeks


class Symptom(_Model):
    id: str = Field(pattern=ID_PATTERN)
    text: str
    help: str
    computable: bool
    question: str = ""


def _lookup(entries: str, key: str = "key") -> cached_property:
    """One of the content's lists as a dict by each entry's `key`, built on first use."""

    def build(content: Content) -> dict:
        return {getattr(entry, key): entry for entry in getattr(content, entries)}

    return cached_property(build)


class Content(_Model):
    """The validated framework. Look-ups by id are precomputed for speed."""

    version: str
    source: Source
    answer_scale: tuple[AnswerOption, ...]
    bands: tuple[Band, ...]
    decision_rules: DecisionRules
    decisions: tuple[Decision, ...] = DEFAULT_DECISIONS
    verdicts: tuple[Verdict, ...]
    positions: tuple[Position, ...]
    timeframes: Timeframes
    reasons: tuple[Reason, ...]
    questions: tuple[Question, ...]
    stages: tuple[Stage, ...]
    symptoms: tuple[Symptom, ...]
    symptom_rules: SymptomRules
    trap_check: TrapRules
    unassessed_decisions: UnassessedRules
    weak_link: WeakLinkRules
    timing: TimingRules
    phase_labels: dict[Phase, str] = Field(
        default_factory=lambda: {
            "start": "At the start",
            "during": "During the pilot",
            "decision": "At the decision point",
        }
    )

    @model_validator(mode="after")
    def _consistent(self) -> Content:
        problems: list[str] = []
        scale_keys = [a.key for a in self.answer_scale]
        if sorted(scale_keys) != sorted(ANSWER_KEYS):
            problems.append(f"answer_scale: needs exactly the keys {', '.join(ANSWER_KEYS)}")
        for before, band in zip(self.bands, self.bands[1:], strict=False):
            if band.min_readiness < before.min_readiness:
                problems.append(
                    f"bands[{band.key}].min_readiness: {band.min_readiness:g} is below the "
                    f"{before.min_readiness:g} of {before.key!r} listed before it; list bands "
                    "from the lowest min_readiness to the highest"
                )
        if self.bands and self.bands[0].min_readiness != 0:
            problems.append("bands: the first band must start at min_readiness 0")
        problems += _duplicates("reasons", [r.key for r in self.reasons])
        problems += _duplicates("questions", [q.id for q in self.questions])
        problems += _duplicates("symptoms", [s.id for s in self.symptoms])
        problems += _duplicates("verdicts", [v.key for v in self.verdicts])
        if sorted(d.key for d in self.decisions) != sorted(DECISION_KEYS):
            problems.append(f"decisions: needs exactly the keys {', '.join(DECISION_KEYS)}")
        problems += _duplicates("positions", [p.key for p in self.positions])
        reason_keys = {r.key for r in self.reasons}
        stage_numbers = {s.number for s in self.stages}
        for q in self.questions:
            if q.reason not in reason_keys:
                problems.append(f"questions[{q.id}].reason: unknown reason {q.reason!r}")
            if q.stage not in stage_numbers:
                problems.append(f"questions[{q.id}].stage: no stage number {q.stage}")
        for r in self.reasons:
            if not any(q.reason == r.key for q in self.questions):
                problems.append(f"reasons[{r.key}]: has no questions")
        verdict_keys = {v.key for v in self.verdicts}
        for p in self.positions:
            for v in p.verdicts:
                if v not in verdict_keys:
                    problems.append(f"positions[{p.key}].verdicts: unknown verdict {v!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Look-ups by id, each built on first use -------------------------------------------
    questions_by_id = _lookup("questions", "id")
    reasons_by_key = _lookup("reasons")
    answers_by_key = _lookup("answer_scale")
    verdicts_by_key = _lookup("verdicts")
    decisions_by_key = _lookup("decisions")
    positions_by_key = _lookup("positions")

    def questions_for(self, reason_key: str) -> list[Question]:
        return [q for q in self.questions if q.reason == reason_key]

    def checklist(self, phase: str | None = None) -> list[Question]:
        """The checklist questions, in file order, optionally of one phase."""
        return [q for q in self.questions if q.checklist and (phase is None or q.phase == phase)]

    def band_for(self, readiness: float) -> Band:
        band = self.bands[0]
        for candidate in self.bands:
            if readiness >= candidate.min_readiness:
                band = candidate
        return band

    def stage(self, number: int) -> Stage:
        return next(s for s in self.stages if s.number == number)

    def summary(self) -> dict:
        """A JSON-ready overview, as printed by `python -m diagnostics content`."""
        return {
            "version": self.version,
            "source": self.source.model_dump(),
            "reasons": len(self.reasons),
            "questions": len(self.questions),
            "questions_per_reason": {r.key: len(self.questions_for(r.key)) for r in self.reasons},
            "checklist_items": len(self.checklist()),
            "checklist_per_phase": {p: len(self.checklist(p)) for p in PHASES},
            "knockout_questions": [q.id for q in self.questions if q.knockout],
            "stages": len(self.stages),
            "symptoms": len(self.symptoms),
            "computable_symptoms": [s.id for s in self.symptoms if s.computable],
            "recommended_path_weeks": self.timeframes.recommended_path_weeks,
        }


def _duplicates(section: str, ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for i in ids:
        if i in seen:
            dupes.append(f"{section}[{i}]: the id is used more than once")
        seen.add(i)
    return dupes


def _describe(raw: dict, error: dict) -> str:
    """Name the entry by its id (not only its index) so the author can find it."""
    parts: list[str] = []
    node = raw
    for loc in error["loc"]:
        if isinstance(loc, int) and isinstance(node, list) and loc < len(node):
            item = node[loc]
            ident = item.get("id") or item.get("key") if isinstance(item, dict) else None
            parts[-1] = f"{parts[-1]}[{ident or loc}]" if parts else f"[{loc}]"
            node = item
            continue
        parts.append(str(loc))
        node = node.get(loc) if isinstance(node, dict) else None
    where = ".".join(parts) or "file"
    return f"{where}: {error['msg']}"


def parse_content(raw: object, origin: str = "content") -> Content:
    """Validate already-parsed YAML/JSON data and return the framework."""
    if not isinstance(raw, dict):
        raise ContentError(f"{origin}: expected a mapping at the top level of the file")
    try:
        return Content.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(_describe(raw, e) for e in exc.errors()[:10])
        raise ContentError(f"{origin} is not valid: {details}") from None


# libyaml's safe loader where the machine has it: the same documents and types as
# yaml.safe_load, several times faster on the framework file.
SAFE_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def content_path() -> Path:
    return Path(os.environ.get(CONTENT_ENV_VAR) or DEFAULT_CONTENT_PATH)


def load_content(path: str | Path | None = None) -> Content:
    """Load and validate the content file (cached until the file changes)."""
    resolved = Path(path) if path else content_path()
    return load_data_file(
        resolved,
        parse_content,
        f"content file not found: {resolved}. Point {CONTENT_ENV_VAR} at a framework file.",
    )


P = TypeVar("P")


def load_data_file(path: Path, parse: Callable[..., P], missing: str) -> P:
    """A YAML data file parsed by `parse(raw, origin=name)`, cached until the file changes;
    a ContentError says `missing` when it is not there, or where its YAML is broken."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ContentError(missing) from None
    return _parsed(str(path), mtime, parse)


@lru_cache(maxsize=16)
def _parsed(path: str, _mtime: int, parse: Callable[..., P]) -> P:
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_YAML_LOADER)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ContentError(f"{path} is not valid YAML: {exc}") from None
    return parse(raw, origin=Path(path).name)


M = TypeVar("M", bound=BaseModel)


def read_data_file(path: str | Path, model: type[M]) -> M:
    """A YAML file beside the framework (action vocabulary, demo pilots), validated by `model`;
    a ContentError names the file and the first bad entry ("actions.yaml: statuses.done: ...").
    """
    name = Path(path).name
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return model.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{name} cannot be read: {exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "the file"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ContentError(f"{name}: {where}: {message}") from None


DEFAULT_EVIDENCE_PATH = DATA_DIR / "evidence.yaml"


class EvidenceFigure(_Model):
    id: str = Field(pattern=ID_PATTERN)
    headline: str
    detail: str
    source: str
    caveat: str


class Evidence(_Model):
    version: str
    figures: tuple[EvidenceFigure, ...]


def load_evidence(path: str | Path | None = None) -> Evidence:
    """Published figures on the trap, each with its source and caveat."""
    resolved = Path(path) if path else DEFAULT_EVIDENCE_PATH
    try:
        raw = yaml.safe_load(resolved.read_text(encoding="utf-8"))
        return Evidence.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{resolved.name} cannot be read: {exc}") from None
    except ValidationError as exc:
        details = "; ".join(_describe(raw, e) for e in exc.errors()[:10])
        raise ContentError(f"{resolved.name} is not valid: {details}") from None

"""Are we in the PoC trap? The organisation-level check of the six symptoms.

Three symptoms can be read from a portfolio (pilots started against pilots live, the spread
of technologies, live users of pilots that have shown results); each comes with its evidence,
naming the pilots and business units behind it. The other three are matters of perception
(IT's view on integration, leadership's view on value, the team's morale) and are asked. A
symptom the portfolio cannot judge (a column missing) is asked too.

The verdict: *in the trap* when many recent pilots have none live (the trap's definition) or
three or more symptoms show; *at risk* with one or two; *clear* with none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from diagnostics.formats import UNASSIGNED
from diagnostics.framework.content import Content, Symptom

Status = Literal["present", "absent", "unknown"]
SYMPTOM_ANSWERS = ("yes", "no", "dont_know")
SYMPTOM_ANSWER_LABELS = {"yes": "Yes", "no": "No", "dont_know": "Don't know"}
DEFINING_SYMPTOM = "many_pilots_none_live"
NOT_STARTED = ("idea",)
WITH_RESULTS = ("decision", "production")


@dataclass(frozen=True)
class TrapSettings:
    """The thresholds behind the three computed symptoms, each with its reason."""

    window_days: int = 365  # "the past 12 months"
    min_recent_pilots: int = 4  # "more than three pilots"
    fragmented_share: float = 0.75  # technologies per pilot at or above which each has its own
    min_pilots_for_technology: int = 3  # fewer pilots say nothing about fragmentation
    no_users_share: float = 0.5  # share of pilots with results but no live users


@dataclass(frozen=True)
class SymptomFinding:
    id: str
    text: str
    help: str
    question: str
    computable: bool
    status: Status
    source: Literal["portfolio", "answer", "none"]
    evidence: str
    pilots: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.status == "present"


@dataclass(frozen=True)
class TrapCheck:
    verdict: Literal["in_trap", "at_risk", "clear"]
    label: str
    summary: str
    findings: list[SymptomFinding]

    @property
    def present(self) -> list[SymptomFinding]:
        return [f for f in self.findings if f.present]

    @property
    def unknown(self) -> list[SymptomFinding]:
        return [f for f in self.findings if f.status == "unknown"]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "symptom": f.text,
                    "status": STATUS_LABELS[f.status],
                    "from": SOURCE_LABELS[f.source],
                    "evidence": f.evidence,
                    "pilots": ", ".join(f.pilots),
                    "business_units": ", ".join(f.units),
                }
                for f in self.findings
            ]
        )


VERDICT_LABELS = {"in_trap": "In the PoC trap", "at_risk": "At risk", "clear": "Clear"}
STATUS_LABELS = {"present": "Shows", "absent": "Does not show", "unknown": "Not known"}
SOURCE_LABELS = {"portfolio": "Portfolio", "answer": "Your answer", "none": "—"}


def symptom_question(symptom: Symptom) -> str:
    """The question asked when the portfolio cannot tell (or the symptom is not computable)."""
    return symptom.question or f"Is this true of your organisation: {symptom.text.rstrip('.')}?"


# Reading the portfolio -----------------------------------------------------------------------


def _names(frame: pd.DataFrame) -> pd.Series:
    names = frame["name"].astype("string")
    ids = frame["pilot_id"].astype("string")
    return names.fillna(ids).fillna("(unnamed)")


def _units(frame: pd.DataFrame) -> list[str]:
    """Business units of these rows, most pilots first, as "Finance (4)"."""
    counts = frame["business_unit"].astype("string").fillna(UNASSIGNED).value_counts()
    return [f"{unit} ({n})" for unit, n in counts.items()]


def _list(names: pd.Series, limit: int = 50) -> list[str]:
    values = list(names)
    return values[:limit] + ([f"and {len(values) - limit} more"] if len(values) > limit else [])


def _has_values(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame and frame[column].notna().any()


def _stage(frame: pd.DataFrame) -> pd.Series:
    return frame["stage"].astype("string").fillna("unknown")


def _many_pilots_none_live(
    frame: pd.DataFrame | None, today: date, settings: TrapSettings
) -> tuple[Status, str, list[str], list[str]]:
    if not (_has_values(frame, "start_date") and _has_values(frame, "stage")):
        return "unknown", "The portfolio has no start dates or stages to count from.", [], []
    since = pd.Timestamp(today - timedelta(days=settings.window_days))
    starts = pd.to_datetime(frame["start_date"], errors="coerce")
    stage = _stage(frame)
    recent = frame[(starts >= since) & (starts <= pd.Timestamp(today)) & ~stage.isin(NOT_STARTED)]
    live = recent[_stage(recent) == "production"]
    undated = int(starts.isna().sum())
    note = f" ({undated} pilots without a start date were not counted)" if undated else ""
    window = f"since {since.date().isoformat()}"
    if len(recent) >= settings.min_recent_pilots and live.empty:
        evidence = f"{len(recent)} pilots started {window} and none of them is in production{note}."
        return "present", evidence, _list(_names(recent)), _units(recent)
    evidence = (
        f"{len(recent)} pilots started {window}; {len(live)} of them in production{note}."
        if len(recent)
        else f"No pilot started {window}{note}."
    )
    return "absent", evidence, _list(_names(live)), _units(live)


def _fragmented_technology(
    frame: pd.DataFrame | None, settings: TrapSettings
) -> tuple[Status, str, list[str], list[str]]:
    if not _has_values(frame, "technology"):
        return "unknown", "The portfolio has no technology or vendor column.", [], []
    started = frame[~_stage(frame).isin(NOT_STARTED)] if "stage" in frame else frame
    tech = started["technology"].astype("string").str.strip().str.casefold()
    known = started[tech.notna() & (tech != "")]
    tech = tech[known.index]
    if len(known) < settings.min_pilots_for_technology:
        return (
            "unknown",
            f"Only {len(known)} pilots name their technology; too few to judge.",
            [],
            [],
        )
    distinct = tech.nunique()
    share = distinct / len(known)
    counts = tech.map(tech.value_counts())
    alone = known[counts == 1]
    alone_text = (
        "none runs on a technology of its own"
        if alone.empty
        else f"{len(alone)} run on a technology no other pilot uses"
    )
    evidence = (
        f"{len(known)} pilots use {distinct} different technologies or vendors; {alone_text}."
    )
    status: Status = "present" if share >= settings.fragmented_share else "absent"
    return status, evidence, _list(_names(alone)), _units(alone)


def _results_without_users(
    frame: pd.DataFrame | None, settings: TrapSettings
) -> tuple[Status, str, list[str], list[str]]:
    if not (_has_values(frame, "live_users") and _has_values(frame, "stage")):
        return "unknown", "The portfolio has no live-user counts to check.", [], []
    with_results = frame[_stage(frame).isin(WITH_RESULTS)]
    users = pd.to_numeric(with_results["live_users"], errors="coerce")
    known = with_results[users.notna()]
    if known.empty:
        return (
            "unknown",
            "No pilot at the decision point or in production reports its live users.",
            [],
            [],
        )
    none = known[users[known.index] <= 0]
    share = len(none) / len(known)
    evidence = (
        f"{len(none)} of {len(known)} pilots at the decision point or in production "
        "report no live users."
    )
    status: Status = "present" if none.size and share >= settings.no_users_share else "absent"
    return status, evidence, _list(_names(none)), _units(none)


# The check -------------------------------------------------------------------------------------


def trap_check(
    content: Content,
    frame: pd.DataFrame | None = None,
    answers: Mapping[str, str | None] | None = None,
    *,
    today: date | None = None,
    settings: TrapSettings | None = None,
) -> TrapCheck:
    """Judge the six symptoms: computed from `frame` where it can tell, else from `answers`.

    `frame` is the canonical portfolio frame (or None); `answers` maps symptom id to
    yes / no / dont_know for the symptoms a portfolio cannot show.
    """
    settings = settings or TrapSettings()
    today = today or date.today()
    answers = answers or {}
    computed = {
        "many_pilots_none_live": lambda: _many_pilots_none_live(frame, today, settings),
        "fragmented_technology": lambda: _fragmented_technology(frame, settings),
        "results_without_users": lambda: _results_without_users(frame, settings),
    }
    findings: list[SymptomFinding] = []
    for symptom in content.symptoms:
        status: Status = "unknown"
        source = "none"
        evidence = ""
        pilots: list[str] = []
        units: list[str] = []
        if symptom.computable and symptom.id in computed:
            status, evidence, pilots, units = computed[symptom.id]()
            source = "portfolio" if status != "unknown" else "none"
        if status == "unknown":
            answer = answers.get(symptom.id)
            if answer in ("yes", "no"):
                status = "present" if answer == "yes" else "absent"
                source = "answer"
                evidence = (evidence + " " if evidence else "") + (
                    "You answered Yes." if answer == "yes" else "You answered No."
                )
            elif answer == "dont_know":
                evidence = (evidence + " " if evidence else "") + "You answered Don't know."
            elif not evidence:
                evidence = "Not answered yet."
        findings.append(
            SymptomFinding(
                id=symptom.id,
                text=symptom.text,
                help=symptom.help,
                question=symptom_question(symptom),
                computable=symptom.computable,
                status=status,
                source=source,
                evidence=evidence.strip(),
                pilots=pilots if status == "present" else [],
                units=units if status == "present" else [],
            )
        )
    return _verdict(findings)


def _verdict(findings: list[SymptomFinding]) -> TrapCheck:
    present = [f for f in findings if f.present]
    unknown = [f for f in findings if f.status == "unknown"]
    defining = any(f.id == DEFINING_SYMPTOM for f in present)
    names = "; ".join(f.text for f in present)
    if defining or len(present) >= 3:
        verdict = "in_trap"
        lead = (
            "Pilots keep starting and none goes live: the trap itself. "
            if defining
            else f"{len(present)} of the six symptoms show. "
        )
        summary = f"{lead}Symptoms showing: {names}."
    elif present:
        verdict = "at_risk"
        summary = (
            f"{len(present)} of the six symptoms show: {names}. Act on "
            f"{'it' if len(present) == 1 else 'them'} before more pilots start."
        )
    else:
        verdict = "clear"
        summary = "None of the six symptoms shows."
    if unknown:
        summary += (
            f" {len(unknown)} could not be judged"
            f" ({'; '.join(f.text for f in unknown)}): answer them to complete the check."
        )
    label = VERDICT_LABELS[verdict]
    if verdict == "clear" and unknown:
        label = "Clear so far"
    return TrapCheck(verdict, label, summary, findings)

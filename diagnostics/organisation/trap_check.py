"""Are we in the PoC trap? The organisation-level check of the six symptoms.

Three symptoms can be read from a portfolio (pilots started against pilots live, the spread
of technologies, live users of pilots that have shown results); each comes with its evidence,
naming the pilots and business units behind it. They are computed in
`portfolio.symptoms`, the same rules the dashboard shows per business unit. The other three
are matters of perception (IT's view on integration, leadership's view on value, the team's
morale) and are asked. A symptom the portfolio cannot judge (a column missing) is asked too.

The verdict (thresholds and sentences in the content file's `trap_check`): *in the trap* when
many recent pilots have none live (the trap's definition) or enough symptoms show; *at risk*
with fewer; *clear so far* only when enough of the six signs are known and none shows;
otherwise *not enough known yet*, naming what to answer next. Unknown is never clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from diagnostics.framework.content import Content, Symptom
from diagnostics.portfolio.symptoms import portfolio_symptoms

Status = Literal["present", "absent", "unknown"]
SYMPTOM_ANSWERS = ("yes", "no", "dont_know")
SYMPTOM_ANSWER_LABELS = {"yes": "Yes", "no": "No", "dont_know": "Don't know"}
DEFINING_SYMPTOM = "many_pilots_none_live"


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
    verdict: Literal["in_trap", "at_risk", "clear", "not_enough"]
    label: str
    summary: str
    findings: list[SymptomFinding]

    @property
    def present(self) -> list[SymptomFinding]:
        return [f for f in self.findings if f.present]

    @property
    def unknown(self) -> list[SymptomFinding]:
        return [f for f in self.findings if f.status == "unknown"]

    @property
    def known(self) -> int:
        """How many of the six signs are known (showing or not)."""
        return len(self.findings) - len(self.unknown)

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


STATUS_LABELS = {"present": "Shows", "absent": "Does not show", "unknown": "Not known"}
SOURCE_LABELS = {"portfolio": "Portfolio", "answer": "Your answer", "none": "—"}


def symptom_question(symptom: Symptom) -> str:
    """The question asked when the portfolio cannot tell (or the symptom is not computable)."""
    return symptom.question or f"Is this true of your organisation: {symptom.text.rstrip('.')}?"


# The check -------------------------------------------------------------------------------------


def trap_check(
    content: Content,
    frame: pd.DataFrame | None = None,
    answers: Mapping[str, str | None] | None = None,
    *,
    today: date | None = None,
) -> TrapCheck:
    """Judge the six symptoms: computed from `frame` where it can tell, else from `answers`.

    `frame` is the canonical portfolio frame (or None); `answers` maps symptom id to
    yes / no / dont_know for the symptoms a portfolio cannot show.
    """
    today = today or date.today()
    answers = answers or {}
    computed = portfolio_symptoms(frame, content, today) if frame is not None else {}
    findings: list[SymptomFinding] = []
    for symptom in content.symptoms:
        status: Status = "unknown"
        source = "none"
        evidence = ""
        pilots: list[str] = []
        units: list[str] = []
        if symptom.computable and symptom.id in computed:
            found = computed[symptom.id]
            status, evidence = found.status, found.evidence
            pilots, units = found.pilots, found.units
            source = "portfolio" if status != "unknown" else "none"
        elif symptom.computable:
            evidence = "No portfolio chosen to count it from."
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
    return _verdict(findings, content)


def _verdict(findings: list[SymptomFinding], content: Content) -> TrapCheck:
    rules = content.trap_check
    s = rules.sentences
    present = [f for f in findings if f.present]
    unknown = [f for f in findings if f.status == "unknown"]
    known = len(findings) - len(unknown)
    defining = any(f.id == DEFINING_SYMPTOM for f in present)
    names = "; ".join(f.text for f in present)
    if defining:
        verdict, summary = "in_trap", s.in_trap_defining.format(symptoms=names)
    elif len(present) >= rules.in_trap_min_present:
        verdict, summary = "in_trap", s.in_trap_many.format(count=len(present), symptoms=names)
    elif present:
        verdict, summary = "at_risk", s.at_risk.format(count=len(present), symptoms=names)
    elif not unknown:
        verdict, summary = "clear", s.clear
    elif known >= rules.min_known_for_clear:
        verdict, summary = "clear_so_far", s.clear_so_far.format(known=known)
    else:
        verdict = "not_enough"
        summary = s.not_enough.format(known=known, needed=rules.min_known_for_clear)
    if unknown:
        summary += " " + s.known.format(known=known, unknown=len(unknown))
        summary += " " + s.answer_next.format(question=unknown[0].question)
    label = rules.labels[verdict]
    if verdict == "clear_so_far":
        verdict = "clear"
    return TrapCheck(verdict, label, summary, findings)

"""Readiness, risk, the weakest link, knock-outs, the verdict and the actions for one pilot.

The model (see DOMAIN.md): Yes = 1, Partly = 0.5, No = 0, Don't know = 0 and counted as
uncertainty, N/A left out. Readiness per reason is the weighted mean of its scored answers
(0–100); the overall score is the weighted mean across reasons, shown next to the weakest
reason because a pilot fails on its weakest link. Which questions are scored depends on where
the pilot stands: questions of later phases are "coming up", not failures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from diagnostics.errors import AnswerError
from diagnostics.framework.content import ANSWER_KEYS, PHASES, Content, Question

DEFAULT_POSITION = "decision_point"
# Positions whose pilot still waits for its go / no-go decision.
DECISION_PENDING = ("running", "decision_point")

# Spellings people type or spreadsheets hold, folded onto the answer scale's keys.
_ANSWER_ALIASES = {
    "yes": "yes",
    "y": "yes",
    "true": "yes",
    "1": "yes",
    "partly": "partly",
    "partial": "partly",
    "partially": "partly",
    "somewhat": "partly",
    "0.5": "partly",
    "no": "no",
    "n": "no",
    "false": "no",
    "0": "no",
    "dont_know": "dont_know",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "do not know": "dont_know",
    "don’t know": "dont_know",
    "unknown": "dont_know",
    "dk": "dont_know",
    "?": "dont_know",
    "na": "na",
    "n/a": "na",
    "n.a.": "na",
    "not applicable": "na",
}


def normalise_answer(value: object) -> str | None:
    """Map a typed or imported answer onto the scale's key; None when blank or unknown."""
    if value is None:
        return None
    text = str(value).strip().lower().replace("_", " ")
    if not text or text == "nan":
        return None
    return _ANSWER_ALIASES.get(text) or _ANSWER_ALIASES.get(text.replace(" ", "_"))


def validate_answers(raw: Mapping[str, object], content: Content) -> dict[str, str]:
    """Check ids and values; raise AnswerError naming every offending entry."""
    unknown_ids = sorted(k for k in raw if k not in content.questions_by_id)
    bad_values: list[str] = []
    na_not_allowed: list[str] = []
    answers: dict[str, str] = {}
    for qid, value in raw.items():
        if qid in unknown_ids:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        key = normalise_answer(value)
        if key is None:
            bad_values.append(f"{qid}={value!r}")
            continue
        if key == "na" and not content.questions_by_id[qid].allow_na:
            na_not_allowed.append(qid)
            continue
        answers[qid] = key
    problems = []
    if unknown_ids:
        problems.append(f"unknown question ids: {', '.join(unknown_ids)}")
    if bad_values:
        problems.append(
            f"values outside the answer scale ({', '.join(ANSWER_KEYS)}): {', '.join(bad_values)}"
        )
    if na_not_allowed:
        problems.append(f"N/A is not allowed for: {', '.join(na_not_allowed)}")
    if problems:
        raise AnswerError("; ".join(problems))
    return answers


@dataclass(frozen=True)
class ReasonScore:
    key: str
    title: str
    short: str
    readiness: float | None
    risk: float | None
    band: str | None
    band_label: str | None
    color: str | None
    scored_questions: int
    answered: int
    dont_know: int


@dataclass(frozen=True)
class ActionItem:
    question_id: str
    reason: str
    reason_title: str
    stage: int
    stage_title: str
    text: str
    owner: str
    why: str
    answer: str | None
    knockout: bool
    gain: float
    priority: float


@dataclass(frozen=True)
class ChecklistStatus:
    question_id: str
    phase: str
    label: str
    answer: str | None
    status: str


@dataclass(frozen=True)
class AssessmentResult:
    content_version: str
    position: str
    scored_phases: tuple[str, ...]
    reasons: list[ReasonScore]
    overall: float | None
    weakest: str | None
    weakest_readiness: float | None
    uncertainty: int
    knockouts: list[str]
    verdict: str
    verdict_label: str
    decision: str
    why: str
    actions: list[ActionItem]
    checklist: list[ChecklistStatus]
    scored_questions: list[str]
    upcoming_questions: list[str]
    unanswered: list[str]
    no_share: float
    answered_share: float
    readiness: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready form, the shape `python -m diagnostics assess --json` prints."""
        data = asdict(self)
        data["overall"] = _round(self.overall)
        data["weakest_readiness"] = _round(self.weakest_readiness)
        data["readiness"] = {k: _round(v) for k, v in self.readiness.items()}
        data["risk"] = {r.key: _round(r.risk) for r in self.reasons}
        return data

    @property
    def top_actions(self) -> list[ActionItem]:
        return self.actions[:3]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def overdue_weeks(
    content: Content, position: str, start_date: date | None, today: date | None
) -> float | None:
    """Weeks since the decision was due, for a pilot still waiting for it (running or at the
    decision point); None when it is not overdue or the dates are unknown."""
    if start_date is None or today is None or position not in DECISION_PENDING:
        return None
    late = (today - start_date).days / 7 - content.timeframes.decision_point_weeks
    return late if late > 0 else None


def _ago(weeks: float) -> str:
    """16 weeks, 1 week or 4 days: whole units, as the timeline says it."""
    whole = int(weeks)
    if whole >= 1:
        return "1 week" if whole == 1 else f"{whole} weeks"
    days = max(round(weeks * 7), 1)
    return "1 day" if days == 1 else f"{days} days"


def score(
    answers: Mapping[str, str],
    content: Content,
    position: str = DEFAULT_POSITION,
    *,
    start_date: date | None = None,
    today: date | None = None,
) -> AssessmentResult:
    """Score validated answers for a pilot at `position` (a key of content.positions).

    With the pilot's `start_date` and `today`, a pilot whose decision is overdue gets its
    verdict in the decision's own words (proceed / fix first / stop) with the delay said.
    """
    pos = _known_position(content, position)
    late = overdue_weeks(content, position, start_date, today)
    # The decision is due: speak in its words, stop included.
    verdict_pos = pos if late is None else _deciding_position(content, pos)
    in_scope = [q for q in content.questions if q.phase in pos.scored_phases]
    upcoming = [q.id for q in content.questions if q.phase not in pos.scored_phases]
    unanswered = [q.id for q in in_scope if q.id not in answers]

    reason_scores = [
        _reason_score(reason, in_scope, answers, content) for reason in content.reasons
    ]
    rated = [r for r in reason_scores if r.readiness is not None]
    overall = _overall_readiness(rated, content)
    weakest = min(rated, key=lambda r: r.readiness) if rated else None

    counts = _AnswerCounts.of(in_scope, answers, len(unanswered), content)
    knockouts, uncertainty = counts.knockouts, counts.uncertainty
    no_share, answered_share = counts.no_share, counts.answered_share

    decision, why = _decide(
        content=content,
        overall=overall,
        weakest=weakest,
        knockouts=knockouts,
        no_share=no_share,
        checklist_counted=counts.checklist_counted,
        uncertainty=uncertainty,
        uncertain_share=counts.uncertain_share,
        answered_share=answered_share,
        scored=len(in_scope),
        allow_stop="stop" in {content.verdicts_by_key[v].decision for v in verdict_pos.verdicts},
        position=position if late is None else "decision_point",
    )
    if late is not None:
        dp = f"{content.timeframes.decision_point_weeks:g}"
        why = content.timing.sentences.overdue.format(ago=_ago(late), dp=dp) + " " + why
    verdict = _verdict(content, verdict_pos, decision)
    return AssessmentResult(
        content_version=content.version,
        position=position,
        scored_phases=tuple(pos.scored_phases),
        reasons=reason_scores,
        overall=overall,
        weakest=weakest.key if weakest else None,
        weakest_readiness=weakest.readiness if weakest else None,
        uncertainty=uncertainty,
        knockouts=knockouts,
        verdict=verdict.key,
        verdict_label=verdict.label,
        decision=verdict.decision,
        why=why,
        actions=_actions(in_scope, answers, reason_scores, content, pos.scored_phases[-1]),
        checklist=_checklist(content, answers, pos.scored_phases),
        scored_questions=[q.id for q in in_scope],
        upcoming_questions=upcoming,
        unanswered=unanswered,
        no_share=no_share,
        answered_share=answered_share,
        readiness={r.key: r.readiness for r in reason_scores},
    )


def _known_position(content: Content, position: str):
    """The position `position` names; an unknown one is refused with the known ones listed."""
    if position not in content.positions_by_key:
        known = ", ".join(content.positions_by_key)
        raise AnswerError(f"unknown position {position!r}; use one of {known}")
    return content.positions_by_key[position]


def _overall_readiness(rated: list[ReasonScore], content: Content) -> float | None:
    """The overall readiness: the rated reasons' mean, weighted as the content file says."""
    if not rated:
        return None
    weights = {r.key: content.reasons_by_key[r.key].weight for r in rated}
    return sum(r.readiness * weights[r.key] for r in rated) / sum(weights.values())


def _verdict(content: Content, verdict_pos, decision: str):
    """The position's verdict that speaks `decision` (its last verdict when none does)."""
    verdict_key = next(
        (v for v in verdict_pos.verdicts if content.verdicts_by_key[v].decision == decision),
        verdict_pos.verdicts[-1],
    )
    return content.verdicts_by_key[verdict_key]


def _deciding_position(content: Content, fallback):
    """The first position whose verdicts speak all three decisions (the decision point)."""
    return next(
        (
            p
            for p in content.positions
            if {content.verdicts_by_key[v].decision for v in p.verdicts}
            >= {"proceed", "fix_first", "stop"}
        ),
        fallback,
    )


def _reason_score(
    reason, in_scope: list[Question], answers: Mapping[str, str], content: Content
) -> ReasonScore:
    """One reason's readiness and band over the questions in scope, with its answer counts."""
    questions = [q for q in in_scope if q.reason == reason.key]
    readiness = _weighted_readiness(questions, answers, content)
    band = content.band_for(readiness) if readiness is not None else None
    return ReasonScore(
        key=reason.key,
        title=reason.title,
        short=reason.short,
        readiness=readiness,
        risk=None if readiness is None else 100.0 - readiness,
        band=band.key if band else None,
        band_label=band.label if band else None,
        color=band.color if band else None,
        scored_questions=len(questions),
        answered=sum(1 for q in questions if q.id in answers),
        dont_know=sum(1 for q in questions if answers.get(q.id) == "dont_know"),
    )


@dataclass(frozen=True)
class _AnswerCounts:
    """What the decision rules read off the answers in scope, besides readiness."""

    knockouts: list[str]
    uncertainty: int
    checklist_counted: int
    no_share: float
    answered_share: float
    uncertain_share: float

    @classmethod
    def of(
        cls, in_scope: list[Question], answers: Mapping[str, str], unanswered: int, content: Content
    ) -> _AnswerCounts:
        rules = content.decision_rules
        knockouts = [
            q.id for q in in_scope if q.knockout and answers.get(q.id) in rules.knockout_answers
        ]
        uncertainty = sum(1 for q in in_scope if answers.get(q.id) == "dont_know")
        counted = [q for q in in_scope if answers.get(q.id) not in (None, "na")]
        checklist = [q for q in counted if q.checklist] or counted
        no_share = (
            sum(1 for q in checklist if answers[q.id] == "no") / len(checklist)
            if checklist
            else 0.0
        )
        return cls(
            knockouts=knockouts,
            uncertainty=uncertainty,
            checklist_counted=len(checklist),
            no_share=no_share,
            answered_share=(len(in_scope) - unanswered) / len(in_scope) if in_scope else 0.0,
            uncertain_share=uncertainty / len(counted) if counted else 0.0,
        )


def _weighted_readiness(
    questions: list[Question], answers: Mapping[str, str], content: Content
) -> float | None:
    total_weight = 0.0
    total = 0.0
    for q in questions:
        value = answers.get(q.id)
        option = content.answers_by_key.get(value) if value else None
        if option is None or option.score is None:
            continue
        total_weight += q.weight
        total += q.weight * option.score
    return None if total_weight == 0 else 100.0 * total / total_weight


def _label(content: Content, qid: str) -> str:
    return content.questions_by_id[qid].short_label


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# The verdict's reason ends with the next step for where the pilot stands.
_FIX_BEFORE = {
    "about_to_start": "before the pilot starts",
    "running": "before the decision is due",
}
_FIX_DEFAULT = "before committing more budget"
_NEXT_STEP = {
    "about_to_start": "Start the pilot, with the dates and targets agreed.",
    "running": "Keep going, and prepare the evidence for the decision.",
    "decision_point": "Take the decision to go ahead and start preparing production.",
}
_NEXT_DEFAULT = "Move on to the next stage."


def _decide(
    *,
    content: Content,
    overall: float | None,
    weakest,
    knockouts: list[str],
    no_share: float,
    checklist_counted: int,
    uncertainty: int,
    uncertain_share: float,
    answered_share: float,
    scored: int,
    allow_stop: bool,
    position: str = DEFAULT_POSITION,
) -> tuple[str, str]:
    """Proceed / fix first / stop, with the one or two sentences that justify it.

    Order matters: the article's rule (most checklist answers No means stop) comes first,
    then a very low score with few unknowns, then blockers, then the weakest link.
    """
    rules = content.decision_rules
    if overall is None or answered_share < rules.min_answered_share:
        answered = round(answered_share * scored)
        return (
            "fix_first",
            f"Only {answered} of {scored} questions are answered, too few to judge. "
            "Answer the rest, finding out where nobody knows, before deciding.",
        )
    weakest_text = f"{weakest.title} ({weakest.readiness:.0f}/100)"
    if allow_stop and no_share > rules.stop_no_share:
        n_no = round(no_share * checklist_counted)
        return (
            "stop",
            f"{n_no} of {checklist_counted} checklist answers are No. When most of the "
            "checklist is No, stopping now costs far less than drifting into the PoC trap.",
        )
    if (
        allow_stop
        and overall < rules.stop_below_overall
        and uncertain_share <= rules.max_uncertain_share_to_stop
    ):
        return (
            "stop",
            f"Overall readiness is {overall:.0f}/100 and the weakest link is {weakest_text}: "
            "the pilot is too far from production to justify more budget. Stop, or redesign "
            "it from the first stage.",
        )
    if knockouts:
        names = _join([_label(content, k) for k in knockouts])
        subject, pronoun = ("This blocks", "it") if len(knockouts) == 1 else ("These block", "them")
        return (
            "fix_first",
            f"Not in place: {names}. {subject} production whatever the average "
            f"({overall:.0f}/100), so fix {pronoun} {_FIX_BEFORE.get(position, _FIX_DEFAULT)}.",
        )
    if uncertain_share > rules.max_uncertain_share_to_stop:
        return (
            "fix_first",
            f"{uncertainty} answers are Don't know: too much is unknown to decide. "
            "Find out, then assess again.",
        )
    if weakest.readiness < rules.proceed_min_weakest:
        return (
            "fix_first",
            f"The weakest link is {weakest_text}, although overall readiness is "
            f"{overall:.0f}/100. A pilot fails on its weakest link: raise it first.",
        )
    if overall < rules.proceed_min_overall:
        return (
            "fix_first",
            f"Overall readiness is {overall:.0f}/100, below the {rules.proceed_min_overall:.0f} "
            f"needed to go ahead; the weakest link is {weakest_text}. Work through the top "
            "actions first.",
        )
    return (
        "proceed",
        f"Overall readiness is {overall:.0f}/100, the weakest link {weakest_text} is "
        f"acceptable and no blocker is open. {_NEXT_STEP.get(position, _NEXT_DEFAULT)}",
    )


def _actions(
    in_scope: list[Question],
    answers: Mapping[str, str],
    reasons: list[ReasonScore],
    content: Content,
    current_phase: str = "decision",
) -> list[ActionItem]:
    """Every scored answer short of Yes becomes an action, most impactful first.

    Impact is the readiness the reason would gain if the answer became Yes, amplified for
    weaker reasons; knock-outs always lead because they block whatever the average.
    """
    by_reason = {r.key: r for r in reasons}
    weight_in_reason: dict[str, float] = {}
    for q in in_scope:
        if answers.get(q.id) not in (None, "na"):
            weight_in_reason[q.reason] = weight_in_reason.get(q.reason, 0.0) + q.weight
    knockout_answers = content.decision_rules.knockout_answers
    items: list[ActionItem] = []
    for order, q in enumerate(in_scope):
        answer = answers.get(q.id)
        if answer in ("yes", "na"):
            continue
        option_score = content.answers_by_key[answer].score if answer else 0.0
        reason_readiness = by_reason[q.reason].readiness
        weight_total = weight_in_reason.get(q.reason) or q.weight
        gain = 100.0 * (1.0 - (option_score or 0.0)) * q.weight / weight_total
        weakness = 1.0 + (100.0 - (reason_readiness if reason_readiness is not None else 0.0)) / 100
        priority = gain * weakness * content.reasons_by_key[q.reason].weight
        stage = content.stage(q.stage)
        passed = PHASES.index(q.phase) < PHASES.index(current_phase)
        text = q.action.late_text if passed and q.action.late_text else q.action.text
        items.append(
            ActionItem(
                question_id=q.id,
                reason=q.reason,
                reason_title=content.reasons_by_key[q.reason].title,
                stage=q.stage,
                stage_title=stage.title,
                text=text,
                owner=q.action.owner,
                why=q.help,
                answer=answer,
                knockout=q.knockout and answer in knockout_answers,
                gain=round(gain, 1),
                priority=round(priority - order * 1e-6, 6),
            )
        )
    items.sort(key=lambda a: (not a.knockout, -a.priority, a.answer is None))
    return items


def _checklist(
    content: Content, answers: Mapping[str, str], scored_phases: tuple[str, ...]
) -> list[ChecklistStatus]:
    status_by_answer = {
        "yes": "done",
        "partly": "partly",
        "no": "missing",
        "dont_know": "unknown",
        "na": "not_applicable",
    }
    out = []
    for q in content.checklist():
        answer = answers.get(q.id)
        if q.phase not in scored_phases:
            status = "upcoming"
        else:
            status = status_by_answer.get(answer, "unanswered")
        out.append(ChecklistStatus(q.id, q.phase, q.checklist_label, answer, status))
    return out

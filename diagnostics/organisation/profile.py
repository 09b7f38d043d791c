"""The organisation's view: every pilot's answers together, and what they say about the whole.

One pilot's profile says what to fix in that pilot. The same question answered No by most
pilots says something else: that the organisation lacks a process every pilot needs (if 11 of
14 pilots have nobody who owns the production budget, the fix is one funding process, not
eleven project actions). This module scores each pilot's answers (gathered by `answers`) with
the same engine as the questionnaire, and aggregates readiness, decisions and systemic gaps
across pilots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from diagnostics.formats import UNASSIGNED
from diagnostics.framework.content import DATA_DIR, DECISION_KEYS, Content, read_data_file
from diagnostics.framework.scoring import AssessmentResult, score
from diagnostics.organisation.answers import SOURCE_LABELS, PilotAnswers

SYSTEMIC_ACTIONS_PATH = DATA_DIR / "systemic_actions.yaml"
# A question is a systemic gap when at least this share of the pilots asked answer it No or
# Don't know, and at least MIN_SYSTEMIC_PILOTS of them do (one pilot is a project problem).
SYSTEMIC_SHARE = 0.5
MIN_SYSTEMIC_PILOTS = 2
DECISION_ORDER = ("stop", "fix_first", "proceed")


# Systemic actions (companion data joined on reason key and question id) ---------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SystemicAction(_Model):
    text: str
    owner: str


class SystemicActions(_Model):
    version: str
    reasons: dict[str, SystemicAction]
    questions: dict[str, SystemicAction] = {}


def systemic_actions(content: Content, path: str | Path | None = None) -> dict[str, SystemicAction]:
    """Question id -> the organisation-level action, falling back to the question's reason."""
    actions = read_data_file(path or SYSTEMIC_ACTIONS_PATH, SystemicActions)
    resolved: dict[str, SystemicAction] = {}
    for q in content.questions:
        found = actions.questions.get(q.id) or actions.reasons.get(q.reason)
        # An organisation's own framework may name questions this file does not know yet.
        resolved[q.id] = found or SystemicAction(text=q.action.text, owner=q.action.owner)
    return resolved


# Frames -----------------------------------------------------------------------------------


# The columns that say which pilot a row of the answers or pilots frame is about.
PILOT_COLUMNS = ("pilot_key", "pilot", "business_unit", "source", "position")


def _pilot_cells(p: PilotAnswers, name: str) -> dict[str, str]:
    """The PILOT_COLUMNS of one pilot, shown as `name`."""
    return {
        "pilot_key": p.key,
        "pilot": name,
        "business_unit": p.business_unit or UNASSIGNED,
        "source": p.source,
        "position": p.position,
    }


def answers_frame(pilots: Sequence[PilotAnswers], content: Content) -> pd.DataFrame:
    """Every answer in one long table: pilot, source, question, reason, phase, answer."""
    records = [
        {
            **_pilot_cells(p, p.name),
            "question_id": qid,
            "reason": content.questions_by_id[qid].reason,
            "phase": content.questions_by_id[qid].phase,
            "answer": value,
        }
        for p in pilots
        for qid, value in p.answers.items()
        if qid in content.questions_by_id
    ]
    columns = [*PILOT_COLUMNS, "question_id", "reason", "phase", "answer"]
    return pd.DataFrame.from_records(records, columns=columns)


def _pilot_labels(pilots: Sequence[PilotAnswers]) -> dict[str, str]:
    """Names for charts and tables; two pilots of the same name are told apart by unit/key."""
    counts: dict[str, int] = {}
    for p in pilots:
        counts[p.name] = counts.get(p.name, 0) + 1
    labels = {}
    for p in pilots:
        if counts[p.name] == 1:
            labels[p.key] = p.name
        else:
            labels[p.key] = f"{p.name} ({p.business_unit or p.key})"
    seen: set[str] = set()
    for key, label in labels.items():
        if label in seen:
            labels[key] = f"{label} [{key}]"
        seen.add(labels[key])
    return labels


@dataclass(frozen=True)
class OrganisationProfile:
    """The aggregated view; every frame is plain pandas, ready to show, chart or export."""

    pilots: pd.DataFrame  # one row per pilot: readiness per reason, overall, weakest, decision
    answers: pd.DataFrame  # long: one row per answer
    reasons: pd.DataFrame  # per reason: pilots, median, mean, min, q1, q3, max, weakest_count
    pilot_matrix: pd.DataFrame  # pilots x reasons, readiness
    unit_matrix: pd.DataFrame  # business units x reasons, median readiness
    unit_pilots: pd.Series  # pilots per business unit
    decisions: pd.DataFrame  # decision, label, pilots, share
    gaps: pd.DataFrame  # per question: asked, no, dont_know, gaps, share, unblocks, action
    sources: pd.DataFrame  # source, label, pilots
    results: dict[str, AssessmentResult] = field(default_factory=dict, repr=False)

    @property
    def pilot_count(self) -> int:
        return len(self.pilots)

    @property
    def systemic_gaps(self) -> pd.DataFrame:
        return self.gaps[self.gaps["systemic"]]

    def top_gaps(self, n: int = 10) -> pd.DataFrame:
        """The systemic gaps, or when none reaches the threshold, the most frequent gaps."""
        systemic = self.systemic_gaps
        if len(systemic):
            return systemic.head(n)
        return self.gaps[self.gaps["gaps"] > 0].head(n)


def score_pilots(
    pilots: Sequence[PilotAnswers], content: Content
) -> tuple[pd.DataFrame, dict[str, AssessmentResult]]:
    """Score every pilot with the questionnaire's engine; one row per pilot."""
    labels = _pilot_labels(pilots)
    results: dict[str, AssessmentResult] = {}
    records = []
    for p in pilots:
        result = score(p.answers, content, position=p.position)
        results[p.key] = result
        record = {**_pilot_cells(p, labels[p.key]), "answered": len(p.answers)}
        for r in result.reasons:
            record[r.key] = r.readiness
        record.update(
            overall=result.overall,
            weakest=result.weakest,
            weakest_readiness=result.weakest_readiness,
            dont_know=result.uncertainty,
            blockers=len(result.knockouts),
            decision=result.decision,
            verdict=result.verdict_label,
            why=result.why,
        )
        records.append(record)
    columns = [
        *PILOT_COLUMNS,
        "answered",
        *[r.key for r in content.reasons],
        "overall",
        "weakest",
        "weakest_readiness",
        "dont_know",
        "blockers",
        "decision",
        "verdict",
        "why",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for key in [r.key for r in content.reasons] + ["overall", "weakest_readiness"]:
        frame[key] = frame[key].astype("float64")
    return frame, results


def _reason_stats(frame: pd.DataFrame, content: Content) -> pd.DataFrame:
    weakest_counts = frame["weakest"].value_counts()
    rows = []
    for reason in content.reasons:
        values = frame[reason.key].dropna()
        rows.append(
            {
                "reason": reason.key,
                "title": reason.title,
                "short": reason.short,
                "pilots": int(values.size),
                "median": values.median() if values.size else float("nan"),
                "mean": values.mean() if values.size else float("nan"),
                "min": values.min() if values.size else float("nan"),
                "q1": values.quantile(0.25) if values.size else float("nan"),
                "q3": values.quantile(0.75) if values.size else float("nan"),
                "max": values.max() if values.size else float("nan"),
                "weakest_count": int(weakest_counts.get(reason.key, 0)),
            }
        )
    return pd.DataFrame(rows)


_DECISION_RANK = {d: i for i, d in enumerate(DECISION_ORDER)}


def _gaps(
    pilots: Sequence[PilotAnswers],
    results: dict[str, AssessmentResult],
    content: Content,
) -> pd.DataFrame:
    """Per question: how many pilots answer it No or Don't know, and what closing it frees.

    `unblocks` counts the pilots for which answering Yes instead (everything else unchanged)
    removes a blocker or improves the decision; `to_proceed` those it alone would clear.
    """
    actions = systemic_actions(content)
    labels = _pilot_labels(pilots)
    rows = []
    for q in content.questions:
        counts = dict.fromkeys(("yes", "partly", "no", "dont_know", "na"), 0)
        unanswered = 0
        in_gap: list[str] = []
        unblocks = to_proceed = 0
        for p in pilots:
            result = results[p.key]
            if q.id not in result.scored_questions:
                continue
            answer = p.answers.get(q.id)
            if answer is None:
                unanswered += 1
                continue
            counts[answer] += 1
            if answer not in ("no", "dont_know"):
                continue
            in_gap.append(labels[p.key])
            if result.decision == "proceed":
                continue
            fixed = score({**p.answers, q.id: "yes"}, content, position=p.position)
            improved = _DECISION_RANK[fixed.decision] > _DECISION_RANK[result.decision]
            if improved or len(fixed.knockouts) < len(result.knockouts):
                unblocks += 1
            if fixed.decision == "proceed":
                to_proceed += 1
        asked = counts["yes"] + counts["partly"] + counts["no"] + counts["dont_know"]
        gaps = counts["no"] + counts["dont_know"]
        action = actions[q.id]
        rows.append(
            {
                "question_id": q.id,
                "reason": q.reason,
                "reason_title": content.reasons_by_key[q.reason].title,
                "label": q.short_label,
                "question": q.text,
                "knockout": q.knockout,
                "asked": asked,
                "yes": counts["yes"],
                "partly": counts["partly"],
                "no": counts["no"],
                "dont_know": counts["dont_know"],
                "na": counts["na"],
                "unanswered": unanswered,
                "gaps": gaps,
                "share": gaps / asked if asked else 0.0,
                "systemic": asked > 0
                and gaps >= MIN_SYSTEMIC_PILOTS
                and gaps / asked >= SYSTEMIC_SHARE,
                "unblocks": unblocks,
                "to_proceed": to_proceed,
                "systemic_action": action.text,
                "action_owner": action.owner,
                "pilots_with_gap": ", ".join(in_gap),
            }
        )
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(
        ["gaps", "share", "knockout", "unblocks"], ascending=[False, False, False, False]
    )
    return frame.reset_index(drop=True)


def organisation_profile(pilots: Sequence[PilotAnswers], content: Content) -> OrganisationProfile:
    """Aggregate the answers of many pilots into the organisation's risk profile."""
    pilots = list(pilots)
    frame, results = score_pilots(pilots, content)
    reason_keys = [r.key for r in content.reasons]
    pilot_matrix = frame.set_index("pilot")[reason_keys]
    grouped = frame.groupby("business_unit", sort=True)
    unit_matrix = grouped[reason_keys].median() if len(frame) else pilot_matrix.iloc[0:0]
    unit_pilots = grouped.size() if len(frame) else pd.Series(dtype="int64")
    decision_counts = frame["decision"].value_counts()
    total = len(frame)
    decisions = pd.DataFrame(
        [
            {
                "decision": d,
                "label": content.decisions_by_key[d].label,
                "pilots": int(decision_counts.get(d, 0)),
                "share": (decision_counts.get(d, 0) / total) if total else 0.0,
            }
            for d in DECISION_KEYS
        ]
    )
    source_counts = frame["source"].value_counts()
    sources = pd.DataFrame(
        [
            {"source": s, "label": SOURCE_LABELS.get(s, s.title()), "pilots": int(n)}
            for s, n in source_counts.items()
        ],
        columns=["source", "label", "pilots"],
    )
    return OrganisationProfile(
        pilots=frame,
        answers=answers_frame(pilots, content),
        reasons=_reason_stats(frame, content),
        pilot_matrix=pilot_matrix,
        unit_matrix=unit_matrix,
        unit_pilots=unit_pilots,
        decisions=decisions,
        gaps=_gaps(pilots, results, content),
        sources=sources,
        results=results,
    )


def pilot_vs_median(profile: OrganisationProfile, pilot_key: str) -> pd.DataFrame:
    """One pilot's readiness per reason beside the organisation's median (and the gap)."""
    row = profile.pilots.loc[profile.pilots["pilot_key"] == pilot_key]
    if row.empty:
        from diagnostics.errors import NotFoundError

        raise NotFoundError(f"No pilot {pilot_key!r} in the organisation's answers.")
    row = row.iloc[0]
    out = profile.reasons[["reason", "title", "short", "median"]].copy()
    out["pilot"] = [row[k] for k in out["reason"]]
    out["difference"] = out["pilot"] - out["median"]
    return out[["reason", "title", "short", "pilot", "median", "difference"]]


def profile_summary(profile: OrganisationProfile, *, gaps: int = 10) -> dict:
    """JSON-ready: per pilot readiness and decision; per reason statistics; systemic gaps."""

    def num(value: object) -> float | None:
        return None if value is None or pd.isna(value) else round(float(value), 1)

    reason_keys = list(profile.reasons["reason"])
    return {
        "pilots": [
            {
                "pilot": row["pilot"],
                "business_unit": row["business_unit"],
                "position": row["position"],
                "readiness": {k: num(row[k]) for k in reason_keys},
                "overall": num(row["overall"]),
                "weakest": row["weakest"],
                "decision": row["decision"],
                "why": row["why"],
            }
            for _, row in profile.pilots.iterrows()
        ],
        "reasons": [
            {
                "reason": row["reason"],
                "median": num(row["median"]),
                "mean": num(row["mean"]),
                "min": num(row["min"]),
                "weakest_count": int(row["weakest_count"]),
            }
            for _, row in profile.reasons.iterrows()
        ],
        "decisions": {
            row["decision"]: int(row["pilots"]) for _, row in profile.decisions.iterrows()
        },
        "systemic_gaps": [
            {
                "question_id": row["question_id"],
                "share": round(float(row["share"]), 3),
                "gaps": int(row["gaps"]),
                "asked": int(row["asked"]),
                "unblocks": int(row["unblocks"]),
                "systemic_action": row["systemic_action"],
            }
            for _, row in profile.top_gaps(gaps).iterrows()
        ],
    }


def render_profile_text(profile: OrganisationProfile, content: Content, *, gaps: int = 10) -> str:
    """The profile as plain text for the command line: per pilot, per reason, gaps."""

    def num(value: object) -> str:
        return "  –" if value is None or pd.isna(value) else f"{float(value):3.0f}"

    lines = [f"Pilots: {profile.pilot_count}", "", "Per pilot (readiness 0-100 per reason):"]
    shorts = {r.key: r.short for r in content.reasons}
    for _, row in profile.pilots.iterrows():
        unit = f" [{row['business_unit']}]" if row["business_unit"] != UNASSIGNED else ""
        found = content.decisions_by_key.get(row["decision"])
        decision = found.label if found else row["decision"]
        lines.append(f"  {row['pilot']}{unit}: {decision} (overall {num(row['overall']).strip()})")
        lines.append("    " + " · ".join(f"{shorts[k]} {num(row[k]).strip()}" for k in shorts))
    lines += ["", "Across pilots, per reason:", f"  {'reason':<24} median  mean   min  weakest for"]
    for _, row in profile.reasons.iterrows():
        lines.append(
            f"  {row['short']:<24} {num(row['median']):>6} {num(row['mean']):>5} "
            f"{num(row['min']):>5}  {int(row['weakest_count'])}"
        )
    decided = ", ".join(
        f"{row['label']} {int(row['pilots'])}" for _, row in profile.decisions.iterrows()
    )
    lines += ["", f"Decisions: {decided}", ""]
    top = profile.top_gaps(gaps)
    systemic = bool(len(profile.systemic_gaps))
    lines.append(
        "Systemic gaps (question id, share answered No or Don't know):"
        if systemic
        else "No systemic gap; the most frequent gaps (question id, share No or Don't know):"
    )
    if not len(top):
        lines.append("  none")
    for _, row in top.iterrows():
        lines.append(
            f"  {row['question_id']:<28} {row['share']:>4.0%} ({int(row['gaps'])} of "
            f"{int(row['asked'])}), frees {int(row['unblocks'])}: {row['systemic_action']}"
        )
    return "\n".join(lines)

"""Exports: the workshop as tables, as a workbook and as a self-contained HTML report.

Everything is read in one transaction, so the tables agree with each other; every text cell
of the workbook is neutralised against formulas and every string of the HTML escaped.
Exporting only reads: a report taken while people vote is a snapshot (it says so, with the
minute it was taken) and changes nothing the phones or the shared screen look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from pandas.api.types import is_numeric_dtype

from diagnostics.framework.content import Content
from diagnostics.render import html
from diagnostics.render.workbook import workbook_bytes
from diagnostics.storage import store
from diagnostics.storage.models import utcnow
from diagnostics.storage.rows import as_utc
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.consensus import read_consensus, score_consensus
from diagnostics.workshop.figures import answer_colors
from diagnostics.workshop.records import (
    ANSWER_ORDER,
    MIN_ANSWERS_SHOWN,
    ROLES,
    load_state,
)
from diagnostics.workshop.results import compute_results, participants_table
from diagnostics.workshop.rounds import agreement_change

SNAPSHOT = "Snapshot"


def _minute(moment) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def snapshot_note(taken_at: datetime) -> str:
    """What a report taken while people still vote holds: the answers given until then."""
    return f"So far: the answers given until {_minute(taken_at)}, while the workshop runs"


def _role_counts(by_role: dict[str, int]) -> list[dict]:
    """People per role; roles of fewer than MIN_ANSWERS_SHOWN people are counted together,
    so the count can never be matched with a role split."""
    rows, small = [], 0
    for key, label in [*ROLES.items(), ("unstated", "Not stated")]:
        n = by_role.get(key, 0)
        if n >= MIN_ANSWERS_SHOWN:
            rows.append({"Role": label, "People": n})
        else:
            small += n
    if small:
        rows.append(
            {"Role": f"Other roles (fewer than {MIN_ANSWERS_SHOWN} people each)", "People": small}
        )
    return rows


def results_frames(
    fac: Facilitator, content: Content, taken_at: datetime | None = None
) -> dict[str, pd.DataFrame]:
    """The workshop as tables with plain headers: summary, people, distributions, the role
    split (only where it keeps everyone anonymous), disagreement, agreed answers, actions.
    While the workshop runs, the summary says the tables are a snapshot taken at `taken_at`
    (now unless given)."""
    taken_at = taken_at or utcnow()
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session)
        state = load_state(session, row, content)
        results = compute_results(session, row, content)
        agreed = read_consensus(session, row)
        people = participants_table(session, row)
        ended_at = row.ended_at
    labels = {a.key: a.label for a in content.answer_scale}
    answer_columns = [labels[k] for k in ANSWER_ORDER]
    summary = _summary_rows(state, results, agreed, ended_at, content, taken_at)
    distribution = [_distribution_row(q, labels) for q in results.questions]
    voted_again = [q for q in results.questions if q.earlier]
    if voted_again:  # say which round the distribution is, and keep the earlier ones apart
        distribution = [
            {"Question": record["Question"], "Round": q.round, **record}
            for record, q in zip(distribution, results.questions, strict=True)
        ]
    by_role = [
        {
            "Question": q.label,
            "Role": ROLES[role],
            **{labels[k]: counts.get(k, 0) for k in ANSWER_ORDER},
        }
        for q in results.questions
        for role, counts in q.by_role.items()
    ]
    ranking = [
        {"Rank": i, "Question": q.label, "Disagreement": round(q.disagreement)}
        for i, q in enumerate(results.ranking, 1)
    ]
    short = {qid: content.questions_by_id[qid].short_label for qid in state.question_ids}
    agreed_rows = [
        {"Question": short[qid], "Agreed answer": labels.get(agreed.answers.get(qid))}
        for qid in state.question_ids
    ]
    action_rows = [
        {
            "Question": short.get(a.question_id, "") if a.question_id else "",
            "Action": a.text,
            "Owner": a.owner,
            "Due": a.due_date,
        }
        for a in agreed.actions
    ]
    frames = {
        "Summary": pd.DataFrame(summary, columns=["Item", "Value"]).astype(object),
        "Roles": pd.DataFrame(
            _role_counts(results.participants_by_role), columns=["Role", "People"]
        ),
        "Distribution": _whole(
            pd.DataFrame(distribution), ["Round", "Answers", *answer_columns, "Disagreement"]
        ),
        **_rounds_frame(voted_again, labels, answer_columns),
        "By role": _whole(
            pd.DataFrame(by_role, columns=["Question", "Role", *answer_columns]), answer_columns
        ),
        "Disagreement": _whole(
            pd.DataFrame(ranking, columns=["Rank", "Question", "Disagreement"]),
            ["Rank", "Disagreement"],
        ),
        "Agreed answers": pd.DataFrame(agreed_rows, columns=["Question", "Agreed answer"]),
        "Actions": pd.DataFrame(action_rows, columns=["Question", "Action", "Owner", "Due"]),
    }
    if state.ask_names:  # names only when the facilitator asked for them; never with roles
        names = pd.DataFrame(
            {
                "Participant": people["participant"],
                "Joined": [_minute(t) for t in people["joined_at"]],
            }
        )
        frames = {"Summary": frames.pop("Summary"), "Participants": names, **frames}
    return frames


def _summary_rows(
    state, results, agreed, ended_at, content: Content, taken_at: datetime
) -> list[tuple[str, object]]:
    """The summary sheet: the pilot, when, who and how much, and the agreed decision."""
    summary: list[tuple[str, object]] = [
        ("Pilot", state.pilot_name),
        ("Started", _minute(state.created_at)),
        ("Ended", _minute(ended_at) or "Still running"),
    ]
    if ended_at is None:
        summary.append((SNAPSHOT, snapshot_note(taken_at)))
    summary += [
        ("Participants", results.participants),
        ("Questions", len(state.question_ids)),
        ("Answers given", sum(q.answers for q in results.questions)),
        *_revote_summary(results),
        ("Agreed answers", f"{len(agreed.answers)} of {len(state.question_ids)}"),
    ]
    result = score_consensus(agreed, content, state.position)
    if result is not None:
        summary += [("Decision", result.verdict_label), ("Why", result.why)]
        if result.overall is not None:
            summary.append(("Overall readiness", f"{result.overall:.0f} / 100"))
    summary.append(
        ("Disagreement index", "How widely answers spread: 0 = all agree, 100 = even Yes/No split")
    )
    return summary


def _revote_summary(results) -> list[tuple[str, object]]:
    """The questions the group voted on again, and the earlier answers kept."""
    again = [q for q in results.questions if q.earlier]
    if not again:
        return []
    kept = sum(e.answers for q in again for e in q.earlier)
    questions = "question" if len(again) == 1 else "questions"
    return [("Voted again after discussion", f"{len(again)} {questions} ({kept} earlier answers)")]


def _rounds_frame(voted_again, labels: dict[str, str], answer_columns) -> dict[str, pd.DataFrame]:
    """Every round of the questions voted again, each under the anonymity rule, with how
    agreement changed in words on the latest round's row; no sheet when nobody voted again."""
    if not voted_again:
        return {}
    rows = []
    for q in voted_again:
        for earlier in q.earlier:
            rows.append({**_distribution_row(earlier, labels), "Round": earlier.round})
        change = agreement_change(q.previous, q, labels)
        rows.append({**_distribution_row(q, labels), "Round": q.round, "Change": change})
    columns = ["Question", "Round", "Answers", *answer_columns, "Disagreement", "Majority"]
    frame = pd.DataFrame(rows).reindex(columns=[*columns, "Note", "Change"])
    return {"Rounds": _whole(frame, ["Round", "Answers", *answer_columns, "Disagreement"])}


def _distribution_row(q, labels: dict[str, str]) -> dict[str, object]:
    """One question's answers; counts hidden where fewer than the minimum answered."""
    record: dict[str, object] = {"Question": q.label, "Answers": q.answers}
    for key in ANSWER_ORDER:
        record[labels[key]] = q.counts.get(key) if q.shown else None
    record["Disagreement"] = None if q.disagreement is None else round(q.disagreement)
    record["Majority"] = labels.get(q.majority) if q.majority and q.shown else None
    if q.answers == 0:
        record["Note"] = "No answers"
    elif not q.shown:
        record["Note"] = f"Not shown: fewer than {MIN_ANSWERS_SHOWN} answers"
    else:
        record["Note"] = None
    return record


def _whole(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts as whole numbers (a missing count stays empty instead of turning 3 into 3.0)."""
    for column in columns:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def export_xlsx(fac: Facilitator, content: Content) -> bytes:
    """The workshop report as a laid-out workbook; every text cell neutralised against formulas."""
    return workbook_bytes(results_frames(fac, content))


@dataclass(frozen=True)
class ReportSnapshot:
    """The workshop report as it stood at `taken_at`, as a workbook and an HTML page read in
    one transaction (so the two files hold the same votes)."""

    taken_at: datetime
    ended: bool
    participants: int
    answers: int
    xlsx: bytes
    html: str


def report_snapshot(fac: Facilitator, content: Content) -> ReportSnapshot:
    """Both report files from one read of the workshop; only reads, so the room is untouched."""
    taken_at = utcnow()
    frames = results_frames(fac, content, taken_at)
    summary = dict(zip(frames["Summary"]["Item"], frames["Summary"]["Value"], strict=True))
    return ReportSnapshot(
        taken_at=taken_at,
        ended=SNAPSHOT not in summary,
        participants=int(summary["Participants"]),
        answers=int(summary["Answers given"]),
        xlsx=workbook_bytes(frames),
        html=_report_page(frames, content),
    )


def _bars(frame: pd.DataFrame, content: Content) -> str:
    """Each shown question's answers as one stacked bar in the answer colours (plain HTML)."""
    colors = answer_colors(content)
    labels = {a.key: a.label for a in content.answer_scale}
    rows = []
    for record in frame.to_dict("records"):
        counts = {k: record.get(labels[k]) for k in ANSWER_ORDER}
        if any(pd.isna(v) for v in counts.values()) or not record["Answers"]:
            continue
        total = sum(int(v) for v in counts.values()) or 1
        parts = "".join(
            f"<span style='flex:{int(n)};background:{colors[k]}' title='{html.e(labels[k])}'>"
            f"{html.e(labels[k])} {int(n)}</span>"
            for k, n in counts.items()
            if n
        )
        which = f", round {int(record['Round'])}" if not pd.isna(record.get("Round")) else ""
        rows.append(
            f"<div class='dist'><div class='q'>{html.e(record['Question'])} "
            f"<span class='small'>({total} answers{which}, disagreement "
            f"{html.e(record['Disagreement'])})</span></div><div class='bar'>{parts}</div></div>"
        )
    if not rows:
        return "<p>No question has enough answers to show.</p>"
    style = (
        "<style>.dist{margin:6px 0 10px;break-inside:avoid}.dist .bar{display:flex;"
        "border-radius:4px;overflow:hidden;font-size:.85rem;color:#fff;font-weight:600}"
        ".dist .bar span{padding:3px 6px;white-space:nowrap;overflow:hidden;min-width:2.2em}"
        "</style>"
    )
    return style + "".join(rows)


def report_html(fac: Facilitator, content: Content) -> str:
    """A self-contained HTML report on the shared rendering layer; every string escaped."""
    return _report_page(results_frames(fac, content), content)


def _report_page(frames: dict[str, pd.DataFrame], content: Content) -> str:
    summary = dict(zip(frames["Summary"]["Item"], frames["Summary"]["Value"], strict=True))
    title = f"Workshop: {summary['Pilot']}"
    snapshot = (
        f"<p class='meta' id='snapshot'><strong>{html.e(summary[SNAPSHOT])}</strong></p>"
        if SNAPSHOT in summary
        else ""
    )
    parts = [
        f"<header><h1 id='workshop-title'>{html.e(title)}</h1>"
        f"<p class='meta'>{html.e(summary['Started'])} · {html.e(summary['Participants'])} "
        f"participants · {html.e(summary['Answers given'])} answers</p>{snapshot}</header>"
    ]
    for name, frame in frames.items():
        parts.append(f"<h2>{html.e(name)}</h2>")
        if name == "Rounds":
            parts.append(
                "<p>The questions the group voted on again after discussing the results: "
                "every round, each shown only with at least three answers.</p>"
            )
        if name in ("Distribution", "Rounds"):
            parts.append(_bars(frame, content))
        if name == "Rounds":  # the change in words under the bars, not in a wide column
            changes = [
                f"<li><strong>{html.e(r['Question'])}</strong>: {html.e(r['Change'])}</li>"
                for r in frame.to_dict("records")
                if isinstance(r.get("Change"), str)
            ]
            parts.append(f"<ul class='changes'>{''.join(changes)}</ul>")
            frame = frame.drop(columns=["Change"]).dropna(axis="columns", how="all")
        if frame.empty:
            parts.append("<p>Nothing recorded.</p>")
            continue
        numeric = [i for i, c in enumerate(frame.columns) if is_numeric_dtype(frame[c])]
        rows = (["" if pd.isna(v) else v for v in r] for r in frame.itertuples(index=False))
        parts.append(html.table(list(frame.columns), rows, numeric=numeric))
    parts.append(html.credit(content))
    return html.document(title, "workshop report", parts)

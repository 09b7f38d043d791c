"""Exports: the workshop as tables, as a workbook and as a self-contained HTML report.

Everything is read in one transaction, so the tables agree with each other; every text cell
of the workbook is neutralised against formulas and every string of the HTML escaped.
"""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_numeric_dtype

from diagnostics.framework.content import Content
from diagnostics.render import html
from diagnostics.render.workbook import workbook_bytes
from diagnostics.storage import store
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.consensus import read_consensus, score_consensus
from diagnostics.workshop.records import ANSWER_ORDER, MIN_ANSWERS_SHOWN, ROLES, load_state
from diagnostics.workshop.results import compute_results, participants_table


def results_frames(fac: Facilitator, content: Content) -> dict[str, pd.DataFrame]:
    """The workshop as tables: summary, participants, distributions, roles, agreement, actions."""
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session)
        state = load_state(session, row, content)
        results = compute_results(session, row, content)
        agreed = read_consensus(session, row)
        participants = participants_table(session, row)
    result = score_consensus(agreed, content, state.position)
    labels = {a.key: a.label for a in content.answer_scale}
    summary = [
        ("Workshop", state.title),
        ("Pilot", state.pilot_name),
        ("Started", state.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Participants", results.participants),
        ("Questions", len(state.question_ids)),
        ("Agreed answers", len(agreed.answers)),
        ("Disagreement index", "Spread of answer scores, 0 = all agree, 100 = even Yes/No split"),
    ]
    if result is not None:
        summary += [
            ("Decision", result.verdict_label),
            ("Why", result.why),
            ("Overall readiness", None if result.overall is None else round(result.overall, 1)),
        ]
    distribution = []
    for q in results.questions:
        record = {"question_id": q.question_id, "question": q.label, "answers": q.answers}
        for key in ANSWER_ORDER:
            record[labels[key]] = q.counts.get(key) if q.shown else None
        record["disagreement_index"] = None if q.disagreement is None else round(q.disagreement, 1)
        record["majority"] = labels.get(q.majority) if q.majority else None
        record["note"] = None if q.shown else f"fewer than {MIN_ANSWERS_SHOWN} answers"
        distribution.append(record)
    by_role = [
        {
            "question_id": q.question_id,
            "role": ROLES[role],
            **{labels[k]: counts.get(k, 0) for k in ANSWER_ORDER},
        }
        for q in results.questions
        for role, counts in q.by_role.items()
    ]
    ranking = [
        {"rank": i, "question": q.label, "disagreement_index": round(q.disagreement, 1)}
        for i, q in enumerate(results.ranking, 1)
    ]
    agreed_rows = [
        {
            "question_id": qid,
            "question": content.questions_by_id[qid].short_label,
            "agreed_answer": labels.get(agreed.answers.get(qid)),
        }
        for qid in state.question_ids
    ]
    action_rows = [
        {"question_id": a.question_id, "action": a.text, "owner": a.owner, "due_date": a.due_date}
        for a in agreed.actions
    ]
    return {
        "Summary": pd.DataFrame(summary, columns=["item", "value"]).astype(object),
        "Participants": participants,
        "Distribution": pd.DataFrame(distribution),
        "By role": pd.DataFrame(
            by_role, columns=["question_id", "role", *[labels[k] for k in ANSWER_ORDER]]
        ),
        "Disagreement": pd.DataFrame(ranking, columns=["rank", "question", "disagreement_index"]),
        "Agreed answers": pd.DataFrame(agreed_rows),
        "Actions": pd.DataFrame(
            action_rows, columns=["question_id", "action", "owner", "due_date"]
        ),
    }


def export_xlsx(fac: Facilitator, content: Content) -> bytes:
    """The workshop report as a laid-out workbook; every text cell neutralised against formulas."""
    return workbook_bytes(results_frames(fac, content))


def report_html(fac: Facilitator, content: Content) -> str:
    """A self-contained HTML report on the shared rendering layer; every string escaped."""
    frames = results_frames(fac, content)
    title = str(frames["Summary"].iloc[0].iloc[1])
    parts = [f"<header><h1 id='workshop-title'>{html.e(title)}</h1></header>"]
    for name, frame in frames.items():
        parts.append(f"<h2>{html.e(name)}</h2>")
        if frame.empty:
            parts.append("<p>Nothing recorded.</p>")
            continue
        numeric = [i for i, c in enumerate(frame.columns) if is_numeric_dtype(frame[c])]
        parts.append(
            html.table(list(frame.columns), frame.itertuples(index=False), numeric=numeric)
        )
    parts.append(html.credit(content))
    return html.document(title, "workshop report", parts)

"""The calls into the portfolio analysis, cost model, dashboard page and workshop engine.

Kept apart from `measure.py` because they follow those modules' public functions: when one
is missing, `NotAvailable` says so and the benchmark reports "not available" for that row.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bench.apptest import app_on
from bench.measure import repeat, require

REPO_ROOT = Path(__file__).resolve().parent.parent


def aggregates_and_cost(frame: pd.DataFrame) -> Callable[[], object]:
    """Everything the portfolio and cost pages compute from a frame: the analysis (KPIs,
    funnel, units, technologies, matrix, recommendations), the cost of the trap and the
    stop-now scenario on the review's "stop" recommendations."""
    from diagnostics.framework.content import load_content

    analysis = require("diagnostics.portfolio.analysis", "analyse_portfolio")
    cost = require("diagnostics.cost", "compute_cost", "CostAssumptions", "stop_now")
    content = load_content()
    assumptions = cost.CostAssumptions.from_content(content)

    def run() -> object:
        result = analysis.analyse_portfolio(frame, content, as_of=assumptions.as_of)
        costed = cost.compute_cost(frame, assumptions)
        stop = (result.pilots["recommendation"] == "stop").reindex(frame.index, fill_value=False)
        scenario = cost.stop_now(frame, assumptions, stop)
        return result, costed, scenario

    return run


def dashboard_rerun(url: str, repeats: int) -> dict[str, float]:
    """AppTest of pages/portfolio.py on a database holding the portfolio: the first run
    (cold caches), then `repeats` reruns with nothing changed (warm caches)."""
    with app_on(url) as open_app:
        at = open_app(timeout=120)
        started = time.perf_counter()
        at.switch_page("pages/portfolio.py").run()
        first = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"the page raised: {at.exception[0].value}")
        warm = repeat(at.run, repeats)
        if at.exception:
            raise RuntimeError(f"the page raised on a rerun: {at.exception[0].value}")
        errors = [e.value for e in at.error]
        return {
            "first_run_s": round(first, 3),
            "warm_rerun_s": round(warm.median, 3),
            "warm_rerun_cpu_s": round(warm.cpu_median, 3),
            "warm_runs_s": [round(r, 3) for r in warm.runs],
            "errors_shown": errors,
        }


def _workshop_engine():
    """The workshop engine's module, with the public functions the rounds below call."""
    return require(
        "diagnostics.workshop",
        "create_workshop",
        "facilitator",
        "join_workshop",
        "cast_vote",
        "live_status",
    )


def _open_room(ws, engine, content, pilot_name: str, participants: int, prefix: str):
    """A workshop run at the room's pace, its facilitator and state, and `participants`
    people joined (each with its own client key)."""
    created = ws.create_workshop(engine, content, pilot_name=pilot_name, pacing="all")
    fac, state = ws.facilitator(engine, created.facilitator_token), created.state
    people = [
        ws.join_workshop(engine, state.code, ws.client_key(f"{prefix}-{i}"))
        for i in range(participants)
    ]
    return fac, state, people


def _vote(ws, engine, content, person, question_id: str, value: str) -> None:
    """One participant's vote, as the phone page casts it."""
    ws.cast_vote(
        engine,
        content,
        workshop_id=person.workshop_id,
        participant_token=person.token,
        question_id=question_id,
        value=value,
    )


def workshop_round(url: str, participants: int) -> dict[str, float]:
    """A burst round through the workshop engine's public functions: `participants` people
    (one thread each, as each browser session has its own server thread) answer every
    question as fast as the database takes it, while the presenter's live query runs back to
    back. Reported: the time until the presenter sees every vote, and per vote the time from
    the participant's click (the vote call starting) until a presenter query that began after
    the vote was committed has returned: an upper bound on what the presenter waits for it.
    """
    import bisect
    import threading

    from diagnostics.framework.content import load_content
    from diagnostics.storage import store

    ws = _workshop_engine()
    content = load_content()
    engine = store.make_engine(url)
    try:
        fac, state, people = _open_room(
            ws, engine, content, "Benchmark round", participants, "bench"
        )
        questions = list(state.question_ids)
        expected = participants * len(questions)
        keys = ("yes", "partly", "no", "dont_know")
        votes: list[tuple[float, float]] = []
        polls: list[tuple[float, float, int]] = []
        lock = threading.Lock()
        go = threading.Barrier(participants + 1)
        done = threading.Event()

        def participant(index: int) -> None:
            person, mine = people[index], []
            go.wait()
            for j, qid in enumerate(questions):
                began = time.perf_counter()
                _vote(ws, engine, content, person, qid, keys[(index + j) % len(keys)])
                mine.append((began, time.perf_counter()))
            with lock:
                votes.extend(mine)

        def presenter() -> None:
            go.wait()
            while not done.is_set():
                began = time.perf_counter()
                total = ws.live_status(fac, content).total_votes
                polls.append((began, time.perf_counter(), total))
                if total >= expected:
                    return

        threads = [threading.Thread(target=participant, args=(i,)) for i in range(participants)]
        watcher = threading.Thread(target=presenter)
        for t in [*threads, watcher]:
            t.start()
        go_time = time.perf_counter()
        for t in threads:
            t.join()
        last_vote = max(end for _, end in votes)
        watcher.join(timeout=120)
        done.set()
    finally:
        engine.dispose()
    if not polls or polls[-1][2] < expected:
        raise RuntimeError(f"the presenter saw {polls[-1][2] if polls else 0} of {expected}")
    starts = [p[0] for p in polls]
    latencies = []
    for began, committed in votes:
        # The last poll saw every vote, even one whose call returned just after it began.
        k = min(bisect.bisect_left(starts, committed), len(polls) - 1)
        latencies.append(polls[k][1] - began)
    latencies.sort()
    all_seen = polls[-1][1]
    return {
        "participants": participants,
        "questions": len(questions),
        "votes": expected,
        "round_s": round(last_vote - go_time, 3),
        "all_votes_visible_s": round(all_seen - go_time, 3),
        "votes_per_second": round(expected / (last_vote - go_time), 1),
        "vote_visible_s": round(latencies[-1], 3),
        "vote_visible_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "vote_visible_median_s": round(statistics.median(latencies), 3),
        "vote_call_median_s": round(statistics.median(e - b for b, e in votes), 3),
        "presenter_query_median_ms": round(1000 * statistics.median(e - b for b, e, _ in polls), 1),
    }


def workshop_paced(url: str, participants: int, questions: int = 8) -> dict[str, float]:
    """A facilitated round: for each of the first `questions` questions the whole room votes
    at the same moment (the facilitator has just shown it), and the presenter's live query
    polls until it counts all `participants` votes. Reported per question: the time from the
    room's tap to the presenter's count being complete."""
    import threading

    from diagnostics.framework.content import load_content
    from diagnostics.storage import store

    ws = _workshop_engine()
    content = load_content()
    engine = store.make_engine(url)
    complete: list[float] = []
    try:
        fac, state, people = _open_room(
            ws, engine, content, "Benchmark paced", participants, "paced"
        )
        for qid in list(state.question_ids)[:questions]:
            go = threading.Barrier(participants + 1)

            def vote(person, qid=qid, go=go) -> None:
                go.wait()
                _vote(ws, engine, content, person, qid, "partly")

            threads = [threading.Thread(target=vote, args=(p,)) for p in people]
            for t in threads:
                t.start()
            go.wait()
            tapped = time.perf_counter()
            while ws.live_status(fac, content).votes_per_question[qid] < participants:
                if time.perf_counter() - tapped > 120:
                    raise RuntimeError(f"question {qid}: votes still missing after 120 s")
            complete.append(time.perf_counter() - tapped)
            for t in threads:
                t.join()
    finally:
        engine.dispose()
    return {
        "questions": len(complete),
        "room_visible_median_s": round(statistics.median(complete), 3),
        "room_visible_max_s": round(max(complete), 3),
    }

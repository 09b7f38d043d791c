"""Push / fix / stop for every pilot of a portfolio, each with its one-line reason, and the
readiness × value quadrants they start from.

The rules are an ordered table (first match wins), evaluated on whole columns at once; each
distinct reason is formatted once, so 100,000 pilots cost a few hundred string formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostics.framework.content import Content

if TYPE_CHECKING:
    from diagnostics.portfolio.analysis import MatrixThresholds

QUADRANTS: dict[str, str] = {
    "scale_now": "Scale now",
    "fix_blockers": "Fix blockers",
    "rethink": "Rethink",
    "stop": "Stop",
}
RECOMMENDATIONS: dict[str, str] = {
    "push": "Push",
    "fix": "Fix",
    "stop": "Stop",
    "decide_now": "Decide now",
    "assess": "Assess",
    "none": "No action",
}
# the pilot table shows decisions first
ACTION_ORDER = ("stop", "decide_now", "push", "fix", "assess", "none")
# An assessment's proceed / fix first / stop, as the portfolio's push / fix / stop.
DECISION_TO_RECOMMENDATION = {"proceed": "push", "fix_first": "fix", "stop": "stop"}
# An assessment's call stands in the portfolio; where the matrix, which also weighs the
# expected value, would say otherwise, its reason says so in the quadrant's words.
MATRIX_DIFFERS: dict[tuple[str, str], str] = {
    ("proceed", "rethink"): "In the matrix it sits in Rethink, its expected value below the "
    "portfolio median: state the business case as you plan the move.",
    ("fix_first", "stop"): "In the matrix it sits in Stop, not ready and its expected value "
    "below the portfolio median: if fixing it costs more than it returns, stop it.",
    ("stop", "fix_blockers"): "In the matrix it sits in Fix blockers, its expected value above "
    "the portfolio median: the need remains, so keep what was learned for a new attempt.",
}


def ready_on_scores(
    ready: np.ndarray, weakest: np.ndarray | None, min_overall: float, min_weakest: float
) -> np.ndarray:
    """Ready as an assessment counts it, from scores alone: the overall readiness reaches
    `min_overall` and the weakest known reason (`weakest`, its score; NaN or None when no
    reason is known apart) reaches `min_weakest`. False where the readiness is unknown."""
    with np.errstate(invalid="ignore"):
        ready_ok = ready >= min_overall
        if weakest is not None:
            ready_ok &= ~(weakest < min_weakest)
    return ready_ok


def quadrants(
    ready: pd.Series,
    value: pd.Series,
    in_matrix: pd.Series,
    thresholds: MatrixThresholds,
    decided: pd.Series | None = None,
    weakest: pd.Series | None = None,
) -> pd.Series:
    """scale_now / fix_blockers / rethink / stop for pilots with a readiness and a value.

    Ready means what the recommendation means by it: an assessed pilot (`decided`: proceed /
    fix_first / stop, NA where none) is ready when its assessment says proceed (which also
    asks for no blocker and no weak link), any other when its readiness reaches the
    threshold and its weakest known reason (`weakest`, the lowest reason score) reaches the
    weakest-reason threshold.
    """
    keys = list(QUADRANTS)
    code = np.full(len(ready), -1)
    if thresholds.value is not None:
        r = ready.to_numpy(dtype="float64")
        v = value.to_numpy(dtype="float64")
        rated = np.asarray(in_matrix) & ~np.isnan(r) & ~np.isnan(v)
        s = None if weakest is None else weakest.to_numpy(dtype="float64")
        is_ready = ready_on_scores(r, s, thresholds.readiness, thresholds.weakest)
        with np.errstate(invalid="ignore"):
            valuable = v >= thresholds.value
        if decided is not None:
            has = decided.notna().to_numpy()
            is_ready = np.where(has, decided.astype(object).to_numpy() == "proceed", is_ready)
        code = np.select(
            [
                rated & is_ready & valuable,
                rated & ~is_ready & valuable,
                rated & is_ready & ~valuable,
                rated & ~is_ready & ~valuable,
            ],
            list(range(4)),
            default=-1,
        )
    return pd.Series(pd.Categorical.from_codes(code, keys), index=ready.index)


def _whole_numbers(values: np.ndarray) -> np.ndarray:
    """Numbers rounded half up to whole numbers (64.5 -> 65), -1 where missing."""
    rounded = np.floor(np.nan_to_num(values, nan=-1.0) + 0.5)
    return np.where(np.isnan(values), -1, rounded).astype("int64")


def _fill_template(
    template: str,
    r: np.ndarray,
    w: np.ndarray,
    k: np.ndarray,
    k_names: list[str],
    fixed: dict[str, object] | None = None,
    s: np.ndarray | None = None,
    k_titles: list[str] | None = None,
) -> tuple[list[str], np.ndarray]:
    """`template` filled in for each row, formatting each distinct combination only once:
    the distinct texts, and for each row the position of its text among them.

    `r`, `w` and `s` (the weakest reason's score) are whole numbers (-1 when missing), `k`
    small integer codes of the weakest reason, named in lower case ({k}, `k_names`) or as
    titled ({reason}, `k_titles`); the template uses any of {r}, {w}, {s}, {k} and {reason},
    the values of `fixed`, and {left} (weeks left to the decision point) and {times} (weeks
    as a multiple of the path), which follow from {w}.
    """
    fixed = dict(fixed or {})
    s = np.full(len(r), -1, dtype="int64") if s is None else s
    titles = k_names if k_titles is None else k_titles
    key = np.zeros(len(r), dtype="int64")
    if "{r}" in template:
        key = key * 1_000 + (r + 1)
    if any(f"{{{name}}}" in template for name in ("w", "left", "times")):
        key = key * 1_000_000 + (w + 1)
    if "{k}" in template or "{reason}" in template:
        key = key * 100 + k
    if "{s}" in template:
        key = key * 1_000 + (s + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    dp = float(fixed.get("dp", 0) or 0)
    path = float(fixed.get("path", 1) or 1)
    texts = [
        template.format(
            r="?" if r[i] < 0 else r[i],
            w="?" if w[i] < 0 else w[i],
            s="?" if s[i] < 0 else s[i],
            k=k_names[k[i]],
            reason=titles[k[i]],
            left=f"{max(dp - w[i], 0):g}" if w[i] >= 0 else "?",
            times=f"{w[i] / path:.0f}" if w[i] >= 0 else "?",
            **fixed,
        )
        for i in first.tolist()
    ]
    return texts, inverse.reshape(-1)


def _rules(
    stages: pd.Series,
    r_values: np.ndarray,
    s_values: np.ndarray,
    w_values: np.ndarray,
    quad: np.ndarray,
    decision: np.ndarray,
    content: Content,
) -> list[tuple[str, np.ndarray, str]]:
    """The rules in order, each (recommendation, the rows it matches, its sentence)."""
    rules = content.decision_rules
    timed = content.unassessed_decisions
    said = timed.sentences
    weak = content.weak_link.sentences
    in_stop = ("fix_first", "stop")
    decision_weeks = content.timeframes.decision_point_weeks
    path_weeks = content.timeframes.recommended_path_weeks
    dp = f"{decision_weeks:g}"
    live = (stages == "production").to_numpy()
    retired = (stages == "retired").to_numpy()
    active = ~(live | retired)
    has_r = ~np.isnan(r_values)
    not_started = (stages == "idea").to_numpy()
    unknown_stage = (stages == "unknown").to_numpy()
    undated = np.isnan(w_values)
    with np.errstate(invalid="ignore"):
        late = w_values > decision_weeks
        far_past = w_values > path_weeks * timed.stop_after_path_times
        low = has_r & (r_values < rules.stop_below_overall)
    ready_ok = ready_on_scores(
        r_values, s_values, rules.proceed_min_overall, rules.proceed_min_weakest
    )
    # ready on the average, held back by its weakest reason
    held = has_r & (r_values >= rules.proceed_min_overall) & ~ready_ok
    return [
        ("none", live, "Live: keep tracking its use and the value it delivers."),
        ("none", retired, "Stopped or retired."),
        ("stop", active & (decision == "stop"), "{why}"),
        ("push", active & (decision == "proceed"), "{why}"),
        ("fix", active & (decision == "fix_first"), "{why}"),
        # held back by one reason: fix first, as an assessment would say, with the matrix's
        # view where it sits in Stop
        ("fix", active & held & (quad == "stop"), f"{weak.fix} {MATRIX_DIFFERS[in_stop]}"),
        ("fix", active & held, weak.fix),
        (
            "stop",
            active & (quad == "stop"),
            "Readiness {r}/100 and an expected value below the portfolio median: stop it "
            "and keep what was learned.",
        ),
        (
            "stop",
            active & low & late,
            "{w} weeks in, past the " + dp + "-week decision point, with readiness {r}/100: "
            "stop it now rather than later.",
        ),
        (
            "push",
            active & (quad == "scale_now"),
            "Readiness {r}/100 and an above-median expected value: plan the move to production.",
        ),
        (
            "fix",
            active & (quad == "fix_blockers"),
            "Above-median expected value but readiness {r}/100: fix {k} first.",
        ),
        (
            "fix",
            active & (quad == "rethink"),
            "Ready ({r}/100) but the expected value is below the portfolio median: sharpen "
            "the business case before scaling.",
        ),
        (
            "push",
            active & ready_ok,
            "Readiness {r}/100: plan the move to production, and state its expected value.",
        ),
        ("fix", active & has_r, "Readiness {r}/100: fix {k} first."),
        ("assess", active & not_started, said.assess_not_started),
        ("assess", active & unknown_stage, said.assess_unknown_stage),
        ("assess", active & undated, said.assess_no_start),
        ("stop", active & far_past, said.stop_candidate),
        ("decide_now", active & late, said.decide_now),
        ("assess", active, said.assess_before),
    ]


def _with_matrix(why: str, decision: str, quadrant: object) -> str:
    """An assessment's reason, with the matrix's other view when its quadrant differs."""
    differs = MATRIX_DIFFERS.get((decision, str(quadrant)))
    return f"{why} {differs}" if differs else why


def recommend(
    stages: pd.Series,
    ready: pd.Series,
    weakest: pd.Series,
    quadrant: pd.Series,
    weeks: pd.Series,
    content: Content,
    decided: pd.Series | None = None,
    decided_why: pd.Series | None = None,
    weakest_score: pd.Series | None = None,
) -> tuple[pd.Series, pd.Series]:
    """push / fix / stop / decide now / assess (or none for live and retired pilots) with a
    one-line reason each.

    The rules, first match wins: live or retired pilots need no action; an assessment's own
    decision (`decided`: proceed / fix_first / stop per row, NA where none) stands as push /
    fix / stop, its reason followed by the matrix's view where the quadrant differs
    (`MATRIX_DIFFERS`); the stop quadrant stops; a pilot past the decision point with
    readiness below the stop threshold stops; then the quadrants (scale now pushes, fix
    blockers and rethink fix); without a value, readiness alone decides push or fix. Ready
    means what an assessment means (`ready_on_scores`): the overall readiness reaches
    proceed's and so does the weakest known reason (`weakest_score`); one held back by its
    weakest reason is told so in the content file's `weak_link` words. Without
    readiness, time alone decides (the content file's `unassessed_decisions`): far past the
    whole path, a stop candidate; past the decision point, decide now; before it, assess
    before it is due.
    """
    fixed = _numbers_said(content)
    if decided is None:
        decided = pd.Series(pd.NA, index=stages.index, dtype="object")
    decision = decided.astype(object).where(decided.notna(), "").to_numpy(dtype=object)
    r_values = ready.to_numpy(dtype="float64")
    s_values = (
        np.full(len(stages), np.nan)
        if weakest_score is None
        else weakest_score.to_numpy(dtype="float64")
    )
    w_values = weeks.to_numpy(dtype="float64")
    quad = quadrant.to_numpy(dtype=object)
    rule_list = _rules(stages, r_values, s_values, w_values, quad, decision, content)
    rule_of_row = np.select(
        [cond for _, cond, _ in rule_list], list(range(len(rule_list))), default=-1
    )
    k_titles, k_names, k_codes = _weakest_words(weakest, content)
    r_whole = _whole_numbers(r_values)
    # the weakest score rounded down: one just short of the threshold never reads as it
    s_whole = np.where(np.isnan(s_values), -1, np.floor(np.nan_to_num(s_values))).astype("int64")
    w_whole = _whole_numbers(w_values)
    keys = list(RECOMMENDATIONS)
    codes = np.full(len(stages), keys.index("none"), dtype="int64")
    texts: list[str] = []
    reason_codes = np.full(len(stages), -1, dtype="int64")
    no_why = pd.Series("", index=stages.index, dtype=object)
    whys = (no_why if decided_why is None else decided_why).astype(object).to_numpy()
    for i, (code, _, template) in enumerate(rule_list):
        rows = np.flatnonzero(rule_of_row == i)
        if not len(rows):
            continue
        codes[rows] = keys.index(code)
        if template == "{why}":  # an assessment's own reason, pilot by pilot
            own = [_with_matrix(str(whys[j]), decision[j], quad[j]) for j in rows]
            distinct, inverse = np.unique(np.array(own, dtype=object), return_inverse=True)
            reason_codes[rows] = inverse.reshape(-1) + len(texts)
            texts += list(distinct)
            continue
        distinct, inverse = _fill_template(
            template,
            r_whole[rows],
            w_whole[rows],
            k_codes[rows],
            k_names,
            fixed,
            s=s_whole[rows],
            k_titles=k_titles,
        )
        reason_codes[rows] = inverse + len(texts)
        texts += distinct
    return _as_categories(codes, texts, reason_codes, stages.index)


def _numbers_said(content: Content) -> dict[str, object]:
    """The content's numbers the sentences may name: the decision point and the whole path in
    weeks, the days to decide in, the weakest reason's threshold."""
    return {
        "dp": f"{content.timeframes.decision_point_weeks:g}",
        "path": f"{content.timeframes.recommended_path_weeks:g}",
        "days": content.unassessed_decisions.decide_within_days,
        "min": f"{content.decision_rules.proceed_min_weakest:g}",
    }


def _weakest_words(weakest: pd.Series, content: Content) -> tuple[list[str], list[str], np.ndarray]:
    """Each row's weakest reason as a code into its titles (to open a sentence) and its names
    (within one); "its weakest area" where it is not known."""
    titles = {reason.key: reason.title for reason in content.reasons}
    k_titles = [titles.get(key, key) for key in weakest.cat.categories] + ["Its weakest area"]
    k_names = [title.lower() for title in k_titles[:-1]] + ["its weakest area"]
    k_codes = weakest.cat.codes.to_numpy().astype("int64")
    return k_titles, k_names, np.where(k_codes < 0, len(k_names) - 1, k_codes)


def _as_categories(
    codes: np.ndarray, texts: list[str], reason_codes: np.ndarray, index: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """The recommendations and their reasons as categoricals: a few hundred distinct texts
    stand for 100,000 rows (a reason code of -1 is no reason)."""
    unique_texts, remap = np.unique(np.array(texts, dtype=object), return_inverse=True)
    remap = np.append(remap.reshape(-1), -1)
    return (
        pd.Series(pd.Categorical.from_codes(codes, list(RECOMMENDATIONS)), index=index),
        pd.Series(pd.Categorical.from_codes(remap[reason_codes], list(unique_texts)), index=index),
    )

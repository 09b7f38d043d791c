"""One pilot, one story in the readiness × value matrix: an assessed pilot's quadrant reads
the same readiness and the same idea of ready as its push / fix / stop, and where the matrix
(which also weighs the expected value) would say otherwise, the reason says so in the
quadrant's words; the chart, the exports and the command line carry the same."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from portfolio_frames import canonical_frame

from diagnostics.cli import main as cli_main
from diagnostics.framework.content import load_content
from diagnostics.organisation.answers import PilotAnswers
from diagnostics.portfolio.analysis import analyse_portfolio, export_frame
from diagnostics.portfolio.assessed import pilots_summary, portfolio_readiness
from diagnostics.portfolio.figures import matrix_chart
from diagnostics.portfolio.recommendations import MATRIX_DIFFERS

CONTENT = load_content()
AS_OF = date(2026, 11, 25)
START = (AS_OF - timedelta(weeks=8)).isoformat()
QUESTIONS = [q.id for q in CONTENT.questions]
KNOCKOUT = next(q.id for q in CONTENT.questions if q.knockout)


def _all(answer: str, **override: str) -> dict[str, str]:
    return {**dict.fromkeys(QUESTIONS, answer), **override}


# Values of the five open pilots: 500k, 100k, 50k, 400k, 300k -> median 300k.
ROWS = {
    # every answer Yes but one blocker No: a high score, and the assessment says fix first
    "A": (500_000, _all("yes", **{KNOCKOUT: "no"})),
    "B": (100_000, _all("yes")),  # proceed, below the median value
    "C": (50_000, _all("partly")),  # fix first (50/100), below the median value
    "D": (400_000, _all("no")),  # stop (most of the checklist No), above the median value
    "E": (300_000, _all("yes")),  # proceed, at the median: valuable
}


def _frame() -> pd.DataFrame:
    return canonical_frame(
        [
            {
                "pilot_id": pid,
                "name": f"Pilot {pid}",
                "stage": "pilot",
                "start_date": START,
                "expected_annual_value": value,
            }
            for pid, (value, _) in ROWS.items()
        ]
    )


def _assessed(frame: pd.DataFrame):
    pilots = [
        PilotAnswers(
            key=f"self:{pid}", name=f"Pilot {pid}", business_unit=None, source="self",
            position="decision_point", answers=answers, ref=pid,
        )
        for pid, (_, answers) in ROWS.items()
    ]  # fmt: skip
    return portfolio_readiness(frame, CONTENT, pilots)


@pytest.fixture(scope="module")
def analysis():
    frame = _frame()
    return analyse_portfolio(frame, CONTENT, AS_OF, assessed=_assessed(frame))


def test_an_assessed_pilot_is_ready_only_when_its_assessment_says_proceed(analysis) -> None:
    pilots = analysis.pilots.set_index("pilot_id")
    assert analysis.thresholds.value == 300_000
    # A scores far above the 75 line, yet its blocker keeps it among the not ready
    assert pilots.loc["A", "readiness"] > 75
    assert pilots.loc["A", "weakest_reason"] is not None
    assert pilots["quadrant"].astype(str).to_dict() == {
        "A": "fix_blockers",
        "B": "rethink",
        "C": "stop",
        "D": "fix_blockers",
        "E": "scale_now",
    }
    assert pilots["recommendation"].astype(str).to_dict() == {
        "A": "fix", "B": "push", "C": "fix", "D": "stop", "E": "push",
    }  # fmt: skip


def test_where_the_matrix_differs_the_reason_says_so(analysis) -> None:
    pilots = analysis.pilots.set_index("pilot_id")
    why = pilots["recommendation_reason"].astype(str)
    assert why["A"].startswith("Not in place: ")
    assert "In the matrix" not in why["A"]  # Fix blockers and fix: the same story
    assert "In the matrix" not in why["E"]  # Scale now and push
    assert why["B"].endswith(
        " In the matrix it sits in Rethink, its expected value below the portfolio median: "
        "state the business case as you plan the move."
    )
    assert why["B"].startswith("Overall readiness is 100/100")
    assert why["C"].endswith(MATRIX_DIFFERS[("fix_first", "stop")])
    assert why["C"].startswith("Overall readiness is 50/100")
    assert why["D"].endswith(MATRIX_DIFFERS[("stop", "fix_blockers")])


def test_the_chart_colours_and_explains_each_pilot_as_the_table_does(analysis) -> None:
    fig = matrix_chart(analysis.pilots, analysis.thresholds, CONTENT)
    by_trace = {t.name.split(" (")[0]: t for t in fig.data}
    blockers = by_trace["Fix blockers"]
    names = [row[0] for row in blockers.customdata]
    assert sorted(names) == ["Pilot A", "Pilot D"]
    a = names.index("Pilot A")
    assert blockers.x[a] > 75  # right of the readiness line, coloured not ready
    assert blockers.customdata[a][2] == "Fix"
    assert blockers.customdata[a][3].startswith("Not in place: ")
    assert all(len(line) <= 60 for row in blockers.customdata for line in row[3].split("<br>"))


def test_exports_and_the_command_line_agree(analysis, tmp_path) -> None:
    export = export_frame(analysis, CONTENT).set_index("Pilot id")
    assert export["Readiness × value"].to_dict() == {
        "A": "Fix blockers", "B": "Rethink", "C": "Stop", "D": "Fix blockers", "E": "Scale now",
    }  # fmt: skip
    summary = {p["id"]: p for p in pilots_summary(analysis)}
    assert {k: p["quadrant"] for k, p in summary.items()} == {
        "A": "fix_blockers", "B": "rethink", "C": "stop", "D": "fix_blockers", "E": "scale_now",
    }  # fmt: skip
    assert summary["C"]["why"] == export.loc["C", "Why"]
    # the command line: the same pilots, their answers in an answer sheet
    (tmp_path / "pilots.csv").write_text(
        pd.DataFrame(
            [
                {
                    "Pilot ID": pid,
                    "Pilot name": f"Pilot {pid}",
                    "Stage": "Pilot",
                    "Start date": START,
                    "Expected annual value": value,
                }
                for pid, (value, _) in ROWS.items()
            ]
        ).to_csv(index=False)
    )
    (tmp_path / "answers.csv").write_text(
        pd.DataFrame(
            [
                {"pilot_id": pid, "position": "decision_point", **answers}
                for pid, (_, answers) in ROWS.items()
            ]
        ).to_csv(index=False)
    )
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli_main(
            [
                "portfolio",
                str(tmp_path / "pilots.csv"),
                "--answers",
                str(tmp_path / "answers.csv"),
                "--json",
            ]
        )
    assert status == 0
    by_id = {p["id"]: p for p in json.loads(out.getvalue())["pilots"]}
    assert {k: p["quadrant"] for k, p in by_id.items()} == {
        k: p["quadrant"] for k, p in summary.items()
    }
    assert {k: p["recommendation"] for k, p in by_id.items()} == {
        k: p["recommendation"] for k, p in summary.items()
    }
    assert by_id["B"]["why"] == summary["B"]["why"]


def test_the_quadrant_names_sit_in_bands_no_point_or_line_enters(analysis) -> None:
    """At a phone's width "Scale now" is wider than the quarter right of the readiness line:
    the names sit in a band at the top and the bottom that points and lines stay out of."""
    fig = matrix_chart(analysis.pilots, analysis.thresholds, CONTENT)
    low, high = fig.layout.yaxis.range
    span = high - low
    values = [v for t in fig.data for v in t.y]
    # Every point, and the value line, in the middle 76% of the height.
    for v in [*values, analysis.thresholds.value]:
        assert 0.12 - 1e-9 <= (np.log10(v) - low) / span <= 0.88 + 1e-9, v
    assert (np.log10(max(values)) - low) / span == pytest.approx(0.88)
    assert (np.log10(min(values)) - low) / span == pytest.approx(0.12)
    (vline,) = [s for s in fig.layout.shapes if s.x0 == s.x1]
    assert (vline.y0, vline.y1) == (0.12, 0.88)
    names = {a.text: a.y for a in fig.layout.annotations}
    assert names == {
        "<b>Fix blockers</b>": 0.99, "<b>Scale now</b>": 0.99, "<b>Stop</b>": 0.01,
        "<b>Rethink</b>": 0.01,
    }  # fmt: skip

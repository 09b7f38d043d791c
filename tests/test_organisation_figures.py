"""The organisation charts carry the numbers of the profile, in the band colours, as text."""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from diagnostics.framework.content import REASON_KEYS, load_content
from diagnostics.organisation.answers import PilotAnswers
from diagnostics.organisation.figures import (
    band_colorscale,
    decisions_bar,
    pilot_vs_median_chart,
    readiness_heatmap,
    reason_spread,
)
from diagnostics.organisation.profile import organisation_profile, pilot_vs_median
from diagnostics.render.page_charts import shared_gaps

HOSTILE = '<a href="http://x.example">click</a>'
REASONS = REASON_KEYS  # the six reasons, in the order the content file lists them


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def profile(content):
    def pilot(key, name, unit, pattern):
        answers = {
            q.id: answer
            for reason, answer in zip(REASONS, pattern, strict=True)
            for q in content.questions_for(reason)
        }
        return PilotAnswers(key, name, unit, "self", "decision_point", answers)

    return organisation_profile(
        [
            pilot("a", "Strong", "Finance", ("yes",) * 6),  # all 100
            pilot("b", HOSTILE, "Finance", ("no", "yes", "partly", "yes", "yes", "yes")),
            pilot("c", "Weak", "HR", ("no",) * 6),  # all 0
        ],
        content,
    )


def test_colorscale_steps_at_the_band_thresholds(content) -> None:
    scale = band_colorscale(content)
    # bands from the content file: high from 0, medium from 50, low from 75
    assert scale == [
        [0.0, "#D55E00"],
        [0.5, "#D55E00"],
        [0.5, "#E69F00"],
        [0.75, "#E69F00"],
        [0.75, "#009E73"],
        [1.0, "#009E73"],
    ]


def test_pilot_heatmap_holds_the_matrix_weakest_first_with_names_escaped(profile, content):
    fig = readiness_heatmap(profile.pilot_matrix, content)
    trace = fig.data[0]
    # mean readiness: Weak 0, hostile (0+100+50+100+100+100)/6 = 75, Strong 100
    assert list(trace.y) == [
        "Weak",
        "&lt;a href=&quot;http://x.example&quot;&gt;click&lt;/a&gt;",
        "Strong",
    ]
    assert [list(row) for row in trace.z] == [[0] * 6, [0, 100, 50, 100, 100, 100], [100] * 6]
    assert list(trace.x) == [content.reasons_by_key[k].short for k in REASONS]
    assert (trace.zmin, trace.zmax) == (0, 100)


def test_unit_heatmap_with_counts(profile, content) -> None:
    fig = readiness_heatmap(profile.unit_matrix, content, counts=profile.unit_pilots)
    trace = fig.data[0]
    # HR: Weak alone (0); Finance: median of Strong and the hostile pilot
    assert list(trace.y) == ["HR (1)", "Finance (2)"]
    assert list(trace.z[1]) == [50, 100, 75, 100, 100, 100]


def test_heatmap_is_cut_to_the_weakest_rows(profile, content) -> None:
    fig = readiness_heatmap(profile.pilot_matrix, content, max_rows=2)
    assert list(fig.data[0].y) == [
        "Weak",
        "&lt;a href=&quot;http://x.example&quot;&gt;click&lt;/a&gt;",
    ]


def test_other_charts_carry_the_profile(profile, content) -> None:
    spread = reason_spread(profile, content)
    assert len(spread.data) == 6
    assert sorted(spread.data[0].x) == [0, 0, 100]  # business problem per pilot
    assert HOSTILE not in list(spread.data[0].text)
    bars = decisions_bar(profile, content)
    assert list(bars.data[0].x) == ["Proceed", "Fix first", "Stop"]
    assert sum(bars.data[0].y) == 3
    gaps = shared_gaps(profile.top_gaps(3))  # drawn as a picture: its figures as text
    counted = [t.get_text() for t in gaps.figure.findobj(Text) if " pilots" in t.get_text()]
    assert counted == [
        f"{int(g)} of {int(a)} pilots" for g, a in profile.top_gaps(3)[["gaps", "asked"]].to_numpy()
    ]
    versus = pilot_vs_median_chart(pilot_vs_median(profile, "b"), HOSTILE, content)
    assert versus.data[0].name.startswith("&lt;a")
    # medians of (Strong, hostile, Weak): problem 100/0/0 -> 0, data 100/100/0 -> 100,
    # production 100/50/0 -> 50, the other three 100/100/0 -> 100
    assert list(versus.data[1].x) == [0, 100, 50, 100, 100, 100]

"""Report layout that reads at the size it is shown: the deck's timeline drawn at the
slide's own size (its text at 13 pt on the slide, nothing clipped), and the organisation
report's gaps table giving "What to change" the largest share of the page."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from report_cases import CONTENT, make_organisation, make_review
from test_charts import _clipped

from diagnostics.framework.timeline import recommended_path
from diagnostics.render import charts, deck, organisation_report
from diagnostics.render.files import organisation_file, pilot_file

SLIDE_W, SLIDE_H = 12.133, 4.45  # inches: the deck's body under the timeline's sentence


@settings(max_examples=15, deadline=None)
@given(
    started_days_ago=st.integers(min_value=-30, max_value=900),
    milestones=st.integers(min_value=0, max_value=4),
)
def test_a_timeline_at_slide_size_fills_it_and_clips_nothing(started_days_ago, milestones):
    today = date(2026, 3, 9)
    start = today - timedelta(days=started_days_ago)
    points = [(start + timedelta(days=20 * i), f"Assessment {i}") for i in range(milestones)]
    chart = charts.timeline(
        recommended_path(start, CONTENT),
        today,
        CONTENT,
        milestones=points,
        width=SLIDE_W,
        height=SLIDE_H,
        text_size=13,
    )
    assert _clipped(chart) == []
    assert abs(chart.height - SLIDE_H) < 0.01  # the rows share the slide's height
    sizes = {t.get_fontsize() for t in chart.figure.findobj(Text) if t.get_text().strip()}
    assert min(sizes) >= 12.5


def test_the_deck_timeline_reads_at_13_points_on_the_slide() -> None:
    review, _ = make_review()
    slides = list(Presentation(io.BytesIO(pilot_file(review, CONTENT, "pptx"))).slides)
    slide = next(
        s for s in slides if s.shapes.title.text == "Timeline against the recommended path"
    )
    [picture] = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    placed = picture.width / 914_400  # EMU per inch
    drawn = Image.open(io.BytesIO(picture.image.blob)).width / 180  # the deck's PNG: 180 dpi
    assert placed >= 0.97 * (deck.BODY_W / 914_400)  # the whole width of the slide
    assert 13 * placed / drawn >= 12.5  # points of its text as shown


def test_the_gaps_table_gives_what_to_change_the_largest_share() -> None:
    profile, check = make_organisation()
    html = organisation_file(profile, CONTENT, "html", check=check).decode()
    table = html.split("id='gaps-table'")[1].split("</table>")[0]
    headers = re.findall(r"<th>(.*?)</th>", table)
    widths = [int(w) for w in re.findall(r"<col style='width:(\d+)%'>", table)]
    assert headers == ["Gap", "Pilots with the gap", "Frees", "What to change", "Owner"]
    assert sum(widths) == 100
    assert widths[headers.index("What to change")] == max(widths)
    assert tuple(widths) == organisation_report.GAP_COLUMN_WIDTHS
    # the gap's reason and its No / Don't know counts stay, under the gap and the share
    top = profile.top_gaps(1).iloc[0]
    first_row = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])[0]
    assert f"<span class='meta'>{top['reason_title']}</span>" in first_row
    assert f"{int(top['no'])} No, {int(top['dont_know'])} Don&#x27;t know" in first_row


def test_the_today_label_turns_left_before_it_runs_off_the_right_edge() -> None:
    """Regression: the label turned left only past 70% of the axis, so on a 4.4-inch chart
    drawn through production, 109 days in, its end was cut off."""
    today = date(2026, 3, 9)
    clipped = []
    for days in range(96, 121):
        for width in (4.4, 6.0):
            start = today - timedelta(days=days)
            chart = charts.timeline(
                recommended_path(start, CONTENT),
                today,
                CONTENT,
                severity=2,
                width=width,
                through_production=True,
            )
            clipped += [(days, width, text) for text in _clipped(chart)]
    assert clipped == []

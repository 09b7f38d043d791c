"""The organisation report printed on A4 in Chromium: the gaps table's "What to change" is
its widest column and no word is cut inside a cell; on a phone the table scrolls inside its
own box. Opened as a file, like an attachment."""

from __future__ import annotations

from report_cases import CONTENT, make_organisation

from diagnostics.render.files import organisation_file

from .helpers import screenshot

A4_CONTENT_PX = 688  # 210 mm less the 14 mm margins, at 96 CSS pixels an inch
_COLUMNS = """() => {
  const table = document.querySelector('#gaps-table');
  const heads = [...table.querySelectorAll('th')].map(th => [th.textContent, th.offsetWidth]);
  const cut = [...table.querySelectorAll('td, th')]
    .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent);
  return {heads, cut, table: table.offsetWidth};
}"""


def test_printed_on_a4_what_to_change_is_the_widest_column(browser, tmp_path) -> None:
    profile, check = make_organisation()
    path = tmp_path / "organisation.html"
    path.write_bytes(organisation_file(profile, CONTENT, "html", check=check))
    context = browser.new_context(viewport={"width": A4_CONTENT_PX, "height": 1000})
    page = context.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    found = page.evaluate(_COLUMNS)
    widths = dict(found["heads"])
    assert found["table"] <= A4_CONTENT_PX
    assert max(widths, key=widths.get) == "What to change", widths
    assert widths["What to change"] >= 0.33 * found["table"]
    assert found["cut"] == []
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#gaps-table").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "report-organisation-gaps-phone", whole_page=False)
    context.close()

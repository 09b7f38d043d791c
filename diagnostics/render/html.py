"""The HTML side of every report: one stylesheet, one escape, one table, one chart embed.

Every report page (pilot, workshop, organisation) is a `document(...)` built from these
pieces, so they look alike, print alike on A4 and read on a phone. Every value goes through
`e`, ours and the user's, so nothing in a page is ever read as markup. Charts are static SVG
(see `diagnostics.render.charts`), so a page needs no script and stays small: the pilot's
report went from 4.9 MB (plotly.js embedded) to about 0.15 MB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from diagnostics.sheets.safe_export import escape_html

NEUTRAL = "#8a94a6"
INK = "#1d2433"
MUTED = "#5b6475"

STYLESHEET = """
*{box-sizing:border-box}
body{font-family:Inter,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2433;margin:0 auto;
max-width:980px;padding:24px;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 8px;
border-bottom:2px solid #e4e7ec;padding-bottom:4px}h3{font-size:1rem;margin:16px 0 6px}
.meta,.small{color:#5b6475;font-size:.9rem}.small{font-size:.84rem}
.verdict{border-left:8px solid;padding:12px 16px;background:#f7f8fa;margin:16px 0}
.verdict strong{font-size:1.3rem}
.kpis{display:flex;flex-wrap:wrap;gap:12px;break-inside:avoid}
.kpi{flex:1 1 150px;border:1px solid #e4e7ec;border-radius:6px;padding:10px}
.kpi b{display:block;font-size:1.4rem}
.table-wrap{overflow-x:auto;margin:6px 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #e4e7ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;white-space:nowrap}td .meta{font-size:.9em}
td.cell{text-align:center;color:#fff;font-weight:600}td.empty{background:#eef0f3;color:#5b6475}
.band{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.comment{white-space:pre-wrap;color:#3d4556}
figure.chart{margin:8px 0 16px;break-inside:avoid;page-break-inside:avoid}
figure.chart h3{margin-top:0}
figure.chart svg{display:block;width:100%;height:auto;max-width:560px}
figure.chart figcaption{font-size:.84rem;color:#5b6475}
footer{margin-top:32px;font-size:.8rem;color:#5b6475;border-top:1px solid #e4e7ec;
padding-top:8px}
@media (max-width:600px){body{padding:12px}h1{font-size:1.3rem}
table{font-size:.8rem}th,td{padding:4px 5px}.kpi{flex:1 1 120px}.kpi b{font-size:1.2rem}}
@page{size:A4 portrait;margin:14mm}
@media print{body{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}
.table-wrap{overflow:visible}table.wide{min-width:0!important}.kpis,.kpi{break-inside:avoid}
table.fixed{table-layout:fixed}}
"""


def e(value: object) -> str:
    """Any value, ours or the user's, as HTML text safe in an element or an attribute."""
    return escape_html(value)


class Markup(str):
    """HTML we built ourselves from escaped parts; `table` places it as is."""


def td(value: object, cls: str = "", style: str = "", *, html: Markup | None = None) -> Markup:
    """One cell: escaped text, or `html` already built from escaped parts; `cls` and `style`
    are ours (escaped all the same)."""
    klass = f" class='{e(cls)}'" if cls else ""
    css = f" style='{e(style)}'" if style else ""
    inner = html if html is not None else e(value)
    return Markup(f"<td{klass}{css}>{inner}</td>")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    id_: str = "",
    numeric: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> str:
    """A table that scrolls sideways on a narrow screen instead of overflowing the page.

    Each cell of `rows` is either a finished cell (a `Markup` from `td`) or a value, which is
    escaped here; columns listed in `numeric` are right-aligned. `widths` (percentages, one
    per column) set the columns' shares (fixed when printed), so a column of sentences is not
    squeezed by the browser's automatic layout (on A4 it was narrower than the numbers beside
    it); on a narrow screen the words still decide the minimum width.
    """
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if isinstance(cell, Markup):
                cells.append(cell)
            else:
                cells.append(td(cell, "num" if i in numeric else ""))
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f" id='{e(id_)}'" if id_ else ""
    classes = []
    style = ""
    # Many columns on a phone: keep them readable and let the table scroll sideways.
    if len(headers) >= 6 or widths:  # a column of sentences needs room too
        classes.append("wide")
        style = f" style='min-width:{max(100 * len(headers), 640 if widths else 0)}px'"
    columns = ""
    if widths:
        classes.append("fixed")
        columns = "<colgroup>" + "".join(f"<col style='width:{int(w)}%'>" for w in widths)
        columns += "</colgroup>"
    klass = f" class='{' '.join(classes)}'" if classes else ""
    return (
        f"<div class='table-wrap'><table{ident}{klass}{style}>{columns}<thead><tr>{head}</tr>"
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def kpi(label: str, value: str, element_id: str) -> str:
    return f"<div class='kpi'><span>{e(label)}</span><b id='{e(element_id)}'>{e(value)}</b></div>"


def kpis(*items: str) -> str:
    return "<div class='kpis'>" + "".join(items) + "</div>"


def verdict_box(label: str, color: str, *sentences: str, label_id: str = "verdict") -> str:
    """The call in its colour, with the sentences that explain it."""
    paragraphs = "".join(f"<p>{e(s)}</p>" for s in sentences if s)
    return (
        f"<section class='verdict' style='border-color:{e(color)}'>"
        f"<strong id='{e(label_id)}' style='color:{e(color)}'>{e(label)}</strong>"
        f"{paragraphs}</section>"
    )


def bullet_list(items: Iterable[str], *, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{e(i)}</li>" for i in items) + f"</{tag}>"


def chart(svg: str, title: str, caption: str = "", *, heading: bool = True) -> str:
    """A static SVG chart (from `charts.Chart.svg`) under its heading (none when the section's
    own heading already names it).

    The SVG is our own drawing: matplotlib escapes every text it draws, so it is placed as is.
    """
    note = f"<figcaption>{e(caption)}</figcaption>" if caption else ""
    head = f"<h3>{e(title)}</h3>" if heading else ""
    return f"<figure class='chart' role='img' aria-label='{e(title)}'>{head}{svg}{note}</figure>"


def credit(content, extra: str = "") -> str:
    """The source credit every report carries, as a footer."""
    src = content.source
    text = (
        f"Framework adapted from “{src.title}” by {src.author} ({src.date}). Questions, labels "
        "and recommendations are written for this tool."
    )
    return f"<footer>{e(text + (' ' + extra if extra else ''))}</footer>"


def document(title: str, kind: str, body: Iterable[str]) -> str:
    """A whole self-contained page: the stylesheet, a header naming the report, the body."""
    return "".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{e(title)}</title><style>{STYLESHEET}</style></head><body>",
            f"<p class='meta'>PoC Trap Diagnostic: {e(kind)}</p>",
            *body,
            "</body></html>",
        ]
    )

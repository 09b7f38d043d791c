"""Every report as a file: one call per format, the same for the pages and the command line.

A pilot's report comes as a page (html), a one-page brief (pdf), a deck (pptx), a workbook
(xlsx) or its answers (csv); the organisation's as a page, a two-page brief, a deck or a
workbook. `MIME` names each format for a download.
"""

from __future__ import annotations

from datetime import date

from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.organisation.profile import OrganisationProfile
from diagnostics.organisation.trap_check import TrapCheck

MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
PILOT_FORMATS = ("html", "pdf", "pptx", "xlsx", "csv")
ORGANISATION_FORMATS = ("html", "pdf", "pptx", "xlsx")


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise DiagnosticError(f"Unknown report format {fmt!r}; use one of {', '.join(allowed)}.")


def pilot_file(review: PilotReview, content: Content, fmt: str) -> bytes:
    """The pilot's report in `fmt` (html, pdf, pptx, xlsx or csv) as bytes."""
    _check(fmt, PILOT_FORMATS)
    from diagnostics.render import pilot_report

    if fmt == "html":
        return pilot_report.report_html(review, content).encode("utf-8")
    if fmt == "xlsx":
        return pilot_report.report_xlsx(review, content)
    if fmt == "csv":
        return pilot_report.answers_csv(review, content)
    if fmt == "pdf":
        from diagnostics.render.brief import pilot_brief_pdf

        return pilot_brief_pdf(review, content)
    from diagnostics.render.deck import pilot_deck_pptx

    return pilot_deck_pptx(review, content)


def organisation_file(
    profile: OrganisationProfile,
    content: Content,
    fmt: str,
    *,
    check: TrapCheck | None = None,
    cost=None,
    today: date | None = None,
    scope: str | None = None,
) -> bytes:
    """The organisation's report in `fmt` (html, pdf, pptx or xlsx) as bytes; `scope`
    says which pilots it covers (stated in every format, in the same sentence)."""
    _check(fmt, ORGANISATION_FORMATS)
    from diagnostics.render import organisation_report as org

    report = org.OrganisationReport(
        profile, content, check=check, cost=cost, today=today or date.today(), scope=scope
    )
    if fmt == "html":
        return org.organisation_report_html(report).encode("utf-8")
    if fmt == "xlsx":
        return org.organisation_report_xlsx(report)
    if fmt == "pdf":
        from diagnostics.render.brief import organisation_brief_pdf

        return organisation_brief_pdf(report)
    from diagnostics.render.deck import organisation_deck_pptx

    return organisation_deck_pptx(report)

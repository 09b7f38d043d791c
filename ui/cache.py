"""Cache wrappers around engine calls. The engine stays free of streamlit; pages call these.

The content and the database engine are shared, read-only resources (cache_resource: one
object for every session, never copied); every upload is read once per file and choice (one
store for portfolios and answer sheets); saved portfolios' frames, analyses and charts are
keyed on the version id, as are their cost and stop-now scenarios (with the assumptions);
the organisation view's profile and charts are keyed on the answers' fingerprint; downloads
are cache_data. Every cached call lives here, so one place says what is shared and for how
long.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import streamlit as st
from sqlalchemy import Engine

from diagnostics.framework.content import Content, load_content
from diagnostics.storage import store

if TYPE_CHECKING:  # the importer (pandas, calamine) loads on the first upload, not at start
    from diagnostics.organisation.answer_sheet import AnswerSheet
    from diagnostics.organisation.profile import OrganisationProfile
    from diagnostics.portfolio.importer import PortfolioImport, Progress


@st.cache_resource(show_spinner=False)
def content() -> Content:
    return load_content()


@st.cache_resource(show_spinner="Opening the database…")
def engine() -> Engine:
    """The database engine; migrates an empty or older database to the current schema."""
    db = store.make_engine()
    if store.current_revision(db) != store.head_revision():
        store.migrate(db)
    return db


# Uploads ---------------------------------------------------------------------------------
# Every upload (a portfolio, an answer sheet) is read once per key and kept here, shared by
# every session of the process like a cache_resource (the last UPLOADS_KEPT reads), rather
# than in `st.cache_resource`, because a first read drives a progress bar and a
# Streamlit-cached function may not update an element drawn outside it. The file's sha256
# stands for its bytes, which are never hashed on a rerun.

UPLOADS_KEPT = 4
_uploads: OrderedDict[tuple, object] = OrderedDict()
_uploads_lock = threading.Lock()


def _kept_upload(key: tuple) -> object | None:
    with _uploads_lock:
        if key in _uploads:
            _uploads.move_to_end(key)
        return _uploads.get(key)


def _keep_upload(key: tuple, value: object) -> None:
    with _uploads_lock:
        _uploads[key] = value
        while len(_uploads) > UPLOADS_KEPT:
            _uploads.popitem(last=False)


class ImportKey(NamedTuple):
    """One read of a portfolio upload: the file's hash and name, the sheet, and the user's
    mapping and stage choices."""

    file_hash: str
    filename: str
    sheet: str | None = None
    mapping: tuple[tuple[str, str | None], ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()


def read_import(key: ImportKey) -> PortfolioImport | None:
    """The upload as read already under `key`, or None if it has not been read yet."""
    return _kept_upload(("portfolio", *key))


def imported_portfolio(
    key: ImportKey, data: bytes, progress: Progress | None = None
) -> PortfolioImport:
    """A portfolio upload read once per key: reruns never re-parse."""
    imported = read_import(key)
    if imported is not None:
        return imported
    from diagnostics.portfolio.importer import import_portfolio

    imported = import_portfolio(
        data,
        key.filename,
        sheet=key.sheet,
        mapping=dict(key.mapping) or None,
        stage_overrides=dict(key.overrides) or None,
        progress=progress,
    )
    _keep_upload(("portfolio", *key), imported)
    return imported


def answer_sheet(file_hash: str, filename: str, data: bytes) -> AnswerSheet:
    """An uploaded answer sheet read once per file: reruns never re-parse."""
    key = ("answers", file_hash, filename)
    sheet = _kept_upload(key)
    if sheet is None:
        from diagnostics.organisation.answer_sheet import read_answer_sheet

        sheet = read_answer_sheet(data, filename, content())
        _keep_upload(key, sheet)
    return sheet


@st.cache_data(show_spinner=False)
def answer_template_xlsx() -> bytes:
    from diagnostics.organisation.answer_sheet import answer_template_bytes

    return answer_template_bytes(content())


# Portfolios ------------------------------------------------------------------------------
# Saved portfolio versions never change, so their frame, analysis and charts are keyed on the
# version id (and the day, for everything measured against today). They are shared objects
# (cache_resource): nothing copies them on a rerun, and nothing may mutate them.


@st.cache_resource(show_spinner=False, max_entries=8)
def portfolio_frame(portfolio_id: int):
    from diagnostics.storage.portfolios import load_portfolio_frame

    return load_portfolio_frame(engine(), portfolio_id)


def readiness_key() -> str:
    """Changes whenever an answer is saved or a match corrected: part of every cache key
    below that reads assessments, so every view shows a save on its next run."""
    from diagnostics.storage.links import readiness_fingerprint

    return readiness_fingerprint(engine())


@st.cache_resource(show_spinner=False, max_entries=8)
def portfolio_readiness(portfolio_id: int, readiness: str):
    """The saved assessments matched to a portfolio's rows (see portfolio.assessed)."""
    from diagnostics.storage.links import saved_readiness

    return saved_readiness(engine(), content(), portfolio_id, portfolio_frame(portfolio_id))


@st.cache_resource(show_spinner=False, max_entries=8)
def portfolio_analysis(portfolio_id: int, as_of: str, readiness: str):
    """The dashboard's analysis, with the latest assessment of each pilot (`readiness` is
    `readiness_key()`, so a new assessment or link gives a new analysis)."""
    from datetime import date

    from diagnostics.portfolio.analysis import analyse_portfolio

    return analyse_portfolio(
        portfolio_frame(portfolio_id),
        content(),
        date.fromisoformat(as_of),
        assessed=portfolio_readiness(portfolio_id, readiness),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def portfolio_charts(portfolio_id: int, as_of: str, readiness: str) -> dict[str, str]:
    """The dashboard's pictures as SVG (the matrix, interactive, is `portfolio_matrix`)."""
    from diagnostics.render import portfolio_charts as pictures

    analysis = portfolio_analysis(portfolio_id, as_of, readiness)
    c = content()
    return {
        "funnel": pictures.funnel(analysis, c).svg(),
        "time": pictures.time_in_pilot(analysis, c).svg(),
        "units": pictures.unit_rates(analysis, c).svg(),
        "symptoms": pictures.unit_symptoms(analysis, c).svg(),
    }


@st.cache_resource(show_spinner=False, max_entries=8)
def portfolio_matrix(portfolio_id: int, as_of: str, readiness: str):
    from diagnostics.portfolio import figures

    analysis = portfolio_analysis(portfolio_id, as_of, readiness)
    return figures.matrix_chart(analysis.pilots, analysis.thresholds, content())


@st.cache_resource(show_spinner=False, max_entries=8)
def silently_dropped(older_id: int, newer_id: int):
    from diagnostics.portfolio.analysis import silently_dropped as dropped

    return dropped(portfolio_frame(older_id), portfolio_frame(newer_id))


@st.cache_data(show_spinner=False, max_entries=4)
def portfolio_export_xlsx(portfolio_id: int, as_of: str, readiness: str) -> bytes:
    from diagnostics.portfolio.analysis import export_frame
    from diagnostics.sheets.safe_export import frames_to_xlsx_bytes

    analysis = portfolio_analysis(portfolio_id, as_of, readiness)
    return frames_to_xlsx_bytes({"Pilots": export_frame(analysis, content())})


@st.cache_data(show_spinner=False, max_entries=4)
def portfolio_export_csv(portfolio_id: int, as_of: str, readiness: str) -> bytes:
    from diagnostics.portfolio.analysis import export_frame
    from diagnostics.sheets.safe_export import frame_to_csv_bytes

    analysis = portfolio_analysis(portfolio_id, as_of, readiness)
    return frame_to_csv_bytes(export_frame(analysis, content()))


@st.cache_data(show_spinner=False)
def portfolio_template_xlsx() -> bytes:
    from diagnostics.portfolio.template import template_xlsx

    return template_xlsx(content())


# The cost of the trap --------------------------------------------------------------------
# One saved portfolio under one set of assumptions (their JSON is the key); shared objects.


@st.cache_resource(show_spinner="Computing the cost…", max_entries=8)
def cost_result(portfolio_id: int, assumptions_json: str):
    """The cost of one saved portfolio under one set of assumptions (shared; never mutated)."""
    from diagnostics import cost

    assumptions = cost.CostAssumptions.model_validate_json(assumptions_json)
    return cost.compute_cost(portfolio_frame(portfolio_id), assumptions)


@st.cache_resource(show_spinner=False, max_entries=8)
def stop_scenario(portfolio_id: int, assumptions_json: str, rule: str, readiness: str = ""):
    """Stopping the chosen pilots; "recommended" reads the portfolio's own analysis, with
    every saved assessment (`readiness` is the cache key that changes with them)."""
    from diagnostics import cost

    assumptions = cost.CostAssumptions.model_validate_json(assumptions_json)
    frame = portfolio_frame(portfolio_id)
    analysis = None
    if rule == "recommended":
        readiness = readiness or readiness_key()
        analysis = portfolio_analysis(portfolio_id, assumptions.as_of.isoformat(), readiness)
    chosen = cost.stop_selection(frame, assumptions, content(), rule, analysis=analysis)
    return cost.stop_now(frame, assumptions, chosen)


@st.cache_data(show_spinner=False, max_entries=4)
def cost_workbook(
    portfolio_id: int, assumptions_json: str, rule: str, readiness: str = ""
) -> bytes:
    from diagnostics import cost
    from diagnostics.sheets.safe_export import frames_to_xlsx_bytes

    result = cost_result(portfolio_id, assumptions_json)
    scenario = stop_scenario(portfolio_id, assumptions_json, rule, readiness)
    return frames_to_xlsx_bytes(cost.cost_sheets(result, scenario))


# The organisation view ---------------------------------------------------------------------

GAPS_SHOWN = 8  # the organisation's top gaps, charted and listed


@dataclass(frozen=True)
class OrganisationData:
    pilots: list
    profile: OrganisationProfile
    charts: dict


@st.cache_resource(show_spinner="Gathering every pilot's answers…", max_entries=8)
def organisation_data(fingerprint: str, scope: str | int) -> OrganisationData:
    """The answers of the pilots in scope (a portfolio's id, "all" or "demo"), scored and
    aggregated; `fingerprint` changes with every saved answer or link. Shared between
    sessions and never mutated."""
    from diagnostics.organisation import figures
    from diagnostics.organisation.profile import organisation_profile
    from diagnostics.render import page_charts
    from diagnostics.storage.links import organisation_pilots, saved_readiness

    c = content()
    if isinstance(scope, int):  # the very answers the portfolio's recommendations read
        pilots = list(saved_readiness(engine(), c, scope, portfolio_frame(scope)).standing)
    else:
        pilots = organisation_pilots(engine(), c, scope)
    profile = organisation_profile(pilots, c)
    charts = {}
    if profile.pilot_count:
        charts = {
            "spread": figures.reason_spread(profile, c),
            "units": figures.readiness_heatmap(profile.unit_matrix, c, counts=profile.unit_pilots),
            "pilots": figures.readiness_heatmap(profile.pilot_matrix, c),
            "decisions": figures.decisions_bar(profile, c),
            "gaps": page_charts.shared_gaps(profile.top_gaps(GAPS_SHOWN)).svg(),
        }
    return OrganisationData(pilots, profile, charts)


# The results page's charts ------------------------------------------------------------------


def review_key(review) -> str:
    """Stands for everything a pilot's results show (answers, details, history, today)."""
    import hashlib

    return hashlib.sha256(repr(review).encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=32)
def pilot_chart_svgs(key: str, _review, _content: Content) -> dict[str, str]:
    """The results' charts drawn as SVG (the report's own drawings), once per `key` (see
    `review_key`): a rerun on the results page draws nothing, and the browser gets small
    static pictures instead of Plotly's 4.7 MB script and a chart to lay out."""
    from diagnostics.render import charts
    from diagnostics.render import pilot_report as report

    svgs = {"readiness": charts.readiness_bars(_review.result, _content).svg()}
    if _review.path is not None:
        svgs["timeline"] = report.timeline_chart(_review, _content).svg()
    if len(_review.history) > 1:
        svgs["history"] = charts.history_trend(_review.history, _content).svg()
    return svgs

"""Blocks of the cost page: the assumptions panel, the cached cost computation, the totals,
the charts, the stop-now scenario and the download. Session keys start with `cost_`.

Every number comes from `diagnostics.cost`; this module only lays it out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from diagnostics import cost
from diagnostics.errors import DiagnosticError
from diagnostics.formats import COMMON_CURRENCIES, format_money
from diagnostics.framework.content import Content
from diagnostics.render import page_charts
from ui import cache
from ui.components import NO_CURRENCY, currency_label, picture
from ui.report_downloads import ReportFile, prepared_row

PREFIX = "cost_"
PICK_KEY = f"{PREFIX}portfolio"
RULE_KEY = f"{PREFIX}stop_rule"
TOP_PILOTS = 10
# No floating toolbar: on a phone it covers the legend, and a board reads, it does not zoom.


# --- assumptions -------------------------------------------------------------------------


def _reset(defaults: cost.CostAssumptions) -> None:
    for spec in cost.ASSUMPTIONS:
        st.session_state[f"{PREFIX}{spec.key}"] = getattr(defaults, spec.key)


def _follow_sheet_currency(currency: str | None) -> None:
    """The currency starts at the one the portfolio's sheet names and follows the picked
    portfolio, until someone picks another by hand."""
    key, came_from = f"{PREFIX}currency", f"{PREFIX}currency_from_sheet"
    shown = currency or NO_CURRENCY
    if key not in st.session_state or st.session_state[key] == st.session_state.get(came_from):
        st.session_state[key] = shown
    st.session_state[came_from] = shown


def assumptions_panel(
    content: Content, today: date, currency: str | None = None
) -> cost.CostAssumptions | None:
    """One input per assumption, each with its unit and help; None when they do not fit.
    `currency`: the one the portfolio's sheet names, the currency's starting value."""
    defaults = cost.CostAssumptions.from_content(content, as_of=today, currency=currency)
    _follow_sheet_currency(currency)
    values = {}
    st.subheader("Assumptions")
    st.caption("Change any of them: everything on the page follows at once.")
    for spec in cost.ASSUMPTIONS:
        key = f"{PREFIX}{spec.key}"
        st.session_state.setdefault(key, getattr(defaults, spec.key))
        label = f"{spec.label} ({spec.unit})"
        if spec.key == "as_of":
            values[spec.key] = st.date_input(label, key=key, help=spec.help, format="YYYY-MM-DD")
        elif spec.key == "currency":
            picked = st.selectbox(
                spec.label,
                [
                    NO_CURRENCY,
                    *COMMON_CURRENCIES,
                    *([currency] if currency and currency not in COMMON_CURRENCIES else []),
                ],
                format_func=currency_label,
                key=key,
                help=spec.help,
            )
            values[spec.key] = picked or None
        else:
            values[spec.key] = st.number_input(
                label,
                min_value=float(spec.min_value) if spec.min_value is not None else None,
                max_value=float(spec.max_value) if spec.max_value is not None else None,
                step=float(spec.step or 1),
                format=spec.format,
                key=key,
                help=spec.help,
            )
    st.button(
        "Back to the defaults",
        key=f"{PREFIX}reset",
        on_click=_reset,
        args=(defaults,),
        icon=":material/restart_alt:",
    )
    try:
        return cost.make_assumptions(values)
    except DiagnosticError as exc:
        st.error(str(exc), icon=":material/error:")
        return None


# --- pictures ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def pictures(portfolio_id: int, assumptions_json: str) -> dict[str, str]:
    """The cost charts as SVG, drawn once per portfolio and set of assumptions."""
    result = cache.cost_result(portfolio_id, assumptions_json)
    content = cache.content()
    svgs = {
        "parts": page_charts.cost_parts(result, content).svg(),
        "build_up": page_charts.cost_build_up(result, content).svg(),
    }
    if (result.by_unit["total_cost"] > 0).any():
        svgs["units"] = page_charts.cost_units(result, content).svg()
    return svgs


@st.cache_data(show_spinner=False, max_entries=8)
def stop_picture(portfolio_id: int, assumptions_json: str, rule: str, readiness: str) -> str:
    """The stop-now comparison as SVG."""
    scenario = cache.stop_scenario(portfolio_id, assumptions_json, rule, readiness)
    currency = cost.CostAssumptions.model_validate_json(assumptions_json).currency
    return page_charts.stop_now(scenario, cache.content(), currency).svg()


# --- display ------------------------------------------------------------------------------


# The headline's three amounts: the total's key, its label and what it counts.
HEADLINE = (
    (
        "total",
        "Cost of the trap so far",
        "Direct cost plus opportunity cost, as of the date in the assumptions.",
    ),
    (
        "direct",
        "Direct cost",
        "Spend on pilots that stayed open, or were stopped, after their decision point.",
    ),
    (
        "opportunity",
        "Opportunity cost",
        "Value the late pilots would have delivered by now on the recommended path.",
    ),
)


def headline(result: cost.CostResult) -> None:
    t, currency = result.totals, result.assumptions.currency
    for column, (key, label, meaning) in zip(st.columns(3), HEADLINE, strict=True):
        column.metric(label, format_money(t[key], currency), help=meaning, border=True)
    st.write(
        f"{t['pilots_with_cost']:,} of {t['pilots']:,} pilots carry a cost: "
        f"{t['pilots_stuck']:,} still open past their decision point, "
        f"{t['pilots_stopped_late']:,} stopped late and {t['pilots_live_late']:,} that went "
        "live late. "
        + (
            f"Amounts in {currency}."
            if currency
            else "Amounts are in the portfolio's own currency (name it in the assumptions)."
        )
    )


def caveats(result: cost.CostResult) -> None:
    """The gaps that change how the totals must be read, right under them."""
    for line in result.caveats():
        st.warning(line, icon=":material/warning:")


def missing_data(result: cost.CostResult) -> None:
    """What the data lacked and what the model did about it, always shown."""
    statement = result.missing_statement()
    text = "\n".join(f"- {line}" for line in statement)
    if result.missing:
        st.warning(
            "**Gaps in the data, and how they were handled**\n\n" + text, icon=":material/info:"
        )
    else:
        st.success(statement[0], icon=":material/check_circle:")


def charts(portfolio_id: int, assumptions_json: str, result: cost.CostResult) -> None:
    """The three cost charts, drawn on the server (no chart script for the browser)."""
    svgs = pictures(portfolio_id, assumptions_json)
    caption = result.assumptions.caption()
    left, right = st.columns(2)
    with left:
        st.subheader("Where the cost comes from")
        picture(svgs["parts"])
        st.caption(caption)
    with right:
        st.subheader("How it built up")
        picture(svgs["build_up"])
        st.caption(caption)
    st.subheader("Cost by business unit")
    if "units" in svgs:
        picture(svgs["units"])
        st.caption(caption)
    else:
        st.info("No business unit carries a cost with these assumptions.")


def trust_signals(result: cost.CostResult) -> None:
    st.subheader("Trust erosion, by business unit")
    st.caption(
        "Not priced. Pilots stuck now or stopped in the last 12 months, against those that "
        "went live: where failures outnumber successes, the next good proposal is harder to "
        "get approved. Strong: three or more failures and nothing live in the year."
    )
    table = _first(cost.unit_table(result), TRUST_FIRST)
    st.dataframe(
        table,
        hide_index=True,
        key=f"{PREFIX}units",
        column_config={
            "Business unit": st.column_config.TextColumn(pinned=True),
            **{
                c: st.column_config.NumberColumn(c, format="localized")
                for c in ("Direct cost", "Opportunity cost", "Total cost")
            },
        },
    )


# What each table is read for comes first, so that on a phone or beside the assumptions
# panel the columns that run off to the side are the supporting ones; the name stays pinned.
TOP_FIRST = ("Pilot", "Total cost", "Direct cost", "Opportunity cost", "Where it stands")
TRUST_FIRST = (
    "Business unit",
    "Trust erosion signal",
    "Open past decision point",
    "Stopped in last 12 months",
    "Went live in last 12 months",
)


def _first(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """`table` with `columns` first, the rest after them in their order."""
    leading = [c for c in columns if c in table.columns]
    return table[leading + [c for c in table.columns if c not in leading]]


def top_pilots(result: cost.CostResult) -> None:
    st.subheader(f"The {TOP_PILOTS} most expensive pilots in the trap")
    top = cost.pilot_table(result).head(TOP_PILOTS)
    top = top[top["Total cost"] > 0]
    if top.empty:
        st.info("No pilot carries a cost with these assumptions.")
        return
    st.dataframe(
        _first(top.drop(columns=["Pilot id", "Stage"]), TOP_FIRST),
        hide_index=True,
        key=f"{PREFIX}top",
        column_config={
            "Pilot": st.column_config.TextColumn(pinned=True),
            "Start date": st.column_config.DateColumn("Start date"),
            "Stopped on": st.column_config.DateColumn("Stopped on"),
            **{
                c: st.column_config.NumberColumn(c, format="localized")
                for c in ("Direct cost", "Opportunity cost", "Total cost")
            },
        },
    )
    st.caption(result.assumptions.caption())


def stop_now(portfolio_id: int, assumptions_json: str, content: Content) -> str:
    """The stop-now scenario; returns the selection rule used (for the download)."""
    st.subheader("What stopping now would save")
    rule = st.radio(
        "Pilots to stop",
        list(cost.STOP_SELECTIONS),
        format_func=cost.STOP_SELECTIONS.get,
        key=RULE_KEY,
        horizontal=True,
        help="The pilots the portfolio dashboard says to stop: assessed ones whose assessment "
        "says stop, late or low-value ones with low readiness, and those never assessed and "
        "far past the recommended path. The second choice stops every pilot still open past "
        "the whole recommended path.",
    )
    readiness = cache.readiness_key()
    scenario = cache.stop_scenario(portfolio_id, assumptions_json, rule, readiness)
    currency = cost.CostAssumptions.model_validate_json(assumptions_json).currency
    horizon = scenario.horizon_end.isoformat()
    if scenario.stopped == 0:
        st.info(
            "No open pilot matches this choice, so there is nothing to stop. "
            + (
                "The stop recommendations need readiness scores in the portfolio; try the "
                "other choice."
                if rule == "recommended"
                else ""
            )
        )
        return rule
    saving, kept = st.columns(2)
    saving.metric(
        f"Saving by {horizon}",
        format_money(scenario.saving, currency),
        help="The cost at the end of the horizon if these pilots run on, minus the cost if "
        "they stop today.",
        border=True,
    )
    kept.metric(
        "Pilots stopped",
        f"{scenario.stopped:,}",
        help="Open pilots in the selection; pilots already live or stopped are not counted.",
        border=True,
    )
    st.write(
        f"Left to run on until {horizon}, the trap would cost "
        f"{format_money(scenario.keep_total, currency)}; stopping these {scenario.stopped:,} "
        f"pilots today keeps it at {format_money(scenario.stop_total, currency)}: "
        f"{format_money(scenario.saving_direct, currency)} of spend avoided and "
        f"{format_money(scenario.saving_opportunity, currency)} of value no longer waited for."
    )
    picture(stop_picture(portfolio_id, assumptions_json, rule, readiness))
    st.caption(
        cost.CostAssumptions.model_validate_json(assumptions_json).caption()
        + f" Horizon {horizon}."
    )
    with st.expander(f"The {scenario.stopped:,} pilots to stop"):
        st.dataframe(
            cost.stop_table(scenario),
            hide_index=True,
            key=f"{PREFIX}stop_pilots",
            column_config={
                c: st.column_config.NumberColumn(c, format="localized")
                for c in ("Cost so far", "Saving")
            },
        )
    return rule


def download(portfolio_id: int, name: str, assumptions_json: str, rule: str) -> None:
    as_of = cost.CostAssumptions.model_validate_json(assumptions_json).as_of
    readiness = cache.readiness_key()
    prepared_row(
        [
            ReportFile(
                "Download the cost tables (xlsx)",
                "xlsx",
                lambda: cache.cost_workbook(portfolio_id, assumptions_json, rule, readiness),
                cost.export_filename(name, as_of),
                "Every pilot's cost, the units, month by month, the stop-now scenario, the "
                "data gaps and the assumptions used, one sheet each.",
            )
        ],
        f"{PREFIX}download_",
        # The assumptions, the stop rule and every saved answer: a change drops the file.
        basis=(portfolio_id, assumptions_json, rule, readiness),
        per_row=1,
        prepare="Prepare the cost tables",
        help="Builds the workbook from the assumptions and the stop rule above; the download "
        "button appears here when it is ready.",
        hint="About a second for a portfolio of 3,600 pilots.",
    )


def portfolio_label(record) -> str:
    when = pd.Timestamp(record.created_at).strftime("%Y-%m-%d")
    return f"{record.name} v{record.version} · {record.row_count:,} pilots · {when}"

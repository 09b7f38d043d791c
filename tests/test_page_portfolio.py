"""The portfolio page in AppTest: the demo dashboard, filters, and the upload-map-save path."""

from __future__ import annotations

import hashlib
import io
import os

import pandas as pd
import pytest
from harness import inputs_without_help

from diagnostics.storage import portfolios as portfolio_store
from diagnostics.storage import store

PAGE = "pages/portfolio.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _engine():
    return store.make_engine(os.environ["DATABASE_URL"])


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _problems(at) -> list:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def test_the_demo_portfolio_is_shown_with_its_numbers(app_test) -> None:
    at = app_test(PAGE)
    assert _problems(at) == []
    newer, older = portfolio_store.list_portfolios(_engine())[:2]
    assert at.selectbox(key="portfolio_pick").value == newer.id
    frame = portfolio_store.load_portfolio_frame(_engine(), newer.id)
    counts = frame["stage"].astype(str).value_counts()
    started = sum(counts.get(s, 0) for s in ("development", "pilot", "decision"))
    started += counts.get("production", 0) + counts.get("retired", 0)
    metrics = _metrics(at)
    assert metrics["Pilots"] == f"{newer.row_count:,}"
    assert metrics["In production"] == f"{counts['production']:,}"
    assert metrics["Production rate"] == f"{counts['production'] / started:.0%}"
    # The demo's older version lists pilots the newer one lost without retiring them.
    warnings = " ".join(w.value for w in at.warning)
    assert f"{older.row_count - newer.row_count:,} pilots of v1 are missing" in warnings
    assert any("demo portfolio" in i.value for i in at.info)


def test_the_enriched_portfolio_is_prepared_then_offered_as_built_files(app_test) -> None:
    """Test that the enriched xlsx and csv are built when asked for and handed over as bytes
    under the version's dated name, beside the template, which needs no preparing."""
    at = app_test(PAGE)
    labels = {b.proto.label for b in at.get("download_button")}
    assert "Enriched portfolio (xlsx)" not in labels
    assert "Empty template (xlsx)" in labels
    newer = portfolio_store.list_portfolios(_engine())[0]
    assert any(f"Every one of the {newer.row_count:,} pilots" in c.value for c in at.caption)
    at.button(key="portfolio_export_prepare").click().run()
    assert _problems(at) == []
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    for label in ("Enriched portfolio (xlsx)", "Enriched portfolio (csv)"):
        assert buttons[label].url
        assert not buttons[label].deferred_file_id
        assert buttons[label].help
    assert "Empty template (xlsx)" in buttons
    at.run()  # still offered: the version, the day and the answers are the same
    assert len(at.get("download_button")) == 3


def test_the_pilot_table_filters_by_recommendation_and_text(app_test) -> None:
    at = app_test(PAGE)
    total = portfolio_store.list_portfolios(_engine())[0].row_count
    assert any(c.value.startswith(f"{total:,} of {total:,} pilots shown") for c in at.caption)
    at.button_group(key="portfolio_filter_rec").set_value(["stop"]).run()
    shown = next(c.value for c in at.caption if "pilots shown" in c.value)
    n_stop = int(shown.split(" of ")[0].replace(",", ""))
    assert 0 < n_stop < total
    table = next(d.value for d in at.dataframe if "Recommendation" in d.value.columns)
    assert len(table) == n_stop
    assert set(table["Recommendation"]) == {"Stop"}
    at.text_input(key="portfolio_filter_text").set_value("no such pilot anywhere").run()
    assert any(c.value.startswith(f"0 of {total:,} pilots shown") for c in at.caption)


def _small_sheet() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(
        {
            "Project": ["Churn model", "Invoice bot", "Claims triage", "Fraud alerts", "CV screen"],
            "Dept": ["Sales", "Finance", "Sales", "Risk", "HR"],
            "Status": ["Pilot", "Live", "PoC", "Parked somewhere", "Stopped"],
            "Kick-off": ["2026-01-05", "2025-03-01", "2026-10-01", "2026-02-01", "2025-01-01"],
            "Budget": ["$120k", "90,000", "€ 50k", "", "1.2 m"],
        }
    ).to_excel(buffer, index=False, sheet_name="Pilots")
    return buffer.getvalue()


def _edit(at, key: str, row: int, column: str, value: str) -> None:
    """What a user's change in an st.data_editor cell sends back."""
    at.session_state[key] = {
        "edited_rows": {row: {column: value}},
        "added_rows": [],
        "deleted_rows": [],
    }


def test_upload_override_mapping_and_stage_then_save(app_test) -> None:
    at = app_test(PAGE)
    at.session_state["portfolio_tab"] = "Import a spreadsheet"
    at.run()
    data = _small_sheet()
    at.file_uploader(key="portfolio_file").set_value(("team pilots.xlsx", data, XLSX)).run()
    assert _problems(at) == []
    assert inputs_without_help(at) == []  # the mapping and stage choices explain themselves
    assert at.success[0].value.startswith("5 rows imported, 1 with warnings")
    mapping = next(d.value for d in at.dataframe if "Our field" in d.value.columns)
    mapped = dict(zip(mapping["Our field"], mapping["Your column"], strict=True))
    assert (mapped["Name"], mapped["Business unit"], mapped["Stage"]) == (
        "Project",
        "Dept",
        "Status",
    )
    texts = next(d.value for d in at.dataframe if "Text in your sheet" in d.value.columns)
    # Every stage text is listed, the one that could not be placed first.
    assert dict(zip(texts["Text in your sheet"], texts["Stage"], strict=True)) == {
        "Parked somewhere": "unknown",
        "Live": "production",
        "Pilot": "pilot",
        "PoC": "development",
        "Stopped": "retired",
    }
    assert texts["Text in your sheet"].iloc[0] == "Parked somewhere"

    digest = hashlib.sha256(data).hexdigest()[:16]
    # The user says the business unit column is not one, and "Parked somewhere" is retired.
    unit_row = mapping.index[mapping["Our field"] == "Business unit"][0]
    _edit(at, f"portfolio_mapping_{digest}_Pilots", int(unit_row), "Your column", "(not used)")
    _edit(at, f"portfolio_stages_{digest}_Pilots", 0, "Stage", "retired")
    at.run()
    assert _problems(at) == []
    stages = next(d.value for d in at.dataframe if list(d.value.columns) == ["Stage", "Pilots"])
    assert dict(zip(stages["Stage"], stages["Pilots"], strict=True)) == {
        "Idea": 0,
        "Development": 1,
        "Pilot": 1,
        "Decision": 0,
        "Production": 1,
        "Retired": 2,
        "Unknown": 0,
    }

    save = "FormSubmitter:portfolio_save_form-Save portfolio"
    before = len(portfolio_store.list_portfolios(_engine()))
    at.text_input(key="portfolio_name").set_value("   ")
    at.button(key=save).click().run()
    assert [e.value for e in at.error] == [
        "Give the portfolio a name, for example “AI pilots 2026”."
    ]
    assert len(portfolio_store.list_portfolios(_engine())) == before

    at.text_input(key="portfolio_name").set_value("Team pilots")
    at.button(key=save).click().run()
    assert _problems(at) == []
    saved = portfolio_store.list_portfolios(_engine())[0]
    assert (saved.name, saved.row_count, saved.source_filename) == (
        "Team pilots",
        5,
        "team pilots.xlsx",
    )
    # Back on the dashboard, showing the new portfolio: 1 of 5 started pilots is live.
    assert at.session_state["portfolio_tab"] == "Dashboard"
    assert at.selectbox(key="portfolio_pick").value == saved.id
    metrics = _metrics(at)
    assert (metrics["Pilots"], metrics["In production"], metrics["Production rate"]) == (
        "5",
        "1",
        "20%",
    )
    frame = portfolio_store.load_portfolio_frame(_engine(), saved.id)
    assert frame["business_unit"].isna().all()
    assert frame.loc[3, "stage"] == "retired"
    assert frame["pilot_budget"].tolist()[:3] == [120_000, 90_000, 50_000]


@pytest.mark.parametrize(
    ("filename", "data"),
    [("broken.xlsx", b"this is not a workbook"), ("empty.csv", b"")],
)
def test_an_unreadable_file_gets_a_message_not_a_traceback(app_test, filename, data) -> None:
    at = app_test(PAGE)
    at.session_state["portfolio_tab"] = "Import a spreadsheet"
    at.run()
    at.file_uploader(key="portfolio_file").set_value((filename, data, "text/plain")).run()
    assert [e.value for e in at.exception] == []
    assert len(at.error) == 1
    assert filename.split(".")[0] in at.error[0].value or "file" in at.error[0].value.lower()
    assert not at.button  # nothing to save


def test_an_upload_is_read_once_with_progress_and_reruns_reuse_it(app_test, monkeypatch) -> None:
    from diagnostics.portfolio import importer as portfolio_import

    real = portfolio_import.import_portfolio
    calls: list[list[float]] = []

    def counted(*args, **kwargs):
        shares: list[float] = []
        calls.append(shares)
        told = kwargs["progress"]
        kwargs["progress"] = lambda share, step: (shares.append(share), told(share, step))
        return real(*args, **kwargs)

    monkeypatch.setattr(portfolio_import, "import_portfolio", counted)
    at = app_test(PAGE)
    at.session_state["portfolio_tab"] = "Import a spreadsheet"
    at.run()
    # A file of its own (a unique pilot name), so no earlier test's read is reused.
    data = _small_sheet().replace(b"CV screen", b"CV triage")
    at.file_uploader(key="portfolio_file").set_value(("once.xlsx", data, XLSX)).run()
    assert _problems(at) == []
    assert len(calls) == 1
    assert calls[0][0] == 0.0
    assert calls[0][-1] == 1.0  # the bar went the whole way
    at.run()
    at.run()
    assert len(calls) == 1  # reruns reuse the read
    assert at.success[0].value.startswith("5 rows imported")

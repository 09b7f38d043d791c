"""An empty pilot list to fill in, for organisations that do not keep one yet.

Three sheets: `Pilots` (our columns, a stage dropdown, ready to fill), `Example` (a few
filled-in rows to copy from) and `Help` (what each column means). Its headers are our own
field labels, so importing the filled-in file needs no mapping at all.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from diagnostics.framework.content import Content
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.stages import STAGE_LABELS
from diagnostics.sheets.safe_export import frames_to_xlsx_bytes

TEMPLATE_ROWS = 500  # rows that get the stage dropdown
STAGE_CHOICES = tuple(label for key, label in STAGE_LABELS.items() if key != "unknown")


def _example_rows(today: date) -> list[dict[str, object]]:
    def ago(weeks: int) -> date:
        return today - timedelta(weeks=weeks)

    return [
        {
            "pilot_id": "AI-001",
            "name": "Support ticket routing",
            "business_unit": "Customer Service",
            "business_subunit": "Contact centre",
            "owner": "Head of Customer Service",
            "technology": "Azure OpenAI",
            "stage": "Pilot",
            "start_date": ago(9),
            "pilot_budget": 120_000,
            "production_estimate": 300_000,
            "expected_annual_value": 480_000,
            "live_users": 0,
            "data_sources": 3,
        },
        {
            "pilot_id": "AI-002",
            "name": "Invoice matching",
            "business_unit": "Finance",
            "business_subunit": "Accounts payable",
            "owner": "Finance Operations Director",
            "technology": "In-house Python",
            "stage": "Production",
            "start_date": ago(40),
            "decision_date": ago(26),
            "pilot_budget": 90_000,
            "production_estimate": 150_000,
            "expected_annual_value": 350_000,
            "live_users": 45,
            "data_sources": 2,
        },
        {
            "pilot_id": "AI-003",
            "name": "Spare-parts demand forecast",
            "business_unit": "Operations",
            "business_subunit": "Supply chain",
            "owner": "Supply Chain Manager",
            "technology": "Databricks",
            "stage": "Decision",
            "start_date": ago(30),
            "pilot_budget": 210_000,
            "expected_annual_value": 600_000,
            "live_users": 0,
            "data_sources": 6,
        },
        {
            "pilot_id": "AI-004",
            "name": "Contract clause extraction",
            "business_unit": "Legal",
            "business_subunit": "Contracts",
            "owner": "General Counsel",
            "technology": "Azure OpenAI",
            "stage": "Idea",
            "expected_annual_value": 150_000,
        },
        {
            "pilot_id": "AI-005",
            "name": "CV screening assistant",
            "business_unit": "HR",
            "business_subunit": "Recruiting",
            "owner": "HR Director",
            "technology": "Vendor X",
            "stage": "Retired",
            "start_date": ago(60),
            "decision_date": ago(44),
            "stop_date": ago(44),
            "pilot_budget": 70_000,
            "live_users": 0,
        },
    ]


def template_frames(content: Content, today: date | None = None) -> dict[str, pd.DataFrame]:
    """The template's sheets as frames (headers are our field labels)."""
    today = today or date.today()
    labels = [f.label for f in FIELDS]
    example = pd.DataFrame(
        [{f.label: row.get(f.key) for f in FIELDS} for row in _example_rows(today)],
        columns=labels,
    )
    weeks = content.timeframes
    notes = {
        "stage": f"One of: {', '.join(STAGE_CHOICES)}.",
        "start_date": (
            f"The recommended pilot lasts {weeks.pilot.label}, with a decision within "
            f"{weeks.decision.label} after it."
        ),
    }
    help_sheet = pd.DataFrame(
        {
            "Column": labels,
            "What to enter": [
                f.help + (" " + notes[f.key] if f.key in notes else "") for f in FIELDS
            ],
        }
    )
    return {"Pilots": pd.DataFrame(columns=labels), "Example": example, "Help": help_sheet}


def template_xlsx(content: Content, today: date | None = None) -> bytes:
    """The template workbook, with a stage dropdown on the Pilots and Example sheets."""
    frames = template_frames(content, today)
    workbook = load_workbook(io.BytesIO(frames_to_xlsx_bytes(frames)))
    stage_column = [f.key for f in FIELDS].index("stage") + 1
    letter = workbook["Pilots"].cell(row=1, column=stage_column).column_letter
    for name in ("Pilots", "Example"):
        sheet = workbook[name]
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(STAGE_CHOICES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Stage",
            error=f"Choose one of: {', '.join(STAGE_CHOICES)}.",
        )
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 22
    workbook["Help"].column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The empty template: our columns, a stage dropdown, and an example that imports as is."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from diagnostics.framework.content import load_content
from diagnostics.portfolio.fields import FIELDS
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.portfolio.template import STAGE_CHOICES, template_xlsx

CONTENT = load_content()


def test_template_has_our_columns_and_a_stage_dropdown() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx(CONTENT, today=date(2026, 11, 25))))
    assert workbook.sheetnames == ["Pilots", "Example", "Help"]
    pilots = workbook["Pilots"]
    headers = [c.value for c in pilots[1]]
    assert headers == [f.label for f in FIELDS]
    assert pilots.max_row == 1  # nothing to delete before filling it in
    [rule] = pilots.data_validations.dataValidation
    stage_letter = pilots.cell(row=1, column=headers.index("Stage") + 1).column_letter
    assert str(rule.sqref) == f"{stage_letter}2:{stage_letter}501"
    assert rule.formula1 == '"Idea,Development,Pilot,Decision,Production,Retired"'
    assert tuple(rule.formula1.strip('"').split(",")) == STAGE_CHOICES
    help_rows = list(workbook["Help"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in help_rows] == headers
    assert all(r[1] for r in help_rows)


def test_the_filled_in_example_imports_without_any_mapping() -> None:
    data = template_xlsx(CONTENT, today=date(2026, 11, 25))
    imported = import_portfolio(data, "template.xlsx", sheet="Example")
    assert imported.rows_imported == 5
    unmapped = [f.key for f in FIELDS if imported.mapping[f.key].column is None]
    assert unmapped == []
    assert imported.stage_counts() == {
        "idea": 1,
        "development": 0,
        "pilot": 1,
        "decision": 1,
        "production": 1,
        "retired": 1,
        "unknown": 0,
    }
    frame = imported.frame.set_index("pilot_id")
    # 9 weeks before 2026-11-25.
    assert frame.loc["AI-001", "start_date"].date() == date(2026, 9, 23)
    assert frame.loc["AI-002", "live_users"] == 45

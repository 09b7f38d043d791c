"""A changed mapping reads the same sheet again: the automatic mapping of that sheet is kept
from the first read (it was most of the work), and the result is the same as a fresh read."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from diagnostics.portfolio import importer
from diagnostics.portfolio.importer import import_portfolio


def _sheet() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Use case", "Agency", "Contact", "Phase", "Started"])
    for i in range(40):
        phase = ("Pilot", "In production", "Idea")[i % 3]
        sheet.append(
            [f"Case {i}", f"Agency {i % 4}", f"person{i}@example.org", phase, "2025-01-15"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_changed_mapping_reuses_the_automatic_mapping(monkeypatch) -> None:
    data = _sheet()
    calls = []
    real = importer.auto_map

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "auto_map", counted)
    monkeypatch.setattr(importer, "_automatic", type(importer._automatic)())
    first = import_portfolio(data, "cases.xlsx")
    owner = import_portfolio(data, "cases.xlsx", mapping={"owner": "Contact"})
    unset = import_portfolio(data, "cases.xlsx", mapping={"owner": None, "name": "Contact"})
    assert len(calls) == 1  # read three times, weighed once
    assert first.mapping["name"].column == "Use case"
    assert owner.mapping["owner"].column == "Contact"
    assert owner.mapping["owner"].source == "user"
    assert list(owner.frame["owner"].head(2)) == ["person0@example.org", "person1@example.org"]
    assert unset.mapping["owner"].column is None
    assert unset.mapping["name"].column == "Contact"
    # The kept mapping was not changed by the user's choices read over it.
    again = import_portfolio(data, "cases.xlsx")
    assert len(calls) == 1
    assert again.mapping == first.mapping
    pd.testing.assert_frame_equal(again.frame, first.frame)


def test_the_sheet_picked_and_the_same_sheet_asked_for_are_weighed_once(monkeypatch) -> None:
    """The import tab reads a file without a sheet, then with the sheet that read picked."""
    calls = []
    real = importer.auto_map
    monkeypatch.setattr(importer, "auto_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(importer, "_automatic", type(importer._automatic)())
    data = _sheet()
    first = import_portfolio(data, "cases.xlsx")
    owner = import_portfolio(data, "cases.xlsx", sheet=first.sheet, mapping={"owner": "Contact"})
    assert first.sheet is not None
    assert len(calls) == 1
    assert owner.mapping["owner"].column == "Contact"


def test_other_bytes_are_weighed_afresh(monkeypatch) -> None:
    calls = []
    real = importer.auto_map
    monkeypatch.setattr(importer, "auto_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(importer, "_automatic", type(importer._automatic)())
    data = _sheet()
    import_portfolio(data, "cases.xlsx")
    import_portfolio(data + b"", "cases.xlsx", mapping={"owner": "Contact"})
    assert len(calls) == 1
    csv = pd.DataFrame({"Use case": ["A", "B"], "Phase": ["Pilot", "Idea"]}).to_csv(index=False)
    import_portfolio(csv.encode(), "cases.csv")
    assert len(calls) == 2

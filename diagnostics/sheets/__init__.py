"""Spreadsheets in and out: reading any file safely within stated limits, and formula-safe cells
for every export.

- `reader`: the entry point, `read_table(data, filename, sheet=...)`; workbooks and the choice
  of sheet.
- `archive_check`: refuses bombs, XML declarations and far-away cells before anything parses.
- `text_table`: csv encodings and delimiters.
- `table`: the header row, unique column names and the cells below it.
- `file_kinds`: the file kinds accepted and the refusal messages the readers share.
- `limits`: the stated limits (size, rows, columns, cells).
- `safe_export`: formula-safe cells and escaped HTML for every export.
"""

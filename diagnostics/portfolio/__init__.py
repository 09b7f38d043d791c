"""Portfolios of pilots, from a spreadsheet in any layout to push / fix / stop.

- Reading: `values` (amounts, dates, text), `stages` (stage texts), `fields` (the canonical
  fields, once) and `column_words` (the header words that name them), `mapping` (columns to
  fields with confidence), `stray_rows`, `header_check` (a header row that is really data),
  `importer` (the canonical frame and its row report),
  `coverage` (what the portfolio lacks for the dashboard's first questions), `names` (one normal
  form of a pilot's name for matching), `currency` (the currency the amounts name).
- Analysis: `analysis` (funnel, rates, time in pilot, matrix), `recommendations` (push / fix /
  stop and why), `symptoms` (the three a sheet can show, one rule each), `assessed` (readiness
  from saved assessments), `drill` (sub-units).
- Output: `figures`, `template` (the empty sheet), `synthetic` (demo and benchmark portfolios).
"""

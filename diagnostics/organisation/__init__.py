"""The organisation view.

- `answer_sheet`: answers in bulk, one row per pilot, read and checked cell by cell.
- `answers`: every pilot's standing answers in one shape (self-assessments, workshop
  consensus, answer sheets, a portfolio sheet's own readiness); saving a sheet.
- `profile`: readiness, decisions and systemic gaps across pilots.
- `trap_check`: the two-minute check of the six symptoms.
- `figures`: the charts.
"""

"""The performance benchmark: `python -m bench` (or `make bench`).

Generates deterministic synthetic portfolios (1,000 / 10,000 / 100,000 pilots, xlsx and csv),
times the bare parse (the floor), the full import, the aggregates and cost model, a dashboard
rerun and a workshop round on the same files in one run, measures the import's peak memory,
prints a table, writes `bench/results.json` and checks the budgets.
"""

"""Spreadsheets in and out: reading any file safely within stated limits, and formula-safe cells
for every export.
"""

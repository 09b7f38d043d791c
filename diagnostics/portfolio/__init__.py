"""Portfolios of pilots: values, stages, the canonical fields and the header words that name
them (column_words), column mapping, stray rows, the import into the canonical frame, what a
portfolio lacks (coverage), analysis, drilling into sub-units, charts, the template.
"""

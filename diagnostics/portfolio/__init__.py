"""Portfolios of pilots: values, stages, column mapping, the import into the canonical frame,
analysis, charts, the template.
"""

"""The database: tables, the engine from DATABASE_URL, migrations, saved pilots, assessments and
portfolios, health.
"""

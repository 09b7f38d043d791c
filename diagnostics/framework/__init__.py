"""The framework and one pilot: the content file, scoring, the timeline, a pilot's history and
review, its charts.
"""

"""The organisation view: answers in bulk, the risk profile and systemic gaps, the trap self-check,
its charts.
"""

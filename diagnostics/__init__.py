"""PoC Trap Diagnostic engine: content, scoring, decisions, portfolios, cost, persistence.

Usable from a notebook, from the command line (`python -m diagnostics`) and from the
Streamlit pages, which are thin layers over this package. It never imports streamlit.
"""

__version__ = "0.1.0"

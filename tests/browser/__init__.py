"""Real-browser tests: Debian's chromium, driven by Playwright, against `streamlit run`."""

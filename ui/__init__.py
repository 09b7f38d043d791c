"""UI-side helpers for the Streamlit pages: navigation, caches, reusable blocks."""

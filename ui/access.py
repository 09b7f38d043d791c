"""The sign-in gate of a team deployment, for the pages that need one.

Pages that show an organisation's portfolio, or create workshops, call `require_access(area)`
before anything else. On a laptop (no `POCTRAP_PASSWORD_HASH`, no `POCTRAP_AUTH`) it returns
at once: the local default needs no login. With a team password it shows a password form and
stops the page until the right password is given; with `POCTRAP_AUTH=oidc` it asks for
Streamlit's `st.login`. Participants who join a workshop with its code never call it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time

import streamlit as st

from diagnostics.auth import access_mode, configured_password_hash, verify_password
from diagnostics.errors import AccessError
from diagnostics.logging_setup import log_event

AREAS = {
    "portfolio": "The portfolio pages",
    "workshop": "Creating and running workshops",
}
GRANTED_KEY = "access_granted"
FAILURES_KEY = "access_failures"
LOCKED_UNTIL_KEY = "access_locked_until"
MAX_FAILURES = 5
LOCK_SECONDS = 30
OIDC_PROVIDER_ENV = "POCTRAP_OIDC_PROVIDER"


def _fingerprint(encoded: str) -> str:
    """Ties a sign-in to the current password: changing the hash signs everyone out."""
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def require_access(area: str) -> None:
    """Return when this session may use `area`; otherwise show sign-in and stop the page."""
    if area not in AREAS:
        raise ValueError(f"unknown access area {area!r}; known: {sorted(AREAS)}")
    try:
        mode = access_mode()
        stored = configured_password_hash() if mode == "password" else None
    except AccessError as exc:
        # A deployment mistake: say so plainly and keep the protected page closed.
        st.error(f"Sign-in is misconfigured: {exc}", icon=":material/lock:")
        st.stop()
    if mode == "open":
        return
    if mode == "oidc":
        _require_identity_provider(area)
        return
    fingerprint = _fingerprint(stored.encode())
    if st.session_state.get(GRANTED_KEY) == fingerprint:
        if st.sidebar.button("Sign out", key="access_sign_out", icon=":material/logout:"):
            st.session_state.pop(GRANTED_KEY, None)
            st.rerun()
        return
    _password_form(area, stored, fingerprint)
    st.stop()


def _password_form(area: str, stored, fingerprint: str) -> None:
    # A subheader: some pages show their own title above the gate, some do not.
    st.subheader(":material/lock: Team sign-in")
    st.write(
        f"{AREAS[area]} are open to your team only. Enter the team password your "
        "administrator gave you. (Joining a workshop with its code needs no password.)"
    )
    with st.form("access_form"):
        password = st.text_input("Team password", type="password", key="access_password")
        submitted = st.form_submit_button("Sign in", key="access_submit", type="primary")
    if not submitted:
        return
    locked_for = st.session_state.get(LOCKED_UNTIL_KEY, 0.0) - time.monotonic()
    if locked_for > 0:
        st.error(f"Too many wrong passwords. Wait {int(locked_for) + 1} seconds and try again.")
        return
    if verify_password(password or "", stored):
        st.session_state[GRANTED_KEY] = fingerprint
        st.session_state[FAILURES_KEY] = 0
        log_event("access_granted", area=area, method="password")
        st.rerun()
    failures = st.session_state.get(FAILURES_KEY, 0) + 1
    st.session_state[FAILURES_KEY] = failures
    log_event("access_denied", area=area, method="password", failures=failures)
    if failures >= MAX_FAILURES:
        st.session_state[LOCKED_UNTIL_KEY] = time.monotonic() + LOCK_SECONDS
        st.session_state[FAILURES_KEY] = 0
    st.error("That is not the team password. Check it with your administrator.")


def _require_identity_provider(area: str) -> None:
    """Sign-in through an OpenID Connect provider configured in `.streamlit/secrets.toml`."""
    # Without an [auth] section in secrets.toml st.user has no is_logged_in at all.
    if getattr(st.user, "is_logged_in", False):
        return
    st.subheader(":material/lock: Sign in")
    st.write(f"{AREAS[area]} need you to sign in with your organisation's account.")
    if importlib.util.find_spec("authlib") is None:
        st.error(
            "Sign-in with an identity provider needs the Authlib package on the server "
            "(see docs/deploy.md). Ask your administrator.",
            icon=":material/lock:",
        )
        st.stop()
    if st.button("Sign in", key="access_login", type="primary"):
        st.login(os.environ.get(OIDC_PROVIDER_ENV) or None)
    st.stop()

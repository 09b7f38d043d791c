"""Blocks shared by the three workshop pages: links, the QR code, the caller's client key,
inert user text, and the large-type styles of the shared screen and the phone buttons.

The facilitator token travels as `?facilitator=` (app.py keeps it in `link_facilitator`);
a participant's own token as `?p=` next to `?code=`, so a phone that reloads stays in.
"""

from __future__ import annotations

import io
import ipaddress
import os
import secrets

import segno
import streamlit as st

from diagnostics import workshop as ws

FACILITATOR_KEY = "link_facilitator"
CODE_KEY = "link_code"
PUBLIC_URL_ENV = "POCTRAP_PUBLIC_URL"


def base_url(url_path: str) -> str:
    """The app's public address: POCTRAP_PUBLIC_URL, else what the browser shows."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    if configured:
        return configured
    current = (st.context.url or "").rstrip("/")
    if not current:
        return "http://localhost:8501"
    return current.removesuffix("/" + url_path)


def join_link(base: str, code: str) -> str:
    return f"{base}/join?code={code}"


def facilitator_link(base: str, token: str, page: str = "workshop") -> str:
    return f"{base}/{page}?facilitator={token}"


@st.cache_data(show_spinner=False, max_entries=200)
def qr_png(data: str, scale: int = 10) -> bytes:
    """The QR code as PNG bytes; cached because the shared screen redraws every second."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2, dark="#111111")
    return buffer.getvalue()


def client_key() -> str:
    """Who is trying join codes: the connection's address (the first forwarded one when a proxy
    on this machine relays it), else a random key kept for this browser session."""
    ip = st.context.ip_address
    if ip and _is_loopback(ip):
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
        ip = forwarded or st.context.headers.get("X-Real-Ip") or ip
    if ip:
        return ws.client_key(f"ip:{ip}")
    session_key = st.session_state.setdefault("join_client", secrets.token_hex(16))
    return ws.client_key(f"session:{session_key}")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def facilitator_token() -> str | None:
    return st.session_state.get(FACILITATOR_KEY) or st.query_params.get("facilitator")


def remember_facilitator(token: str) -> None:
    st.session_state[FACILITATOR_KEY] = token
    st.query_params["facilitator"] = token


def forget_facilitator() -> None:
    st.session_state.pop(FACILITATOR_KEY, None)
    st.query_params.pop("facilitator", None)


# Static styles only: no user data ever goes into these strings.
PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMain"] { background: #ffffff; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; max-width: 100%; }
.st-key-present_screen, .st-key-present_screen p, .st-key-present_screen li {
  color: #111111; font-size: 2rem; line-height: 1.3; }
.st-key-present_screen h1 { font-size: 3.4rem; color: #111111; }
.st-key-present_screen h2 { font-size: 2.6rem; color: #111111; }
.st-key-present_screen h3 { font-size: 2.2rem; color: #111111; }
.st-key-present_code p { font-size: 8rem !important; font-weight: 800; letter-spacing: 0.6rem;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; }
.st-key-present_screen [data-testid="stMetricValue"],
.st-key-present_screen [data-testid="stMetricValue"] div,
.st-key-present_screen [data-testid="stMetricValue"] p { font-size: 4.5rem; color: #111111;
  line-height: 1.1; }
.st-key-present_screen [data-testid="stMetricLabel"] p { font-size: 1.8rem; }
.st-key-present_screen button { min-height: 5rem; }
.st-key-present_screen button p { font-size: 2.2rem !important; font-weight: 700; }
</style>
"""

PHONE_CSS = """
<style>
.st-key-join_questions button { min-height: 3.6rem; }
.st-key-join_questions button p { font-size: 1.3rem !important; }
.st-key-join_questions p { font-size: 1.15rem; }
.st-key-join_form input { font-size: 1.6rem; letter-spacing: 0.3rem; text-transform: uppercase; }
.st-key-join_form button { min-height: 3.4rem; }
</style>
"""

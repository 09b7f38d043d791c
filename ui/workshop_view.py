"""Blocks shared by the three workshop pages: links, the QR code, the caller's client key,
inert user text, and the large-type styles of the shared screen and the phone buttons.

The facilitator token travels as `?facilitator=` (app.py keeps it in `link_facilitator`);
a participant's own token as `?p=` next to `?code=`, so a phone that reloads stays in.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import secrets
import socket
from urllib.parse import urlsplit

import segno
import streamlit as st

from diagnostics import workshop as ws
from ui.components import LinkToken
from ui.navigation import available_pages

FACILITATOR_KEY = "link_facilitator"
_FACILITATOR_LINK = LinkToken(FACILITATOR_KEY, "facilitator")
CODE_KEY = "link_code"
PUBLIC_URL_ENV = "POCTRAP_PUBLIC_URL"


def base_url(url_path: str = "") -> str:
    """The app's address as configured (POCTRAP_PUBLIC_URL), else what the browser shows."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    if configured:
        return configured
    current = urlsplit(st.context.url or "")
    if not current.netloc:
        return "http://localhost:8501"
    path = current.path.rstrip("/")
    pages = {spec.url_path for spec in available_pages() if spec.url_path}
    head, _slash, last = path.rpartition("/")
    if last == url_path or last in pages:  # the page's own segment, not the app's base path
        path = head
    return f"{current.scheme}://{current.netloc}{path}"


def opened_locally(base: str) -> bool:
    """Whether `base` names this machine only (localhost, 127.0.0.1, ::1): phones can't use it."""
    host = urlsplit(base).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@st.cache_data(ttl=300, show_spinner=False)
def network_address() -> str | None:
    """This machine's address on its network, as other devices would reach it (or None).

    Connecting a UDP socket sends nothing; it only asks the system which interface and
    address it would use to leave the machine.
    """
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return None


def join_base() -> str:
    """The address phones should use: the configured public address, else the browser's, with
    the machine's network address in place of localhost (phones cannot reach localhost)."""
    base = base_url()
    if os.environ.get(PUBLIC_URL_ENV) or not opened_locally(base):
        return base
    address = network_address()
    if address is None:
        return base
    parts = urlsplit(base)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{address}{port}{parts.path}"


def short_link(link: str) -> str:
    """A link as people type it: without the scheme."""
    return link.split("://", 1)[-1]


join_link = ws.join_link
facilitator_link = ws.facilitator_link


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
    return _FACILITATOR_LINK.current()


def remember_facilitator(token: str) -> None:
    _FACILITATOR_LINK.remember(token)


def forget_facilitator() -> None:
    _FACILITATOR_LINK.forget()


# Static styles only: no user data ever goes into these strings.
PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMain"] { background: #ffffff; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2.5rem 1rem; max-width: 100%; }
.st-key-present_screen, .st-key-present_screen p, .st-key-present_screen li {
  color: #111111; font-size: 2rem; line-height: 1.25; }
.st-key-present_screen h1 { font-size: 3.2rem; color: #111111; padding: 0.2rem 0; }
.st-key-present_screen h2 { font-size: 2.4rem; color: #111111; padding: 0.3rem 0 0.1rem; }
.st-key-present_screen h3 { font-size: 2.1rem; color: #111111; }
.st-key-present_screen [data-testid="stCaptionContainer"] p { font-size: 1.4rem;
  color: #333333; }
.st-key-present_code p { font-size: 8rem !important; font-weight: 800; letter-spacing: 0.6rem;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; }
.st-key-present_screen [data-testid="stMetricValue"],
.st-key-present_screen [data-testid="stMetricValue"] div,
.st-key-present_screen [data-testid="stMetricValue"] p { font-size: 4.5rem; color: #111111;
  line-height: 1.1; }
.st-key-present_screen [data-testid="stMetricLabel"] p { font-size: 1.8rem; }
.st-key-present_bar { background: #f2f4f7; border-radius: 0.6rem; padding: 0.2rem 1rem;
  justify-content: space-between; gap: 1.5rem; }
.st-key-present_bar p { font-size: 1.6rem !important; margin: 0; white-space: nowrap; }
.st-key-present_bar [data-testid="stElementContainer"] { width: auto !important; }
.st-key-present_end h1 { font-size: 4.5rem !important; }
.st-key-present_screen button { min-height: 5rem; }
.st-key-present_screen button p { font-size: 2.2rem !important; font-weight: 700; }
</style>
"""

PHONE_CSS = """
<style>
.st-key-join_questions button { min-height: 3.1rem; }
.st-key-join_questions button p { font-size: 1.25rem !important; }
.st-key-join_questions p { font-size: 1.15rem; }
.st-key-join_questions [data-testid="stVerticalBlock"] { gap: 0.55rem; }
.st-key-join_code input { font-size: 1.6rem; letter-spacing: 0.3rem; text-transform: uppercase; }
.st-key-join_form button { min-height: 3.4rem; }
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; }
</style>
"""

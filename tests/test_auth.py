"""The shared team password: hashes, checks, the command that makes them, the gate on pages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess

import pytest
from harness import REPO_ROOT, page_heading

from bench.commands import run_cli
from diagnostics import auth
from diagnostics.errors import AccessError

PASSWORD = "correct horse battery staple"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture(scope="module")
def scrypt_hash() -> str:
    return auth.hash_password(PASSWORD)


def test_right_password_passes_and_near_misses_fail(scrypt_hash: str) -> None:
    assert auth.verify_password(PASSWORD, scrypt_hash)
    for wrong in ("", PASSWORD.upper(), PASSWORD + " ", PASSWORD[:-1], "correct horse"):
        assert not auth.verify_password(wrong, scrypt_hash), wrong


def test_each_hash_has_its_own_salt_and_no_dollar_signs(scrypt_hash: str) -> None:
    second = auth.hash_password(PASSWORD)
    assert second != scrypt_hash
    assert auth.verify_password(PASSWORD, second)
    assert "$" not in scrypt_hash  # a shell or compose file would expand it
    assert PASSWORD not in scrypt_hash
    method, n, r, p, salt, _digest = scrypt_hash.split(":")
    assert (method, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 1)
    assert len(base64.urlsafe_b64decode(salt + "==")) == 16


def test_a_hash_computed_independently_in_the_documented_format_is_accepted() -> None:
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"team-secret-2026", salt=salt, n=2**14, r=8, p=1, dklen=32)
    encoded = f"scrypt:16384:8:1:{_b64(salt)}:{_b64(digest)}"
    assert auth.verify_password("team-secret-2026", encoded)
    assert not auth.verify_password("team-secret-2025", encoded)

    pbkdf2 = hashlib.pbkdf2_hmac("sha256", b"team-secret-2026", salt, 1000, dklen=32)
    encoded = f"pbkdf2_sha256:1000:{_b64(salt)}:{_b64(pbkdf2)}"
    assert auth.verify_password("team-secret-2026", encoded)
    assert not auth.verify_password("team-secret", encoded)


def test_pbkdf2_hashes_round_trip() -> None:
    encoded = auth.hash_password(PASSWORD, method="pbkdf2_sha256")
    assert encoded.startswith("pbkdf2_sha256:600000:")
    assert auth.verify_password(PASSWORD, encoded)
    assert not auth.verify_password("nope-nope-nope", encoded)


def test_digests_are_compared_in_constant_time(scrypt_hash: str, monkeypatch) -> None:
    calls = []
    real_compare = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", recording)
    assert not auth.verify_password("wrong password", scrypt_hash)
    assert len(calls) == 1
    assert all(isinstance(x, bytes) and len(x) == 32 for x in calls[0])


def test_an_overlong_password_is_refused_even_if_it_matches() -> None:
    long_password = "x" * (auth.MAX_PASSWORD_LENGTH + 1)
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", long_password.encode(), salt, 1000, dklen=32)
    assert not auth.verify_password(
        long_password, f"pbkdf2_sha256:1000:{_b64(salt)}:{_b64(digest)}"
    )


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("bcrypt:12:abc:def", "does not start with"),
        ("scrypt:32768:8:1:abc", "colon-separated parts"),
        (
            "scrypt:lots:8:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "damaged",
        ),
        (
            "scrypt:1000:8:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "implausible",
        ),
        (
            "pbkdf2_sha256:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "implausible",
        ),
    ],
)
def test_a_damaged_hash_is_reported_with_how_to_make_a_new_one(bad: str, words: str) -> None:
    with pytest.raises(AccessError) as caught:
        auth.verify_password(PASSWORD, bad)
    message = str(caught.value)
    assert words in message
    assert "POCTRAP_PASSWORD_HASH" in message
    assert "hash-password" in message


def test_short_passwords_are_refused() -> None:
    with pytest.raises(AccessError, match="at least 8"):
        auth.hash_password("1234567")


def test_access_mode_is_open_unless_a_deployment_asks_for_sign_in(scrypt_hash: str) -> None:
    assert auth.access_mode({}) == "open"
    assert auth.access_mode({"POCTRAP_PASSWORD_HASH": "  "}) == "open"
    assert auth.access_mode({"POCTRAP_PASSWORD_HASH": scrypt_hash}) == "password"
    assert auth.access_mode({"POCTRAP_AUTH": "OIDC"}) == "oidc"
    with pytest.raises(AccessError, match="needs POCTRAP_PASSWORD_HASH"):
        auth.access_mode({"POCTRAP_AUTH": "password"})
    with pytest.raises(AccessError, match="not known"):
        auth.access_mode({"POCTRAP_AUTH": "ldap"})
    assert auth.configured_password_hash({}) is None
    assert auth.configured_password_hash({"POCTRAP_PASSWORD_HASH": scrypt_hash}).method == "scrypt"


def _cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return run_cli(*args, stdin=stdin, timeout=60)


def test_hash_password_command_prints_a_hash_that_verifies() -> None:
    result = _cli("hash-password", stdin="a shared team password\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, "stdout is only the hash, so scripts can capture it"
    assert auth.verify_password("a shared team password", lines[0])
    assert not auth.verify_password("a shared team password\n", lines[0])

    result = _cli("hash-password", "--method", "pbkdf2_sha256", stdin="another password\n")
    assert result.returncode == 0
    assert result.stdout.startswith("pbkdf2_sha256:")


def test_hash_password_command_refuses_a_short_password_with_status_2() -> None:
    result = _cli("hash-password", stdin="short\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "at least 8" in result.stderr


# --- the gate on pages (ui/access.py) ---------------------------------------------------------

PROTECTED_PAGES = ["pages/portfolio.py", "pages/cost.py", "pages/workshop.py"]
OPEN_PAGES = ["pages/join.py", "pages/home.py", "pages/framework.py"]


def _protected_page() -> None:
    import streamlit as st

    from ui.access import require_access

    require_access("portfolio")
    st.title("Portfolio overview")
    st.write("Rows of the organisation's portfolio")


def _open_gate(monkeypatch, hash_value: str | None, **env: str):
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(REPO_ROOT)
    for name in ("POCTRAP_PASSWORD_HASH", "POCTRAP_AUTH"):
        monkeypatch.delenv(name, raising=False)
    if hash_value is not None:
        monkeypatch.setenv("POCTRAP_PASSWORD_HASH", hash_value)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_function(_protected_page, default_timeout=30)
    return at.run()


def _gate_shown(at) -> bool:
    return ":material/lock: Team sign-in" in [h.value for h in at.subheader]


def _shows_content(at) -> bool:
    return "Portfolio overview" in [t.value for t in at.title]


def _sign_in(at, password: str):
    at.text_input(key="access_password").input(password)
    return at.button(key="access_submit").click().run()


def test_without_a_configured_password_the_page_opens_directly(monkeypatch) -> None:
    at = _open_gate(monkeypatch, None)
    assert not at.exception
    assert _shows_content(at)
    assert len(at.text_input) == 0


def test_the_gate_hides_the_page_until_the_right_password(monkeypatch, scrypt_hash) -> None:
    at = _open_gate(monkeypatch, scrypt_hash)
    assert not at.exception
    assert not _shows_content(at)
    assert [t.value for t in at.title] == []
    assert _gate_shown(at)
    assert at.text_input(key="access_password").label == "Team password"

    at = _sign_in(at, "not the password")
    assert not _shows_content(at)
    assert [e.value for e in at.error] == [
        "That is not the team password. Check it with your administrator."
    ]

    at = _sign_in(at, PASSWORD)
    assert not at.exception
    assert _shows_content(at)
    assert len(at.error) == 0
    at.run()  # later reruns of the same session stay signed in
    assert _shows_content(at)

    at.button(key="access_sign_out").click().run()
    assert not _shows_content(at)


def test_changing_the_password_hash_signs_sessions_out(monkeypatch, scrypt_hash) -> None:
    at = _sign_in(_open_gate(monkeypatch, scrypt_hash), PASSWORD)
    assert _shows_content(at)
    monkeypatch.setenv("POCTRAP_PASSWORD_HASH", auth.hash_password("the new team password"))
    at.run()
    assert not _shows_content(at)


def test_five_wrong_passwords_lock_the_form_for_a_while(monkeypatch, scrypt_hash) -> None:
    at = _open_gate(monkeypatch, scrypt_hash)
    for _ in range(5):
        at = _sign_in(at, "guess-guess")
    at = _sign_in(at, PASSWORD)  # even the right one is refused while locked
    assert not _shows_content(at)
    assert "Too many wrong passwords" in at.error[0].value


def test_a_damaged_hash_keeps_the_page_closed_with_a_clear_message(monkeypatch) -> None:
    at = _open_gate(monkeypatch, "scrypt:1:2")
    assert not at.exception
    assert not _shows_content(at)
    assert "Sign-in is misconfigured" in at.error[0].value
    assert "hash-password" in at.error[0].value


def test_identity_provider_mode_asks_for_sign_in(monkeypatch) -> None:
    at = _open_gate(monkeypatch, None, POCTRAP_AUTH="oidc")
    assert not at.exception
    assert not _shows_content(at)
    assert [h.value for h in at.subheader] == [":material/lock: Sign in"]


@pytest.mark.parametrize("page", [p for p in PROTECTED_PAGES if (REPO_ROOT / p).exists()])
def test_protected_pages_of_the_app_ask_for_the_password(
    app_test, monkeypatch, scrypt_hash, page
) -> None:
    monkeypatch.setenv("POCTRAP_PASSWORD_HASH", scrypt_hash)
    at = app_test(page)
    assert not at.exception
    assert at.text_input(key="access_password").label == "Team password"
    assert _gate_shown(at)
    locked_elements = len(at.main.children)
    at = _sign_in(at, PASSWORD)
    assert not at.exception
    assert not _gate_shown(at)
    assert len(at.main.children) > locked_elements  # the page itself now shows
    expected = page_heading(page)
    if expected is not None:
        assert expected in [t.value for t in at.title]


@pytest.mark.parametrize("page", [p for p in OPEN_PAGES if (REPO_ROOT / p).exists()])
def test_participants_and_readers_never_meet_the_gate(
    app_test, monkeypatch, scrypt_hash, page
) -> None:
    monkeypatch.setenv("POCTRAP_PASSWORD_HASH", scrypt_hash)
    at = app_test(page)
    assert not at.exception
    assert not _gate_shown(at)
    assert not [w for w in at.text_input if w.key == "access_password"]

"""The optional shared password of a team deployment, kept only as a salted, slow hash.

A laptop install needs no sign-in: the gate exists only when `POCTRAP_PASSWORD_HASH` holds a
hash made by `python -m diagnostics hash-password`. The hash is written without `$` signs
(shells and compose files would expand them), as colon-separated fields:

    scrypt:<n>:<r>:<p>:<salt>:<digest>        (default; memory-hard)
    pbkdf2_sha256:<iterations>:<salt>:<digest>

with salt and digest in unpadded URL-safe base64. Checking compares digests in constant time,
and the cost of each check (about 0.1 s) slows down guessing. Participants who join a
workshop with its code never meet the gate; it guards the portfolio pages and creating
workshops. A deployment with an identity provider can use Streamlit's `st.login` instead
(`POCTRAP_AUTH=oidc`, see docs/deploy.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from diagnostics.errors import AccessError

PASSWORD_HASH_ENV = "POCTRAP_PASSWORD_HASH"  # noqa: S105 (a variable name)
AUTH_MODE_ENV = "POCTRAP_AUTH"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # longer input is refused before any hashing work
SALT_BYTES = 16
DIGEST_BYTES = 32
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # 32 MiB, about 0.1 s per check
SCRYPT_MAXMEM = 256 * 1024 * 1024
PBKDF2_ITERATIONS = 600_000
HASH_HINT = "Make a new one with `python -m diagnostics hash-password`."

AccessMode = Literal["open", "password", "oidc"]


@dataclass(frozen=True)
class PasswordHash:
    """A parsed hash: the method, its cost parameters, the salt and the expected digest."""

    method: Literal["scrypt", "pbkdf2_sha256"]
    params: tuple[int, ...]
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        fields = [self.method, *map(str, self.params), _b64(self.salt), _b64(self.digest)]
        return ":".join(fields)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, method: str, params: tuple[int, ...], salt: bytes, size: int) -> bytes:
    secret = password.encode("utf-8")
    if method == "scrypt":
        n, r, p = params
        return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=size)
    (iterations,) = params
    return hashlib.pbkdf2_hmac("sha256", secret, salt, iterations, dklen=size)


def hash_password(password: str, *, method: str = "scrypt") -> str:
    """A new salted hash of `password`, ready for `POCTRAP_PASSWORD_HASH`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            "(a few unrelated words are easy to share and hard to guess)."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccessError(
            f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters."
        )
    if method == "scrypt":
        params: tuple[int, ...] = (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    elif method == "pbkdf2_sha256":
        params = (PBKDF2_ITERATIONS,)
    else:
        raise AccessError(f"Unknown hashing method {method!r}: use scrypt or pbkdf2_sha256.")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(password, method, params, salt, DIGEST_BYTES)
    return PasswordHash(method, params, salt, digest).encode()  # type: ignore[arg-type]


def parse_password_hash(encoded: str) -> PasswordHash:
    """Read a stored hash; AccessError naming the problem when it is not one of ours."""
    fields = encoded.strip().split(":")
    method = fields[0]
    expected = {"scrypt": 6, "pbkdf2_sha256": 4}.get(method)
    if expected is None:
        raise AccessError(
            f"{PASSWORD_HASH_ENV} does not start with scrypt: or pbkdf2_sha256:. {HASH_HINT}"
        )
    if len(fields) != expected:
        raise AccessError(
            f"{PASSWORD_HASH_ENV} has {len(fields)} colon-separated parts where a {method} "
            f"hash has {expected}; it may have been cut when copied. {HASH_HINT}"
        )
    try:
        params = tuple(int(value) for value in fields[1:-2])
        salt, digest = _unb64(fields[-2]), _unb64(fields[-1])
    except (ValueError, binascii.Error):
        raise AccessError(
            f"{PASSWORD_HASH_ENV} is damaged (not a number or base64). {HASH_HINT}"
        ) from None
    sane = len(salt) >= 8 and len(digest) >= 16 and all(v > 0 for v in params)
    if method == "scrypt":
        n, r, p = params
        # n must be a power of two; memory is 128 * n * r bytes and must stay affordable.
        sane = sane and n > 1 and n & (n - 1) == 0 and 128 * n * r * p <= SCRYPT_MAXMEM // 2
    else:
        sane = sane and 1_000 <= params[0] <= 10_000_000
    if not sane:
        raise AccessError(f"{PASSWORD_HASH_ENV} has implausible parameters. {HASH_HINT}")
    return PasswordHash(method, params, salt, digest)  # type: ignore[arg-type]


def verify_password(password: str, encoded: str | PasswordHash) -> bool:
    """True when `password` matches; the comparison takes the same time wherever they differ."""
    stored = encoded if isinstance(encoded, PasswordHash) else parse_password_hash(encoded)
    too_long = len(password) > MAX_PASSWORD_LENGTH
    candidate = "" if too_long else password  # same work either way, no giant inputs
    actual = _derive(candidate, stored.method, stored.params, stored.salt, len(stored.digest))
    return hmac.compare_digest(actual, stored.digest) and not too_long


def configured_password_hash(environ: Mapping[str, str] | None = None) -> PasswordHash | None:
    """The team password's hash from the environment, or None when none is set."""
    value = (os.environ if environ is None else environ).get(PASSWORD_HASH_ENV, "").strip()
    return parse_password_hash(value) if value else None


def access_mode(environ: Mapping[str, str] | None = None) -> AccessMode:
    """How protected areas are guarded: open (the local default), password or oidc."""
    env = os.environ if environ is None else environ
    mode = env.get(AUTH_MODE_ENV, "").strip().lower()
    if mode == "oidc":
        return "oidc"
    if mode not in ("", "password", "open"):
        raise AccessError(f"{AUTH_MODE_ENV}={mode!r} is not known: use password or oidc.")
    if env.get(PASSWORD_HASH_ENV, "").strip():
        return "password"
    if mode == "password":
        raise AccessError(f"{AUTH_MODE_ENV}=password needs {PASSWORD_HASH_ENV}. {HASH_HINT}")
    return "open"

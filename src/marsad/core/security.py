"""Passwords, two-factor codes, API tokens, signed values and field encryption.

Choices and why:
- argon2id (argon2-cffi defaults) for passwords and recovery codes: memory-hard.
- API tokens are long random values, so a plain SHA-256 is enough to store
  them and lets a request find its token by hash in one index lookup.
- Reporter contacts are sealed with AES-GCM under a key that is *not* in the
  database (MARSAD_FIELD_KEY, or derived from the secret key), so a copy of
  the database alone reveals no reporter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marsad.core.errors import ConfigError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    return None


def generate_password() -> str:
    return secrets.token_urlsafe(15)


# --- two-factor -----------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Marsad")


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline SVG drawn here (no image service sees the secret)."""
    import segno  # only the enrolment pages need it
    from markupsafe import Markup

    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=False)
    # Markup segno drew from modules of the code alone (no text of ``text`` is in it).
    return Markup(svg)  # noqa: S704


TOTP_PERIOD = 30
_RECOVERY_CODE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{8}$")


def totp_digits(code: str) -> str | None:
    """The six digits of a TOTP code as typed (spaces allowed), or None if it is not one."""
    digits = "".join(ch for ch in code if not ch.isspace())
    return digits if len(digits) == 6 and digits.isascii() and digits.isdigit() else None


def totp_step(
    secret: str, code: str, *, after: int | None = None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to, or None; steps up to ``after`` are refused.

    One step of drift either way, since phones' clocks are rarely exact. The
    caller stores the step it accepted and passes it as ``after`` next time, so
    a code (seen over a shoulder, or replayed in a second session) works once.
    """
    digits = totp_digits(code)
    if digits is None:
        return None
    current = int(time.time() if now is None else now) // TOTP_PERIOD
    otp = pyotp.TOTP(secret)
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(otp.generate_otp(step), digits):
            return step
    return None


def verify_totp(secret: str, code: str) -> bool:
    return totp_step(secret, code) is not None


def new_recovery_codes(count: int = 10) -> list[str]:
    return [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(count)]


def normalise_recovery_code(code: str) -> str:
    return code.strip().lower().replace(" ", "")


def looks_like_recovery_code(code: str) -> bool:
    """Whether ``code`` has the shape of a recovery code (only those are looked up)."""
    return bool(_RECOVERY_CODE.match(normalise_recovery_code(code)))


def recovery_lookup(key: bytes, code: str) -> str:
    """The keyed hash that finds a recovery code's row (the row still holds an argon2 hash)."""
    return hmac_hex(key, normalise_recovery_code(code).encode())


# --- API tokens -------------------------------------------------------------


def new_api_token() -> str:
    return "mrs_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- keys and signing -------------------------------------------------------


def derive_key(secret: str, purpose: str, length: int = 32) -> bytes:
    """A key for one purpose from the secret key (HKDF-SHA256): purposes never share keys."""
    return HKDF(algorithm=SHA256(), length=length, salt=b"marsad", info=purpose.encode()).derive(
        secret.encode()
    )


def hmac_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class Signer:
    """Signed, timestamped values for cookies and CSRF tokens."""

    def __init__(self, secret: str, salt: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=salt)

    def dumps(self, value: Any) -> str:
        return self._serializer.dumps(value)

    def loads(self, token: str, max_age: int | None = None) -> Any | None:
        """The value, or None when the signature is bad or the value expired."""
        try:
            return self._serializer.loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None


class FieldCipher:
    """AES-GCM sealing of private fields; the stored form is ``v1:<base64>``."""

    PREFIX = "v1:"

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("MARSAD_FIELD_KEY", "must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)

    @classmethod
    def from_settings(cls, field_key: str | None, secret: str) -> FieldCipher:
        if field_key:
            try:
                key = base64.b64decode(field_key, validate=True)
            except ValueError:
                raise ConfigError("MARSAD_FIELD_KEY", "is not valid base64") from None
            return cls(key)
        return cls(derive_key(secret, "field-encryption"))

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return self.PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, *, context: str = "") -> str:
        raw = base64.b64decode(token.removeprefix(self.PREFIX))
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()

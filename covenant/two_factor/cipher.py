"""Keys for two-factor sign-in, derived from SECRET_KEY: one encrypts authenticator secrets (Fernet), one keys
the hashes of recovery and emailed codes.

Changing SECRET_KEY therefore means everyone sets up their authenticator app again (at their next sign-in, or
a manager resets it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _key(purpose: bytes) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"covenant two-factor " + purpose, hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"secret encryption")))


def encrypt(secret: str) -> str:
    """An authenticator secret, encrypted for storing (in the database or the set-up session)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    """The authenticator secret, or None when it was not encrypted with this key."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def code_hash(code: str) -> str:
    """A keyed hash of a recovery or emailed code: a copy of the database alone cannot be searched for them."""
    return hmac.new(_key(b"code hashing"), code.encode(), hashlib.sha256).hexdigest()

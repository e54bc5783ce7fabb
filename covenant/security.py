"""Passwords and signed tokens.

Passwords are hashed with argon2. Tokens in emailed links are signed and time-limited with itsdangerous;
each one carries a fingerprint of the state it may change, so it works once: a reset token stops working when
the password changes, and an invitation token when the invitation is accepted.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when no account matches, so sign-in takes as long either way.
_DUMMY_HASH = _hasher.hash("no account has this password")


def burn_verification_time(password: str) -> None:
    """Spend the time a real password check takes, so response times do not reveal unknown emails."""
    verify_password(_DUMMY_HASH, password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from zxcvbn's frequency lists."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in GOV.UK voice, or None when it is good enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        return "Password is too easy to guess. Try 3 random words, like ‘glass rocket river’"
    return None


def fingerprint(value: str) -> str:
    """A short digest of a secret value, safe to put in a token."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"covenant.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    """Sign a payload for a link of the given purpose (each purpose has its own salt)."""
    return str(_serializer(purpose).dumps(payload))


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token of this purpose, or None."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None

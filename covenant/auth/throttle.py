"""Throttling: guesses at passwords, sign-ups and invitations, counted where the rate limits are kept
(`RATELIMIT_STORAGE_URI`: Redis in production, so every worker counts together).

Sign-in has three limits:
- each address may try `SIGN_IN_RATE_LIMIT` times, whatever the accounts;
- each address may try `SIGN_IN_RATE_LIMIT` times at one account (the hard limit), keyed on the email address
  exactly as the account is looked up by it, so a stray control character is the same account;
- an account guessed at from many addresses is slowed down, never locked: once `SIGN_IN_SLOW_DOWN_AFTER` wrong
  passwords are on record for it, each attempt at it waits `SIGN_IN_SLOW_DOWN_SECONDS` before it is answered.
  The right password still signs its owner in, so nobody can lock someone else out.
"""

from __future__ import annotations

import time

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from covenant.auth.sessions import email_lookup_key
from covenant.extensions import limiter


def _posted_email() -> str:
    return email_lookup_key(request.form.get("email", ""))[:320]


def sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def account_and_address() -> str:
    """The hard sign-in limit's key: one account, from one address."""
    return f"sign-in:{_posted_email()}|{get_remote_address()}"


def sign_up_limit() -> str:
    return str(current_app.config["SIGN_UP_RATE_LIMIT"])


def sign_up_email() -> str:
    """Sign-ups naming one email address, from anywhere."""
    return f"sign-up:{_posted_email()}"


def invitation_limit() -> str:
    return str(current_app.config["INVITATION_RATE_LIMIT"])


def inviter() -> str:
    """Invitations sent by one person."""
    return f"invite-by:{current_user.get_id() if current_user.is_authenticated else get_remote_address()}"


def invitation_recipient_limit() -> str:
    return str(current_app.config["INVITATION_RECIPIENT_RATE_LIMIT"])


def invitation_recipient() -> str:
    """Invitations to one email address, from anyone."""
    return f"invite-to:{_posted_email()}"


def _account_key(email: str) -> str:
    return email_lookup_key(email)[:320]


def slow_down_if_guessed_at(email: str) -> None:
    """Wait before answering a sign-in to an account that has had many wrong passwords lately."""
    item = parse(current_app.config["SIGN_IN_SLOW_DOWN_AFTER"])
    if not limiter.limiter.test(item, "sign-in-account", _account_key(email)):
        time.sleep(float(current_app.config["SIGN_IN_SLOW_DOWN_SECONDS"]))


def record_wrong_password(email: str) -> None:
    """Count a wrong password against the account (or the address typed, when it has no account)."""
    item = parse(current_app.config["SIGN_IN_SLOW_DOWN_AFTER"])
    limiter.limiter.hit(item, "sign-in-account", _account_key(email))

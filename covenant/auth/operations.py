"""Account behaviour: signing in, passwords, confirmations and resets. The request commits.

Passwords are hashed and checked with no database transaction open (`database.reading`, `released`): argon2
is slow on purpose, and on SQLite a writing transaction holds the whole database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from covenant import audit
from covenant.auth import throttle
from covenant.auth.sessions import find_user_by_email
from covenant.clock import utcnow
from covenant.database import reading
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import User
from covenant.models.people import new_session_token
from covenant.security import burn_verification_time, fingerprint, make_token, read_token, verify_password
from covenant.unit_of_work import locked

RESET = "password-reset"
CONFIRM = "email-confirmation"


@dataclass(frozen=True)
class SignInCheck:
    """What a sign-in attempt found: the account whose password was right (whether its email address is
    confirmed, and whether it has been deactivated), or nothing."""

    user_id: int | None
    confirmed: bool = False
    deactivated: bool = False


def check_sign_in(email: str, password: str) -> SignInCheck:
    """Look the account up and check its password: read first, then check with no transaction open.

    An unknown email address takes as long as a wrong password. An account with many wrong passwords lately is
    answered slowly (`throttle`), whether or not this one is right.
    """
    with reading():
        user = find_user_by_email(email)
        found = (
            (
                user.id,
                user.password_hash,
                user.email_confirmed_at is not None,
                user.deactivated_at is not None,
            )
            if user is not None
            else None
        )
    throttle.slow_down_if_guessed_at(email)
    if found is None:
        burn_verification_time(password)
        throttle.record_wrong_password(email)
        return SignInCheck(None)
    user_id, password_hash, confirmed, deactivated = found
    if not verify_password(password_hash, password):
        throttle.record_wrong_password(email)
        return SignInCheck(None)
    return SignInCheck(user_id, confirmed, deactivated)


def set_password(user: User, password_hash: str, actor: User | None) -> None:
    """Change a password (hashed already, before the transaction), end every other session of the user, and
    tell them by email."""
    first_password = not user.password_hash
    user.password_hash = password_hash
    user.session_token = new_session_token()
    user.password_changed_at = utcnow()
    if not first_password:
        audit.record("password_changed", user, actor)
        queue_email(user.email, "password_changed", user=user)


def send_password_reset(user: User) -> None:
    """Email a single-use link: it carries a fingerprint of the current password, so it dies when that changes."""
    token = make_token(RESET, {"user": user.id, "password": fingerprint(user.password_hash)})
    link = external_url(url_for("auth.reset_password", token=token))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email(user.email, "password_reset", user=user, link=link, minutes=minutes)
    audit.record("password_reset_requested", user, None)


def user_for_reset_token(token: str, lock: bool = False) -> User | None:
    """The user a reset link is for, if the link is genuine, in date and not yet used.

    With `lock`, the account is locked until the request commits, so a link used several times at once changes
    the password once: the others then find the password changed and the link used.
    """
    payload = read_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not payload or not isinstance(payload.get("user"), int):
        return None
    user = locked(User, payload["user"]) if lock else db.session.get(User, payload["user"])
    if user is None or fingerprint(user.password_hash) != payload.get("password"):
        return None
    return user


def send_email_confirmation(user: User) -> None:
    """Email a link that confirms the user owns their address; it stops working once used."""
    token = make_token(CONFIRM, {"user": user.id, "email": user.email})
    link = external_url(url_for("auth.confirm_email", token=token))
    queue_email(user.email, "confirm_email", user=user, link=link)


def user_for_confirmation_token(token: str, lock: bool = False) -> User | None:
    """The unconfirmed user a confirmation link is for, or None when it is not genuine, expired or used."""
    payload = read_token(CONFIRM, token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    if not payload or not isinstance(payload.get("user"), int):
        return None
    user = locked(User, payload["user"]) if lock else db.session.get(User, payload["user"])
    if user is None or user.email != payload.get("email") or user.email_confirmed_at is not None:
        return None
    return user


def confirm_email(user: User) -> None:
    """Mark the user's email address as theirs; someone who signed an organisation up is welcomed now, once
    the address is known to be theirs (only they confirm by link: invited people are confirmed by accepting)."""
    user.email_confirmed_at = utcnow()
    audit.record("email_confirmed", user, user)
    if user.organisation is not None:
        queue_email(
            user.email,
            "welcome_organisation",
            user=user,
            organisation=user.organisation,
            link=external_url(url_for("auth.sign_in")),
        )

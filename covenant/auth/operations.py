"""Account behaviour: passwords, confirmations and resets. The caller commits."""

from __future__ import annotations

from flask import current_app, url_for

from covenant import audit
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import User
from covenant.models.people import new_session_token
from covenant.security import fingerprint, hash_password, make_token, read_token
from covenant.sqltypes import utcnow

RESET = "password-reset"
CONFIRM = "email-confirmation"


def set_password(user: User, password: str, actor: User | None) -> None:
    """Change a password, end every other session of the user, and tell them by email."""
    first_password = not user.password_hash
    user.password_hash = hash_password(password)
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


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link is for, if the link is genuine, in date and not yet used."""
    payload = read_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not payload or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or fingerprint(user.password_hash) != payload.get("password"):
        return None
    return user


def send_email_confirmation(user: User) -> None:
    """Email a link that confirms the user owns their address; it stops working once used."""
    token = make_token(CONFIRM, {"user": user.id, "email": user.email})
    link = external_url(url_for("auth.confirm_email", token=token))
    queue_email(user.email, "confirm_email", user=user, link=link)


def user_for_confirmation_token(token: str) -> User | None:
    """The unconfirmed user a confirmation link is for, or None when it is not genuine, expired or used."""
    payload = read_token(CONFIRM, token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    if not payload or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or user.email != payload.get("email") or user.email_confirmed_at is not None:
        return None
    return user


def confirm_email(user: User) -> None:
    """Mark the user's email address as theirs."""
    user.email_confirmed_at = utcnow()
    audit.record("email_confirmed", user, user)

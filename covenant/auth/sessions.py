"""Sessions: who is signed in, and starting or ending a session safely.

A session names its user and the user's session token (`User.session_token`): a new token, on sign-out or a
password change, ends every session made with the old one, including a copy of the cookie. Sessions also
end when they have been idle for `PERMANENT_SESSION_LIFETIME` (the signed cookie's age) and, however busy,
`SESSION_ABSOLUTE_LIFETIME` after signing in.
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from covenant.extensions import db
from covenant.forms import clean_text
from covenant.models import User
from covenant.models.people import new_session_token
from covenant.sqltypes import utcnow

SIGNED_IN_AT = "signed_in_at"


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the session id is `<user id>:<session token>`, so old sessions stop working, and a
    session older than its absolute lifetime is over."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    signed_in_at = session.get(SIGNED_IN_AT)
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if not isinstance(signed_in_at, int | float) or utcnow().timestamp() - signed_in_at > lifetime:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or user.deactivated_at is not None:
        return None
    return user


def email_lookup_key(email: str) -> str:
    """An email address as accounts are looked up by it (and sign-in attempts counted by it): without untypeable
    characters or surrounding spaces, in lower case."""
    return clean_text(email).lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email address, compared without regard to case."""
    return db.session.scalars(select(User).where(func.lower(User.email) == email_lookup_key(email))).first()


def start_session(user: User) -> None:
    """Sign a user in on a fresh session, so no value from before sign-in carries over."""
    session.clear()
    user.last_signed_in_at = utcnow()
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_AT] = utcnow().timestamp()


def end_session(user: User | None) -> None:
    """Sign out: a new session token ends this session and any copy of it, then the session is forgotten."""
    if user is not None:
        user.session_token = new_session_token()
    logout_user()
    session.clear()

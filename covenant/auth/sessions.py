"""Sessions: who is signed in, and starting or ending a session safely."""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from covenant.extensions import db
from covenant.models import User
from covenant.sqltypes import utcnow


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the session id is `<user id>:<session token>`, so old sessions stop working."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    """The account with this email address, compared without regard to case."""
    return db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def start_session(user: User) -> None:
    """Sign a user in on a fresh session, so no value from before sign-in carries over."""
    session.clear()
    user.last_signed_in_at = utcnow()
    login_user(user)
    session.permanent = True


def end_session() -> None:
    """Sign out and forget everything in the session."""
    logout_user()
    session.clear()

"""Sessions: who is signed in, and starting or ending a session safely.

A session names its user and the user's session token (`User.session_token`): a new token, on sign-out or a
password change, ends every session made with the old one, including a copy of the cookie. Sessions also
end when they have been idle for `PERMANENT_SESSION_LIFETIME` (the signed cookie's age) and, however busy,
`SESSION_ABSOLUTE_LIFETIME` after signing in.

Someone who needs a second factor (their role requires it, or they turned it on) is only half signed in after
their password or emailed link: `second_factor_passed` stays false until their code is right (or, at their first
sign-in, until they have set up an authenticator app), and `covenant.access` lets a half-signed-in person reach
nothing but the two-factor pages and sign-out.
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.forms import clean_text
from covenant.models import TwoFactor, User
from covenant.models.people import new_session_token
from covenant.vocab import TWO_FACTOR_ROLES

SIGNED_IN_AT = "signed_in_at"
SECOND_FACTOR_PASSED = "second_factor_passed"
AFTER_SECOND_FACTOR = "after_second_factor"


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


def has_two_factor(user: User) -> bool:
    """Whether the user has set up an authenticator app."""
    return db.session.scalar(select(TwoFactor.id).where(TwoFactor.user_id == user.id)) is not None


def needs_second_factor(user: User) -> bool:
    """Whether signing in takes a second factor: always for people who see care leavers' data, and for anyone
    who turned it on."""
    return user.role in TWO_FACTOR_ROLES or has_two_factor(user)


def start_session(user: User, second_factor_passed: bool = False) -> None:
    """Sign a user in on a fresh session, so no value from before sign-in carries over. Someone who needs a second
    factor is half signed in until it passes (`second_factor_passed` when it has, in this request)."""
    session.clear()
    user.last_signed_in_at = utcnow()
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_AT] = utcnow().timestamp()
    session[SECOND_FACTOR_PASSED] = second_factor_passed or not needs_second_factor(user)


def pass_second_factor() -> str | None:
    """The second factor is right (or has just been set up): the session is fully signed in. Returns the page
    they were on their way to, if any."""
    session[SECOND_FACTOR_PASSED] = True
    return session.pop(AFTER_SECOND_FACTOR, None)


def remember_page(path: str) -> None:
    """Keep the page a half-signed-in person asked for, to take them there once their second factor passes."""
    session[AFTER_SECOND_FACTOR] = path[:2000]


def ask_for_second_factor() -> None:
    """Make the session half signed in again (after resetting one's own authenticator, say)."""
    session[SECOND_FACTOR_PASSED] = False


def half_signed_in() -> bool:
    """True when someone is signed in with their password (or link) but still owes their second factor."""
    if not current_user.is_authenticated or session.get(SECOND_FACTOR_PASSED):
        return False
    return needs_second_factor(current_user)


def end_session(user: User | None) -> None:
    """Sign out: a new session token ends this session and any copy of it, then the session is forgotten."""
    if user is not None:
        user.session_token = new_session_token()
    logout_user()
    session.clear()

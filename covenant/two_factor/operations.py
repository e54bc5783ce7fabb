"""Two-factor behaviour: setting up an authenticator app, checking its codes, recovery codes, emailed codes and
resets. Functions add, flush and audit; the request commits.

A code from the app works once: the time step of the last accepted code is kept, and a code from that step or
an earlier one is refused, so a code seen over someone's shoulder cannot be replayed inside its 30 seconds. One
step of clock drift either way is allowed.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import Enum

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select

from covenant import audit
from covenant.clock import utcnow
from covenant.email import queue_email
from covenant.extensions import db
from covenant.models import RecoveryCode, TwoFactor, User
from covenant.models.people import new_session_token
from covenant.two_factor import cipher

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_CODE_LENGTH = 10
DRIFT_STEPS = 1


class CodeCheck(Enum):
    """What checking a code from the authenticator app found."""

    RIGHT = "right"
    WRONG = "wrong"
    USED = "used"


# Setting up -----------------------------------------------------------------------------------------------


def new_secret() -> str:
    """A new random authenticator secret (base32, 160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"]
    )


def qr_code_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn on the server (no script, no image request)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        border=2,
        title="QR code to scan with your authenticator app",
        dark="#0b0c0c",
        light="#ffffff",
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG, from an address we made


def grouped(secret: str) -> str:
    """The key written out in groups of four, for typing into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def digits(code: str) -> str:
    """A typed code without spaces or dashes (people copy `123 456`)."""
    return re.sub(r"[\s-]", "", code)


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step (now, or one either side) whose code this is, or None when it matches none."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    code = digits(code)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def set_up(user: User, secret: str, step: int) -> list[str]:
    """Keep the confirmed secret (encrypted) and make new recovery codes; return the codes, to be shown once."""
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add(TwoFactor(user_id=user.id, secret=cipher.encrypt(secret), last_step=step))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=cipher.code_hash(_normal(code))) for code in codes
    )
    audit.record("two_factor_set_up", user, user)
    db.session.flush()
    return codes


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def _normal(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", code.lower())


# Signing in -----------------------------------------------------------------------------------------------


def two_factor_for(user: User, lock: bool = False) -> TwoFactor | None:
    """The user's authenticator set-up, locked until the request commits when it is about to change."""
    statement = select(TwoFactor).where(TwoFactor.user_id == user.id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(statement).first()


def check_app_code(user: User, code: str) -> CodeCheck:
    """Check a code from the authenticator app, once: a right code moves the last accepted step on."""
    two_factor = two_factor_for(user, lock=True)
    secret = cipher.decrypt(two_factor.secret) if two_factor is not None else None
    if two_factor is None or secret is None:
        return CodeCheck.WRONG
    step = matching_step(secret, code)
    if step is None:
        return CodeCheck.WRONG
    if step <= two_factor.last_step:
        return CodeCheck.USED
    two_factor.last_step = step
    return CodeCheck.RIGHT


def use_recovery_code(user: User, code: str) -> bool:
    """Accept an unused recovery code once, and record that it was used."""
    recovery = db.session.scalars(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == cipher.code_hash(_normal(code)),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    db.session.flush()
    audit.record("recovery_code_used", user, user, {"recovery_codes_left": recovery_codes_left(user)})
    return True


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def email_code_minutes() -> int:
    return int(current_app.config["TWO_FACTOR_EMAIL_CODE_MAX_AGE"]) // 60


def send_email_code(user: User) -> bool:
    """Email a 6-digit code that works once, for a few minutes; a new one replaces the last. False when the user
    has no authenticator set up (the emailed code is its fallback, not a way round it)."""
    two_factor = two_factor_for(user, lock=True)
    if two_factor is None:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    two_factor.email_code_hash = cipher.code_hash(code)
    two_factor.email_code_expires_at = utcnow() + timedelta(
        seconds=int(current_app.config["TWO_FACTOR_EMAIL_CODE_MAX_AGE"])
    )
    queue_email(user.email, "two_factor_code", user=user, code=code, minutes=email_code_minutes())
    return True


def email_code_waiting(user: User) -> bool:
    """Whether an emailed code has been sent and can still be used."""
    two_factor = two_factor_for(user)
    return bool(
        two_factor is not None
        and two_factor.email_code_hash
        and two_factor.email_code_expires_at is not None
        and two_factor.email_code_expires_at > utcnow()
    )


def use_email_code(user: User, code: str) -> bool:
    """Accept the emailed code once, while it is in date, and record that it was used."""
    two_factor = two_factor_for(user, lock=True)
    if (
        two_factor is None
        or not two_factor.email_code_hash
        or two_factor.email_code_expires_at is None
        or two_factor.email_code_expires_at <= utcnow()
        or not hmac.compare_digest(two_factor.email_code_hash, cipher.code_hash(digits(code)))
    ):
        return False
    two_factor.email_code_hash = None
    two_factor.email_code_expires_at = None
    audit.record("email_code_used", user, user)
    return True


# Turning off and resetting --------------------------------------------------------------------------------


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))


def turn_off(user: User) -> None:
    """Someone who chose two-factor sign-in (not required by their role) stops using it."""
    _remove(user)
    audit.record("two_factor_turned_off", user, user)


def reset_own(user: User) -> None:
    """Someone replacing their authenticator app (their password checked): they set it up again now."""
    _remove(user)
    audit.record("two_factor_reset", user, user)


def reset_for(member: User, actor: User) -> None:
    """A manager or coordinator resets a colleague's two-factor sign-in: the colleague is signed out everywhere
    and sets up an authenticator app again at their next sign-in (if their role needs one)."""
    _remove(member)
    member.session_token = new_session_token()
    audit.record("two_factor_reset", member, actor)

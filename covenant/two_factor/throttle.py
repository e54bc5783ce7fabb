"""Throttling two-factor codes, counted where sign-in attempts are (`RATELIMIT_STORAGE_URI`).

As the sign-in's hard limit keys on the account, so does this: each account may have `TWO_FACTOR_RATE_LIMIT`
codes tried (authenticator, recovery or emailed, and emailed codes sent), from anywhere, and each address
`TWO_FACTOR_ADDRESS_RATE_LIMIT` at any accounts. Limits lapse by themselves: nobody is locked out for good.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user


def account_limit() -> str:
    return str(current_app.config["TWO_FACTOR_RATE_LIMIT"])


def address_limit() -> str:
    return str(current_app.config["TWO_FACTOR_ADDRESS_RATE_LIMIT"])


def account() -> str:
    """Codes tried at one account, from any address (the signed-in user's id; the address when signed out)."""
    user_id = current_user.id if current_user.is_authenticated else get_remote_address()
    return f"two-factor:{user_id}"


def address() -> str:
    """Codes tried from one address, at any accounts."""
    return f"two-factor-from:{get_remote_address()}"

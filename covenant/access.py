"""Login by default: every route is private unless it says who may use it.

A view declares its rule with `@public`, `@signed_in` or `@roles(...)`. The `before_request` guard looks the
rule up for the matched endpoint; an endpoint without one is refused, and a test walks `app.url_map` so that
such a route never ships.

Someone half signed in (password right, second factor still owed: see `covenant.auth.sessions`) reaches only the
routes marked `@second_factor_step` (the two-factor pages and signing out); every other route, public ones too,
sends them to enter their code or to set up their authenticator app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.extensions import login_manager
from covenant.vocab import Role

View = TypeVar("View", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Endpoints that Flask or an extension registers, whose views we cannot decorate.
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: View) -> View:
    """Anyone may use this route, signed in or not."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    """Anyone signed in may use this route, whatever their role."""
    view.access_rule = SIGNED_IN  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role) -> Callable[[View], View]:
    """Only people holding one of these roles may use this route."""

    def decorate(view: View) -> View:
        view.access_rule = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def second_factor_step(view: View) -> View:
    """Someone half signed in (second factor still owed) may use this route too."""
    view.second_factor_step = True  # type: ignore[attr-defined]
    return view


def access_rule(app: Flask, endpoint: str) -> str | frozenset[Role] | None:
    """The declared rule for an endpoint, or None when it has none."""
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access() -> Any:
    """`before_request`: let the request through, send it to sign in, or refuse it."""
    if request.endpoint is None:
        return None  # no route matched: the 404 or 405 handler answers
    rule = access_rule(current_app._get_current_object(), request.endpoint)  # type: ignore[attr-defined]
    if rule is None:
        current_app.logger.error("Route %s declares no access rule; refusing it", request.endpoint)
        abort(403)
    if _owes_second_factor(request.endpoint):
        # Imported here: covenant.auth's views import this module.
        from covenant.auth.sessions import has_two_factor, remember_page

        if request.method == "GET":
            remember_page(request.full_path.rstrip("?"))  # where to go once the second factor passes
        target = "two_factor.code" if has_two_factor(current_user) else "two_factor.set_up"
        return redirect(url_for(target))
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule == SIGNED_IN or current_user.role in rule:
        return None
    abort(403)


def _owes_second_factor(endpoint: str) -> bool:
    """True when the person is half signed in and this route is not one of the steps they may take."""
    if endpoint in PUBLIC_ENDPOINTS:
        return False
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "second_factor_step", False):
        return False
    # Imported here: covenant.auth's views import this module.
    from covenant.auth.sessions import half_signed_in

    return half_signed_in()


def no_store_when_signed_in(response: Response) -> Response:
    """`after_request`: nothing a signed-in person is sent may be kept by their browser or a proxy (a shared
    computer's back button, a cache)."""
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response

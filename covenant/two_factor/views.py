"""Two-factor pages: set up an authenticator app, enter its code (or a recovery code, or an emailed code), turn
it off or reset it, and a manager's reset of a colleague's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.access import View, roles, second_factor_step, signed_in
from covenant.auth.sessions import ask_for_second_factor, half_signed_in, has_two_factor, pass_second_factor
from covenant.auth.views import safe_next
from covenant.database import released
from covenant.extensions import db, limiter
from covenant.models import User
from covenant.security import verify_password
from covenant.team.operations import team_members
from covenant.two_factor import bp, cipher, operations, throttle
from covenant.two_factor.forms import (
    AppCodeForm,
    EmailCodeForm,
    RecoveryCodeForm,
    ResetMemberForm,
    ResetOwnForm,
    SendEmailCodeForm,
    SetUpForm,
    TurnOffForm,
)
from covenant.two_factor.operations import (
    CodeCheck,
    check_app_code,
    email_code_minutes,
    email_code_waiting,
    grouped,
    matching_step,
    new_secret,
    provisioning_uri,
    qr_code_svg,
    recovery_codes_left,
    reset_for,
    reset_own,
    send_email_code,
    use_email_code,
    use_recovery_code,
)
from covenant.vocab import TWO_FACTOR_ROLES, Role

# The secret being set up, encrypted, until a code from the app confirms it (a GET never writes the database).
SETTING_UP = "two_factor_setting_up"
WRONG_CODE = "The code is not correct. Enter the 6-digit code your authenticator app shows now"
USED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it"
WRONG_RECOVERY_CODE = "That recovery code is not correct, or it has already been used"
WRONG_EMAIL_CODE = (
    "The code is not correct, or it has expired. Enter the code from the latest email, or ask for a new one"
)

throttled = (
    limiter.limit(throttle.account_limit, methods=["POST"], key_func=throttle.account),
    limiter.limit(throttle.address_limit, methods=["POST"], key_func=throttle.address),
)


def _throttled(view: View) -> View:
    """Count code attempts per account and per address (see `throttle`)."""
    throttled_view: Callable[..., Any] = view
    for limit in throttled:
        throttled_view = limit(throttled_view)
    return cast(View, throttled_view)


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _signed_in_fully() -> Response:
    return redirect(safe_next(pass_second_factor()) or url_for("main.home"))


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@signed_in
@second_factor_step
@_throttled
def set_up() -> Response | str | tuple[str, int]:
    user = _user()
    if has_two_factor(user):
        return redirect(url_for("two_factor.code" if half_signed_in() else "auth.account"))
    secret = cipher.decrypt(session[SETTING_UP]) if isinstance(session.get(SETTING_UP), str) else None
    if secret is None:
        secret = new_secret()
        session[SETTING_UP] = cipher.encrypt(secret)
    form = SetUpForm()
    if form.validate_on_submit():
        step = matching_step(secret, form.code.data or "")
        if step is None:
            form.error_on(form.code, WRONG_CODE)
        else:
            codes = operations.set_up(user, secret, step)
            session.pop(SETTING_UP, None)
            onwards = safe_next(pass_second_factor()) or url_for("main.home")
            return render_template("two_factor/recovery_codes.html", codes=codes, onwards=onwards)
    return render_template(
        "two_factor/set_up.html",
        form=form,
        qr_code=qr_code_svg(provisioning_uri(secret, user)),
        key=grouped(secret),
        required=user.role in TWO_FACTOR_ROLES,
        half_signed_in=half_signed_in(),
    ), 400 if form.errors else 200


def _owed() -> Response | None:
    """Where to go instead of a code page: set up first, or home when the second factor has passed."""
    if not has_two_factor(_user()):
        return redirect(url_for("two_factor.set_up"))
    if not half_signed_in():
        return redirect(url_for("main.home"))
    return None


@bp.route("/two-factor/code", methods=["GET", "POST"])
@signed_in
@second_factor_step
@_throttled
def code() -> Response | str | tuple[str, int]:
    elsewhere = _owed()
    if elsewhere is not None:
        return elsewhere
    form = AppCodeForm()
    if form.validate_on_submit():
        result = check_app_code(_user(), form.code.data or "")
        if result is CodeCheck.RIGHT:
            return _signed_in_fully()
        form.error_on(form.code, USED_CODE if result is CodeCheck.USED else WRONG_CODE)
    return render_template("two_factor/code.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor/recovery-code", methods=["GET", "POST"])
@signed_in
@second_factor_step
@_throttled
def recovery() -> Response | str | tuple[str, int]:
    elsewhere = _owed()
    if elsewhere is not None:
        return elsewhere
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        user = _user()
        if use_recovery_code(user, form.code.data or ""):
            left = recovery_codes_left(user)
            flash(
                f"You have {left} recovery code{'' if left == 1 else 's'} left. If you have lost your "
                "authenticator app, reset it from your account page",
                "info",
            )
            return _signed_in_fully()
        form.error_on(form.code, WRONG_RECOVERY_CODE)
    return render_template("two_factor/recovery.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor/email-code", methods=["GET", "POST"])
@signed_in
@second_factor_step
@_throttled
def email_code() -> Response | str | tuple[str, int]:
    elsewhere = _owed()
    if elsewhere is not None:
        return elsewhere
    form = EmailCodeForm()
    if form.validate_on_submit():
        if use_email_code(_user(), form.code.data or ""):
            return _signed_in_fully()
        form.error_on(form.code, WRONG_EMAIL_CODE)
    return render_template(
        "two_factor/email_code.html",
        form=form,
        send_form=SendEmailCodeForm(prefix="send"),
        waiting=email_code_waiting(_user()),
        minutes=email_code_minutes(),
    ), 400 if form.errors else 200


@bp.route("/two-factor/email-code/send", methods=["POST"])
@signed_in
@second_factor_step
@_throttled
def send_email() -> Response:
    elsewhere = _owed()
    if elsewhere is not None:
        return elsewhere
    if SendEmailCodeForm(prefix="send").validate_on_submit() and send_email_code(_user()):
        flash(
            f"We have emailed a code to {_user().email}. It works for {email_code_minutes()} minutes",
            "success",
        )
    return redirect(url_for("two_factor.email_code"))


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@signed_in
def turn_off() -> Response | str:
    user = _user()
    if user.role in TWO_FACTOR_ROLES:
        abort(403)  # people who see care leavers' data always use it
    if not has_two_factor(user):
        return redirect(url_for("auth.account"))
    form = TurnOffForm()
    if form.validate_on_submit():
        operations.turn_off(user)
        flash(
            "Two-factor sign-in is off. You will sign in with your password or an emailed link only",
            "success",
        )
        return redirect(url_for("auth.account"))
    return render_template("two_factor/turn_off.html", form=form)


@bp.route("/account/two-factor/reset", methods=["GET", "POST"])
@signed_in
def reset() -> Response | str | tuple[str, int]:
    """Replace a lost or changed authenticator app: the password again, then set up the new one."""
    user = _user()
    if not has_two_factor(user):
        return redirect(url_for("two_factor.set_up"))
    form = ResetOwnForm()
    if form.validate_on_submit():
        password_hash = user.password_hash
        with released():  # argon2 with no transaction open
            right = verify_password(password_hash, form.password.data or "")
        if right:
            reset_own(user)
            ask_for_second_factor()
            session.pop(SETTING_UP, None)
            flash("Now set up your new authenticator app", "info")
            return redirect(url_for("two_factor.set_up"))
        form.error_on(form.password, "Your password is not correct")
    return render_template("two_factor/reset.html", form=form), 400 if form.errors else 200


@bp.route("/team/members/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@roles(Role.AUTHORITY_MANAGER, Role.COORDINATOR)
def reset_member(user_id: int) -> Response | str:
    """A manager or coordinator resets a colleague's two-factor sign-in, when they have lost their app."""
    manager = _user()
    in_team = db.session.scalar(team_members(manager).where(User.id == user_id).with_only_columns(User.id))
    member = db.session.get(User, user_id) if in_team is not None else None
    if member is None or member.id == manager.id:
        abort(404)
    form = ResetMemberForm()
    if form.validate_on_submit():
        reset_for(member, manager)
        flash(
            f"{member.name}’s two-factor sign-in has been reset. They will set up their authenticator app again "
            "when they next sign in",
            "success",
        )
        return redirect(url_for("team.index"))
    return render_template("two_factor/reset_member.html", form=form, member=member)

"""Sign in, sign out, password reset, email confirmation and account settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant import audit
from covenant.access import public, second_factor_step, signed_in
from covenant.auth import bp, throttle
from covenant.auth.forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    NameForm,
    ResetPasswordForm,
    SignInForm,
)
from covenant.auth.operations import (
    check_sign_in,
    send_email_confirmation,
    send_password_reset,
    set_password,
    user_for_confirmation_token,
    user_for_reset_token,
)
from covenant.auth.operations import (
    confirm_email as mark_confirmed,
)
from covenant.auth.sessions import end_session, find_user_by_email, has_two_factor, start_session
from covenant.database import released
from covenant.extensions import db, limiter
from covenant.models import User
from covenant.security import hash_password, verify_password
from covenant.unit_of_work import locked
from covenant.vocab import TWO_FACTOR_ROLES

SIGN_IN_FAILED = "Enter a correct email address and password"
ACCOUNT_CLOSED = "This account has been closed. Ask your manager if you need it again"


def safe_next(target: str | None) -> str | None:
    """A `next` value only if it stays on this site (a path, not another host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(throttle.sign_in_limit, methods=["POST"])
@limiter.limit(throttle.sign_in_limit, methods=["POST"], key_func=throttle.account_and_address)
def sign_in() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        check = check_sign_in(form.email.data or "", form.password.data or "")
        if check.user_id is not None and check.deactivated:
            form.error_on(form.email, ACCOUNT_CLOSED)
        elif check.user_id is not None:
            user = db.session.get(User, check.user_id) or abort(409)  # deleted meanwhile: try again
            if not check.confirmed:
                send_email_confirmation(user)
                return render_template("auth/confirm_needed.html", email=user.email)
            start_session(user)
            audit.record("signed_in", user, user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        else:
            form.error_on(form.email, SIGN_IN_FAILED)
            form.error_on(form.password, SIGN_IN_FAILED)
    status = 400 if form.errors else 200
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@public
@second_factor_step  # someone asked for a code can always leave
def sign_out() -> Response:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None:
        audit.record("signed_out", user, user)
    end_session(user)
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(throttle.sign_in_limit, methods=["POST"])
def forgot_password() -> Response | str | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data or "")
        if user is not None:
            send_password_reset(user)
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | str | tuple[str, int]:
    form = ResetPasswordForm()
    if form.validate_on_submit():
        new_hash = hash_password(form.password.data or "")  # before any lock is taken
        user = user_for_reset_token(token, lock=True)
        if user is None:
            return render_template("auth/link_expired.html", purpose="reset"), 400
        set_password(user, new_hash, actor=user)
        if user.email_confirmed_at is None:
            mark_confirmed(user)  # following the emailed link proves the address is theirs
        start_session(user)
        flash("Your password has been reset", "success")
        return redirect(url_for("main.home"))
    if user_for_reset_token(token) is None:
        return render_template("auth/link_expired.html", purpose="reset"), 400
    status = 400 if form.errors else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str) -> Response | str | tuple[str, int]:
    """The link in the email shows a button (mail scanners open every link); pressing it confirms."""
    form = ConfirmEmailForm()
    user = user_for_confirmation_token(token, lock=request.method == "POST")
    if user is None:
        return render_template("auth/link_expired.html", purpose="confirm"), 400
    if form.validate_on_submit():
        mark_confirmed(user)
        start_session(user)
        flash("Your email address is confirmed and you are signed in", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/confirm_email.html", form=form, email=user.email)


@bp.route("/account")
@signed_in
def account() -> str:
    return render_template(
        "auth/account.html",
        two_factor=has_two_factor(current_user),
        two_factor_required=current_user.role in TWO_FACTOR_ROLES,
    )


@bp.route("/account/name", methods=["GET", "POST"])
@signed_in
def change_name() -> Response | tuple[str, int]:
    user = current_user._get_current_object()  # the audit trail records the model, not the proxy
    form = NameForm(obj=user)
    if form.validate_on_submit():
        changes = audit.changed_fields(user, {"name": form.name.data})
        if changes:
            audit.record("name_changed", user, user, changes)
        flash("Your name has been saved", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/change_name.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user_id, current_hash = current_user.id, current_user.password_hash
        with released():  # check and hash with no lock held
            right = verify_password(current_hash, form.current_password.data or "")
            new_hash = hash_password(form.password.data or "") if right else ""
        user = locked(User, user_id)
        if not right or user is None or user.password_hash != current_hash:
            form.error_on(form.current_password, "Your current password is not correct")
        else:
            set_password(user, new_hash, actor=user)
            start_session(user, second_factor_passed=True)  # keep this session; every other one has ended
            flash("Your password has been changed. You have been signed out everywhere else", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200

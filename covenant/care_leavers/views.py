"""A care leaver's own pages: joining, signing in with an emailed link, what is suggested for them and why, their
referrals, "I'm interested", and how it went. Every page is written for a 16-year-old."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from covenant.access import public, roles
from covenant.auth import throttle
from covenant.auth.sessions import start_session
from covenant.care_leavers import bp
from covenant.care_leavers.forms import (
    FeedbackForm,
    InterestForm,
    JoinForm,
    SignInLinkForm,
    TextsForm,
    WithdrawForm,
)
from covenant.care_leavers.operations import (
    NotAllowed,
    can_give_feedback,
    choose_texts,
    give_feedback,
    invitation_for,
    normalise_mobile,
    own_record,
    own_referral,
    referral_in_words,
    say_interested,
    send_sign_in_link,
    stop_texts,
    suggestions,
    user_for_sign_in_link,
)
from covenant.care_leavers.operations import (
    join as make_account,
)
from covenant.email import texts_enabled
from covenant.extensions import db, limiter
from covenant.forms import ConfirmForm
from covenant.models import CareLeaver, InterestRequest, Referral
from covenant.opportunities.search import visible_pledge
from covenant.referrals.operations import ReferralRefused, move
from covenant.security import hash_password
from covenant.vocab import ReferralStatus, Role

care_leaver = roles(Role.CARE_LEAVER)


def _record() -> CareLeaver:
    record = own_record(current_user)
    if record is None or record.anonymised_at is not None:
        abort(404)
    return record


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
def join(token: str) -> Response | tuple[str, int]:
    form = JoinForm()
    posted = form.validate_on_submit()
    password_hash = (
        hash_password(form.password.data or "") if posted and form.how.data == "password" else None
    )
    invitation = invitation_for(token, lock=posted)
    if invitation is None:
        return render_template("auth/link_expired.html", purpose="invitation"), 400
    if posted:
        user = make_account(invitation, password_hash)
        if user is None:
            flash("You already have an account. Sign in instead", "info")
            return redirect(url_for("auth.sign_in"))
        start_session(user)
        flash(f"Welcome, {user.name}. Your account is ready", "success")
        return redirect(url_for("care_leavers.home"))
    first_name = db.session.get(CareLeaver, invitation.care_leaver_id).first_name  # type: ignore[union-attr]
    return render_template(
        "care_leavers/join.html", form=form, first_name=first_name, adviser=invitation.invited_by
    ), 400 if form.errors else 200


@bp.route("/sign-in/email-link", methods=["GET", "POST"])
@public
@limiter.limit(throttle.sign_in_limit, methods=["POST"])
@limiter.limit(throttle.sign_in_limit, methods=["POST"], key_func=throttle.account_and_address)
def ask_for_link() -> Response | str | tuple[str, int]:
    """Sign in without a password: we email a link that works once."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInLinkForm()
    if form.validate_on_submit():
        send_sign_in_link(form.email.data or "")
        return render_template("care_leavers/link_sent.html", email=form.email.data)
    return render_template("care_leavers/ask_for_link.html", form=form), 400 if form.errors else 200


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
@public
def sign_in_with_link(token: str) -> Response | str | tuple[str, int]:
    """The emailed link opens a page with one button (mail scanners open every link); the button signs in."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = user_for_sign_in_link(token)
        if user is None:
            return render_template("care_leavers/link_used.html"), 400
        start_session(user)
        return redirect(url_for("care_leavers.home"))
    return render_template("care_leavers/sign_in_with_link.html", form=form)


@bp.route("/my")
@care_leaver
def home() -> str:
    record = _record()
    referrals = db.session.scalars(
        select(Referral).where(Referral.care_leaver_id == record.id).order_by(Referral.created_at.desc())
    ).all()
    requests = db.session.scalars(
        select(InterestRequest)
        .where(InterestRequest.care_leaver_id == record.id)
        .order_by(InterestRequest.created_at.desc())
    ).all()
    return render_template(
        "care_leavers/home.html",
        record=record,
        suggested=suggestions(record),
        referrals=referrals,
        requests=requests,
        in_words=referral_in_words,
        can_give_feedback=can_give_feedback,
    )


@bp.route("/my/referrals/<int:referral_id>/stop", methods=["GET", "POST"])
@care_leaver
def withdraw(referral_id: int) -> Response | tuple[str, int]:
    referral = own_referral(current_user, referral_id, lock=request.method == "POST") or abort(404)
    if ReferralStatus.WITHDRAWN not in _allowed(referral):
        flash("You cannot stop this one now", "info")
        return redirect(url_for("care_leavers.home"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            move(referral, ReferralStatus.WITHDRAWN, current_user, reason=form.reason.data or None)
        except ReferralRefused as refusal:
            form.error_on(form.reason, str(refusal))
        else:
            flash("Done. We have told your adviser and the organisation", "success")
            return redirect(url_for("care_leavers.home"))
    return render_template(
        "care_leavers/withdraw.html", form=form, referral=referral
    ), 400 if form.errors else 200


def _allowed(referral: Referral) -> set[ReferralStatus]:
    from covenant.vocab import REFERRAL_TRANSITIONS

    return set(REFERRAL_TRANSITIONS[referral.status])


@bp.route("/my/referrals/<int:referral_id>/how-it-went", methods=["GET", "POST"])
@care_leaver
def how_it_went(referral_id: int) -> Response | tuple[str, int]:
    referral = own_referral(current_user, referral_id, lock=request.method == "POST") or abort(404)
    if not can_give_feedback(referral):
        flash("You have already told us how this went. Thank you", "info")
        return redirect(url_for("care_leavers.home"))
    form = FeedbackForm()
    if form.validate_on_submit():
        give_feedback(
            referral, int(form.useful.data or 0), form.recommend.data == "yes", form.comment.data, current_user,
            with_adviser=False,
        )  # fmt: skip
        flash("Thank you. This helps other young people", "success")
        return redirect(url_for("care_leavers.home"))
    return render_template(
        "care_leavers/how_it_went.html", form=form, referral=referral, back=url_for("care_leavers.home")
    ), 400 if form.errors else 200


@bp.route("/opportunities/<int:pledge_id>/interested", methods=["GET", "POST"])
@care_leaver
def interested(pledge_id: int) -> Response | tuple[str, int]:
    """ "I'm interested": the pledge and a short message go to their adviser."""
    record = _record()
    pledge = visible_pledge(pledge_id) or abort(404)
    form = InterestForm()
    if form.validate_on_submit():
        try:
            say_interested(record, pledge, form.message.data, current_user)
        except NotAllowed as refusal:
            form.error_on(form.message, str(refusal))
        else:
            flash(f"We have told {record.adviser.name}, your adviser. They will get back to you", "success")
            return redirect(url_for("care_leavers.home"))
    return render_template(
        "care_leavers/interested.html", form=form, pledge=pledge, adviser=record.adviser
    ), 400 if form.errors else 200


@bp.route("/my/texts", methods=["GET", "POST"])
@care_leaver
def texts() -> Response | tuple[str, int]:
    """Texts instead of emails, to a mobile number kept only while they use it."""
    if not texts_enabled():
        abort(404)
    form = TextsForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        choose_texts(user, normalise_mobile(form.mobile.data or "") or "")
        flash("Done. We will send you texts from now on", "success")
        return redirect(url_for("care_leavers.home"))
    return render_template(
        "care_leavers/texts.html", form=form, stop=ConfirmForm()
    ), 400 if form.errors else 200


@bp.route("/my/texts/stop", methods=["POST"])
@care_leaver
def stop_sending_texts() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    stop_texts(current_user._get_current_object())
    flash("Done. We have deleted your number and will email you instead", "success")
    return redirect(url_for("care_leavers.home"))

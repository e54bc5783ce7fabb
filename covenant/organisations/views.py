"""Organisation sign-up and the organisation's home page."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.access import public, roles
from covenant.auth import throttle
from covenant.extensions import limiter
from covenant.organisations import bp
from covenant.organisations.forms import OrganisationSignUpForm
from covenant.organisations.operations import SignUp, existing_signatory, sign_up_organisation
from covenant.pledges.queries import needs_attention, pledges_by_status
from covenant.referrals.operations import referral_counts
from covenant.security import hash_password
from covenant.vocab import ORGANISATION_ROLES, OrganisationType, ReferralStatus, Region


@bp.route("/sign-up", methods=["GET", "POST"])
@public
@limiter.limit(throttle.sign_up_limit, methods=["POST"])
@limiter.limit(throttle.sign_up_limit, methods=["POST"], key_func=throttle.sign_up_email)
def sign_up() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = OrganisationSignUpForm()
    signatory = existing_signatory(form.organisation_name.data or "") if form.is_submitted() else None
    if signatory is not None:
        # A second organisation of the same name is almost always a colleague of the first: tell them who to
        # ask rather than start a rival account.
        form.validate()
        form.error_on(
            form.organisation_name,
            f"{signatory.name} has already signed the covenant. If you work there, ask one of its "
            "organisation admins to invite you: they can do it from their Team page. If yours is a different "
            f"organisation, add where it is to its name, like ‘{signatory.name}, {signatory.region.label}’",
        )
    elif form.validate_on_submit():
        sign_up_organisation(
            SignUp(
                organisation_name=form.organisation_name.data or "",
                organisation_type=OrganisationType(form.organisation_type.data),
                companies_house_number=form.companies_house_number.data,
                charity_number=form.charity_number.data,
                website=form.website.data,
                region=Region(form.region.data),
                name=form.name.data or "",
                email=form.email.data or "",
                # Hashed whether or not the address has an account, so the time taken does not tell.
                password_hash=hash_password(form.password.data or ""),
            )
        )
        return redirect(url_for("organisations.check_email"))
    return render_template("organisations/sign_up.html", form=form), 400 if form.errors else 200


@bp.route("/sign-up/check-your-email")
@public
def check_email() -> str:
    return render_template("organisations/check_email.html")


@bp.route("/organisation")
@roles(*ORGANISATION_ROLES)
def dashboard() -> str:
    organisation = current_user.organisation
    grouped = pledges_by_status(organisation)
    return render_template(
        "organisations/dashboard.html",
        organisation=organisation,
        grouped=grouped,
        attention=needs_attention(grouped),
        referrals=referral_counts(organisation.id),
        ReferralStatus=ReferralStatus,
    )

"""Coordinator pages: an overview, every local authority, every organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from covenant.access import roles
from covenant.clock import utcnow
from covenant.coordinator import bp
from covenant.coordinator.forms import ReasonForm
from covenant.coordinator.history import describe, history
from covenant.coordinator.operations import (
    OversightRefused,
    admin_emails,
    last_nudges,
    nudge,
    reinstate,
    suspend,
    without_live_pledge,
)
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import LocalAuthority, Organisation, Pledge, User
from covenant.pagination import govuk_pagination, paginate, requested_page
from covenant.referrals.feedback import across_the_covenant
from covenant.review.deadlines import due_on, waiting_for_review
from covenant.unit_of_work import locked
from covenant.vocab import REVIEW_WORKING_DAYS, Role

PER_PAGE = 50
HISTORY_PER_PAGE = 25


@bp.route("/")
@roles(Role.COORDINATOR)
def dashboard() -> str:
    counts = {
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "authorities": db.session.scalar(select(func.count(LocalAuthority.id))),
        "authorities_with_manager": db.session.scalar(
            select(func.count(func.distinct(User.local_authority_id))).where(
                User.role == Role.AUTHORITY_MANAGER
            )
        ),
    }
    return render_template(
        "coordinator/dashboard.html",
        counts=counts,
        review=waiting_for_review(),
        due_on=due_on,
        review_days=REVIEW_WORKING_DAYS,
    )


@bp.route("/authorities")
@roles(Role.COORDINATOR)
def authorities() -> str:
    query = select(LocalAuthority).order_by(LocalAuthority.name)
    page = paginate(query, PER_PAGE)
    managers = dict(
        db.session.execute(
            select(User.local_authority_id, func.count(User.id))
            .where(User.role == Role.AUTHORITY_MANAGER)
            .where(User.local_authority_id.in_([authority.id for authority in page.items]))
            .group_by(User.local_authority_id)
        ).all()
    )
    return render_template(
        "coordinator/authorities.html",
        page=page,
        managers=managers,
        pagination=govuk_pagination(page, "coordinator.authorities"),
    )


@bp.route("/organisations")
@roles(Role.COORDINATOR)
def organisations() -> str:
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    page = paginate(query, PER_PAGE)
    return render_template(
        "coordinator/organisations.html",
        page=page,
        pagination=govuk_pagination(page, "coordinator.organisations"),
    )


@bp.route("/organisations/<int:organisation_id>")
@roles(Role.COORDINATOR)
def organisation(organisation_id: int) -> str:
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    return _organisation_page(organisation, ReasonForm(formdata=None))[0]


def _organisation_page(organisation: Organisation, form: ReasonForm) -> tuple[str, int]:
    """The organisation's page, with the suspend or reinstate form (showing its errors, if any)."""
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.organisation_id == organisation.id).order_by(Pledge.updated_at.desc())
    ).all()
    people = db.session.scalars(
        select(User).where(User.organisation_id == organisation.id).order_by(User.name)
    ).all()
    events = paginate(history(organisation), HISTORY_PER_PAGE)
    return render_template(
        "coordinator/organisation.html",
        organisation=organisation,
        pledges=pledges,
        people=people,
        form=form,
        events=events,
        entries=describe(list(events.items)),
        pagination=govuk_pagination(
            events, "coordinator.organisation", organisation_id=organisation.id, _anchor="history"
        ),
    ), 400 if form.errors else 200


def _oversight_action(
    organisation_id: int, action: Callable[[Organisation, User, str], None], done: str
) -> Any:
    """Suspend or reinstate: one action each, so a second click of the same button cannot undo the first."""
    organisation = locked(Organisation, organisation_id) or abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            action(organisation, current_user, form.reason.data or "")
        except OversightRefused as refusal:
            flash(str(refusal), "info")
        else:
            flash(done.format(name=organisation.name), "success")
        return redirect(url_for("coordinator.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, form)


@bp.route("/organisations/<int:organisation_id>/suspend", methods=["POST"])
@roles(Role.COORDINATOR)
def suspend_organisation(organisation_id: int) -> Any:
    return _oversight_action(organisation_id, suspend, "{name} is suspended. Its pledges are hidden")


@bp.route("/organisations/<int:organisation_id>/reinstate", methods=["POST"])
@roles(Role.COORDINATOR)
def reinstate_organisation(organisation_id: int) -> Any:
    return _oversight_action(
        organisation_id, reinstate, "{name} is reinstated. Its live pledges are visible again"
    )


@bp.route("/signatories-without-pledges")
@roles(Role.COORDINATOR)
def without_pledges() -> str:
    page = paginate(without_live_pledge(), PER_PAGE)
    return render_template(
        "coordinator/without_pledges.html",
        page=page,
        nudged=last_nudges([organisation.id for organisation in page.items]),
        now=utcnow(),
        pagination=govuk_pagination(page, "coordinator.without_pledges"),
        form=ConfirmForm(),
    )


@bp.route("/organisations/<int:organisation_id>/nudge", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def nudge_organisation(organisation_id: int) -> Response | str:
    """Ask first ("Send a reminder to ...?"); only the POST of that page sends the email."""
    if request.method == "GET":
        organisation = db.session.get(Organisation, organisation_id) or abort(404)
        return render_template(
            "coordinator/nudge.html",
            organisation=organisation,
            admins=admin_emails(organisation),
            last_nudged=last_nudges([organisation.id]).get(organisation.id),
            form=ConfirmForm(),
            back=url_for("coordinator.without_pledges", page=requested_page()),
        )
    organisation = locked(Organisation, organisation_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = nudge(organisation, current_user)
    except OversightRefused as refusal:
        flash(str(refusal), "info")
    else:
        flash(
            f"We have emailed a reminder to {sent} admin{'s' if sent != 1 else ''} at {organisation.name}",
            "success",
        )
    return redirect(url_for("coordinator.without_pledges", page=requested_page()))


@bp.route("/what-young-people-said")
@roles(Role.COORDINATOR)
def feedback() -> str:
    """What young people said about the pledges they took up, across the covenant, without names."""
    return render_template("coordinator/feedback.html", answers=across_the_covenant())

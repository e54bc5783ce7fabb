"""The review queue, oldest first, and the review of one pledge."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from covenant.access import roles
from covenant.clock import uk_today
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import AuditEvent, Organisation, Pledge, PledgeTextEdit
from covenant.pagination import govuk_pagination, paginate
from covenant.pledges.operations import PledgeRuleBroken, approve, reject, request_changes
from covenant.pledges.sections import sections_for
from covenant.review import bp, wording
from covenant.review.deadlines import due_on
from covenant.review.forms import APPROVE, CHANGES, DecisionForm
from covenant.unit_of_work import locked
from covenant.vocab import PledgeStatus, Role

PER_PAGE = 25
# The wording changes listed on the review page; the rest follow as those are checked.
EDITS_SHOWN = 25


def organisation_history(organisation: Organisation) -> dict[PledgeStatus, int]:
    """How many pledges the organisation has in each status."""
    counts = db.session.execute(
        select(Pledge.status, func.count(Pledge.id))
        .where(Pledge.organisation_id == organisation.id)
        .group_by(Pledge.status)
    ).all()
    return {status: count for status, count in counts}


def submission(pledge: Pledge) -> AuditEvent | None:
    """The audit row of the pledge's latest submission for review: who sent it, and when."""
    changes = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "pledge",
            AuditEvent.subject_id == pledge.id,
            AuditEvent.action == "pledge_status_changed",
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return next(
        (
            event
            for event in changes
            if (event.changes or {}).get("status", {}).get("after") == PledgeStatus.SUBMITTED.value
        ),
        None,
    )


@bp.route("/")
@roles(Role.COORDINATOR)
def queue() -> str:
    query = (
        select(Pledge).where(Pledge.status == PledgeStatus.SUBMITTED).order_by(Pledge.submitted_at, Pledge.id)
    )
    page = paginate(query, PER_PAGE)
    edits = db.session.scalars(wording.unchecked().limit(EDITS_SHOWN)).all()
    return render_template(
        "review/queue.html",
        page=page,
        pagination=govuk_pagination(page, "review.queue"),
        edits=edits,
        edits_waiting=db.session.scalar(select(func.count()).select_from(wording.unchecked().subquery())),
        due_on=due_on,
        today=uk_today(),
    )


@bp.route("/wording/<int:edit_id>", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def wording_change(edit_id: int) -> Response | str:
    """One change to a live pledge's wording, as a diff, with a button to mark it checked."""
    edit = (
        locked(PledgeTextEdit, edit_id)
        if request.method == "POST"
        else db.session.get(PledgeTextEdit, edit_id)
    ) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        if wording.mark_checked(edit, current_user):
            flash(f"You have checked the change to ‘{edit.pledge.title}’", "success")
        else:
            flash("Another coordinator has already checked this change", "info")
        return redirect(url_for("review.queue"))
    return render_template("review/wording.html", edit=edit, diffs=wording.field_diffs(edit), form=form)


@bp.route("/<int:pledge_id>", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def decide(pledge_id: int) -> Response | tuple[str, int]:
    # A decision locks the pledge: of two coordinators deciding at once, the second sees the first's decision.
    pledge = (
        locked(Pledge, pledge_id) if request.method == "POST" else db.session.get(Pledge, pledge_id)
    ) or abort(404)
    form = DecisionForm()
    if pledge.status != PledgeStatus.SUBMITTED:
        flash(f"This pledge is {pledge.status.label.lower()}, so there is nothing to review", "info")
        return redirect(url_for("review.queue"))
    if form.validate_on_submit():
        try:
            if form.decision.data == APPROVE:
                approve(pledge, current_user)
                message = f"‘{pledge.title}’ is approved and live"
            elif form.decision.data == CHANGES:
                request_changes(pledge, current_user, form.reason.data or "")
                message = f"You asked {pledge.organisation.name} for changes to ‘{pledge.title}’"
            else:
                reject(pledge, current_user, form.reason.data or "")
                message = f"‘{pledge.title}’ is rejected"
        except PledgeRuleBroken as broken:
            form.error_on(form.decision, str(broken))
        else:
            flash(message, "success")
            return redirect(url_for("review.queue"))
    return render_template(
        "review/decide.html",
        pledge=pledge,
        form=form,
        sections=sections_for(pledge),
        history=organisation_history(pledge.organisation),
        submitted=submission(pledge),
        due_on=due_on(pledge),
    ), 400 if form.errors else 200

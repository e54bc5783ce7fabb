"""The adviser's work: their home page, their caseload, care leaver records, and the manager's moves."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from covenant import audit
from covenant.access import roles
from covenant.care_leavers.forms import InterestReplyForm, InviteCareLeaverForm
from covenant.care_leavers.lifecycle import erase as erase_care_leaver
from covenant.care_leavers.lifecycle import subject_access_export
from covenant.care_leavers.operations import NotAllowed, answer_interest
from covenant.care_leavers.operations import invite as invite_care_leaver
from covenant.caseload import audit_trail, bp
from covenant.caseload.forms import AuditFilterForm, CareLeaverForm, ReassignForm, care_leaver_form
from covenant.caseload.operations import (
    STAFF_ROLES,
    CaseloadRefused,
    add_care_leaver,
    advisers_of,
    authority_care_leaver,
    authority_staff,
    caseload_of,
    caseload_size,
    change_care_leaver,
    deactivate,
    home,
    reassign,
)
from covenant.clock import uk_today
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import CareLeaver, InterestRequest, LocalAuthority, Referral
from covenant.pagination import govuk_pagination, paginate, pagination_params
from covenant.unit_of_work import locked
from covenant.vocab import Role

staff = roles(*STAFF_ROLES)
managers = roles(Role.AUTHORITY_MANAGER)
PER_PAGE = 50


def _councils() -> list[SelectChoice]:
    return [
        SelectChoice(str(authority.id), authority.name)
        for authority in db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name))
    ]


def _advisers() -> list[SelectChoice] | None:
    """The advisers a manager may put a care leaver with; None for an adviser (their own caseload)."""
    if current_user.role != Role.AUTHORITY_MANAGER:
        return None
    return [
        SelectChoice(str(adviser.id), adviser.name)
        for adviser in advisers_of(current_user.local_authority_id)
    ]


@bp.route("")
@staff
def index() -> str:
    """Home: the referrals that need the adviser, those waiting on organisations, care leavers with no referral
    lately, and the whole caseload."""
    work = home(current_user)
    page = paginate(caseload_of(current_user), PER_PAGE)
    shown = [referral.care_leaver_id for referral in (*work.needs_you, *work.waiting_on_organisations)]
    shown += [care_leaver.id for care_leaver in (*work.quiet, *page.items)]
    shown += [asked.care_leaver_id for asked in work.interested]
    audit.record_list_read("caseload_viewed", current_user.local_authority, current_user, shown)
    return render_template(
        "caseload/index.html",
        work=work,
        page=page,
        pagination=govuk_pagination(page, "caseload.index"),
        today=uk_today(),
    )


@bp.route("/new", methods=["GET", "POST"])
@staff
def add() -> Response | tuple[str, int]:
    form = care_leaver_form(_councils(), _advisers())
    if request.method == "GET":
        form.consented_on.data = None
        if "adviser" in form:
            form.adviser.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            care_leaver = add_care_leaver(current_user, form.values())
        except CaseloadRefused as refusal:
            form.error_on(form.reference, str(refusal))
        else:
            flash(f"{care_leaver.first_name} is on the caseload", "success")
            return redirect(url_for("caseload.care_leaver", care_leaver_id=care_leaver.id))
    return render_template("caseload/form.html", form=form, care_leaver=None), 400 if form.errors else 200


@bp.route("/<int:care_leaver_id>")
@staff
def care_leaver(care_leaver_id: int) -> str:
    record = authority_care_leaver(care_leaver_id, current_user)
    referrals = db.session.scalars(
        select(Referral).where(Referral.care_leaver_id == record.id).order_by(Referral.created_at.desc())
    ).all()
    return render_template(
        "caseload/care_leaver.html", care_leaver=record, referrals=referrals, today=uk_today()
    )


@bp.route("/<int:care_leaver_id>/change", methods=["GET", "POST"])
@staff
def change(care_leaver_id: int) -> Response | tuple[str, int]:
    record = authority_care_leaver(care_leaver_id, current_user, lock=request.method == "POST")
    form: CareLeaverForm = care_leaver_form(_councils(), None)
    if request.method == "GET":
        form.load(record)
    elif form.validate_on_submit():
        try:
            change_care_leaver(record, current_user, form.values())
        except CaseloadRefused as refusal:
            form.error_on(form.reference, str(refusal))
        else:
            flash(f"{record.first_name}’s details are saved", "success")
            return redirect(url_for("caseload.care_leaver", care_leaver_id=record.id))
    return render_template("caseload/form.html", form=form, care_leaver=record), 400 if form.errors else 200


@bp.route("/<int:care_leaver_id>/move", methods=["GET", "POST"])
@managers
def move_caseload(care_leaver_id: int) -> Response | tuple[str, int]:
    """A manager moves a care leaver to another adviser's caseload."""
    record = authority_care_leaver(care_leaver_id, current_user, lock=request.method == "POST")
    form = ReassignForm()
    form.adviser.choices = [SelectChoice("", "Choose an adviser"), *(_advisers() or [])]
    if request.method == "GET":
        form.adviser.data = str(record.adviser_id)
    if form.validate_on_submit():
        try:
            adviser = reassign(record, int(form.adviser.data or 0), current_user)
        except CaseloadRefused as refusal:
            form.error_on(form.adviser, str(refusal))
        else:
            flash(f"{record.first_name} is on {adviser.name}’s caseload", "success")
            return redirect(url_for("caseload.care_leaver", care_leaver_id=record.id))
    return render_template("caseload/move.html", form=form, care_leaver=record), 400 if form.errors else 200


@bp.route("/advisers")
@managers
def advisers() -> str:
    """The authority's advisers and their caseloads, for a manager."""
    people = advisers_of(current_user.local_authority_id)
    sizes = dict(
        db.session.execute(
            select(CareLeaver.adviser_id, func.count())
            .where(CareLeaver.local_authority_id == current_user.local_authority_id)
            .group_by(CareLeaver.adviser_id)
        ).all()
    )
    return render_template("caseload/advisers.html", people=people, sizes=sizes)


@bp.route("/advisers/<int:user_id>/deactivate", methods=["GET", "POST"])
@managers
def deactivate_adviser(user_id: int) -> Response | tuple[str, int]:
    """An adviser who leaves can no longer sign in; their caseload moves to others first."""
    adviser = authority_staff(current_user, user_id, lock=request.method == "POST")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            deactivate(adviser, current_user)
        except CaseloadRefused as refusal:
            form.error_on(form.submit, str(refusal))
        else:
            flash(f"{adviser.name} can no longer sign in", "success")
            return redirect(url_for("caseload.advisers"))
    elif request.method == "POST":
        abort(400)
    return render_template(
        "caseload/deactivate.html", adviser=adviser, form=form, waiting=caseload_size(adviser)
    ), 400 if form.errors else 200


@bp.route("/<int:care_leaver_id>/invite", methods=["GET", "POST"])
@staff
def invite(care_leaver_id: int) -> Response | tuple[str, int]:
    """Offer a young person their own account (optional for them)."""
    record = authority_care_leaver(care_leaver_id, current_user, lock=request.method == "POST")
    form = InviteCareLeaverForm()
    if form.validate_on_submit():
        try:
            invite_care_leaver(record, current_user, form.email.data or "")
        except NotAllowed as refusal:
            form.error_on(form.email, str(refusal))
        else:
            flash(f"We have emailed {record.first_name} a link to make their account", "success")
            return redirect(url_for("caseload.care_leaver", care_leaver_id=record.id))
    return render_template("caseload/invite.html", form=form, care_leaver=record), 400 if form.errors else 200


def _interest(request_id: int, lock: bool = False) -> InterestRequest:
    interest = locked(InterestRequest, request_id) if lock else db.session.get(InterestRequest, request_id)
    if interest is None or interest.care_leaver.local_authority_id != current_user.local_authority_id:
        abort(404)
    if not lock:
        audit.record_read("care_leaver_viewed", interest.care_leaver, current_user)
    return interest


@bp.route("/interest/<int:request_id>", methods=["GET", "POST"])
@staff
def interest(request_id: int) -> Response | tuple[str, int]:
    """A young person said "I'm interested": refer them, or reply with a reason they will see."""
    asked = _interest(request_id, lock=request.method == "POST")
    form = InterestReplyForm()
    if asked.status == "open" and form.validate_on_submit():
        answer_interest(asked, current_user, form.reply.data or "")
        flash(f"We have sent your reply to {asked.care_leaver.first_name}", "success")
        return redirect(url_for("caseload.index"))
    return render_template("caseload/interest.html", asked=asked, form=form), 400 if form.errors else 200


@bp.route("/<int:care_leaver_id>/export.json")
@managers
def export(care_leaver_id: int) -> Response:
    """A subject access request: everything held about the care leaver, as JSON."""
    record = authority_care_leaver(care_leaver_id, current_user, read="care_leaver_exported")
    body = json.dumps(subject_access_export(record), indent=2, ensure_ascii=False)
    filename = f"covenant-{record.reference}.json".replace('"', "")
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<int:care_leaver_id>/erase", methods=["GET", "POST"])
@managers
def erase(care_leaver_id: int) -> Response | str:
    """Erase a care leaver's personal data when they ask: their referrals become anonymous, outcomes stay."""
    record = authority_care_leaver(care_leaver_id, current_user, lock=request.method == "POST")
    form = ConfirmForm()
    if record.anonymised_at is not None:
        flash("Their personal details have already been removed", "info")
        return redirect(url_for("caseload.index"))
    if form.validate_on_submit():
        erase_care_leaver(record, current_user)
        flash(
            "Their personal details are erased. Their referrals stay, without them, for statistics", "success"
        )
        return redirect(url_for("caseload.index"))
    return render_template("caseload/erase.html", care_leaver=record, form=form)


@bp.route("/audit")
@managers
def audit_events() -> tuple[str, int]:
    """The authority's audit trail, newest first, filtered by who did it, about whom, and between which dates."""
    authority_id = current_user.local_authority_id
    form = AuditFilterForm(request.args)
    form.who.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(person.id), f"{person.name} ({person.role.label.lower()})")
        for person in audit_trail.people(authority_id)
    ]
    query_args: dict[str, Any] = {
        key: value for key, value in request.args.items() if key not in ("page", "submit")
    }
    if not form.validate():
        return render_template("caseload/audit.html", form=form, rows=None, pagination=None), 400
    care_leaver = None
    if form.reference.data:
        care_leaver = audit_trail.find_care_leaver(authority_id, form.reference.data)
        if care_leaver is None:
            form.reference.errors.append("Your authority has no care leaver with this reference")
            return render_template("caseload/audit.html", form=form, rows=None, pagination=None), 400
    page = paginate(
        audit_trail.trail(
            authority_id,
            who=int(form.who.data) if form.who.data else None,
            care_leaver=care_leaver,
            since=form.since.data,
            until=form.until.data,
        ),
        PER_PAGE,
    )
    rows = audit_trail.describe(list(page.items), authority_id)
    audit.record_list_read(
        "audit_trail_viewed",
        current_user.local_authority,
        current_user,
        [care_leaver.id for row in rows for care_leaver in row.care_leavers],
    )
    pagination = pagination_params(
        page.page, page.pages, lambda number: url_for("caseload.audit_events", page=number, **query_args)
    )
    return render_template("caseload/audit.html", form=form, rows=rows, page=page, pagination=pagination), 200

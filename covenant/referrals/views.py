"""Referral pages: an adviser finds opportunities for a care leaver and refers them; the organisation responds;
both follow the referral's history. Advisers see their own authority's referrals, organisations the referrals
to their own pledges: anything else is a 404."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from covenant import audit
from covenant.access import public, roles
from covenant.care_leavers.forms import FeedbackForm
from covenant.care_leavers.operations import NotAllowed, answer_interest, can_give_feedback, give_feedback
from covenant.caseload.operations import STAFF_ROLES, authority_care_leaver
from covenant.clock import uk_today
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import InterestRequest, Pledge, Referral
from covenant.opportunities.criteria import Criteria, find_place
from covenant.opportunities.search import visible_pledge
from covenant.referrals import bp
from covenant.referrals.finding import REFERRING_FOR
from covenant.referrals.forms import MoveForm, ReferralForm
from covenant.referrals.operations import (
    ReferralRefused,
    acknowledge,
    move,
    moves_for,
    record_still_there,
    refer,
    referral_problem,
    sustainment_check_for,
)
from covenant.unit_of_work import locked
from covenant.vocab import (
    NEARBY_MILES,
    ORGANISATION_ROLES,
    REFERRAL_ACTIONS,
    RESPONSE_WORKING_DAYS,
    ReferralStatus,
)

staff = roles(*STAFF_ROLES)
organisation_people = roles(*ORGANISATION_ROLES)


# The adviser's side ----------------------------------------------------------------------------------------


@bp.route("/caseload/<int:care_leaver_id>/opportunities")
@staff
def find_for(care_leaver_id: int) -> WerkzeugResponse:
    """The search, filled in from the care leaver's age, where they live and what interests them. Until the
    adviser stops, every search result and opportunity page offers to refer them (`referring_for`)."""
    care_leaver = authority_care_leaver(care_leaver_id, current_user)
    session[REFERRING_FOR] = care_leaver.id
    criteria = Criteria(
        where=find_place(care_leaver.lives_in.gss_code),
        distance=NEARBY_MILES,
        kinds=tuple(care_leaver.kinds),
        areas=() if care_leaver.kinds else tuple(care_leaver.outcome_areas),
        age=care_leaver.age(uk_today()),
    )
    return redirect(criteria.results_href(url_for("opportunities.index")))


@bp.route("/referring/stop", methods=["POST"])
@staff
def stop_finding() -> WerkzeugResponse:
    """Back to searching for nobody in particular."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    care_leaver_id = session.pop(REFERRING_FOR, None)
    if isinstance(care_leaver_id, int):
        return redirect(url_for("caseload.care_leaver", care_leaver_id=care_leaver_id))
    return redirect(url_for("caseload.index"))


@bp.route("/caseload/<int:care_leaver_id>/refer/<int:pledge_id>", methods=["GET", "POST"])
@staff
def refer_to(care_leaver_id: int, pledge_id: int) -> WerkzeugResponse | tuple[str, int]:
    """Write a note, see exactly what the organisation will see, then send."""
    care_leaver = authority_care_leaver(care_leaver_id, current_user)
    pledge = visible_pledge(pledge_id) or abort(404)
    problem = referral_problem(care_leaver, pledge, uk_today())
    form = ReferralForm()
    if problem is None and form.validate_on_submit():
        if form.checked.data == "yes" and "change" not in request.form:
            try:
                referral = refer(care_leaver, pledge.id, current_user, form.note.data or "")
            except ReferralRefused as refusal:
                form.error_on(form.note, str(refusal))
            else:
                asked = _interest_for(care_leaver.id, pledge.id)
                if asked is not None:
                    answer_interest(asked, current_user, "", referral)
                if referral.status == ReferralStatus.WAITING:
                    flash(
                        f"{care_leaver.first_name} is on the waiting list for ‘{pledge.title}’: every place is "
                        "taken, and the first place that frees up is offered to the first in line",
                        "success",
                    )
                else:
                    flash(
                        f"{care_leaver.first_name} has been referred to ‘{pledge.title}’. "
                        f"{pledge.organisation.name} should reply within {RESPONSE_WORKING_DAYS} working days",
                        "success",
                    )
                return redirect(url_for("referrals.referral", referral_id=referral.id))
        elif "change" not in request.form:
            form.checked.data = "yes"
            return render_template(
                "referrals/check.html", form=form, care_leaver=care_leaver, pledge=pledge, today=uk_today()
            ), 200
    form.checked.data = ""
    status = 400 if form.errors or problem else 200
    return render_template(
        "referrals/refer.html", form=form, care_leaver=care_leaver, pledge=pledge, problem=problem
    ), status


def _interest_for(care_leaver_id: int, pledge_id: int) -> InterestRequest | None:
    """The young person's open "I'm interested" in this pledge, which a referral answers."""
    return db.session.scalars(
        select(InterestRequest).where(
            InterestRequest.care_leaver_id == care_leaver_id,
            InterestRequest.pledge_id == pledge_id,
            InterestRequest.status == "open",
        )
    ).first()


def adviser_referral(referral_id: int, lock: bool = False) -> Referral:
    """A referral of a care leaver of the user's own authority, or 404."""
    referral = locked(Referral, referral_id) if lock else db.session.get(Referral, referral_id)
    if referral is None or referral.care_leaver.local_authority_id != current_user.local_authority_id:
        abort(404)
    if not lock:
        audit.record_read("referral_viewed", referral, current_user)
    return referral


def _who(event: object) -> str:
    actor = getattr(event, "actor", None)
    if actor is None:
        return "Care Leaver Covenant"
    if actor.organisation is not None:
        return f"{actor.name}, {actor.organisation.name}"
    return actor.name


@bp.route("/referrals/<int:referral_id>")
@staff
def referral(referral_id: int) -> str:
    record = adviser_referral(referral_id)
    return render_template(
        "referrals/referral.html",
        referral=record,
        moves=moves_for(record, current_user),
        who=_who,
        form=ConfirmForm(),
        ask_how_it_went=can_give_feedback(record),
        today=uk_today(),
    )


@bp.route("/referrals/<int:referral_id>/withdraw", methods=["GET", "POST"])
@staff
def withdraw(referral_id: int) -> WerkzeugResponse | tuple[str, int]:
    record = adviser_referral(referral_id, lock=request.method == "POST")
    form = MoveForm()
    del form.started_on
    if ReferralStatus.WITHDRAWN not in moves_for(record, current_user):
        flash(f"This referral is {record.status.label.lower()}, so it cannot be withdrawn", "info")
        return redirect(url_for("referrals.referral", referral_id=record.id))
    if form.validate_on_submit():
        move(record, ReferralStatus.WITHDRAWN, current_user, reason=form.reason.data or None)
        flash(
            f"The referral to ‘{record.pledge.title}’ is withdrawn. We have told the organisation", "success"
        )
        return redirect(url_for("referrals.referral", referral_id=record.id))
    return render_template(
        "referrals/move.html", form=form, referral=record, to=ReferralStatus.WITHDRAWN, organisation=False
    ), 400 if form.errors else 200


@bp.route("/referrals/<int:referral_id>/how-it-went", methods=["GET", "POST"])
@staff
def how_it_went(referral_id: int) -> WerkzeugResponse | tuple[str, int]:
    """The adviser records the young person's answers, sitting with them."""
    record = adviser_referral(referral_id, lock=request.method == "POST")
    if not can_give_feedback(record):
        flash("There is nothing to ask about this referral", "info")
        return redirect(url_for("referrals.referral", referral_id=record.id))
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            give_feedback(
                record, int(form.useful.data or 0), form.recommend.data == "yes", form.comment.data,
                current_user, with_adviser=True,
            )  # fmt: skip
        except NotAllowed as refusal:
            form.error_on(form.useful, str(refusal))
        else:
            flash("Thank you: their answers are saved", "success")
            return redirect(url_for("referrals.referral", referral_id=record.id))
    back = url_for("referrals.referral", referral_id=record.id)
    return render_template(
        "care_leavers/how_it_went.html", form=form, referral=record, back=back
    ), 400 if form.errors else 200


@bp.route("/referrals/<int:referral_id>/seen", methods=["POST"])
@staff
def seen(referral_id: int) -> WerkzeugResponse:
    record = adviser_referral(referral_id, lock=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    acknowledge(record, current_user)
    return redirect(url_for("caseload.index"))


# The organisation's side -----------------------------------------------------------------------------------


def organisation_referral_of(referral_id: int, lock: bool = False) -> Referral:
    """A referral to one of the user's organisation's pledges, or 404. Reading it is recorded."""
    referral = locked(Referral, referral_id) if lock else db.session.get(Referral, referral_id)
    if referral is None or referral.pledge.organisation_id != current_user.organisation_id:
        abort(404)
    if not lock:
        audit.record_read("referral_viewed", referral, current_user)
    return referral


def _organisation_referrals() -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral)
            .join(Referral.pledge)
            .where(Pledge.organisation_id == current_user.organisation_id)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        )
    )


@bp.route("/organisation/referrals")
@organisation_people
def organisation_referrals() -> str:
    """Referrals to the organisation's pledges: those to answer first (oldest first), then the rest."""
    referrals = _organisation_referrals()
    audit.record_list_read(
        "referrals_viewed",
        current_user.organisation,
        current_user,
        [referral.care_leaver_id for referral in referrals],
    )
    to_answer = sorted(
        (referral for referral in referrals if referral.status == ReferralStatus.REFERRED),
        key=lambda referral: referral.created_at,
    )
    waiting = sorted(
        (referral for referral in referrals if referral.status == ReferralStatus.WAITING),
        key=lambda referral: (referral.pledge.title, referral.created_at),
    )
    return render_template(
        "referrals/organisation_index.html",
        to_answer=to_answer,
        waiting=waiting,
        going_on=[
            referral
            for referral in referrals
            if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.STARTED)
        ],
        finished=[
            referral
            for referral in referrals
            if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.WAITING)
            and referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.STARTED)
        ],
        today=uk_today(),
    )


@bp.route("/organisation/referrals/<int:referral_id>")
@organisation_people
def organisation_referral(referral_id: int) -> str:
    record = organisation_referral_of(referral_id)
    return render_template(
        "referrals/organisation_referral.html",
        referral=record,
        moves=moves_for(record, current_user),
        actions=REFERRAL_ACTIONS,
        who=_who,
        today=uk_today(),
    )


@bp.route("/organisation/referrals/<int:referral_id>/<status>", methods=["GET", "POST"])
@organisation_people
def respond(referral_id: int, status: str) -> WerkzeugResponse | tuple[str, int]:
    """Accept, decline, or record a start, a no-show, a completion or an early end: each confirmed on its own
    page, with an optional reason."""
    try:
        to = ReferralStatus(status)
    except ValueError:
        abort(404)
    record = organisation_referral_of(referral_id, lock=request.method == "POST")
    form = MoveForm()
    if to != ReferralStatus.STARTED:
        del form.started_on
    if to != ReferralStatus.ACCEPTED:
        del form.first_day
    if to not in moves_for(record, current_user):
        flash(
            f"This referral is {record.status.label.lower()}, so it cannot be marked {to.label.lower()}",
            "info",
        )
        return redirect(url_for("referrals.organisation_referral", referral_id=record.id))
    if form.validate_on_submit():
        try:
            move(
                record,
                to,
                current_user,
                reason=form.reason.data or None,
                started_on=form.started_on.data if "started_on" in form else None,
                first_day=form.first_day.data if "first_day" in form else None,
            )
        except ReferralRefused as refusal:
            form.error_on(form.reason, str(refusal))
        else:
            flash(f"Done: the referral is now ‘{to.label.lower()}’. We have told their adviser", "success")
            return redirect(url_for("referrals.organisation_referral", referral_id=record.id))
    return render_template(
        "referrals/move.html", form=form, referral=record, to=to, organisation=True, actions=REFERRAL_ACTIONS
    ), 400 if form.errors else 200


@bp.route("/organisation/referrals.csv")
@organisation_people
def export() -> Response:
    """The referrals to the organisation's pledges as CSV: first names and ages only."""
    referrals = _organisation_referrals()
    audit.record_list_read(
        "referrals_viewed",
        current_user.organisation,
        current_user,
        [referral.care_leaver_id for referral in referrals],
    )
    today = uk_today()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Referral", "Opportunity", "First name", "Age", "Status", "Referred on", "Started on"])
    for referral in referrals:
        writer.writerow(
            [
                referral.id,
                _safe_cell(referral.pledge.title),
                _safe_cell(referral.care_leaver.first_name),
                referral.care_leaver.age(today),
                referral.status.label,
                referral.created_at.date().isoformat(),
                referral.started_on.isoformat() if referral.started_on else "",
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=referrals.csv"},
    )


def _safe_cell(text: str) -> str:
    """A value a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Did it last? ----------------------------------------------------------------------------------------------


@bp.route("/still-there/<token>", methods=["GET", "POST"])
@public
def still_there(token: str) -> WerkzeugResponse | tuple[str, int]:
    """The organisation's one-click answer: the emailed link opens a page with the answer's button (GET never
    writes), and the button records it. The signed link is the proof; no sign-in is needed, and the page names
    nobody."""
    check = sustainment_check_for(token, lock=request.method == "POST")
    if check is None:
        return render_template("referrals/still_there_expired.html"), 400
    answer = request.values.get("answer")
    if request.method == "POST" and answer in ("yes", "no") and ConfirmForm().validate_on_submit():
        record_still_there(check, answer == "yes", current_user if current_user.is_authenticated else None)
        return redirect(url_for("referrals.still_there_thanks"))
    return render_template(
        "referrals/still_there.html",
        check=check,
        answer=answer if answer in ("yes", "no") else None,
        form=ConfirmForm(),
    ), 200


@bp.route("/still-there/thank-you")
@public
def still_there_thanks() -> str:
    return render_template("referrals/still_there_thanks.html")

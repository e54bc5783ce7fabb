"""The organisation's pledge pages: start, answer each section, check and submit, then manage."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from covenant.access import roles
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import LocalAuthority, Pledge
from covenant.pledges import bp
from covenant.pledges.forms import LocationForm, SectionForm, StartForm
from covenant.pledges.operations import (
    PledgeRuleBroken,
    close,
    close_if_expired,
    copy_pledge,
    create_draft,
    incomplete_sections,
    pause,
    resume,
    save_section,
    submission_problems,
    submit,
)
from covenant.pledges.queries import organisation_pledge
from covenant.pledges.sections import SECTIONS_BY_KEY, Section, sections_for
from covenant.referrals.feedback import for_pledge as pledge_feedback
from covenant.vocab import (
    CHECKABLE_STATUSES,
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    ORGANISATION_ROLES,
    PledgeKind,
    Reach,
)

organisation_roles = roles(*ORGANISATION_ROLES)


def _section_form(section: Section) -> SectionForm:
    form = section.form()
    if isinstance(form, LocationForm):
        form.set_authority_choices(
            [
                SelectChoice(str(authority.id), authority.name)
                for authority in db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name))
            ]
        )
    return form


def _next_section(pledge: Pledge, after: Section) -> Section | None:
    """The next section still to answer after this one, for a pledge being written."""
    sections = sections_for(pledge)
    keys = [section.key for section in sections]
    following = sections[keys.index(after.key) + 1 :] if after.key in keys else sections
    for section in following:
        if not section.is_complete(pledge):
            return section
    return None


# "Change" on check your answers adds this to the question's address, so saving goes back there.
FROM_CHECK = "check"


@bp.route("/new", methods=["GET", "POST"])
@organisation_roles
def start() -> Response | tuple[str, int]:
    form = StartForm()
    if form.validate_on_submit():
        pledge = create_draft(
            current_user.organisation, current_user, form.title.data or "", PledgeKind(form.kind.data)
        )
        # Straight on to the next question, as "Save and continue" says, not back to the task list.
        following = _next_section(pledge, SECTIONS_BY_KEY["name"])
        if following is None:  # pragma: no cover - a new draft has every other section still to answer
            return redirect(url_for("pledges.show", pledge_id=pledge.id))
        return redirect(url_for("pledges.edit_section", pledge_id=pledge.id, section_key=following.key))
    return render_template("pledges/start.html", form=form), 400 if form.errors else 200


@bp.route("/<int:pledge_id>")
@organisation_roles
def show(pledge_id: int) -> str:
    pledge = organisation_pledge(pledge_id, current_user)
    status = pledge.effective_status
    return render_template(
        "pledges/show.html",
        pledge=pledge,
        status=status,
        sections=sections_for(pledge),
        editable=status in EDITABLE_STATUSES,
        live=status in LIVE_STATUSES,
        problems=submission_problems(pledge),
        confirm=ConfirmForm(),
        feedback=pledge_feedback(pledge.id),
    )


def _after_saving(pledge: Pledge, section: Section, *, sent_back: bool, from_check: bool) -> Response:
    """Where a saved section goes: the pledge's page for a live one, back to check your answers when the
    change came from there, else on to the next question still to answer (or the dashboard, for later)."""
    if sent_back:
        flash(
            "Your changes are saved. The pledge has gone back for review, so it is hidden until a coordinator approves it",
            "info",
        )
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    if pledge.status in LIVE_STATUSES:
        flash("Your changes are saved and the pledge is still live", "success")
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    if "save_and_exit" in request.form:
        flash("Your draft is saved. You can come back to it at any time", "success")
        return redirect(url_for("organisations.dashboard"))
    if from_check:
        # Back to check your answers, unless the change opened a question still to answer (a pledge that
        # becomes a job is asked about its pay).
        unanswered = incomplete_sections(pledge)
        if not unanswered:
            return redirect(url_for("pledges.check", pledge_id=pledge.id))
        return redirect(
            url_for(
                "pledges.edit_section",
                pledge_id=pledge.id,
                section_key=unanswered[0].key,
                return_to=FROM_CHECK,
            )
        )
    following = _next_section(pledge, section)
    if following is not None:
        return redirect(url_for("pledges.edit_section", pledge_id=pledge.id, section_key=following.key))
    return redirect(url_for("pledges.show", pledge_id=pledge.id))


@bp.route("/<int:pledge_id>/<section_key>", methods=["GET", "POST"])
@organisation_roles
def edit_section(pledge_id: int, section_key: str) -> Response | tuple[str, int]:
    pledge = organisation_pledge(pledge_id, current_user, lock=request.method == "POST")
    section = SECTIONS_BY_KEY.get(section_key) or abort(404)
    if pledge.effective_status not in EDITABLE_STATUSES:
        flash(f"This pledge is {pledge.effective_status.label.lower()}, so it cannot be changed", "info")
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    if not section.applies(pledge):  # pay, for a discount: an old link, or the kind changed since
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    from_check = request.args.get("return_to") == FROM_CHECK and pledge.status in CHECKABLE_STATUSES
    form = _section_form(section)
    if request.method == "GET":
        form.load(pledge)
    elif isinstance(form, LocationForm) and form.choose_authorities(request.form):
        pass  # a council area added to or taken from the list: shown again, saved with the rest
    elif form.validate_on_submit():
        try:
            sent_back = save_section(pledge, section, form.values(), current_user)
        except PledgeRuleBroken as broken:
            # Rules a valid section can still break: fewer places than are already taken, or a change that
            # needs review from a suspended organisation.
            form.error_on(form["places"] if "places" in form else form.save, str(broken))
        else:
            return _after_saving(pledge, section, sent_back=sent_back, from_check=from_check)
    return render_template(
        "pledges/section.html",
        form=form,
        pledge=pledge,
        section=section,
        live=pledge.effective_status in LIVE_STATUSES,
        back=url_for("pledges.check", pledge_id=pledge.id)
        if from_check
        else url_for("pledges.show", pledge_id=pledge.id),
        from_check=from_check,
        Reach=Reach,
    ), 400 if form.errors else 200


@bp.route("/<int:pledge_id>/check", methods=["GET", "POST"])
@organisation_roles
def check(pledge_id: int) -> Response | tuple[str, int]:
    pledge = organisation_pledge(pledge_id, current_user, lock=request.method == "POST")
    form = ConfirmForm()
    problems = submission_problems(pledge)
    if pledge.status not in CHECKABLE_STATUSES:
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    if form.validate_on_submit():
        try:
            submit(pledge, current_user)
        except PledgeRuleBroken as broken:
            problems = [str(broken)]
        else:
            return redirect(url_for("pledges.submitted", pledge_id=pledge.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "pledges/check.html",
        pledge=pledge,
        sections=sections_for(pledge),
        problems=problems,
        form=form,
        from_check=FROM_CHECK,
    ), status


@bp.route("/<int:pledge_id>/submitted")
@organisation_roles
def submitted(pledge_id: int) -> str:
    pledge = organisation_pledge(pledge_id, current_user)
    return render_template("pledges/submitted.html", pledge=pledge)


def _lifecycle_action(pledge_id: int, action: str) -> Response:
    pledge = organisation_pledge(pledge_id, current_user, lock=True)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if close_if_expired(pledge):
        flash("This pledge has passed its closing or end date, so it is closed", "info")
        return redirect(url_for("pledges.show", pledge_id=pledge.id))
    operations = {"pause": pause, "resume": resume, "close": close}
    messages = {
        "pause": "Your pledge is paused. Advisers and care leavers cannot see it until you make it live again",
        "resume": "Your pledge is live again",
        "close": "Your pledge is closed",
    }
    try:
        operations[action](pledge, current_user)
    except PledgeRuleBroken as broken:
        flash(str(broken), "info")
    else:
        flash(messages[action], "success")
    return redirect(url_for("pledges.show", pledge_id=pledge.id))


@bp.route("/<int:pledge_id>/pause", methods=["POST"])
@organisation_roles
def pause_pledge(pledge_id: int) -> Response:
    return _lifecycle_action(pledge_id, "pause")


@bp.route("/<int:pledge_id>/resume", methods=["POST"])
@organisation_roles
def resume_pledge(pledge_id: int) -> Response:
    return _lifecycle_action(pledge_id, "resume")


@bp.route("/<int:pledge_id>/close", methods=["GET", "POST"])
@organisation_roles
def close_pledge(pledge_id: int) -> Response | str:
    if request.method == "GET":
        pledge = organisation_pledge(pledge_id, current_user)
        if pledge.effective_status not in LIVE_STATUSES:
            return redirect(url_for("pledges.show", pledge_id=pledge.id))
        return render_template("pledges/close.html", pledge=pledge, form=ConfirmForm())
    return _lifecycle_action(pledge_id, "close")


@bp.route("/<int:pledge_id>/copy", methods=["POST"])
@organisation_roles
def copy(pledge_id: int) -> Response:
    original = organisation_pledge(pledge_id, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    pledge = copy_pledge(original, current_user)
    flash("This is a copy. Check every answer and set new dates before you submit it", "success")
    return redirect(url_for("pledges.show", pledge_id=pledge.id))

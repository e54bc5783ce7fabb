"""Saved search pages: save the current search, list, change and delete them, and unsubscribe by email link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from covenant.access import public, roles
from covenant.alerts import bp
from covenant.alerts.forms import ConfirmDeleteForm, SavedSearchForm
from covenant.alerts.operations import (
    BadUnsubscribeLink,
    SearchNotSaved,
    change_search,
    delete_search,
    describe,
    existing_search,
    normalised_query,
    owned_search,
    save_search,
    saved_criteria,
    saved_searches,
    search_for_unsubscribe,
    suggested_name,
)
from covenant.alerts.operations import unsubscribe as stop_emails
from covenant.extensions import csrf
from covenant.models import SavedSearch
from covenant.opportunities.criteria import parse_criteria
from covenant.vocab import ALERT_ROLES, AlertFrequency


def search_href(saved: SavedSearch) -> str:
    """A link that runs the saved search again."""
    return url_for("opportunities.index") + ("?" + saved.query_string if saved.query_string else "")


@bp.route("")
@roles(*ALERT_ROLES)
def index() -> str:
    searches = [(saved, describe(saved_criteria(saved))) for saved in saved_searches(current_user)]
    return render_template("alerts/index.html", searches=searches, search_href=search_href)


@bp.route("/save", methods=["GET", "POST"])
@roles(*ALERT_ROLES)
def save() -> Response | tuple[str, int]:
    criteria = parse_criteria(request.args)
    if criteria.place_problem is not None:
        # A place the search cannot find would be saved as a search of all England: put it right there first.
        return redirect(url_for("opportunities.index", **request.args))  # type: ignore[arg-type]
    query_string = normalised_query(criteria)
    already = existing_search(current_user, query_string)
    if already is not None:
        flash(f"You have already saved this search as ‘{already.name}’", "info")
        return redirect(url_for("alerts.index"))
    form = SavedSearchForm()
    if request.method == "GET":
        form.name.data = suggested_name(criteria)
    if form.validate_on_submit():
        try:
            saved = save_search(
                current_user, criteria, form.name.data or "", AlertFrequency(form.frequency.data)
            )
        except SearchNotSaved as refusal:
            form.error_on(form.name, str(refusal))
        else:
            flash(
                f"Search saved. We’ll email you {saved.frequency.label.lower()} when there are new opportunities",
                "success",
            )
            return redirect(url_for("alerts.index"))
    return render_template(
        "alerts/save.html",
        form=form,
        filters=describe(criteria),
        messages=criteria.messages,
        back=url_for("opportunities.index") + ("?" + query_string if query_string else ""),
    ), 400 if form.errors else 200


@bp.route("/<int:saved_search_id>/change", methods=["GET", "POST"])
@roles(*ALERT_ROLES)
def change(saved_search_id: int) -> Response | tuple[str, int]:
    saved = owned_search(saved_search_id, current_user) or abort(404)
    form = SavedSearchForm(obj=saved if request.method == "GET" else None)
    if request.method == "GET":
        form.frequency.data = saved.frequency.value
    if form.validate_on_submit():
        restarted = change_search(
            saved, current_user, form.name.data or "", AlertFrequency(form.frequency.data)
        )
        if restarted:
            flash(f"Emails for ‘{saved.name}’ are back on, {saved.frequency.label.lower()}", "success")
        else:
            flash(f"Your saved search ‘{saved.name}’ has been changed", "success")
        return redirect(url_for("alerts.index"))
    return render_template(
        "alerts/change.html", form=form, saved=saved, filters=describe(saved_criteria(saved))
    ), 400 if form.errors else 200


@bp.route("/<int:saved_search_id>/delete", methods=["GET", "POST"])
@roles(*ALERT_ROLES)
def delete(saved_search_id: int) -> Response | str:
    saved = owned_search(saved_search_id, current_user) or abort(404)
    form = ConfirmDeleteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = saved.name
        delete_search(saved, current_user)
        flash(f"Your saved search ‘{name}’ has been deleted. We will not email you about it again", "success")
        return redirect(url_for("alerts.index"))
    return render_template("alerts/delete.html", form=form, saved=saved)


# The link in the email opens a page with one button (GET never changes anything: council mail scanners open every
# link); the button, and mail programs' one-click unsubscribe (RFC 8058), POST. The one-click POST carries no CSRF
# token: the signed token in the address is what proves the request comes from the email.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str) -> str | tuple[str, int]:
    try:
        saved = search_for_unsubscribe(token, lock=request.method == "POST")
    except BadUnsubscribeLink:
        return render_template("alerts/bad_link.html"), 400
    if saved is not None and request.method == "GET" and saved.unsubscribed_at is None:
        return render_template("alerts/unsubscribe.html", saved=saved)
    if saved is not None:
        stop_emails(saved)
    return render_template("alerts/unsubscribed.html", saved=saved)

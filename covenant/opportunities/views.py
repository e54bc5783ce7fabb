"""The public search page and the page for one opportunity."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from covenant.access import public
from covenant.clock import uk_today
from covenant.extensions import db
from covenant.forms import ConfirmForm
from covenant.models import LocalAuthority, Pledge
from covenant.opportunities import bp
from covenant.opportunities.cache import search_cache
from covenant.opportunities.criteria import Criteria, find_place, parse_criteria
from covenant.opportunities.forms import NearYouForm, near_you_form
from covenant.opportunities.freshness import current_token
from covenant.opportunities.places import suggestions
from covenant.opportunities.presenting import (
    chosen_filters,
    component,
    council_choices,
    distance_text,
    facts,
    filter_form,
    shortcuts,
    sort_choices,
)
from covenant.opportunities.search import Results, search, visible_pledge
from covenant.opportunities.search.distance import pledge_miles
from covenant.pagination import pagination_params
from covenant.pledges.sections import ages_text, dates_text, pay_applies, pay_text, places_text, where_text
from covenant.referrals.finding import Referring, referring_for
from covenant.vocab import ALERT_ROLES, NEARBY_MILES, ONCE_PUBLIC_STATUSES, TakeUp


@bp.route("")
@public
def index() -> ResponseReturnValue:
    criteria = parse_criteria(request.args)
    # Its choices matter only when it is checked (`near_you`); the page lists the council areas itself.
    first_visit = not criteria.is_filtered and criteria.place_problem is None
    page = _search_page(criteria, NearYouForm(formdata=None) if first_visit else None)
    # A place that cannot be found is a mistake to put right, not a search of everywhere instead.
    return (page, 400) if criteria.place_problem is not None else page


@bp.route("/places")
@public
def place_suggestions() -> ResponseReturnValue:
    """The "Where" box's type-ahead: place names starting with what was typed, as a JSON list."""
    response = jsonify(suggestions(request.args.get("q", "")[:100]))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/near-you")
@public
def near_you() -> ResponseReturnValue:
    """ "Find opportunities near you": the opportunities within a few miles of the council area chosen."""
    form = near_you_form(council_choices(current_token()), formdata=request.args)
    if form.validate():
        criteria = Criteria(where=find_place(form.where.data or ""), distance=NEARBY_MILES)
        return redirect(criteria.results_href(url_for("opportunities.index")))
    return _search_page(parse_criteria(MultiDict()), form), 400


def _search_page(criteria: Criteria, near_you: NearYouForm | None) -> str:
    """The search page: the results, the filters, and "Find opportunities near you" before any is chosen."""
    base = url_for("opportunities.index")
    token = current_token()
    referring = referring_for(uk_today())
    if criteria.place_problem is not None:
        results = Results(criteria=criteria, pledges=[], total=0, page=1, pages=1)
        listing = Markup("")
    else:
        results, listing = results_listing(criteria, base, token, referring)
    messages = list(criteria.messages)
    if results.page < criteria.page:
        messages.append(f"There are only {results.pages} pages of results, so we showed the last one")
    return render_template(
        "opportunities/index.html",
        criteria=criteria,
        results=results,
        listing=listing,
        filter_form=filter_form(criteria, token),
        messages=messages,
        chosen=chosen_filters(criteria, base),
        shortcuts=shortcuts(criteria, base),
        form=near_you,
        councils=council_choices(token) if near_you is not None else [],
        quick_miles=NEARBY_MILES,
        component=component,
        clear_href=base,
        referring=referring,
        stop_form=ConfirmForm() if referring else None,
        save_search_href=(
            url_for("alerts.save") + criteria.url_query(page=1)
            if current_user.is_authenticated and current_user.role in ALERT_ROLES
            else None
        ),
    )


def results_listing(
    criteria: Criteria, base: str, token: str, referring: Referring | None = None
) -> tuple[Results, Markup]:
    """The search's results (without their pledges) and the rendered list of them, with its pagination.

    Kept under the search token (`freshness`), like the count: every change to what a search reads gives
    the token a new value, so a kept list is never out of date, and a search done again, the commonest
    thing on this page, costs one small query. A list with a "Refer" link for the care leaver an adviser is
    finding opportunities for is theirs alone, and never kept.
    """
    cache = search_cache()
    today = uk_today()
    key = ("listing", token, today.isoformat(), criteria.url_query())
    kept: tuple[Results, Markup] | None = cache.get(key) if referring is None else None
    if kept is not None:
        return kept
    results = search(criteria, today, token=token)
    origin = criteria.origin
    miles = pledge_miles(results.pledges, origin) if origin is not None else {}
    pagination = pagination_params(
        results.page,
        results.pages,
        lambda number: criteria.results_href(base, page=number),
        more=not results.exact,
    )
    listing = Markup(  # noqa: S704 - a template rendered with autoescaping
        render_template(
            "opportunities/_results.html",
            criteria=criteria,
            results=results,
            sorts=sort_choices(criteria),
            facts=facts,
            miles=miles,
            distance_text=distance_text,
            pagination=pagination,
            clear_href=base,
            referring=referring,
        )
    )
    kept = (replace(results, pledges=[]), listing)
    if referring is None:
        cache.put(key, kept)
    return kept


@bp.route("/<int:pledge_id>")
@public
def show(pledge_id: int) -> str | tuple[str, int]:
    pledge = visible_pledge(pledge_id)
    if pledge is None:
        known = db.session.get(Pledge, pledge_id)
        was_live = (
            known is not None and known.status in ONCE_PUBLIC_STATUSES and not known.organisation.is_suspended
        )
        if was_live:
            return render_template("opportunities/closed.html", pledge=known), 410
        abort(404)
    local_offers = [authority for authority in pledge.local_authorities if authority.local_offer_url]
    place = find_place(request.args["where"]) if request.args.get("where") else None
    if place is not None and place.authority_id is not None:
        chosen = db.session.get(LocalAuthority, place.authority_id)
        if chosen is not None and chosen.local_offer_url:
            local_offers = [chosen]
    search_page = url_for("opportunities.index")
    referrer = request.referrer or ""
    back = referrer if referrer.startswith(request.host_url.rstrip("/") + search_page) else search_page
    return render_template(
        "opportunities/show.html",
        pledge=pledge,
        local_offers=local_offers,
        care_leaver_can_ask=pledge.take_up == TakeUp.ADVISER_OR_CARE_LEAVER,
        pay=pay_text(pledge) if pay_applies(pledge) else None,
        ages=ages_text(pledge),
        dates=dates_text(pledge),
        places=places_text(pledge),
        where_text=where_text(pledge),
        back=back,
        referring=referring_for(uk_today()),
        teams=_teams(),
        team=_team(request.args.get("team")),
    )


def _teams() -> list[dict[str, str]]:
    """The council areas whose leaving care teams care leavers can reach, for "Not sure who your adviser is?"."""
    authorities = db.session.scalars(
        select(LocalAuthority)
        .where(or_(LocalAuthority.team_phone.is_not(None), LocalAuthority.team_email.is_not(None)))
        .order_by(LocalAuthority.name)
    )
    return [{"value": authority.gss_code, "text": authority.name} for authority in authorities]


def _team(gss_code: str | None) -> LocalAuthority | None:
    """The leaving care team a care leaver chose to see, if it has contact details."""
    if not gss_code:
        return None
    authority = db.session.scalars(select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)).first()
    return authority if authority is not None and authority.has_team_contact else None

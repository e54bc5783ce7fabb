"""The public search page and the page for one opportunity."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from covenant.access import public
from covenant.extensions import db
from covenant.models import LocalAuthority, Pledge
from covenant.opportunities import bp
from covenant.opportunities.criteria import find_place, parse_criteria
from covenant.opportunities.presenting import (
    KIND_HINTS,
    chosen_filters,
    component,
    facts,
    place_choices,
    sort_choices,
)
from covenant.opportunities.search import search, visible_pledge
from covenant.pagination import pagination_params
from covenant.pledges.sections import ages_text, dates_text, pay_text, places_text, where_text
from covenant.vocab import ALERT_ROLES, DISTANCES_MILES, OutcomeArea, PledgeKind, PledgeStatus, TakeUp


@bp.route("")
@public
def index() -> str:
    criteria = parse_criteria(request.args)
    results = search(criteria)
    base = url_for("opportunities.index")
    messages = list(criteria.messages)
    if results.page < criteria.page:
        messages.append(f"There are only {results.pages} pages of results, so we showed the last one")
    pagination = pagination_params(
        results.page, results.pages, lambda number: base + criteria.url_query(page=number)
    )
    return render_template(
        "opportunities/index.html",
        criteria=criteria,
        results=results,
        messages=messages,
        chosen=chosen_filters(criteria, base),
        clear_href=base,
        places=place_choices(),
        kinds=list(PledgeKind),
        kind_hints=KIND_HINTS,
        areas=list(OutcomeArea),
        distances=DISTANCES_MILES,
        sorts=sort_choices(criteria),
        facts=facts,
        component=component,
        pagination=pagination,
        save_search_href=(
            url_for("alerts.save") + criteria.url_query(page=1)
            if current_user.is_authenticated and current_user.role in ALERT_ROLES
            else None
        ),
    )


@bp.route("/<int:pledge_id>")
@public
def show(pledge_id: int) -> str | tuple[str, int]:
    pledge = visible_pledge(pledge_id)
    if pledge is None:
        known = db.session.get(Pledge, pledge_id)
        was_live = (
            known is not None
            and known.status in (PledgeStatus.PUBLISHED, PledgeStatus.PAUSED, PledgeStatus.CLOSED)
            and not known.organisation.is_suspended
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
        pay=pay_text(pledge),
        ages=ages_text(pledge),
        dates=dates_text(pledge),
        places=places_text(pledge),
        where_text=where_text(pledge),
        back=back,
    )

"""Alert emails: a digest of the opportunities published since a saved search was last looked at.

`flask send-alerts --frequency daily|weekly` runs `send_alerts` from cron. Each saved search is handled in its
own transaction: its digest joins the outbox in the same commit that moves `alerted_through` forward, so
running again sends nothing twice and a crash part-way sends nothing for the searches it did not finish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from covenant.alerts.operations import saved_criteria, unsubscribe_token
from covenant.clock import utcnow
from covenant.email import external_url, queue_email
from covenant.extensions import db
from covenant.models import Pledge, SavedSearch, User
from covenant.opportunities.search import build_query
from covenant.vocab import AlertFrequency

# A digest lists this many opportunities at most; the link to the search shows the rest.
MAX_IN_DIGEST = 20
log = logging.getLogger("covenant.alerts")


@dataclass(frozen=True)
class DigestItem:
    """One new opportunity in a digest email."""

    title: str
    organisation: str
    link: str


@dataclass(frozen=True)
class AlertRun:
    """What one run did: saved searches looked at, emails queued, searches that failed."""

    searched: int
    emailed: int
    failed: int


def site_path(endpoint: str, **values: Any) -> str:
    """The path of a page, for a link in an email (cron has no request for `url_for` to build from)."""
    return current_app.url_map.bind("").build(endpoint, values)


def new_matches(saved: SavedSearch, through: datetime) -> tuple[list[Pledge], int]:
    """Up to MAX_IN_DIGEST visible opportunities matching the search, published after it was last looked at
    and no later than `through`, newest first; and how many there are in all."""
    criteria = saved_criteria(saved)
    if criteria.place_problem is not None:
        return [], 0  # its place is no longer known: nothing, rather than matches from all of England
    query = build_query(criteria)
    query = query.where(Pledge.published_at > saved.alerted_through, Pledge.published_at <= through)
    total = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Pledge.id).subquery()))
    if not total:
        return [], 0
    pledges = db.session.scalars(
        query.options(contains_eager(Pledge.organisation))
        .order_by(Pledge.published_at.desc(), Pledge.id.desc())
        .limit(MAX_IN_DIGEST)
    ).unique()
    return list(pledges), total


def send_digest(saved: SavedSearch, through: datetime) -> bool:
    """Queue this search's digest of new matches, if there are any, and mark them as looked at.

    Returns True when an email was queued. The caller commits.
    """
    pledges, total = new_matches(saved, through)
    saved.alerted_through = through
    if not pledges:
        return False
    search_path = site_path("opportunities.index")
    if saved.query_string:
        search_path += "?" + saved.query_string
    unsubscribe_link = external_url(site_path("alerts.unsubscribe", token=unsubscribe_token(saved)))
    queue_email(
        saved.user.email,
        "saved_search_alert",
        unsubscribe_url=unsubscribe_link,
        saved=saved,
        user=saved.user,
        opportunities=[
            DigestItem(
                title=pledge.title,
                organisation=pledge.organisation.name,
                link=external_url(site_path("opportunities.show", pledge_id=pledge.id)),
            )
            for pledge in pledges
        ],
        total=total,
        more=total - len(pledges),
        search_link=external_url(search_path),
        manage_link=external_url(site_path("alerts.index")),
        unsubscribe_link=unsubscribe_link,
    )
    saved.last_sent_at = through
    return True


def send_alerts(frequency: AlertFrequency, now: datetime | None = None) -> AlertRun:
    """Email every subscribed saved search of this frequency its new matches, committing each search."""
    through = now or utcnow()
    candidates = list(
        db.session.scalars(
            select(SavedSearch.id)
            .join(SavedSearch.user)
            .where(
                SavedSearch.frequency == frequency,
                SavedSearch.unsubscribed_at.is_(None),
                SavedSearch.alerted_through < through,
                User.email_confirmed_at.is_not(None),
            )
            .order_by(SavedSearch.id)
        )
    )
    searched = emailed = failed = 0
    for saved_search_id in candidates:
        # Lock the row and read it afresh, so two runs at once cannot both send the same digest.
        saved = db.session.scalars(
            select(SavedSearch)
            .where(
                SavedSearch.id == saved_search_id,
                SavedSearch.unsubscribed_at.is_(None),
                SavedSearch.alerted_through < through,
            )
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()
        if saved is None:
            db.session.rollback()
            continue
        searched += 1
        try:
            if send_digest(saved, through):
                emailed += 1
            db.session.commit()
        except Exception:  # one broken search must not stop everyone else's alerts
            db.session.rollback()
            failed += 1
            log.exception("Could not send alerts for saved search %s", saved_search_id)
    return AlertRun(searched=searched, emailed=emailed, failed=failed)

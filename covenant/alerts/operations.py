"""Saved searches: saving, changing, deleting and unsubscribing. The caller commits.

A saved search keeps the normalised query string of a search on /opportunities, so re-running it and
emailing its new matches (see `digests.py`) go through the same search code as the page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from covenant import audit
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import SavedSearch, User
from covenant.opportunities.criteria import Criteria, parse_criteria
from covenant.opportunities.presenting import chosen_filters
from covenant.security import make_token, read_token
from covenant.unit_of_work import locked
from covenant.vocab import AlertFrequency

MAX_SAVED_SEARCHES = 50
MAX_NAME_LENGTH = 100
MAX_QUERY_LENGTH = 2000  # the saved_search.query_string column
UNSUBSCRIBE = "alert-unsubscribe"
# Unsubscribe links must keep working in old emails; every digest carries a fresh one.
UNSUBSCRIBE_MAX_AGE = 2 * 365 * 24 * 60 * 60


class SearchNotSaved(Exception):
    """A search that cannot be saved, with the reason in words for the page."""


class BadUnsubscribeLink(Exception):
    """An unsubscribe link that is not genuine (mistyped, cut short or tampered with) or too old."""


def normalised_query(criteria: Criteria) -> str:
    """The query string that stands for this search, whatever page or spelling it came from."""
    return urlencode(criteria.query_args(page=1))


def saved_criteria(saved: SavedSearch) -> Criteria:
    """The search a saved search stands for, read as the search page reads a URL."""
    return parse_criteria(MultiDict(parse_qsl(saved.query_string)))


def describe(criteria: Criteria) -> list[tuple[str, str]]:
    """The filters of a search in words, one (heading, 'this, that') pair per group."""
    return [(heading, ", ".join(tag.text for tag in tags)) for heading, tags in chosen_filters(criteria, "")]


def suggested_name(criteria: Criteria) -> str:
    """A starting name for a search, from its filters: ‘Mentoring, Near LS1’."""
    words = ", ".join(text for _, text in describe(criteria)) or "Every opportunity"
    if len(words) <= MAX_NAME_LENGTH:
        return words
    return words[: MAX_NAME_LENGTH - 3].rsplit(" ", 1)[0] + "…"


def saved_searches(user: User) -> list[SavedSearch]:
    """This person's saved searches, newest first."""
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        )
    )


def owned_search(saved_search_id: int, user: User) -> SavedSearch | None:
    """One of this person's saved searches, or None (someone else's is as good as missing)."""
    saved = db.session.get(SavedSearch, saved_search_id)
    return saved if saved is not None and saved.user_id == user.id else None


def existing_search(user: User, query_string: str) -> SavedSearch | None:
    """The person's saved search for exactly this search, if they have one."""
    return db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query_string == query_string)
    ).first()


def save_search(user: User, criteria: Criteria, name: str, frequency: AlertFrequency) -> SavedSearch:
    """Keep a search for this person; alerts cover opportunities published from now on."""
    query_string = normalised_query(criteria)
    if len(query_string) > MAX_QUERY_LENGTH:
        raise SearchNotSaved("This search is too long to save. Use fewer search words")
    count = db.session.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id))
    if (count or 0) >= MAX_SAVED_SEARCHES:
        raise SearchNotSaved(
            f"You can save up to {MAX_SAVED_SEARCHES} searches. Delete one you no longer need first"
        )
    now = utcnow()
    saved = SavedSearch(
        user=user,
        name=name,
        query_string=query_string,
        frequency=frequency,
        created_at=now,
        alerted_through=now,
    )
    db.session.add(saved)
    db.session.flush()
    audit.record(
        "saved_search_saved",
        saved,
        user,
        {"name": name, "query_string": query_string, "frequency": frequency},
    )
    return saved


def change_search(saved: SavedSearch, user: User, name: str, frequency: AlertFrequency) -> bool:
    """Rename a saved search or change how often it emails; this also turns stopped emails back on.

    Returns True when emails were turned back on. They cover opportunities published from then on, not
    everything published while they were off.
    """
    changes = audit.changed_fields(saved, {"name": name, "frequency": frequency})
    restarted = saved.unsubscribed_at is not None
    if restarted:
        now = utcnow()
        saved.unsubscribed_at = None
        saved.alerted_through = now
        changes["emails"] = {"before": "stopped", "after": "started"}
    if changes:
        audit.record("saved_search_changed", saved, user, changes)
    return restarted


def delete_search(saved: SavedSearch, user: User) -> None:
    """Forget a saved search; no more emails come from it."""
    audit.record(
        "saved_search_deleted", saved, user, {"name": saved.name, "query_string": saved.query_string}
    )
    db.session.delete(saved)
    db.session.flush()


def unsubscribe_token(saved: SavedSearch) -> str:
    """A signed token for the one-click unsubscribe link in a digest (no sign-in needed)."""
    return make_token(UNSUBSCRIBE, {"saved_search": saved.id, "user": saved.user_id})


def search_for_unsubscribe(token: str, lock: bool = False) -> SavedSearch | None:
    """The saved search an unsubscribe link names, or None when it has been deleted since (locked until the
    request commits with `lock`, so two unsubscribes at once record one).

    Raises BadUnsubscribeLink for a link that is not genuine or too old.
    """
    payload = read_token(UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE)
    saved_search_id = payload.get("saved_search") if payload else None
    user_id = payload.get("user") if payload else None
    if not isinstance(saved_search_id, int) or not isinstance(user_id, int):
        raise BadUnsubscribeLink
    saved = locked(SavedSearch, saved_search_id) if lock else db.session.get(SavedSearch, saved_search_id)
    if saved is None or saved.user_id != user_id:
        return None  # deleted (its number perhaps reused by someone else): there is nothing left to stop
    return saved


def unsubscribe(saved: SavedSearch) -> None:
    """Stop a saved search's emails (the search stays saved); doing it again changes nothing."""
    if saved.unsubscribed_at is not None:
        return
    saved.unsubscribed_at = utcnow()
    audit.record("saved_search_unsubscribed", saved, saved.user, {"via": "unsubscribe link"})

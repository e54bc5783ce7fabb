"""Knowing when cached search results are stale: a token in the database that every relevant change renews.

Any transaction that adds, changes or deletes a pledge (or its places and outcome areas), an organisation, a
local authority or a postcode district gives `search_state.token` a new random value as the last thing it
does before committing. Results cached under the old token are never read again, in this process or any
other, so a pledge that is published, paused or edited, or an organisation that is suspended, shows in (or
leaves) every search at once.

The token is written last so that its row lock, which makes such transactions take turns, is held only
for the moment of the commit and is always the last lock taken (no deadlocks with the pledges' own rows).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.sansio.app import App
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, UOWTransaction

from covenant.extensions import db
from covenant.models import (
    LocalAuthority,
    Organisation,
    Pledge,
    PledgeLocalAuthority,
    PledgeOutcomeArea,
    PledgeRegion,
    PostcodeDistrict,
    SearchState,
    Town,
)

#: What a search reads: a change to any of these renews the token.
SEARCHED = (
    Pledge,
    PledgeOutcomeArea,
    PledgeRegion,
    PledgeLocalAuthority,
    Organisation,
    LocalAuthority,
    PostcodeDistrict,
    Town,
)
CHANGED = "covenant.search_changed"


def current_token() -> str:
    """The token for results worked out now (one small query)."""
    return db.session.scalar(select(SearchState.token).where(SearchState.id == 1)) or ""


def renew_token(session: Session) -> None:
    """Give the token a new value in this session's transaction."""
    session.connection().execute(
        update(SearchState).where(SearchState.id == 1).values(token=uuid.uuid4().hex)
    )


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    """Remember that this transaction changed something a search reads (the lists still hold what it was)."""
    if session.info.get(CHANGED):
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, SEARCHED):
            session.info[CHANGED] = True
            return


def _do_orm_execute(state: Any) -> None:
    """Bulk `update()`, `delete()` and `insert()` of a searched model through the session count too."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, SEARCHED):
        state.session.info[CHANGED] = True


def _before_commit(session: Session) -> None:
    session.flush()
    if session.info.pop(CHANGED, False):
        renew_token(session)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(CHANGED, None)


def init_app(app: App) -> None:
    """Renew the search token in every transaction that changes what a search reads: the listeners are on every
    ORM session of the process, added once whichever app comes first."""
    app.extensions["covenant.search_freshness"] = True
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)

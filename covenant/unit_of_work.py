"""One commit point per request, after indico's request handler (`RH.process`).

Operations add, flush and write their audit rows; views never commit. `CovenantFlask.dispatch_request` runs
the view and then commits once, for every request that may write (POST and the like). Any exception rolls the
whole request back, so a refused action leaves nothing half done.

Two people can still do clashing things at the same moment: sign up with one email address, or accept one
invitation. The database refuses the second (a unique index, a row lock); that `IntegrityError` is turned into
the answer the form would have given by running the view once more on a fresh transaction, where the first
person's change is now visible and the view's own checks say what happened ("this link has been used"). A
second clash gives the conflict page (409), never a 500. Deadlocks and serialisation failures are retried the
same way.

A GET never writes: a page view that leaves changes in the session is a bug; they are rolled back and logged
(and fail the test that made them). The one exception is the audit record of who read a care leaver's
personal data (`audit.record_read`), which a page view commits.

State changes that check state first lock the row they check (`locked`), so two people deciding at once take
turns and the second sees the first one's decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, UOWTransaction
from werkzeug.exceptions import Conflict

from covenant import audit
from covenant.extensions import Base, db

log = logging.getLogger("covenant.unit_of_work")

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WROTE = "covenant.wrote"
# PostgreSQL's codes for a transaction that lost a race and can simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
ATTEMPTS = 2

Model = TypeVar("Model", bound=Base)


class GetWrote(RuntimeError):
    """A page view (GET) changed data; it is rolled back."""


class CovenantFlask(Flask):
    """Flask with one commit point per request (see the module's docstring)."""

    def dispatch_request(self) -> ResponseReturnValue:
        return run_in_transaction(super().dispatch_request)


def run_in_transaction(view: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """Run the view; commit what it did when the request may write, roll back what it did when it may not."""
    if request.method in READ_ONLY_METHODS:
        result = view()
        _refuse_writes()
        return result
    for attempt in range(1, ATTEMPTS + 1):
        flashes = list(session.get("_flashes", []))
        try:
            result = view()
            db.session.add_all(audit.take_reads())
            db.session.commit()
            return result
        except (IntegrityError, DBAPIError) as error:
            db.session.rollback()
            audit.take_reads()  # the view runs again, and records what it reads again
            if not _lost_a_race(error):
                raise
            # The constraint's name says which race; parameters (emails, hashes) never reach the log.
            log.info(
                "%s %s lost a race (%s); attempt %d", request.method, request.endpoint, _what(error), attempt
            )
            if attempt == ATTEMPTS:
                raise Conflict() from error
            if flashes:
                session["_flashes"] = flashes
            else:
                session.pop("_flashes", None)
        except BaseException:
            db.session.rollback()
            audit.take_reads()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _lost_a_race(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _what(error: DBAPIError) -> str:
    """The constraint or condition a database error names, without any of the values involved."""
    diagnostics = getattr(error.orig, "diag", None)
    name = getattr(diagnostics, "constraint_name", None)
    if name:
        return str(name)
    return type(error.orig).__name__


def _refuse_writes() -> None:
    """End a page view: refuse any change it made, then write the records of personal data it read."""
    session_ = db.session
    reads = audit.take_reads()
    if session_.new or session_.dirty or session_.deleted or session_.info.get(WROTE):
        session_.rollback()
        message = f"GET {request.path} ({request.endpoint}) changed data; the change was rolled back"
        if current_app.config.get("TESTING"):
            raise GetWrote(message)
        log.error(message)
    if reads:
        _write_reads(reads)


def _write_reads(reads: list[Any]) -> None:
    """Write the records of what a page view read, in a short transaction of their own: the page's own read
    transaction is ended first (on SQLite, a read transaction cannot safely become a writing one)."""
    session_ = db.session
    session_.rollback()
    g.covenant_writing = True
    try:
        session_.add_all(reads)
        session_.commit()
    finally:
        g.covenant_writing = False


def locked(model: type[Model], row_id: int) -> Model | None:
    """The row with this id, locked until the request commits (on SQLite, a writing request holds the
    database's write lock already): for a change that depends on the row's current state."""
    statement = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).first()


def _after_flush(session_: Session, flush_context: UOWTransaction) -> None:
    session_.info[WROTE] = True


def _bulk_write(state: Any) -> None:
    """An UPDATE, DELETE or INSERT statement run through the session writes too."""
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info[WROTE] = True


def _after_end(session_: Session, *args: Any) -> None:
    session_.info.pop(WROTE, None)


def init_app(app: Flask) -> None:
    """Notice flushes (for the GET check) on the app's sessions, and keep the audit trail append-only."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "do_orm_execute", _bulk_write)
        event.listen(session_class, "before_flush", audit.guard_append_only)
        event.listen(session_class, "do_orm_execute", audit.guard_append_only_statements)
        event.listen(session_class, "after_commit", _after_end)
        event.listen(session_class, "after_rollback", _after_end)

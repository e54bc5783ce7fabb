"""One commit point per request: views never commit; the request does, once, or rolls everything back. A GET
never writes, and a lost race is answered as the form would answer it, never with a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort, flash, request
from sqlalchemy import func, select

from covenant.access import public
from covenant.extensions import csrf, db
from covenant.models import OutboundEmail
from covenant.unit_of_work import GetWrote
from tests.conftest import dispose, make_committing_app, parse, text_of

ATTEMPTS_SEEN: list[int] = []


def note(subject: str) -> OutboundEmail:
    email = OutboundEmail(to_address="someone@example.org", subject=subject, body="", template="test")
    db.session.add(email)
    return email


@pytest.fixture(scope="module")
def writing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app with routes that write in the ways views must and must not."""
    app = make_committing_app(f"sqlite:///{tmp_path_factory.mktemp('uow') / 'uow.sqlite3'}")

    @public
    def writes_on_get() -> str:
        note("written by a page view")
        db.session.flush()
        return "a page"

    @public
    def fails_after_writing() -> str:
        note("written before a failure")
        db.session.flush()
        abort(400)

    @public
    def loses_a_race() -> str:
        """Inserts a row that clashes with one 'someone else' committed, unless this attempt sees it first."""
        ATTEMPTS_SEEN.append(1)
        clashes = request.args.get("times", "1")
        taken = db.session.scalar(select(func.count()).where(OutboundEmail.subject == "taken"))
        if taken and len(ATTEMPTS_SEEN) > int(clashes):
            flash("Someone took it first", "info")
            return "someone took it first"
        flash("Trying", "info")
        db.session.execute(  # a unique id already used: an IntegrityError, as a unique email would give
            OutboundEmail.__table__.insert().values(
                id=1, to_address="x@example.org", subject="taken", body="", template="test"
            )
        )
        return "took it"

    for name, view in [
        ("writes_on_get", writes_on_get),
        ("fails_after_writing", fails_after_writing),
        ("loses_a_race", loses_a_race),
    ]:
        app.add_url_rule(f"/test/{name}", name, csrf.exempt(view), methods=["GET", "POST"])
    app.config["PROPAGATE_TEST_ERRORS"] = True
    with app.app_context():
        note("taken").id = 1
        db.session.commit()
    yield app
    dispose(app)


def subjects(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboundEmail.subject).order_by(OutboundEmail.id)))


def test_a_page_view_that_writes_is_refused_and_rolled_back(writing_app: Flask) -> None:
    with pytest.raises(GetWrote, match="GET /test/writes_on_get"):
        writing_app.test_client().get("/test/writes_on_get")
    assert subjects(writing_app) == ["taken"]


def test_a_form_post_commits_what_its_view_wrote(writing_app: Flask) -> None:
    response = writing_app.test_client().post("/test/writes_on_get")
    assert response.status_code == 200
    assert subjects(writing_app)[-1] == "written by a page view"


def test_a_refused_request_leaves_nothing_half_done(writing_app: Flask) -> None:
    before = subjects(writing_app)
    assert writing_app.test_client().post("/test/fails_after_writing").status_code == 400
    assert subjects(writing_app) == before


def test_a_lost_race_is_answered_as_the_view_would_answer_it_on_a_second_look(writing_app: Flask) -> None:
    """The view runs again on a fresh transaction, where the other person's row is visible: its own check
    answers. Only that answer's flashed message is kept."""
    ATTEMPTS_SEEN.clear()
    client = writing_app.test_client()

    response = client.post("/test/loses_a_race?times=1")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "someone took it first"
    assert len(ATTEMPTS_SEEN) == 2
    with client.session_transaction() as session:
        assert [message for _, message in session["_flashes"]] == ["Someone took it first"]


def test_a_race_lost_twice_gets_the_conflict_page_not_a_500(writing_app: Flask) -> None:
    ATTEMPTS_SEEN.clear()
    writing_app.config["PROPAGATE_TEST_ERRORS"] = False
    try:
        response = writing_app.test_client().post("/test/loses_a_race?times=5")
    finally:
        writing_app.config["PROPAGATE_TEST_ERRORS"] = True

    assert response.status_code == 409
    assert (
        text_of(parse(response.get_data(as_text=True)), "h1")
        == "Someone else made a change at the same moment"
    )
    assert len(ATTEMPTS_SEEN) == 2


def test_no_view_commits_by_hand() -> None:
    """Views, operations and read helpers leave committing to the request (only commands, which are their own
    unit of work, commit)."""
    package = Path(__file__).resolve().parent.parent / "covenant"
    committing = [
        f"{path.relative_to(package)}:{number}"
        for pattern in ("views.py", "operations.py", "queries.py", "forms.py")
        for path in sorted(package.rglob(pattern))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ".commit()" in line
    ]
    assert committing == []


def test_the_audit_trail_is_append_only_from_the_applications_side(app, make_user) -> None:
    from sqlalchemy import delete, update

    from covenant import audit as audit_trail
    from covenant.models import AuditEvent

    user = make_user()
    event = audit_trail.record("name_changed", user, user)
    db.session.flush()

    event.action = "something_else"
    with pytest.raises(audit_trail.AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(audit_trail.AuditTrailIsAppendOnly):
        db.session.execute(update(AuditEvent).values(action="rewritten"))
    with pytest.raises(audit_trail.AuditTrailIsAppendOnly):
        db.session.execute(delete(AuditEvent))

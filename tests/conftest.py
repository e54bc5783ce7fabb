"""Fixtures: an app on a migrated database (SQLite or PostgreSQL), one rolled-back transaction per test,
factories that return callables, and a client that checks every HTML page it is served."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from covenant import create_app
from covenant.config import TestConfig, normalise_database_url
from covenant.extensions import db, limiter
from covenant.models import LocalAuthority, Organisation, OutboundEmail, Pledge, User
from covenant.opportunities.cache import search_cache
from covenant.reference import load_authorities
from covenant.security import hash_password
from covenant.sqltypes import uk_today, utcnow
from covenant.vocab import (
    ORGANISATION_ROLES,
    DbsLevel,
    OrganisationType,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    Reach,
    Region,
    Role,
    TakeUp,
)
from tests.htmlcheck import check_html

PASSWORD = "correct horse battery"


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """COVENANT_TEST_DATABASE_URL, or a fresh SQLite file for this run."""
    url = os.environ.get("COVENANT_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'covenant-test.sqlite3'}"


def reset_database(url: str) -> None:
    """Start from an empty database: drop PostgreSQL's public schema, or delete the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif parsed.database:
        Path(parsed.database).unlink(missing_ok=True)


class CheckingClient(FlaskClient):
    """A test client that checks every HTML page it receives.

    Each request runs in its own app context, as in a real server: its own `g` and database session (on the
    test's connection), so nothing cached by one request, such as the signed-in user, leaks into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own objects now reflect what the request changed
        if (
            response.mimetype == "text/html"
            and not kwargs.get("follow_redirects")
            and response.status_code != 302
        ):
            check_html(response.get_data(as_text=True), f"{response.request.method} {response.request.path}")
        return response


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The app on a database built by the migrations, holding the reference list of authorities."""
    reset_database(database_url)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = CheckingClient
    with app.app_context():
        upgrade()
        load_authorities()
        db.session.commit()
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that does not preserve request contexts (pytest-flask's keeps them with `with`)."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Replace pytest-flask's shared request context: tests get an app context from `_isolated` instead."""


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back, so tests never see each other's rows."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        limiter.reset()
        # The search token rolls back with each test, so results kept under it by one test must not be
        # found by the next.
        search_cache().clear()
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture
def authority(app: Flask) -> Callable[[str], LocalAuthority]:
    """Look up a reference authority by GSS code (Leeds by default)."""

    def find(gss_code: str = "E08000035") -> LocalAuthority:
        return db.session.scalars(select(LocalAuthority).where(LocalAuthority.gss_code == gss_code)).one()

    return find


@pytest.fixture
def make_organisation(app: Flask) -> Callable[..., Organisation]:
    counter = iter(range(1, 1_000_000))

    def make(**values: Any) -> Organisation:
        number = next(counter)
        values.setdefault("name", f"Test Organisation {number}")
        values.setdefault("kind", OrganisationType.BUSINESS)
        values.setdefault("region", Region.YORKSHIRE)
        organisation = Organisation(**values)
        db.session.add(organisation)
        db.session.flush()
        return organisation

    return make


@pytest.fixture
def make_user(
    app: Flask, make_organisation: Callable[..., Organisation], authority: Callable[..., LocalAuthority]
) -> Callable[..., User]:
    """Make a confirmed user with PASSWORD; the scope their role needs is made or looked up for them."""
    counter = iter(range(1, 1_000_000))

    def make(role: Role = Role.ORGANISATION_ADMIN, **values: Any) -> User:
        number = next(counter)
        values.setdefault("email", f"person{number}@example.org")
        values.setdefault("name", f"Person {number}")
        values.setdefault("email_confirmed_at", utcnow())
        if role in ORGANISATION_ROLES and "organisation" not in values and "organisation_id" not in values:
            values["organisation"] = make_organisation()
        if (
            role.scope == "local_authority"
            and "local_authority" not in values
            and "local_authority_id" not in values
        ):
            values["local_authority"] = authority()
        user = User(role=role, password_hash=_password_hash(), **values)
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_pledge(app: Flask, make_organisation: Callable[..., Organisation]) -> Callable[..., Pledge]:
    """Make a complete pledge (every section answered) in any status; override any field."""
    counter = iter(range(1, 1_000_000))

    def make(status: PledgeStatus = PledgeStatus.PUBLISHED, **values: Any) -> Pledge:
        number = next(counter)
        today = uk_today()
        outcome_areas = values.pop("outcome_areas", [OutcomeArea.EDUCATION_EMPLOYMENT])
        regions = values.pop("regions", [])
        local_authorities = values.pop("local_authorities", [])
        defaults: dict[str, Any] = {
            "title": f"Work experience {number}",
            "kind": PledgeKind.WORK_EXPERIENCE,
            "summary": "A week learning how an office works.",
            "description": "You will shadow our team.",
            "what_you_get": "A reference and lunch.",
            "paid": False,
            "min_age": 16,
            "max_age": 25,
            "reach": Reach.NATIONAL,
            "places": 5,
            "starts_on": today + timedelta(days=30),
            "ends_on": today + timedelta(days=60),
            "closes_on": today + timedelta(days=20),
            "take_up": TakeUp.ADVISER_ONLY,
            "contact_name": "Pat Contact",
            "contact_email": "pat@example.org",
            "under_18_contact": False,
            "dbs_level": DbsLevel.ENHANCED,
            "dbs_expires_on": today + timedelta(days=365),
            "adjustments_answered": True,
            "submitted_at": utcnow() if status != PledgeStatus.DRAFT else None,
        }
        defaults.update(values)
        if "organisation" not in defaults and "organisation_id" not in defaults:
            defaults["organisation"] = make_organisation()
        pledge = Pledge(status=status, **defaults)
        pledge.outcome_areas = outcome_areas
        pledge.regions = regions
        pledge.local_authorities = local_authorities
        db.session.add(pledge)
        db.session.flush()
        return pledge

    return make


_HASH: list[str] = []


def _password_hash() -> str:
    """Hash PASSWORD once per run: argon2 is deliberately slow."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], User]:
    """Sign a user in on the test client without going through the sign-in form."""

    def login(user: User) -> User:
        db.session.flush()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def outbox(app: Flask) -> Callable[..., list[OutboundEmail]]:
    """The emails waiting in the outbox, optionally only those to one address."""

    def emails(to: str | None = None) -> list[OutboundEmail]:
        query = select(OutboundEmail).order_by(OutboundEmail.id)
        if to is not None:
            query = query.where(OutboundEmail.to_address == to)
        return list(db.session.scalars(query))

    return emails


def link_in(email: OutboundEmail) -> str:
    """The path of the first link to this service in an email body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", email.body)
    assert match, f"no link in email: {email.body}"
    return match.group(1)


def csrf_token(client: FlaskClient, path: str) -> str:
    """Fetch a page and return the CSRF token from its form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def error_summary(html: str) -> list[str]:
    """The messages in the page's GOV.UK error summary, in order."""
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    if not summary:
        return []
    return [
        re.sub(r"\s+", " ", item).strip()
        for item in re.findall(r'<a href="#[^"]*">(.*?)</a>', summary.group(0), re.S)
    ]

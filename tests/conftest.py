"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL: one database per xdist worker), one
rolled-back transaction per test, factories that return callables, and `client_request`, which fetches a page
by endpoint as a person would, checks its status and gives it back parsed.

pytest-flask provides `client` (a `CheckingClient`, which validates each endpoint's HTML once per run) and
pushes a request context for each test, so tests can call `url_for`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from bs4 import BeautifulSoup, Tag
from flask import Flask, request, url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.wrappers import Response

from covenant import PROJECT_ROOT, create_app, security
from covenant.clock import uk_today, utcnow
from covenant.config import TestConfig, normalise_database_url
from covenant.extensions import db, limiter
from covenant.models import (
    CareLeaver,
    LocalAuthority,
    Organisation,
    OutboundEmail,
    Pledge,
    Referral,
    ReferralEvent,
    User,
)
from covenant.opportunities.cache import search_cache
from covenant.reference import load_authorities
from covenant.security import hash_password
from covenant.vocab import (
    ORGANISATION_ROLES,
    PLACE_HOLDING_STATUSES,
    DbsLevel,
    OrganisationType,
    OutcomeArea,
    PledgeKind,
    PledgeStatus,
    Reach,
    ReferralStatus,
    Region,
    Role,
    TakeUp,
)
from devtools.servers import create_postgres_database
from tests.htmlcheck import check_html

PASSWORD = "correct horse battery"
# The test app names the endpoint that answered each request here, so HTML is validated once per endpoint.
ENDPOINT_HEADER = "X-Test-Endpoint"
REDIRECTS = (301, 302, 303, 307, 308)


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """COVENANT_TEST_DATABASE_URL (on PostgreSQL, a database of its own per xdist worker), or a fresh SQLite
    file for this run (each worker has its own temporary folder)."""
    configured = os.environ.get("COVENANT_TEST_DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'covenant-test.sqlite3'}"
    url = make_url(normalise_database_url(configured))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url.get_backend_name() != "postgresql" or not worker:
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{worker}"
    create_postgres_database(url, name)
    return url.set(database=name).render_as_string(hide_password=False)


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


_VALIDATED: set[tuple[str, str, int]] = set()


class CheckingClient(FlaskClient):
    """A test client that validates the HTML of each endpoint it is served, once per run (for each method
    and status), and runs each request in its own app context, as a real server does: its own `g` and
    database session (on the test's connection), so nothing cached by one request, such as the signed-in
    user, leaks into the next.

    pytest-flask's `client` enters the client with `with`, which would keep each request's context open
    afterwards; this client never keeps them, as each belongs to the app context it ran in.
    """

    def __enter__(self) -> CheckingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own objects now reflect what the request changed
        if response.mimetype == "text/html" and response.status_code not in REDIRECTS:
            method = response.request.method
            key = (method, response.headers.get(ENDPOINT_HEADER, response.request.path), response.status_code)
            if key not in _VALIDATED:
                check_html(response.get_data(as_text=True), f"{method} {response.request.path}")
                _VALIDATED.add(key)
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

    @app.after_request
    def name_the_endpoint(response: Response) -> Response:
        response.headers[ENDPOINT_HEADER] = request.endpoint or "-"
        return response

    with app.app_context():
        upgrade()
        load_authorities()
        db.session.commit()
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back, so tests never see each other's rows."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_push_request_context")  # pytest-flask's: the test's own app context
    app: Flask = request.getfixturevalue("app")
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


# Pages, fetched as a person would -----------------------------------------------------------------------


def normalise(text: str) -> str:
    """Text with its runs of white space made single spaces, as a reader sees it."""
    return " ".join(text.split())


def error_links(page: BeautifulSoup | str) -> list[tuple[str, str]]:
    """The (href, message) pairs in the page's GOV.UK error summary, in order."""
    if isinstance(page, str):
        page = parse(page)
    summary = page.select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [(str(link.get("href", "")), normalise(link.get_text())) for link in summary.select("a")]


def run_migration_step(file_name: str, step: str) -> None:
    """Run one step (a function) of a migration in `migrations/versions/` on the test session's connection, as
    `flask db upgrade` would: to check what a migration writes into existing data against what the app writes."""
    path = PROJECT_ROOT / "migrations" / "versions" / file_name
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(db.session.connection())):
        getattr(migration, step)()


def referral_moved(
    care_leaver: CareLeaver, pledge: Pledge, *moves: tuple[datetime, ReferralStatus]
) -> Referral:
    """A referral that moved through these statuses at these times, with its history (the first is when it was
    made)."""
    referral = Referral(
        care_leaver=care_leaver,
        pledge=pledge,
        referred_by=care_leaver.adviser,
        note="Keen.",
        status=moves[-1][1],
        created_at=moves[0][0],
        status_changed_at=moves[-1][0],
    )
    before = None
    for moment, status in moves:
        referral.events.append(ReferralEvent(from_status=before, to_status=status, occurred_at=moment))
        before = status
    db.session.add(referral)
    db.session.flush()
    return referral


def error_summary(page: BeautifulSoup | str) -> list[str]:
    """The messages in the page's GOV.UK error summary, in order."""
    return [message for _, message in error_links(page)]


def banner(page: BeautifulSoup) -> str | None:
    """The text of the page's notification banner (a flashed message), if it has one."""
    found = page.select_one(".govuk-notification-banner__content")
    return normalise(found.get_text()) if found is not None else None


def text_of(page: BeautifulSoup | Tag, selector: str = "main") -> str:
    """The text a reader sees in the first element matching a CSS selector."""
    found = page.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return normalise(found.get_text(" "))


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


class ClientRequest:
    """Fetch pages by endpoint, as notifications-admin's `client_request` does: check the status (and any
    redirect), check that the page's title names its heading, and give the page back parsed."""

    def __init__(self, client: FlaskClient, app: Flask) -> None:
        self.client = client
        self.app = app

    def login(self, user: User) -> User:
        """Sign a user in without going through the sign-in form."""
        db.session.flush()
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["signed_in_at"] = utcnow().timestamp()
            session["second_factor_passed"] = True  # fully signed in: two-factor has its own tests
        return user

    def csrf_token(self) -> str:
        """A CSRF token for this client's session, made as Flask-WTF makes them."""
        with self.client.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return str(URLSafeTimedSerializer(self.app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw))

    def get(
        self,
        endpoint: str,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _test_page_title: bool = True,
        **endpoint_kwargs: Any,
    ) -> BeautifulSoup:
        return self.get_url(
            url_for(endpoint, **endpoint_kwargs),
            _expected_status=_expected_status,
            _expected_redirect=_expected_redirect,
            _follow_redirects=_follow_redirects,
            _test_page_title=_test_page_title,
        )

    def get_url(
        self,
        url: str,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _test_page_title: bool = True,
    ) -> BeautifulSoup:
        response = self.client.get(url, follow_redirects=_follow_redirects)
        return self._checked("GET", url, response, _expected_status, _expected_redirect, _test_page_title)

    def post(
        self,
        endpoint: str,
        _data: dict[str, Any] | None = None,
        _expected_status: int | None = None,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _test_page_title: bool = True,
        **endpoint_kwargs: Any,
    ) -> BeautifulSoup:
        return self.post_url(
            url_for(endpoint, **endpoint_kwargs),
            _data=_data,
            _expected_status=_expected_status,
            _expected_redirect=_expected_redirect,
            _follow_redirects=_follow_redirects,
            _test_page_title=_test_page_title,
        )

    def post_url(
        self,
        url: str,
        _data: dict[str, Any] | None = None,
        _expected_status: int | None = None,
        _expected_redirect: str | None = None,
        _follow_redirects: bool = False,
        _test_page_title: bool = True,
    ) -> BeautifulSoup:
        """Post a form (with a CSRF token): by default expect a redirect, or 200 when following it."""
        if _expected_status is None:
            _expected_status = 200 if _follow_redirects else 302
        data = {"csrf_token": self.csrf_token(), **(_data or {})}
        response = self.client.post(url, data=data, follow_redirects=_follow_redirects)
        return self._checked("POST", url, response, _expected_status, _expected_redirect, _test_page_title)

    def _checked(
        self,
        method: str,
        url: str,
        response: Any,
        expected_status: int,
        expected_redirect: str | None,
        test_page_title: bool,
    ) -> BeautifulSoup:
        body = response.get_data(as_text=True)
        assert response.status_code == expected_status, (
            f"{method} {url}: expected {expected_status}, got {response.status_code} "
            f"{response.headers.get('Location', '')}\n{body[:3000]}"
        )
        if expected_redirect is not None:
            location = urlsplit(response.headers.get("Location", ""))
            target = location.path + (f"?{location.query}" if location.query else "")
            assert target == expected_redirect, (
                f"{method} {url}: redirected to {target}, not {expected_redirect}"
            )
        page = parse(body)
        if test_page_title and response.mimetype == "text/html" and response.status_code not in REDIRECTS:
            assert_title_names_heading(page, f"{method} {url}")
        return page


def assert_title_names_heading(page: BeautifulSoup, where: str) -> None:
    """The page's <title> starts with its <h1> (after 'Error: ' when the form has errors), perhaps followed by
    more, such as how many results there are."""
    assert page.title is not None, f"{where}: no <title>"
    assert page.h1 is not None, f"{where}: no <h1>"
    title = normalise(page.title.get_text()).removeprefix("Error: ")
    heading = normalise(page.h1.get_text())
    assert title.split(" – ")[0].startswith(heading), (
        f"{where}: the title ‘{title}’ does not name the heading ‘{heading}’"
    )


@pytest.fixture
def client_request(client: FlaskClient, app: Flask) -> ClientRequest:
    """Fetch and post pages by endpoint, with their status checked and their HTML parsed."""
    return ClientRequest(client, app)


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
def adviser(make_user: Callable[..., User]) -> User:
    """A personal adviser in a local authority, not signed in."""
    return make_user(Role.PERSONAL_ADVISER, name="Priya Adviser", email="priya@leeds.example")


@pytest.fixture
def employer(make_user: Callable[..., User]) -> User:
    """An organisation's administrator, not signed in."""
    return make_user(Role.ORGANISATION_ADMIN, name="Olu Employer", email="olu@employer.example")


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


@pytest.fixture
def make_care_leaver(
    app: Flask, make_user: Callable[..., User], authority: Callable[..., LocalAuthority]
) -> Callable[..., CareLeaver]:
    """Make a care leaver (19 by default) on an adviser's caseload (a new Leeds adviser unless given)."""
    counter = iter(range(1, 1_000_000))

    def make(adviser: User | None = None, age: int = 19, **values: Any) -> CareLeaver:
        number = next(counter)
        adviser = adviser or make_user(Role.PERSONAL_ADVISER)
        today = uk_today()
        values.setdefault("reference", f"LCS-{number:05d}")
        values.setdefault("first_name", f"Sam{number}")
        values.setdefault("date_of_birth", today.replace(year=today.year - age) - timedelta(days=30))
        values.setdefault("lives_in_id", adviser.local_authority_id)
        values.setdefault("consented_on", today - timedelta(days=7))
        kinds = values.pop("kinds", [])
        areas = values.pop("outcome_areas", [])
        care_leaver = CareLeaver(local_authority_id=adviser.local_authority_id, adviser=adviser, **values)
        care_leaver.kinds = kinds
        care_leaver.outcome_areas = areas
        db.session.add(care_leaver)
        db.session.flush()
        return care_leaver

    return make


@pytest.fixture
def make_referral(app: Flask) -> Callable[..., Referral]:
    """Make a referral in any status (its place taken when it holds one), with its history."""

    def make(
        care_leaver: CareLeaver,
        pledge: Pledge,
        status: ReferralStatus = ReferralStatus.REFERRED,
        **values: Any,
    ) -> Referral:
        now = utcnow()
        values.setdefault("created_at", values.get("status_changed_at", now))
        values.setdefault("status_changed_at", values["created_at"])
        referral = Referral(
            care_leaver=care_leaver,
            pledge=pledge,
            referred_by=care_leaver.adviser,
            note=values.pop("note", "Keen and reliable."),
            status=status,
            **values,
        )
        referral.events.append(
            ReferralEvent(from_status=None, to_status=status, occurred_at=values["created_at"])
        )
        if status in PLACE_HOLDING_STATUSES and not pledge.places_unlimited:
            pledge.places_taken += 1
        db.session.add(referral)
        db.session.flush()
        return referral

    return make


_HASH: list[str] = []
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _password_hash() -> str:
    """Hash PASSWORD once per run: argon2 is deliberately slow."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@pytest.fixture
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and check passwords with cheap argon2 settings, for tests of what people see rather than of the
    cost of the hash: argon2's deliberate slowness would make them crawl."""
    monkeypatch.setattr(security, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(security, "_DUMMY_HASH", CHEAP_HASHER.hash("no account has this password"))
    monkeypatch.setattr(sys.modules[__name__], "_HASH", [CHEAP_HASHER.hash(PASSWORD)])


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], User]:
    """Sign a user in on the test client without going through the sign-in form."""

    def login(user: User) -> User:
        db.session.flush()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["signed_in_at"] = utcnow().timestamp()
            session["second_factor_passed"] = True  # fully signed in: two-factor has its own tests
        return user

    return login


def pass_second_factor(client: FlaskClient) -> None:
    """Let a half-signed-in session past its second factor, for tests about something else (two-factor sign-in
    has its own tests, in test_two_factor.py)."""
    with client.session_transaction() as session:
        session["second_factor_passed"] = True


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


@pytest.fixture
def production_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app with production settings, on a SQLite file of its own (migrated)."""
    for name, value in {
        "COVENANT_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "SECRET_KEY": "3f9c1e7a5b2d8f40c6e19a7b3d5f2e8c1a4b6d9e",
        "BASE_URL": "https://covenant.example.org",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "smtp.example.org",
        "RATELIMIT_STORAGE_URI": "memory://",
        "WEB_CONCURRENCY": "1",
        "COVENANT_INSTANCE_PATH": str(tmp_path / "instance"),
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


# Apps whose requests really commit, for people acting at the same moment ---------------------------------

# Throttles that would otherwise refuse a burst from one test address.
GENEROUS_LIMITS = {
    "SIGN_IN_RATE_LIMIT": "1000 per minute",
    "SIGN_UP_RATE_LIMIT": "1000 per minute",
    "INVITATION_RATE_LIMIT": "1000 per minute",
    "INVITATION_RECIPIENT_RATE_LIMIT": "1000 per minute",
}


def committing_database_url(database_url: str, folder: Path, name: str) -> str:
    """A database of its own beside the suite's: `<database>_<name>` on PostgreSQL, else a SQLite file."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{folder / f'covenant-{name}.sqlite3'}"
    database = f"{url.database}_{name}"
    create_postgres_database(url, database)
    return url.set(database=database).render_as_string(hide_password=False)


def make_committing_app(database_url: str, **settings: Any) -> Flask:
    """An app on an empty, migrated database with the reference authorities, whose requests commit for real
    (not inside a test's rolled-back transaction) and whose errors are answered as in production."""
    reset_database(database_url)
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        PROPAGATE_TEST_ERRORS=False,
        **GENEROUS_LIMITS,
        **settings,
    )
    with app.app_context():
        upgrade()
        load_authorities()
        db.session.commit()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

"""The platform every page stands on: the health check, security headers, CSRF, error pages and branding."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError, OperationalError

from covenant import config as settings  # not `import TestConfig`: pytest would try to collect it
from covenant import create_app
from covenant.access import public
from covenant.auth import operations as auth_operations
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import User
from covenant.vocab import Role
from tests.conftest import csrf_token
from tests.htmlcheck import check_html

PUBLIC_PAGES = ["/", "/sign-in", "/sign-up", "/forgot-password", "/accessibility", "/privacy", "/cookies"]
SERVICE = "Care Leaver Covenant"


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return match.group(1).strip()


def heading_of(html: str) -> str:
    match = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', html, re.S)
    assert match, "no GOV.UK page heading"
    return match.group(1).strip()


def assert_service_page(html: str) -> None:
    """A page in GOV.UK style, branded as this service and not as GOV.UK."""
    assert 'class="govuk-template"' in html
    assert 'id="main-content"' in html
    assert f'class="govuk-generic-header__homepage-link">\n        {SERVICE}' in html
    header = re.search(r"<header\b.*?</header>", html, re.S)
    footer = re.search(r"<footer\b.*?</footer>", html, re.S)
    assert header
    assert footer
    for part in (header.group(0), footer.group(0)):
        assert "GOV.UK" not in part
        assert "<svg" not in part, "no crown or GOV.UK logo"
    assert "crown" not in html.lower()
    assert "Open Government Licence" not in html
    assert "govuk-header__logotype" not in html
    assert 'href="/accessibility"' in html, "every page links to the accessibility statement"


# The health check


def test_health_check_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_fails_when_the_database_is_unreachable(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] != "ok"
    assert body["database"] != "ok"


# Security headers


# Static files are answered by WhiteNoise before Flask: test_static_files checks their headers.
@pytest.mark.parametrize("path", ["/", "/sign-in", "/healthz", "/no-such-page", "/home"])
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert any(re.fullmatch(r"'nonce-[\w-]{16,}'", source) for source in directives["script-src"])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_https_responses_tell_browsers_to_stay_on_https(client: FlaskClient) -> None:
    secure = client.get("/", base_url="https://localhost")
    assert secure.status_code == 200
    hsts = secure.headers["Strict-Transport-Security"]
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age
    assert int(max_age.group(1)) >= 365 * 24 * 60 * 60
    assert "includeSubDomains" in hsts


def test_every_script_carries_this_responses_nonce(client: FlaskClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert nonce
        scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
        assert any("src=" not in script for script in scripts), "the inline js-enabled script is missing"
        assert any('type="module"' in script and "src=" in script for script in scripts), (
            "the module is missing"
        )
        for script in scripts:
            assert f'nonce="{nonce.group(1)}"' in script, f"{script} would be blocked by the CSP"
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1], "a nonce must be new for every response"


# CSRF


def test_a_form_posted_without_a_csrf_token_shows_session_expired(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"email": "someone@example.org", "password": "anything at all"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert heading_of(html) == "Your session has expired"
    assert title_of(html) == f"Your session has expired – {SERVICE}"
    assert_service_page(html)


def test_a_form_posted_with_a_forged_csrf_token_shows_session_expired(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    csrf_token(client, "/sign-in")  # a session exists, with its own token
    response = client.post(
        "/sign-in", data={"email": user.email, "password": "correct horse battery", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session, "a forged form must not sign anyone in"


def test_a_form_posted_with_its_csrf_token_is_accepted(client: FlaskClient) -> None:
    """The session-expired page above is about the token, not about posting at all."""
    response = client.post(
        "/sign-in",
        data={
            "email": "nobody@example.org",
            "password": "wrong password",
            "csrf_token": csrf_token(client, "/sign-in"),
        },
    )
    assert response.status_code == 400
    assert "Your session has expired" not in response.get_data(as_text=True)
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


# Error pages


def test_a_missing_page_is_a_govuk_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert heading_of(html) == "Page not found"
    assert title_of(html) == f"Page not found – {SERVICE}"
    assert_service_page(html)


def test_a_page_for_another_role_is_a_govuk_403(
    client: FlaskClient, make_user: Callable[..., User], login_as: Callable[[User], User]
) -> None:
    login_as(make_user(Role.ORGANISATION_MEMBER))
    response = client.get("/coordinator/")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert heading_of(html) == "You do not have permission to see this page"
    assert title_of(html) == f"You do not have permission to see this page – {SERVICE}"
    assert_service_page(html)


def test_too_many_sign_in_attempts_is_a_govuk_429(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The slow hash that hides unknown addresses is not under test here.
    monkeypatch.setattr(auth_operations, "burn_verification_time", lambda password: None)
    token = csrf_token(client, "/sign-in")
    statuses = [
        client.post(
            "/sign-in",
            data={"email": "guess@example.org", "password": f"guess number {n}", "csrf_token": token},
        ).status_code
        for n in range(10)
    ]
    assert statuses == [400] * 10
    response = client.post(
        "/sign-in", data={"email": "guess@example.org", "password": "one more", "csrf_token": token}
    )
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert heading_of(html) == "Too many attempts"
    assert title_of(html) == f"Too many attempts – {SERVICE}"
    assert 'href="/forgot-password"' in html
    assert_service_page(html)


@pytest.fixture
def failing_app(database_url: str) -> Iterator[Flask]:
    """An app that renders errors as production does (no exceptions passed to the test) and has routes
    that fail on purpose."""
    failing = create_app(
        settings.TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        PROPAGATE_TEST_ERRORS=False,
        PROPAGATE_EXCEPTIONS=False,
    )

    @failing.route("/test/bad-request")
    @public
    def bad_request() -> str:
        abort(400)

    @failing.route("/test/broken")
    @public
    def broken() -> str:
        raise RuntimeError("secret internal detail")

    yield failing
    with failing.app_context():
        db.engine.dispose()


def test_a_bad_request_is_a_govuk_400(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/test/bad-request")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_html(html, "GET /test/bad-request")
    assert heading_of(html) == "Sorry, there is a problem with that request"
    assert_service_page(html)


def test_an_unexpected_error_is_a_govuk_500_without_details(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    response = failing_app.test_client().get("/test/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    check_html(html, "GET /test/broken")
    assert heading_of(html) == "Sorry, there is a problem with the service"
    assert title_of(html) == f"Sorry, there is a problem with the service – {SERVICE}"
    assert "secret internal detail" not in html
    assert "Traceback" not in html
    assert_service_page(html)
    assert "secret internal detail" in caplog.text, "the error must still reach the log for the team to see"
    assert "Content-Security-Policy" in response.headers


# Public pages


def test_public_pages_have_distinct_titles_and_service_branding(client: FlaskClient) -> None:
    titles = {}
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        titles[path] = title_of(html)
        assert titles[path].endswith(f" – {SERVICE}"), titles[path]
        assert not titles[path].startswith("Error:"), path
        assert_service_page(html)
    assert len(set(titles.values())) == len(PUBLIC_PAGES), f"pages share a title: {titles}"


def test_the_first_page_starts_people_finding_opportunities_and_sign_in_is_a_link(
    client: FlaskClient,
) -> None:
    html = client.get("/").get_data(as_text=True)
    start = re.search(
        r'<a href="([^"]+)"[^>]*class="govuk-button govuk-button--start"[^>]*>\s*(\w[^<]*)', html
    )
    assert start, "no start button"
    assert (start.group(1), start.group(2).strip()) == ("/opportunities", "Find opportunities")
    assert '<a class="govuk-link" href="/sign-in">sign in</a>' in html
    assert html.count("govuk-button--start") == 1


def test_public_pages_say_what_they_are_for_search_results(client: FlaskClient) -> None:
    descriptions = {}
    for path in [*PUBLIC_PAGES, "/opportunities", "/sign-in/email-link"]:
        html = client.get(path).get_data(as_text=True)
        match = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert match, f"{path} has no meta description"
        descriptions[path] = match.group(1)
    assert len(set(descriptions.values())) == len(descriptions), f"pages share a description: {descriptions}"


def test_public_pages_need_no_sign_in(client: FlaskClient) -> None:
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get("/home").status_code == 302
    assert client.get("/home").headers["Location"].startswith("/sign-in")


# Limits and caching


def test_a_huge_form_is_refused_with_a_govuk_413_before_it_is_read(client: FlaskClient) -> None:
    """A 100 MB form to the sign-in page once took the server from 176 to 462 MB of memory."""
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert heading_of(html) == "What you sent is too big"
    assert_service_page(html)


def test_a_multipart_form_field_too_big_to_keep_in_memory_is_refused(client: FlaskClient) -> None:
    """Under the size limit as a whole, but one text field bigger than any answer could be."""
    response = client.post(
        "/sign-in",
        data={"email": "a@example.org", "password": "x" * (300 * 1024)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_pages_for_signed_in_people_are_never_stored(
    client: FlaskClient, make_user: Callable[..., User], login_as: Callable[[User], User]
) -> None:
    """A shared computer's back button, or a proxy's cache, must not show someone else's pages."""
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login_as(make_user(Role.ORGANISATION_ADMIN))
    for path in ("/", "/organisation", "/account", "/opportunities"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_the_health_check_answers_a_load_balancer_over_plain_http(production_app: Flask) -> None:
    """Production sends every page to HTTPS, but a load balancer's probe must see 200 or 503."""
    client = production_app.test_client()
    assert client.get("/sign-in", base_url="http://covenant.internal").status_code == 302
    response = client.get("/healthz", base_url="http://covenant.internal")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_database_errors_never_put_personal_details_in_the_log(
    production_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed statement is logged with its SQL, never its values (emails, names, password hashes)."""

    details = {
        "email": "jo.bloggs@example.org",
        "name": "Jo Bloggs",
        "password_hash": "$argon2id$v=19$secret",
    }
    with production_app.app_context(), caplog.at_level("DEBUG"):
        for _ in range(2):  # the second insert breaks the unique email
            try:
                db.session.execute(
                    User.__table__.insert().values(
                        role="coordinator", session_token="t", created_at=utcnow(), **details
                    )
                )
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                production_app.logger.exception("Unhandled error on POST /sign-up")
    assert "UNIQUE" in caplog.text or "unique" in caplog.text  # the error itself was logged
    for value in details.values():
        assert value not in caplog.text

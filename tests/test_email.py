"""The outbox: emails are queued with the change that causes them and delivered later, once each."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from flask import Flask
from jinja2 import meta

from covenant import email as covenant_email
from covenant.clock import utcnow
from covenant.email import MAX_ATTEMPTS, queue_email, send_pending
from covenant.extensions import db
from covenant.models import Invitation, OutboundEmail, User
from covenant.vocab import Role

TEMPLATES = Path(covenant_email.__file__).parent / "templates" / "email"


def queued(to: str = "someone@example.org", subject: str = "Hello") -> OutboundEmail:
    """An email in the outbox, committed as a request would commit it."""
    message = OutboundEmail(to_address=to, subject=subject, body=f"Body for {to}\n", template="test")
    db.session.add(message)
    db.session.commit()
    return message


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Replace the development `log` backend with one that records (to, subject) for each email it sends."""
    sent: list[tuple[str, str]] = []
    monkeypatch.setitem(
        covenant_email.BACKENDS, "log", lambda message: sent.append((message.to_address, message.subject))
    )
    return sent


@pytest.fixture
def failing_backend(monkeypatch: pytest.MonkeyPatch) -> Callable[[set[str]], list[str]]:
    """Make delivery fail for some addresses; returns the addresses attempted, in order."""
    attempted: list[str] = []

    def install(unreachable: set[str]) -> list[str]:
        def deliver(message: OutboundEmail) -> None:
            attempted.append(message.to_address)
            if message.to_address in unreachable:
                raise ConnectionRefusedError("mail server refused the connection")

        monkeypatch.setitem(covenant_email.BACKENDS, "log", deliver)
        return attempted

    return install


def test_queue_email_is_part_of_the_callers_transaction(
    app: Flask, outbox: Callable[..., list[OutboundEmail]]
) -> None:
    queue_email("rolled.back@example.org", "password_changed", user=User(name="Sam Lee"))
    db.session.rollback()
    assert outbox() == [], "an email whose change was rolled back must not be sent"

    queue_email("kept@example.org", "password_changed", user=User(name="Sam Lee"))
    db.session.commit()
    [email] = outbox()
    assert email.to_address == "kept@example.org"
    assert email.subject == "Your Care Leaver Covenant password has changed"
    assert email.body.startswith("Hello Sam Lee,\n")
    assert "Subject:" not in email.body
    assert email.sent_at is None
    assert email.attempts == 0


def test_send_pending_delivers_each_email_once(
    app: Flask, delivered: list[tuple[str, str]], outbox: Callable[..., list[OutboundEmail]]
) -> None:
    queued("first@example.org", "First")
    queued("second@example.org", "Second")

    assert send_pending() == (2, 0)
    assert delivered == [("first@example.org", "First"), ("second@example.org", "Second")]
    assert all(email.sent_at is not None and email.attempts == 1 for email in outbox())

    assert send_pending() == (0, 0)
    assert len(delivered) == 2, "an email already sent was sent again"


def test_send_pending_stops_at_its_limit(app: Flask, delivered: list[tuple[str, str]]) -> None:
    for number in range(3):
        queued(f"person{number}@example.org")
    assert send_pending(limit=2) == (2, 0)
    assert send_pending(limit=2) == (1, 0)
    assert [to for to, _ in delivered] == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]


def test_a_failed_email_is_retried_then_given_up(
    app: Flask, failing_backend: Callable[[set[str]], list[str]], outbox: Callable[..., list[OutboundEmail]]
) -> None:
    attempted = failing_backend({"bounces@example.org"})
    failing = queued("bounces@example.org")
    working = queued("works@example.org")

    assert send_pending() == (1, 1)
    assert attempted == ["bounces@example.org", "works@example.org"], (
        "a failure must not be retried in the same run"
    )
    assert failing.attempts == 1
    assert failing.sent_at is None
    assert failing.gave_up_at is None
    assert failing.last_error == "ConnectionRefusedError: mail server refused the connection"

    for _ in range(MAX_ATTEMPTS - 1):
        assert send_pending() == (0, 1)
    assert failing.attempts == MAX_ATTEMPTS == 5
    assert failing.gave_up_at is not None
    assert failing.sent_at is None

    assert send_pending() == (0, 0)
    assert attempted.count("bounces@example.org") == MAX_ATTEMPTS
    assert attempted.count("works@example.org") == 1
    assert working.sent_at is not None


def test_an_email_that_fails_once_is_sent_on_the_next_run(
    app: Flask, failing_backend: Callable[[set[str]], list[str]]
) -> None:
    unreachable = {"later@example.org"}
    attempted = failing_backend(unreachable)
    email = queued("later@example.org")
    assert send_pending() == (0, 1)

    unreachable.clear()  # the mail server is back
    assert send_pending() == (1, 0)
    assert email.sent_at is not None
    assert email.attempts == 2
    assert email.last_error is None
    assert send_pending() == (0, 0)
    assert attempted == ["later@example.org", "later@example.org"]


def test_the_development_backend_shows_each_whole_email_on_the_console(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer running `flask send-email` sees every email, links and all (production refuses `log`)."""
    queued("logged@example.org", "Reset your password")
    assert send_pending() == (1, 0)
    shown = capsys.readouterr().err
    assert "to logged@example.org" in shown
    assert "Subject: Reset your password" in shown
    assert "Body for logged@example.org" in shown


def test_a_delivered_email_keeps_no_body_or_links(
    app: Flask, outbox: Callable[..., list[OutboundEmail]]
) -> None:
    """Delivered emails held working reset, invitation and unsubscribe links for ever: now only who, what and
    when stay."""
    email = queue_email(
        "someone@example.org",
        "password_reset",
        user=User(name="Ana"),
        link="https://covenant.example.org/reset-password/secret",
        minutes=60,
    )
    email.unsubscribe_url = "https://covenant.example.org/alerts/unsubscribe/secret"
    db.session.commit()
    assert send_pending() == (1, 0)
    [kept] = outbox()
    assert (kept.to_address, kept.subject, kept.template) == (
        "someone@example.org",
        "Reset your Care Leaver Covenant password",
        "password_reset",
    )
    assert kept.sent_at is not None
    assert kept.body == ""
    assert kept.unsubscribe_url is None


def test_no_email_subject_carries_words_someone_typed(app: Flask) -> None:
    """Names, titles and search names go in the body only: a subject shows in inbox lists and notifications,
    and a crafted name once chose its own subject. Only numbers may vary."""
    for path in sorted((Path(app.root_path) / "templates" / "email").glob("*.txt")):
        subject = path.read_text().splitlines()[0]
        assert subject.startswith("Subject: "), path.name
        variables = re.findall(r"{{\s*([^}|]+?)\s*(?:\|[^}]*)?}}", subject)
        assert set(variables) <= {"total", "'opportunity' if total == 1 else 'opportunities'"}, (
            f"{path.name}: {subject}"
        )


class RecordingHandler:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, RecordingHandler]]:
    """A real SMTP server on 127.0.0.1 that accepts the login `covenant` / `mail-password`."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"covenant",
            b"mail-password",
        )
        return AuthResult(success=good, handled=False)

    handler = RecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def use_smtp(app: Flask, monkeypatch: pytest.MonkeyPatch, controller: Controller, **settings: Any) -> None:
    """Send through the test SMTP server, logged in as `covenant`, with any settings overridden."""
    for name, value in {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": "covenant",
        "SMTP_PASSWORD": "mail-password",
        **settings,
    }.items():
        monkeypatch.setitem(app.config, name, value)


def test_smtp_backend_delivers_to_a_mail_server(
    app: Flask, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[Controller, RecordingHandler]
) -> None:
    controller, handler = smtp_server
    use_smtp(app, monkeypatch, controller, MAIL_FROM="Care Leaver Covenant <covenant@example.org>")
    email = queue_email("adviser@example.org", "password_changed", user=User(name="Jo Adviser"))
    db.session.commit()

    assert send_pending() == (1, 0)
    assert email.sent_at is not None

    [envelope] = handler.envelopes
    assert envelope.mail_from == "covenant@example.org"
    assert envelope.rcpt_tos == ["adviser@example.org"]
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"] == "Care Leaver Covenant <covenant@example.org>"
    assert message["To"] == "adviser@example.org"
    assert message["Subject"] == "Your Care Leaver Covenant password has changed"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Jo Adviser,\n")
    assert "reset your password straight away" in body


def test_smtp_backend_sends_the_unsubscribe_headers_of_an_alert(
    app: Flask, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[Controller, RecordingHandler]
) -> None:
    controller, handler = smtp_server
    use_smtp(app, monkeypatch, controller)
    stop = "https://covenant.example.org/alerts/unsubscribe/a-signed-token"
    queue_email("adviser@example.org", "password_changed", user=User(name="Jo Adviser"))
    queue_email("adviser@example.org", "password_changed", unsubscribe_url=stop, user=User(name="Jo Adviser"))
    db.session.commit()

    assert send_pending() == (2, 0)
    plain, stoppable = (
        message_from_bytes(envelope.content, policy=policy.default) for envelope in handler.envelopes
    )
    assert plain["List-Unsubscribe"] is None
    assert stoppable["List-Unsubscribe"].strip() == f"<{stop}>"  # folded onto its own line: allowed
    assert stoppable["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_smtp_backend_retries_when_the_login_is_refused(
    app: Flask, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[Controller, RecordingHandler]
) -> None:
    controller, handler = smtp_server
    use_smtp(app, monkeypatch, controller, SMTP_PASSWORD="wrong-password")
    email = queued("adviser@example.org")

    assert send_pending() == (0, 1)
    assert handler.envelopes == []
    assert email.sent_at is None
    assert email.last_error is not None
    assert email.last_error.startswith("SMTPAuthenticationError")


def test_notify_backend_sends_subject_and_body_to_the_template(
    app: Flask, monkeypatch: pytest.MonkeyPatch, outbox: Callable[..., list[OutboundEmail]]
) -> None:
    from notifications_python_client.notifications import NotificationsAPIClient

    template_id = str(uuid.uuid4())
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "notify")
    monkeypatch.setitem(app.config, "NOTIFY_API_KEY", f"covenant_test-{uuid.uuid4()}-{uuid.uuid4()}")
    monkeypatch.setitem(app.config, "NOTIFY_TEMPLATE_ID", template_id)
    calls: list[dict[str, Any]] = []

    def send_email_notification(self: NotificationsAPIClient, **arguments: Any) -> dict[str, str]:
        calls.append(arguments)
        return {"id": str(uuid.uuid4())}

    monkeypatch.setattr(NotificationsAPIClient, "send_email_notification", send_email_notification)
    queue_email("manager@example.org", "password_changed", user=User(name="Ana Manager"))
    db.session.commit()

    assert send_pending() == (1, 0)
    assert send_pending() == (0, 0)
    [call] = calls
    assert call["email_address"] == "manager@example.org"
    assert call["template_id"] == template_id
    assert call["personalisation"]["subject"] == "Your Care Leaver Covenant password has changed"
    assert call["personalisation"]["body"].startswith("Hello Ana Manager,")
    assert outbox()[0].sent_at is not None


class Sample:
    """Stands in for any value an email template reads: `user.name` renders as ‹user.name›."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __getattr__(self, name: str) -> Sample:
        if name.startswith("__"):
            raise AttributeError(name)
        return Sample(f"{self.path}.{name}")

    def __str__(self) -> str:
        return f"‹{self.path}›"

    def __iter__(self) -> Iterator[Sample]:
        """A list read in a loop has one sample item."""
        return iter([Sample(f"{self.path}[0]")])


FLASK_TEMPLATE_NAMES = {
    "config",
    "request",
    "session",
    "g",
    "current_user",
    "csrf_token",
    "Role",
    "navigation_items",
}


@pytest.mark.parametrize("template", sorted(path.stem for path in TEMPLATES.glob("*.txt")))
def test_every_email_template_renders_with_a_subject(app: Flask, template: str) -> None:
    """Each template in templates/email/ starts with its subject line and renders, whatever values it reads."""
    assert (TEMPLATES / f"{template}.txt").read_text().startswith("Subject: ")
    source = app.jinja_env.loader.get_source(app.jinja_env, f"email/{template}.txt")[0]  # type: ignore[union-attr]
    names = meta.find_undeclared_variables(app.jinja_env.parse(source)) - FLASK_TEMPLATE_NAMES
    names -= set(app.jinja_env.globals)

    email = queue_email("to@example.org", template, **{name: Sample(name) for name in names})
    assert email.subject
    assert email.subject == email.subject.strip()
    assert "Subject:" not in email.body
    assert email.body.strip()
    assert "{{" not in email.subject + email.body


def test_email_templates_read_the_values_their_senders_pass(
    app: Flask, make_user: Callable[..., User], authority: Callable[..., Any]
) -> None:
    """The account emails, rendered from real records as the code that queues them passes them."""
    inviter = make_user(Role.AUTHORITY_MANAGER, name="Grace Manager")
    invitee = make_user(Role.ORGANISATION_ADMIN, name="Olu Admin")
    invitation = Invitation(
        email="new.adviser@example.org",
        role=Role.PERSONAL_ADVISER,
        local_authority=authority(),
        invited_by=inviter,
        expires_at=utcnow(),
    )
    link = "https://covenant.example.org/link/abc"
    expected = {
        "already_registered": (
            {"sign_in_link": link, "reset_link": link + "/reset"},
            "You already have a Care Leaver Covenant account",
            link + "/reset",
        ),
        "confirm_email": (
            {"user": invitee, "link": link},
            "Confirm your email address for the Care Leaver Covenant",
            "Hello Olu Admin,",
        ),
        "invitation": (
            {"invitation": invitation, "link": link, "days": 7},
            "You have been invited to the Care Leaver Covenant",
            "join Leeds on the Care Leaver Covenant service as personal adviser",
        ),
        "password_changed": (
            {"user": invitee},
            "Your Care Leaver Covenant password has changed",
            "Hello Olu Admin,",
        ),
        "password_reset": (
            {"user": invitee, "link": link, "minutes": 60},
            "Reset your Care Leaver Covenant password",
            "The link works for 60 minutes",
        ),
        "welcome_organisation": (
            {"user": invitee, "organisation": invitee.organisation, "link": link},
            "Welcome to the Care Leaver Covenant",
            f"Thank you for signing {invitee.organisation.name if invitee.organisation else ''} up",
        ),
    }
    for template, (context, subject, in_body) in expected.items():
        email = queue_email("to@example.org", template, **context)
        assert email.subject == subject, template
        assert in_body in email.body, template
        assert email.body.rstrip().endswith("Care Leaver Covenant"), template


def test_a_template_without_a_subject_line_is_refused(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """An email template that forgets its subject fails loudly rather than sending an email without one."""
    monkeypatch.setattr(
        covenant_email, "render_template", lambda name, **context: "Hello,\nNo subject here.\n"
    )
    with pytest.raises(ValueError, match="must start with 'Subject: '"):
        queue_email("to@example.org", "no_subject")

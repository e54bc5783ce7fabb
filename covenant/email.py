"""Email: queued in the outbox with the change that causes it, delivered later by `flask send-email`.

Each email is a Jinja text template in `templates/email/`; its first line is `Subject: ...`.
Delivery backends: `log` (development: each email is written out whole on the console, and the outbox page
at /dev/outbox lists them with working links), `smtp`, and GOV.UK Notify (one template with ((subject)) and
((body)) placeholders, set by NOTIFY_TEMPLATE_ID).

Once an email is delivered its body and unsubscribe link are cleared: they hold working links (password resets,
invitations) that nobody should find later. The recipient, subject, template and times stay, and
`flask prune` deletes delivered emails after a while.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from sqlalchemy import delete, or_, select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.forms import LINE_BREAKS
from covenant.models import OutboundEmail, User

MAX_ATTEMPTS = 5
log = logging.getLogger("covenant.email")


def external_url(path: str) -> str:
    """An absolute link for an email, from the configured BASE_URL (emails are sent outside requests)."""
    return current_app.config["BASE_URL"] + path


def queue_email(to: str, template: str, unsubscribe_url: str | None = None, **context: Any) -> OutboundEmail:
    """Render `email/<template>.txt` and add it to the outbox; the caller's commit sends it on its way.

    An `unsubscribe_url` (which must stop the emails when opened, or when posted to by a mail program) goes out as
    the List-Unsubscribe header, so mail programs can offer their own one-click unsubscribe (RFC 8058).
    """
    rendered = render_template(f"email/{template}.txt", **context).lstrip()
    first_line, _, body = rendered.partition("\n")
    if not first_line.startswith("Subject: "):
        raise ValueError(f"email/{template}.txt must start with 'Subject: '")
    if LINE_BREAKS.search(first_line):
        raise ValueError(f"email/{template}.txt made a subject with a line break")
    message = OutboundEmail(
        to_address=to,
        subject=first_line.removeprefix("Subject: ").strip(),
        body=body.strip() + "\n",
        template=template,
        unsubscribe_url=unsubscribe_url,
    )
    db.session.add(message)
    return message


def queue_text(to_mobile: str, template: str, **context: Any) -> OutboundEmail:
    """Render `texts/<template>.txt` (a short text message, no subject) and add it to the outbox."""
    body = render_template(f"texts/{template}.txt", **context).strip()
    message = OutboundEmail(
        channel="text", to_address=to_mobile, subject="Text message", body=body + "\n", template=template
    )
    db.session.add(message)
    return message


def texts_enabled() -> bool:
    """Whether this deployment can send texts (GOV.UK Notify, or the development console)."""
    config = current_app.config
    return config["MAIL_BACKEND"] == "log" or bool(
        config["MAIL_BACKEND"] == "notify" and config.get("NOTIFY_SMS_TEMPLATE_ID")
    )


def notify(user: User, template: str, always_email: bool = False, **context: Any) -> None:
    """Tell a young person something, by text when they chose texts (and this deployment sends them)."""
    if not always_email and user.contact_by == "text" and user.mobile and texts_enabled():
        queue_text(user.mobile, template, **context)
    else:
        queue_email(user.email, template, **context)


def _deliver_log(message: OutboundEmail) -> None:
    """Development: write the whole email or text on the console (standard error), links and all."""
    rule = "-" * 72
    if message.channel == "text":
        heading = f"Text {message.id} to {message.to_address}"
    else:
        heading = f"Email {message.id} to {message.to_address}\nSubject: {message.subject}"
    print(f"{rule}\n{heading}\n\n{message.body}{rule}", file=sys.stderr, flush=True)


def _deliver_smtp(message: OutboundEmail) -> None:
    config = current_app.config
    if message.channel == "text":
        raise RuntimeError(
            "texts need GOV.UK Notify: set MAIL_BACKEND to notify, with NOTIFY_SMS_TEMPLATE_ID"
        )
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(email)


def _deliver_notify(message: OutboundEmail) -> None:
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(current_app.config["NOTIFY_API_KEY"])
    if message.channel == "text":
        client.send_sms_notification(
            phone_number=message.to_address,
            template_id=current_app.config["NOTIFY_SMS_TEMPLATE_ID"],
            personalisation={"body": message.body},
            reference=f"covenant-{message.id}",
        )
        return
    client.send_email_notification(
        email_address=message.to_address,
        template_id=current_app.config["NOTIFY_TEMPLATE_ID"],
        personalisation={"subject": message.subject, "body": message.body},
        reference=f"covenant-{message.id}",
    )


BACKENDS: dict[str, Callable[[OutboundEmail], None]] = {
    "log": _deliver_log,
    "smtp": _deliver_smtp,
    "notify": _deliver_notify,
}


def send_pending(limit: int = 200) -> tuple[int, int]:
    """Deliver waiting emails, oldest first, committing each; returns (sent, failed)."""
    deliver = BACKENDS[current_app.config["MAIL_BACKEND"]]
    sent = failed = 0
    tried: list[int] = []  # each email is tried at most once a run, so a failing one cannot hold up the rest
    for _ in range(limit):
        message = db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.sent_at.is_(None), OutboundEmail.gave_up_at.is_(None))
            .where(OutboundEmail.attempts < MAX_ATTEMPTS, OutboundEmail.id.not_in(tried))
            .order_by(OutboundEmail.created_at, OutboundEmail.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            break
        tried.append(message.id)
        message.attempts += 1
        try:
            deliver(message)
        except Exception as error:  # noqa: BLE001 - any delivery failure is recorded and retried later
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.gave_up_at = utcnow()
            log.warning("Could not send email %s: %s", message.id, message.last_error)
        else:
            sent += 1
            message.sent_at = utcnow()
            message.last_error = None
            message.body = ""
            message.unsubscribe_url = None
        db.session.commit()
    return sent, failed


def prune_delivered(before: datetime) -> int:
    """Delete emails delivered (or given up on) before this moment; returns how many."""
    result = db.session.execute(
        delete(OutboundEmail).where(or_(OutboundEmail.sent_at < before, OutboundEmail.gave_up_at < before))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""The development outbox: every email the service has queued, newest first, with working links."""

from __future__ import annotations

import re

from flask import render_template
from markupsafe import Markup, escape
from sqlalchemy import select

from covenant.access import public, second_factor_step
from covenant.dev import bp
from covenant.models import OutboundEmail
from covenant.pagination import govuk_pagination, paginate

PER_PAGE = 20
LINK = re.compile(r"https?://\S+")


def with_links(body: str) -> Markup:
    """An email body as HTML, its web addresses as links."""
    parts: list[str] = []
    position = 0
    for match in LINK.finditer(body):
        parts.append(str(escape(body[position : match.start()])))
        url = escape(match.group(0))
        parts.append(f'<a class="govuk-link" href="{url}">{url}</a>')
        position = match.end()
    parts.append(str(escape(body[position:])))
    return Markup("".join(parts))  # noqa: S704 - every part is escaped above


@bp.route("/outbox")
@public
@second_factor_step  # the emailed two-factor code waits here in development
def outbox() -> str:
    query = select(OutboundEmail).order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    page = paginate(query, PER_PAGE)
    return render_template(
        "dev/outbox.html", page=page, pagination=govuk_pagination(page, "dev.outbox"), with_links=with_links
    )

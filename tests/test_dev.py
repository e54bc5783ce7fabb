"""Development only: the outbox page, so a newcomer can follow the links in the emails the service sends."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from covenant import create_app
from covenant.config import DevelopmentConfig
from tests.conftest import text_of


def test_the_outbox_lists_every_email_with_working_links(client_request, make_user, outbox):
    client_request.post("auth.forgot_password", _data={"email": make_user().email}, _expected_status=200)
    [email] = outbox()

    page = client_request.get("dev.outbox")

    assert email.subject in text_of(page)
    assert email.to_address in text_of(page)
    [link] = [a for a in page.select(".covenant-email-body a") if "/reset-password/" in a["href"]]
    assert link.get_text() == link["href"]
    page = client_request.get_url(urlsplit(str(link["href"])).path)
    assert text_of(page, "h1") == "Choose a new password"


def test_the_outbox_exists_only_in_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, production_app
) -> None:
    assert "dev.outbox" not in production_app.view_functions
    monkeypatch.setenv("COVENANT_INSTANCE_PATH", str(tmp_path))
    development = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert "dev.outbox" in development.view_functions

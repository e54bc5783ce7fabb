"""The embedded SQLite database `make run` uses copes with people using the service at the same time."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask_migrate import upgrade

from covenant import create_app
from covenant.config import TestConfig
from covenant.extensions import db, limiter
from covenant.models import User
from covenant.security import hash_password
from covenant.sqltypes import utcnow
from covenant.vocab import Role


def test_people_signing_in_at_the_same_moment_all_get_in(tmp_path: Path) -> None:
    """Each sign-in reads the account and then writes to it; on SQLite two such requests used to collide with
    "database is locked" (a 500) instead of waiting their turn."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    with app.app_context():
        upgrade()
        db.session.add(
            User(
                email="coordinator@example.org",
                name="Cora",
                role=Role.COORDINATOR,
                password_hash=hash_password("correct horse battery"),
                email_confirmed_at=utcnow(),
            )
        )
        db.session.commit()
        limiter.reset()

    def sign_in(_: int) -> int:
        client = app.test_client()
        html = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert token
        response = client.post(
            "/sign-in",
            data={
                "csrf_token": token.group(1),
                "email": "coordinator@example.org",
                "password": "correct horse battery",
            },
        )
        return response.status_code

    app.config["PROPAGATE_TEST_ERRORS"] = False
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(sign_in, range(8)))
    assert statuses == [302] * 8
    with app.app_context():
        db.engine.dispose()
        limiter.reset()

"""The embedded SQLite database `make run` uses copes with people using the service at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, User
from covenant.security import hash_password
from covenant.vocab import Role
from tests.conftest import ClientRequest, dispose, make_committing_app

PEOPLE = 50


def test_fifty_people_signing_in_at_the_same_moment_all_get_in(tmp_path: Path) -> None:
    """Sign-in reads the account, checks the password (argon2, slow on purpose), then writes. With the write
    lock held while hashing, 200 sign-ins at once gave 37 "database is locked" 500s: the password is now checked
    with no transaction open, and the write after it is brief."""
    app = make_committing_app(f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    with app.app_context():
        db.session.add(
            User(
                email="coordinator@example.org",
                name="Cora",
                role=Role.COORDINATOR,
                password_hash=hash_password("correct horse battery"),  # the real, slow hash
                email_confirmed_at=utcnow(),
            )
        )
        db.session.commit()
    people = []
    for _ in range(PEOPLE):
        person = ClientRequest(app.test_client(), app)
        with app.test_request_context():
            people.append((person, person.csrf_token()))
    start = threading.Barrier(PEOPLE)

    def sign_in(index: int) -> int:
        person, token = people[index]
        start.wait()
        response = person.client.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "email": "coordinator@example.org",
                "password": "correct horse battery",
            },
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        statuses = list(pool.map(sign_in, range(PEOPLE)))

    assert statuses == [302] * PEOPLE
    with app.app_context():
        signed_in = db.session.scalar(select(func.count()).where(AuditEvent.action == "signed_in"))
    assert signed_in == PEOPLE
    dispose(app)


def test_a_statement_on_an_autocommit_connection_is_kept(tmp_path: Path) -> None:
    """`ANALYZE` after a bulk load runs on an AUTOCOMMIT connection: the explicit BEGIN that SQLite connections
    otherwise get would hold it in a transaction nobody commits, and the statistics were silently lost."""
    app = make_committing_app(f"sqlite:///{tmp_path / 'analysed.sqlite3'}")
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        with db.engine.connect() as connection:
            tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert tables.scalars().all() == ["sqlite_stat1"]
    dispose(app)

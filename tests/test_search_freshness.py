"""What the search page keeps between requests belongs to the app and ends with the data it was made from."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from covenant import PROJECT_ROOT
from covenant.extensions import db
from covenant.models import LocalAuthority
from covenant.vocab import AuthorityKind, Region


def test_a_council_area_added_while_the_app_runs_is_offered_at_once(client):
    """`flask load-authorities` in a running app: the next search page lists the new council area, in "Find
    opportunities near you" and in the "Where" box (they were kept for the whole process)."""
    before = client.get("/opportunities").get_data(as_text=True)
    assert "Newtown upon Test" not in before
    db.session.add(
        LocalAuthority(
            gss_code="E06999999",
            name="Newtown upon Test",
            region=Region.NORTH_EAST,
            kind=AuthorityKind.UNITARY,
            latitude=54.9,
            longitude=-1.6,
        )
    )
    db.session.commit()

    page = client.get("/opportunities").get_data(as_text=True)
    assert page.count('value="E06999999"') == 1, "in the near-you list"
    typed = client.get("/opportunities?kind=job&near=Newtown+upon+Test")
    assert typed.status_code == 200, "the Where box knows the new council area by name"
    assert 'value="Newtown upon Test"' in typed.get_data(as_text=True)
    near_you = client.get("/opportunities/near-you?where=E06999999")
    assert near_you.status_code == 302, "the near-you form accepts the new council area"


def test_the_search_token_is_watched_because_the_app_says_so_not_because_a_blueprint_was_registered():
    """The session listeners that renew the search token are attached by `freshness.init_app` when the app is
    made, not as a side effect of registering (or importing) the opportunities blueprint. Run in a fresh
    interpreter: in this one, the test app has attached them already."""
    script = textwrap.dedent(
        """
        from flask import Flask
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        from covenant.opportunities import bp, freshness

        bare = Flask("bare")
        bare.register_blueprint(bp)
        print(event.contains(Session, "after_flush", freshness._after_flush))

        from covenant import create_app
        from covenant.config import TestConfig

        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
        print(event.contains(Session, "after_flush", freshness._after_flush))
        print("covenant.search_freshness" in app.extensions)
        """
    )
    finished = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert finished.stdout.split() == ["False", "True", "True"], finished.stderr

"""The `flask` commands operators and cron run: reference data, demo data, the outbox and the first account."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, func, select

from covenant import audit, demo, demo_pledges, demo_referrals
from covenant import email as covenant_email
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import (
    AuditEvent,
    CareLeaver,
    CareLeaverStatistic,
    LocalAuthority,
    Organisation,
    OutboundEmail,
    Pledge,
    Referral,
    ReferralFeedback,
    TwoFactor,
    User,
)
from covenant.security import verify_password
from covenant.two_factor import cipher, operations
from covenant.vocab import PLACE_HOLDING_STATUSES, AuthorityKind, PledgeStatus, ReferralStatus, Region, Role
from tests.conftest import csrf_token


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def authorities() -> list[LocalAuthority]:
    return list(db.session.scalars(select(LocalAuthority)))


def count(model: type, *conditions: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def test_load_authorities_loads_englands_childrens_services_councils(
    app: Flask, runner: FlaskCliRunner
) -> None:
    db.session.execute(delete(LocalAuthority))
    assert authorities() == []

    result = runner.invoke(args=["load-authorities"])
    assert result.exit_code == 0, result.output
    assert result.output == "Local authorities: 153 added, 0 updated, 0 unchanged.\n"

    loaded = {authority.gss_code: authority for authority in authorities()}
    assert len(loaded) == 153
    assert Counter(authority.kind for authority in loaded.values()) == {
        AuthorityKind.COUNTY: 21,
        AuthorityKind.UNITARY: 63,
        AuthorityKind.METROPOLITAN: 36,
        AuthorityKind.LONDON_BOROUGH: 32,
        AuthorityKind.CITY_CORPORATION: 1,
    }
    assert all(code.startswith("E") for code in loaded), "only English authorities"
    scilly = loaded["E06000053"]
    assert (scilly.name, scilly.kind, scilly.region) == (
        "Isles of Scilly",
        AuthorityKind.UNITARY,
        Region.SOUTH_WEST,
    )
    city = loaded["E09000001"]
    assert (city.name, city.kind, city.region) == (
        "City of London",
        AuthorityKind.CITY_CORPORATION,
        Region.LONDON,
    )
    leeds = loaded["E08000035"]
    assert (leeds.name, leeds.kind) == ("Leeds", AuthorityKind.METROPOLITAN)
    assert 53.7 < leeds.latitude < 53.9
    assert -1.7 < leeds.longitude < -1.4
    assert not {"Non-metropolitan district", "Combined authority"} & {
        authority.kind.value for authority in loaded.values()
    }


def test_load_authorities_again_changes_nothing_and_keeps_local_offers(
    app: Flask, runner: FlaskCliRunner, authority: Callable[..., LocalAuthority]
) -> None:
    leeds = authority("E08000035")
    leeds.local_offer_url = "https://www.leeds.gov.uk/local-offer"
    db.session.commit()
    before = {(a.gss_code, a.name, a.kind, a.region, a.latitude, a.longitude) for a in authorities()}

    for _ in range(2):
        result = runner.invoke(args=["load-authorities"])
        assert result.exit_code == 0, result.output
        assert result.output == "Local authorities: 0 added, 0 updated, 153 unchanged.\n"

    assert {(a.gss_code, a.name, a.kind, a.region, a.latitude, a.longitude) for a in authorities()} == before
    assert authority("E08000035").local_offer_url == "https://www.leeds.gov.uk/local-offer"


def test_load_authorities_puts_back_a_changed_name_but_not_the_local_offer(
    app: Flask, runner: FlaskCliRunner, authority: Callable[..., LocalAuthority]
) -> None:
    camden = authority("E09000007")
    camden.name = "Camden (old name)"
    camden.local_offer_url = "https://www.camden.gov.uk/local-offer"
    db.session.commit()

    result = runner.invoke(args=["load-authorities"])
    assert result.output == "Local authorities: 0 added, 1 updated, 152 unchanged.\n"
    assert authority("E09000007").name == "Camden"
    assert authority("E09000007").local_offer_url == "https://www.camden.gov.uk/local-offer"


def test_seed_demo_if_empty_adds_demo_data_once(app: Flask, runner: FlaskCliRunner) -> None:
    assert count(User) == 0

    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Demo data added" in first.output
    for email in ("coordinator@example.org", "leeds.adviser@example.org", "employer.admin@example.org"):
        assert email in first.output
    assert demo.DEMO_PASSWORD in first.output
    users, organisations = count(User), count(Organisation)
    assert users >= 9
    assert organisations == len(demo.ORGANISATIONS) + len(demo_pledges.ORGANISATIONS)
    statuses = dict(db.session.execute(select(Pledge.status, func.count()).group_by(Pledge.status)).all())
    assert set(statuses) == set(PledgeStatus)
    assert sum(statuses.values()) >= 150
    coordinator = db.session.scalars(select(User).where(User.email == "coordinator@example.org")).one()
    assert coordinator.role == Role.COORDINATOR
    assert coordinator.is_active
    assert verify_password(coordinator.password_hash, demo.DEMO_PASSWORD)
    # Demo staff sign in with codes from the authenticator key printed (and in the README).
    coordinator_key = demo.DEMO_AUTHENTICATOR_KEYS["coordinator@example.org"]
    assert f"authenticator key {coordinator_key}" in first.output
    assert operations.matching_step(coordinator_key, pyotp.TOTP(coordinator_key).now()) is not None
    stored = db.session.scalars(select(TwoFactor).where(TwoFactor.user_id == coordinator.id)).one()
    assert cipher.decrypt(stored.secret) == coordinator_key

    # Caseloads and referrals in every state, with places counted from the referrals that hold them.
    assert 180 <= count(CareLeaver) <= 220
    referral_statuses = dict(
        db.session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all()
    )
    assert set(referral_statuses) == set(ReferralStatus)
    leeds_adviser = db.session.scalars(select(User).where(User.email == "leeds.adviser@example.org")).one()
    assert (  # and Jade, who signs in herself
        count(CareLeaver, CareLeaver.adviser_id == leeds_adviser.id)
        == demo_referrals.DEMO_ADVISER_CASELOAD + 1
    )
    jade = db.session.scalars(select(User).where(User.email == demo_referrals.DEMO_CARE_LEAVER_EMAIL)).one()
    assert jade.role == Role.CARE_LEAVER
    assert jade.email in first.output
    jades = db.session.scalars(select(CareLeaver).where(CareLeaver.user_id == jade.id)).one()
    assert {referral.status for referral in db.session.scalars(select(Referral).where(Referral.care_leaver_id == jades.id))} == {
        ReferralStatus.COMPLETED, ReferralStatus.ACCEPTED, ReferralStatus.REFERRED
    }  # fmt: skip
    assert count(ReferralFeedback) > 20  # what young people said, for organisations and reports
    for pledge in db.session.scalars(select(Pledge)):
        held = count(Referral, Referral.pledge_id == pledge.id, Referral.status.in_(PLACE_HOLDING_STATUSES))
        assert pledge.places_taken == (0 if pledge.places_unlimited else held)
        assert pledge.places is None or pledge.places_taken <= pledge.places
    oldest = db.session.scalar(select(func.min(Referral.created_at)))
    assert oldest < utcnow() - timedelta(days=365)  # histories over the last 18 months, for the reports
    # Invented figures stand in for DfE's, so the needs report ranks every authority, some not published.
    figures = db.session.scalars(select(CareLeaverStatistic)).all()
    assert len(figures) == count(LocalAuthority)
    assert {figure.source_file for figure in figures} == {demo.DEMO_STATISTICS_SOURCE}
    assert 0 < sum(figure.count is None for figure in figures) < len(figures) / 5

    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert second.output == "The database already has accounts, so no demo data was added.\n"
    assert (count(User), count(Organisation)) == (users, organisations)


def test_seed_demo_refuses_a_database_with_accounts(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User]
) -> None:
    make_user(Role.COORDINATOR)
    db.session.commit()

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "The database already has accounts" in result.output
    assert count(User) == 1
    assert count(Organisation) == 0


def test_send_email_prints_what_it_sent(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for to in ("one@example.org", "two@example.org"):
        db.session.add(OutboundEmail(to_address=to, subject="Hello", body="Hello\n", template="test"))
    db.session.commit()

    result = runner.invoke(args=["send-email"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Emails: 2 sent, 0 failed.\n")
    assert "to one@example.org" in result.output  # each email shown whole on the console
    assert runner.invoke(args=["send-email"]).output == "Emails: 0 sent, 0 failed.\n"

    def refuse(message: OutboundEmail) -> None:
        raise OSError("mail server unreachable")

    monkeypatch.setitem(covenant_email.BACKENDS, "log", refuse)
    db.session.add(
        OutboundEmail(to_address="three@example.org", subject="Hello", body="Hello\n", template="test")
    )
    db.session.commit()
    assert runner.invoke(args=["send-email"]).output == "Emails: 0 sent, 1 failed.\n"


def test_create_coordinator_rejects_a_common_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "create-coordinator",
            "--email",
            "lead@example.org",
            "--name",
            "Lead Coordinator",
            "--password",
            "password123",
        ]
    )
    assert result.exit_code != 0
    assert "Password is too easy to guess" in result.output
    assert count(User) == 0


def test_create_coordinator_makes_an_account_that_can_sign_in(
    app: Flask, runner: FlaskCliRunner, client
) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "create-coordinator",
            "--email",
            " Lead@Example.org ",
            "--name",
            " Lead Coordinator ",
            "--password",
            "violet harbour lantern",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Coordinator" in result.output
    coordinator = db.session.scalars(select(User)).one()
    assert coordinator.email == "lead@example.org"
    assert coordinator.name == "Lead Coordinator"
    assert coordinator.role == Role.COORDINATOR
    assert coordinator.email_confirmed_at is not None, (
        "the first account cannot wait for an email to confirm it"
    )
    assert coordinator.organisation_id is None
    assert coordinator.local_authority_id is None

    response = client.post(
        "/sign-in",
        data={
            "email": "lead@example.org",
            "password": "violet harbour lantern",
            "csrf_token": csrf_token(client, "/sign-in"),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"

    again = runner.invoke(
        args=[
            "create-coordinator",
            "--email",
            "LEAD@example.org",
            "--name",
            "Other",
            "--password",
            "amber meadow kettle",
        ]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert count(User) == 1


def test_create_coordinator_asks_for_what_is_missing(app: Flask, runner: FlaskCliRunner) -> None:
    """Run without options, it prompts, and the password is asked for twice."""
    result = runner.invoke(
        args=["create-coordinator"],
        input="lead@example.org\nLead Coordinator\nvioletharbourlantern\nvioletharbourlantern\n",
    )
    assert result.exit_code == 0, result.output
    assert "Email:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert "violetharbourlantern" not in result.output, "the password must not be echoed"
    assert db.session.scalars(select(User.email)).one() == "lead@example.org"


def test_prune_deletes_old_delivered_emails_and_never_confirmed_accounts(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User], make_organisation
) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=40), now - timedelta(days=5)
    for subject, created, sent in [
        ("delivered long ago", old, old),
        ("delivered lately", recent, recent),
        ("never delivered", old, None),
    ]:
        db.session.add(
            OutboundEmail(to_address="a@example.org", subject=subject, body="", template="test",
                          created_at=created, sent_at=sent)
        )  # fmt: skip
    abandoned = make_organisation(name="Signed up, never confirmed")
    founder = make_user(
        Role.ORGANISATION_ADMIN, organisation=abandoned, email_confirmed_at=None, created_at=old
    )
    audit.record("organisation_signed_up", abandoned, founder)
    confirmed = make_user(Role.ORGANISATION_ADMIN, created_at=old)
    waiting = make_user(Role.ORGANISATION_ADMIN, email_confirmed_at=None, created_at=recent)
    db.session.commit()

    result = runner.invoke(args=["prune", "--older-than", "30"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Deleted 1 delivered email, 1 unconfirmed account and 1 organisation signed up with them.\n"
    )
    assert set(db.session.scalars(select(OutboundEmail.subject))) == {"delivered lately", "never delivered"}
    assert set(db.session.scalars(select(User.id))) == {confirmed.id, waiting.id}
    assert db.session.get(Organisation, abandoned.id) is None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation_signed_up"))
    assert event.actor_id is None  # the trail stays, without the deleted account
    assert runner.invoke(args=["prune", "--older-than", "30"]).output.startswith("Deleted 0 delivered emails")
    assert runner.invoke(args=["prune", "--older-than", "0"]).exit_code != 0

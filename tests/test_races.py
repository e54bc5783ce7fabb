"""People doing the same thing at the same moment: a burst of duplicate sign-ups, invitation acceptances, review
decisions, password resets and suspensions gives no 500 and exactly one effect each.

Each test sends its requests from threads released together by a barrier, each thread with its own session, to
an app on a database of its own whose requests commit for real. The races these tests are about happen on
PostgreSQL, where requests run side by side; CI runs them there. On SQLite a writing request holds the whole
database's write lock, so the same bursts are taken in turn: the tests check that nothing fails on the way.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from covenant.auth.operations import RESET
from covenant.clock import uk_today, utcnow
from covenant.extensions import db
from covenant.models import (
    AuditEvent,
    CareLeaver,
    Invitation,
    Organisation,
    OutboundEmail,
    Pledge,
    Referral,
    User,
)
from covenant.security import fingerprint, hash_password, make_token
from covenant.team.operations import INVITATION
from covenant.vocab import (
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
from tests.conftest import PASSWORD, ClientRequest, committing_database_url, dispose, make_committing_app

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture(scope="module")
def racing_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_committing_app(
        committing_database_url(database_url, tmp_path_factory.mktemp("races"), "races")
    )
    yield app
    dispose(app)


def race(
    app: Flask, count: int, prepare: Callable[[ClientRequest], Any], act: Callable[[ClientRequest, Any], int]
) -> list[int]:
    """`count` people, each prepared in turn (signed in, a CSRF token at hand), then all acting at once."""
    people = []
    for _ in range(count):
        client: FlaskClient = app.test_client()
        person = ClientRequest(client, app)
        with app.test_request_context():
            people.append((person, prepare(person)))
    start = threading.Barrier(count)

    def go(index: int) -> int:
        person, prepared = people[index]
        start.wait()
        return act(person, prepared)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))


def stored(app: Flask, query: Any) -> Any:
    with app.app_context():
        return db.session.scalar(query)


def count_of(app: Flask, model: Any, *conditions: Any) -> int:
    return int(stored(app, select(func.count()).select_from(model).where(*conditions)) or 0)


def add(app: Flask, *rows: Any) -> list[int]:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def person(app: Flask, email: str, role: Role, **values: Any) -> User:
    with app.app_context():
        if role in (Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER) and "organisation_id" not in values:
            organisation = Organisation(
                name=f"Organisation of {email}", kind=OrganisationType.BUSINESS, region=Region.YORKSHIRE
            )
            db.session.add(organisation)
            db.session.flush()
            values["organisation_id"] = organisation.id
        user = User(
            email=email, name=email.split("@")[0].title(), role=role, password_hash=hash_password(PASSWORD),
            email_confirmed_at=utcnow(), **values,
        )  # fmt: skip
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def submitted_pledge(app: Flask, author: User) -> int:
    today = uk_today()
    pledge = Pledge(
        organisation_id=author.organisation_id, created_by_id=author.id, status=PledgeStatus.SUBMITTED,
        title="Two weeks in our warehouse", kind=PledgeKind.WORK_EXPERIENCE, summary="A fortnight with us.",
        description="You will shadow our team.", what_you_get="A reference.", paid=False, min_age=16, max_age=25,
        reach=Reach.NATIONAL, places=3, starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=44),
        take_up=TakeUp.ADVISER_ONLY, contact_name="Pat", contact_email="pat@example.org", under_18_contact=False,
        dbs_level=DbsLevel.NONE, adjustments_answered=True, submitted_at=utcnow(),
    )  # fmt: skip
    pledge.outcome_areas = [OutcomeArea.EDUCATION_EMPLOYMENT]
    return add(app, pledge)[0]


def no_errors(statuses: list[int]) -> None:
    assert all(status < 500 for status in statuses), f"server errors: {Counter(statuses)}"


def test_ten_sign_ups_with_one_email_at_once_make_one_account(racing_app: Flask) -> None:
    def prepare(person: ClientRequest) -> str:
        return person.csrf_token()

    def act(person: ClientRequest, token: str) -> int:
        response = person.client.post(
            "/sign-up",
            data={
                "csrf_token": token, "organisation_name": "Northfield Building Supplies",
                "organisation_type": "business", "region": "Yorkshire and The Humber", "name": "Asha Patel",
                "email": "asha@race.example", "password": "glass rocket river",
                "confirm_password": "glass rocket river", "agree": "y",
            },
        )  # fmt: skip
        assert response.headers.get("Location") == "/sign-up/check-your-email", response.status_code
        return response.status_code

    statuses = race(racing_app, 10, prepare, act)

    no_errors(statuses)
    assert statuses == [302] * 10  # everyone sees the same neutral answer
    assert count_of(racing_app, User, User.email == "asha@race.example") == 1
    templates = Counter(
        stored_all(
            racing_app, select(OutboundEmail.template).where(OutboundEmail.to_address == "asha@race.example")
        )
    )
    assert templates["confirm_email"] == 1
    assert templates["already_registered"] <= 1


def stored_all(app: Flask, query: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(query))


def test_six_acceptances_of_one_invitation_at_once_make_one_account(racing_app: Flask) -> None:
    manager = person(racing_app, "manager@invite.example", Role.AUTHORITY_MANAGER, local_authority_id=1)
    [invitation_id] = add(
        racing_app,
        Invitation(
            email="new.adviser@invite.example", role=Role.PERSONAL_ADVISER, local_authority_id=1,
            invited_by_id=manager.id, created_at=utcnow(), expires_at=utcnow() + timedelta(days=7),
        ),
    )  # fmt: skip
    with racing_app.test_request_context():
        link = f"/invitations/{make_token(INVITATION, {'invitation': invitation_id})}"

    def act(person: ClientRequest, token: str) -> int:
        response = person.client.post(
            link,
            data={
                "csrf_token": token, "name": "Pat Adviser", "password": "glass rocket river",
                "confirm_password": "glass rocket river",
            },
        )  # fmt: skip
        return response.status_code

    statuses = race(racing_app, 6, lambda person: person.csrf_token(), act)

    no_errors(statuses)
    assert statuses.count(302) == 1, statuses  # the one who made the account; the rest find the link used
    assert count_of(racing_app, User, User.email == "new.adviser@invite.example") == 1
    assert count_of(racing_app, AuditEvent, AuditEvent.action == "invitation_accepted") == 1


def decisions_by(racing_app: Flask, pledge_id: int) -> list[str]:
    return stored_all(
        racing_app,
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "pledge",
            AuditEvent.subject_id == pledge_id,
            AuditEvent.action == "pledge_status_changed",
        ),
    )


def emails_about(racing_app: Flask, author: User) -> list[str]:
    return stored_all(
        racing_app, select(OutboundEmail.template).where(OutboundEmail.to_address == author.email)
    )


@pytest.fixture
def coordinators(racing_app: Flask) -> Callable[[ClientRequest], str]:
    coordinator = person(racing_app, f"coordinator-{utcnow().timestamp()}@review.example", Role.COORDINATOR)

    def sign_in(person: ClientRequest) -> str:
        person.login(coordinator)
        return person.csrf_token()

    return sign_in


def test_approving_and_rejecting_one_pledge_at_once_makes_one_decision(
    racing_app: Flask, coordinators
) -> None:
    author = person(racing_app, "author@decide.example", Role.ORGANISATION_ADMIN)
    pledge_id = submitted_pledge(racing_app, author)
    decisions = iter(
        [{"decision": "approve"}, {"decision": "reject", "reason": "It is not a real opportunity"}]
    )

    def prepare(person: ClientRequest) -> tuple[str, dict[str, str]]:
        return coordinators(person), next(decisions)

    def act(person: ClientRequest, prepared: tuple[str, dict[str, str]]) -> int:
        token, decision = prepared
        return person.client.post(f"/review/{pledge_id}", data={"csrf_token": token, **decision}).status_code

    statuses = race(racing_app, 2, prepare, act)

    no_errors(statuses)
    assert len(decisions_by(racing_app, pledge_id)) == 1
    sent = emails_about(racing_app, author)
    assert len(sent) == 1, sent
    assert sent[0] in ("pledge_approved", "pledge_rejected")
    status = stored(racing_app, select(Pledge.status).where(Pledge.id == pledge_id))
    assert (
        status
        == {"pledge_approved": PledgeStatus.PUBLISHED, "pledge_rejected": PledgeStatus.REJECTED}[sent[0]]
    )


def test_five_approvals_of_one_pledge_at_once_approve_it_once(racing_app: Flask, coordinators) -> None:
    author = person(racing_app, "author@approve.example", Role.ORGANISATION_ADMIN)
    pledge_id = submitted_pledge(racing_app, author)

    def act(person: ClientRequest, token: str) -> int:
        return person.client.post(
            f"/review/{pledge_id}", data={"csrf_token": token, "decision": "approve"}
        ).status_code

    statuses = race(racing_app, 5, coordinators, act)

    no_errors(statuses)
    assert statuses == [302] * 5  # the others are told there is nothing left to review
    assert len(decisions_by(racing_app, pledge_id)) == 1
    assert emails_about(racing_app, author) == ["pledge_approved"]


def test_one_reset_link_used_six_times_at_once_changes_the_password_once(racing_app: Flask) -> None:
    owner = person(racing_app, "owner@reset.example", Role.ORGANISATION_MEMBER)
    with racing_app.test_request_context():
        link = f"/reset-password/{make_token(RESET, {'user': owner.id, 'password': fingerprint(owner.password_hash)})}"
    passwords = iter(f"glass rocket river {n}" for n in range(6))

    def prepare(person: ClientRequest) -> tuple[str, str]:
        return person.csrf_token(), next(passwords)

    def act(person: ClientRequest, prepared: tuple[str, str]) -> int:
        token, password = prepared
        response = person.client.post(
            link, data={"csrf_token": token, "password": password, "confirm_password": password}
        )
        return response.status_code

    statuses = race(racing_app, 6, prepare, act)

    no_errors(statuses)
    assert sorted(statuses) == [302] + [400] * 5  # the others find the link used
    changes = count_of(
        racing_app, AuditEvent, AuditEvent.action == "password_changed", AuditEvent.subject_id == owner.id
    )
    assert changes == 1


def test_a_double_click_on_suspend_suspends_once(racing_app: Flask, coordinators) -> None:
    admin = person(racing_app, "admin@suspend.example", Role.ORGANISATION_ADMIN)

    def act(person: ClientRequest, token: str) -> int:
        path = f"/coordinator/organisations/{admin.organisation_id}/suspend"
        return person.client.post(
            path, data={"csrf_token": token, "reason": "Under investigation"}
        ).status_code

    statuses = race(racing_app, 2, coordinators, act)

    no_errors(statuses)
    assert stored(
        racing_app, select(Organisation.suspended_at).where(Organisation.id == admin.organisation_id)
    )
    suspensions = count_of(
        racing_app,
        AuditEvent,
        AuditEvent.action == "organisation_suspended",
        AuditEvent.subject_id == admin.organisation_id,
    )
    assert suspensions == 1
    assert emails_about(racing_app, admin) == ["organisation_suspended"]


def test_twenty_acceptances_into_the_last_three_places_fill_exactly_three(racing_app: Flask) -> None:
    """Places are never overbooked, however many people accept at the same moment."""
    employer = person(racing_app, "employer@places.example", Role.ORGANISATION_ADMIN)
    adviser = person(racing_app, "adviser@places.example", Role.PERSONAL_ADVISER, local_authority_id=1)
    pledge_id = submitted_pledge(racing_app, employer)
    with racing_app.app_context():
        pledge = db.session.get(Pledge, pledge_id)
        pledge.status = PledgeStatus.PUBLISHED
        pledge.places = 3
        today = uk_today()
        referral_ids = []
        for number in range(20):
            care_leaver = CareLeaver(
                local_authority_id=1, adviser_id=adviser.id, reference=f"RACE-{number}", first_name=f"Sam{number}",
                date_of_birth=today - timedelta(days=365 * 20), lives_in_id=1, consented_on=today,
            )  # fmt: skip
            referral = Referral(
                care_leaver=care_leaver, pledge=pledge, referred_by_id=adviser.id, note="Keen",
                status=ReferralStatus.REFERRED,
            )  # fmt: skip
            db.session.add(referral)
            db.session.flush()
            referral_ids.append(referral.id)
        db.session.commit()
    referrals = iter(referral_ids)

    def prepare(person: ClientRequest) -> tuple[str, int]:
        person.login(employer)
        return person.csrf_token(), next(referrals)

    def act(person: ClientRequest, prepared: tuple[str, int]) -> int:
        token, referral_id = prepared
        path = f"/organisation/referrals/{referral_id}/accepted"
        response = person.client.post(path, data={"csrf_token": token, "reason": ""})
        if response.status_code == 400:
            assert "There are no places left" in response.get_data(as_text=True)
        return response.status_code

    statuses = race(racing_app, 20, prepare, act)

    no_errors(statuses)
    assert Counter(statuses) == {302: 3, 400: 17}
    assert stored(racing_app, select(Pledge.places_taken).where(Pledge.id == pledge_id)) == 3
    assert (
        count_of(
            racing_app, Referral, Referral.pledge_id == pledge_id, Referral.status == ReferralStatus.ACCEPTED
        )
        == 3
    )

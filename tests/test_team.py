"""Teams: inviting colleagues, withdrawing invitations, and accepting them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, Invitation, User
from covenant.vocab import Role
from tests.conftest import ClientRequest, csrf_token, error_links, link_in

INVITE = "/team/invite"
NEW_PASSWORD = "harbour lantern pebble"
CAMDEN = "E09000007"


pytestmark = pytest.mark.usefixtures("quick_hashing")


def invite(client: Any, email: str, **answers: Any) -> Any:
    """Fill in and send the invitation form as the signed-in person."""
    return client.post(INVITE, data={"csrf_token": csrf_token(client, INVITE), "email": email, **answers})


def invitation_link(outbox: Any, email: str) -> str:
    """The link in the latest invitation emailed to this address."""
    invitations = [message for message in outbox(email) if message.template == "invitation"]
    assert invitations, f"no invitation to {email}"
    return link_in(invitations[-1])


def accept(client: Any, link: str, name: str = "Sam Newcomer", password: str = NEW_PASSWORD) -> Any:
    """Fill in the 'Create your account' form behind an invitation link."""
    return client.post(
        link,
        data={
            "csrf_token": csrf_token(client, "/forgot-password"),  # the link's own page may have expired
            "name": name,
            "password": password,
            "confirm_password": password,
        },
    )


def sign_out(client: Any) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/forgot-password")})


def account_for(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email)).first()


# Organisation admins


def test_an_organisation_admin_invites_a_member_who_joins_their_organisation(
    client, make_user, login_as, outbox
):
    admin = login_as(make_user(Role.ORGANISATION_ADMIN, name="Asha Patel"))

    form = client.get(INVITE)
    response = invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)

    assert form.status_code == 200
    assert re.search(
        r"<legend[^>]*>\s*What should they be able to do\?\s*</legend>", form.get_data(as_text=True)
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/team"
    team = client.get("/team").get_data(as_text=True)
    assert "We have sent an invitation to sam@northfield.example" in team
    assert "Invitations waiting to be accepted" in team
    assert "sam@northfield.example" in team
    [email] = outbox("sam@northfield.example")
    assert email.subject == "You have been invited to the Care Leaver Covenant"
    assert "Asha Patel has invited you" in email.body
    assert admin.organisation.name in email.body

    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    page = client.get(link)
    assert page.status_code == 200
    assert admin.organisation.name in page.get_data(as_text=True)
    joined = accept(client, link)

    assert joined.status_code == 302
    landing = client.get(joined.headers["Location"], follow_redirects=True)
    assert landing.request.path == "/organisation"
    assert "Welcome to the Care Leaver Covenant, Sam Newcomer" in landing.get_data(as_text=True)
    member = account_for("sam@northfield.example")
    assert member is not None
    assert member.role == Role.ORGANISATION_MEMBER
    assert member.organisation_id == admin.organisation_id
    assert member.local_authority_id is None
    assert member.email_confirmed_at is not None
    assert NEW_PASSWORD not in member.password_hash


def test_an_organisation_admin_can_invite_another_admin(client, make_user, login_as, outbox):
    admin = login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "deputy@northfield.example", role=Role.ORGANISATION_ADMIN.value)
    sign_out(client)

    accept(client, invitation_link(outbox, "deputy@northfield.example"))

    deputy = account_for("deputy@northfield.example")
    assert deputy.role == Role.ORGANISATION_ADMIN
    assert deputy.organisation_id == admin.organisation_id
    assert client.get("/team").status_code == 200  # an admin manages the team too


def test_the_invitation_form_asks_what_they_should_be_able_to_do(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = invite(client, "sam@northfield.example")

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == [
        ("#role", "Select what they should be able to do")
    ]
    assert outbox() == []


def test_an_admin_cannot_invite_someone_to_a_role_they_do_not_offer(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = invite(client, "boss@northfield.example", role=Role.COORDINATOR.value)

    assert response.status_code == 400
    assert [href for href, _ in error_links(response.get_data(as_text=True))] == ["#role"]
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("not-an-email", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_the_invitation_needs_an_email_address(client, make_user, login_as, outbox, email, message):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = invite(client, email, role=Role.ORGANISATION_MEMBER.value)

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == [("#email", message)]
    assert outbox() == []


def test_inviting_an_email_that_already_has_an_account_answers_as_for_anyone_and_tells_its_owner(
    client, make_user, login_as, outbox
):
    """The form must not tell any organisation admin who has an account anywhere: the inviter sees what they
    would see for anyone, and the account's owner is told by email instead."""
    login_as(make_user(Role.ORGANISATION_ADMIN))
    make_user(Role.PERSONAL_ADVISER, email="taken@example.org")

    taken = invite(client, "Taken@Example.org", role=Role.ORGANISATION_MEMBER.value)
    assert "We have sent an invitation to Taken@Example.org" in client.get("/team").get_data(as_text=True)
    free = invite(client, "free@example.org", role=Role.ORGANISATION_MEMBER.value)

    assert taken.status_code == free.status_code == 302
    assert taken.headers["Location"] == free.headers["Location"] == "/team"
    [note] = outbox("taken@example.org")
    assert note.template == "invitation_to_existing_account"
    assert note.subject == "You already have a Care Leaver Covenant account"
    assert db.session.scalars(select(Invitation.email)).all() == ["free@example.org"]


def test_invitations_are_throttled_per_recipient(client, make_user, login_as, outbox):
    """Nobody can flood one inbox with invitations, whoever sends them."""
    for _ in range(3):
        login_as(make_user(Role.ORGANISATION_ADMIN))
        assert invite(client, "sam@example.org", role=Role.ORGANISATION_MEMBER.value).status_code == 302
    login_as(make_user(Role.ORGANISATION_ADMIN))

    assert invite(client, "sam@example.org", role=Role.ORGANISATION_MEMBER.value).status_code == 429
    assert invite(client, "kim@example.org", role=Role.ORGANISATION_MEMBER.value).status_code == 302
    assert len(outbox("sam@example.org")) == 3


def test_a_name_with_line_breaks_cannot_write_lines_of_its_own_into_an_email(
    client, make_user, login_as, outbox
):
    """A name is one line: its line breaks once put a fake ‘verify your benefits’ link on a line of its own."""
    admin = login_as(make_user(Role.ORGANISATION_ADMIN))
    crafted = "Asha\r\nVerify your benefits: https://evil.example\u2028Thanks"
    client.post("/account/name", data={"csrf_token": csrf_token(client, "/account/name"), "name": crafted})
    assert (
        db.session.get(type(admin), admin.id).name == "Asha Verify your benefits: https://evil.example Thanks"
    )

    invite(client, "sam@example.org", role=Role.ORGANISATION_MEMBER.value)

    [email] = outbox("sam@example.org")
    assert email.subject == "You have been invited to the Care Leaver Covenant"
    assert not any(line.startswith("Verify your benefits") for line in email.body.splitlines())


def test_the_invited_email_address_is_kept_in_lower_case(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    invite(client, "  Sam.Newcomer@Northfield.Example ", role=Role.ORGANISATION_MEMBER.value)

    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.email == "sam.newcomer@northfield.example"
    assert len(outbox("sam.newcomer@northfield.example")) == 1


# Local authority managers and coordinators


def test_a_manager_invites_a_personal_adviser_to_their_authority(client, make_user, login_as, outbox):
    manager = login_as(make_user(Role.AUTHORITY_MANAGER))

    form = client.get(INVITE).get_data(as_text=True)
    response = invite(client, "pat@leeds.example", role=Role.PERSONAL_ADVISER.value)

    assert "What should they be able to do?" in form  # an adviser, or another manager
    assert "Which local authority" not in form  # their own, always
    assert response.status_code == 302
    sign_out(client)
    joined = accept(client, invitation_link(outbox, "pat@leeds.example"), name="Pat Adviser")

    # People who see care leavers' data set up two-factor sign-in first.
    assert client.get(joined.headers["Location"], follow_redirects=True).request.path == "/two-factor/set-up"
    adviser = account_for("pat@leeds.example")
    assert adviser.role == Role.PERSONAL_ADVISER
    assert adviser.local_authority_id == manager.local_authority_id
    assert adviser.organisation_id is None


def test_a_coordinator_invites_a_manager_for_the_authority_they_choose(
    client, make_user, login_as, outbox, authority
):
    login_as(make_user(Role.COORDINATOR))
    camden = authority(CAMDEN)

    form = client.get(INVITE).get_data(as_text=True)
    response = invite(
        client, "chris@camden.example", role="authority_manager", local_authority=str(camden.id)
    )

    assert "Which local authority do they work for?" in form
    assert "London Borough of Camden" in form or "Camden" in form
    assert response.status_code == 302
    [email] = outbox("chris@camden.example")
    assert camden.name in email.body
    assert "local authority manager" in email.body
    sign_out(client)
    joined = accept(client, invitation_link(outbox, "chris@camden.example"), name="Chris Manager")

    # People who see care leavers' data set up two-factor sign-in first.
    assert client.get(joined.headers["Location"], follow_redirects=True).request.path == "/two-factor/set-up"
    manager = account_for("chris@camden.example")
    assert manager.role == Role.AUTHORITY_MANAGER
    assert manager.local_authority_id == camden.id


def test_a_coordinator_must_choose_the_authority(client, make_user, login_as, outbox):
    login_as(make_user(Role.COORDINATOR))

    missing = invite(client, "chris@camden.example", role="authority_manager", local_authority="")
    made_up = invite(client, "chris@camden.example", role="authority_manager", local_authority="999999")

    assert missing.status_code == made_up.status_code == 400
    assert error_links(missing.get_data(as_text=True)) == [
        ("#local_authority", "Select the local authority they work for")
    ]
    assert [href for href, _ in error_links(made_up.get_data(as_text=True))] == ["#local_authority"]
    assert outbox() == []


@pytest.mark.parametrize("role", [Role.ORGANISATION_MEMBER, Role.PERSONAL_ADVISER])
def test_members_and_advisers_cannot_invite(client, make_user, login_as, outbox, role):
    login_as(make_user(role))

    assert client.get("/team").status_code == 403
    assert client.get(INVITE).status_code == 403
    response = client.post(
        INVITE, data={"csrf_token": csrf_token(client, "/account"), "email": "friend@example.org"}
    )
    assert response.status_code == 403
    assert outbox() == []


# The team page


def test_the_team_page_shows_only_your_own_team(client, make_user, login_as):
    admin = login_as(make_user(Role.ORGANISATION_ADMIN, name="Asha Patel"))
    make_user(Role.ORGANISATION_MEMBER, name="Colleague Carys", organisation=admin.organisation)
    make_user(Role.ORGANISATION_MEMBER, name="Stranger Sid")
    make_user(Role.PERSONAL_ADVISER, name="Adviser Ade")

    html = client.get("/team").get_data(as_text=True)

    assert "Asha Patel" in html
    assert "Colleague Carys" in html
    assert "Stranger Sid" not in html
    assert "Adviser Ade" not in html


def test_the_team_page_pages_through_a_large_team(client, make_user, login_as):
    admin = login_as(make_user(Role.ORGANISATION_ADMIN, name="Aaron Admin"))
    for number in range(1, 51):
        make_user(Role.ORGANISATION_MEMBER, name=f"Member {number:02}", organisation=admin.organisation)

    first = client.get("/team").get_data(as_text=True)
    second = client.get("/team?page=2").get_data(as_text=True)

    assert "govuk-pagination" in first
    assert "Member 49" in first
    assert "Member 50" not in first
    assert "Member 50" in second
    assert "Aaron Admin" not in second


# Withdrawing and replacing invitations


def withdraw(client: Any, invitation: Invitation) -> Any:
    return client.post(
        f"/team/invitations/{invitation.id}/withdraw", data={"csrf_token": csrf_token(client, "/team")}
    )


def test_a_withdrawn_invitation_stops_working(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    invitation = db.session.scalars(select(Invitation)).one()
    link = invitation_link(outbox, "sam@northfield.example")

    response = withdraw(client, invitation)

    assert response.status_code == 302
    team = client.get("/team").get_data(as_text=True)
    assert "The invitation to sam@northfield.example has been withdrawn" in team
    assert "There are no invitations waiting." in team
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "invitation_revoked")
    ).all()
    sign_out(client)
    expired = client.get(link)
    assert expired.status_code == 400
    assert "This link has expired" in expired.get_data(as_text=True)
    assert accept(client, link).status_code == 400
    assert account_for("sam@northfield.example") is None


def test_inviting_someone_again_replaces_the_earlier_invitation(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    first_link = invitation_link(outbox, "sam@northfield.example")
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_ADMIN.value)
    second_link = invitation_link(outbox, "sam@northfield.example")

    team = client.get("/team").get_data(as_text=True)
    sign_out(client)

    assert team.count('<td class="govuk-table__cell">sam@northfield.example</td>') == 1
    assert client.get(first_link).status_code == 400
    assert client.get(second_link).status_code == 200
    accept(client, second_link)
    assert account_for("sam@northfield.example").role == Role.ORGANISATION_ADMIN


def test_another_organisations_invitation_to_the_same_person_is_left_alone(
    client, app, make_user, login_as, outbox
):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@example.org", role=Role.ORGANISATION_MEMBER.value)
    first_link = invitation_link(outbox, "sam@example.org")
    other_admin = make_user(Role.ORGANISATION_ADMIN)
    other = app.test_client()
    ClientRequest(other, app).login(other_admin)

    invite(other, "sam@example.org", role=Role.ORGANISATION_MEMBER.value)

    assert client.get(first_link).status_code == 200
    assert "sam@example.org" in client.get("/team").get_data(as_text=True)


# Accepting


def test_an_invitation_link_works_only_once(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    accept(client, link)
    sign_out(client)

    again = client.get(link)
    second_account = accept(client, link, name="Someone Else", password="another strong password")

    assert again.status_code == 400
    assert "This link has expired" in again.get_data(as_text=True)
    assert second_account.status_code == 400
    assert account_for("sam@northfield.example").name == "Sam Newcomer"


def test_an_invitation_expires(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()

    response = client.get(link)

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert accept(client, link).status_code == 400
    assert account_for("sam@northfield.example") is None


def test_an_invitation_link_older_than_its_time_limit_stops_working(
    app, client, make_user, login_as, outbox, monkeypatch
):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)

    assert client.get(link).status_code == 400


@pytest.mark.parametrize("token", ["nonsense", "x" * 5000, "%00"])
def test_a_made_up_invitation_link_has_expired(client, token):
    response = client.get(f"/invitations/{token}")

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter your full name"),
        ({"name": "x" * 201}, "name", "Full name must be 200 characters or fewer"),
        (
            {"password": "short one", "confirm_password": "short one"},
            "password",
            "Password must be 10 characters or more",
        ),
        (
            {"password": "qwertyuiop", "confirm_password": "qwertyuiop"},
            "password",
            "Password is too easy to guess. Try 3 random words, like ‘glass rocket river’",
        ),
        (
            {"confirm_password": "something different"},
            "confirm_password",
            "The passwords do not match. Enter the same password twice",
        ),
    ],
)
def test_creating_an_account_from_an_invitation_checks_the_answers(
    client, make_user, login_as, outbox, answers, field, message
):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    data = {"name": "Sam Newcomer", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, **answers}

    response = client.post(link, data={"csrf_token": csrf_token(client, link), **data})

    assert response.status_code == 400
    assert (f"#{field}", message) in error_links(response.get_data(as_text=True))
    assert account_for("sam@northfield.example") is None
    assert client.get(link).status_code == 200  # the invitation still works


def test_accepting_after_the_address_got_an_account_elsewhere_sends_you_to_sign_in(
    client, make_user, login_as, outbox
):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")
    make_user(Role.PERSONAL_ADVISER, email="sam@northfield.example")

    response = accept(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You already have an account" in client.get("/sign-in").get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "sam@northfield.example")) == 1


# Nothing anyone types breaks the forms

JUNK = ["x" * 5000, "名前 🎉 Ünïcödé", "bad\x00byte", "\x00", "<script>alert(1)</script>"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_breaks_the_invitation_forms(client, make_user, login_as, outbox, junk):
    login_as(make_user(Role.COORDINATOR))
    for answers in (
        {"email": junk, "local_authority": "1"},
        {"email": "a@example.org", "local_authority": junk},
    ):
        response = client.post(INVITE, data={"csrf_token": csrf_token(client, INVITE), **answers})
        assert response.status_code == 400
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    sign_out(client)
    login_as(make_user(Role.ORGANISATION_ADMIN))
    response = client.post(
        INVITE, data={"csrf_token": csrf_token(client, INVITE), "email": "b@example.org", "role": junk}
    )
    assert response.status_code == 400
    invite(client, "junk.name@example.org", role=Role.ORGANISATION_MEMBER.value)
    invite(client, "junk.password@example.org", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    for email, answers in (
        ("junk.name@example.org", {"name": junk, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
        ("junk.password@example.org", {"name": "Sam", "password": junk, "confirm_password": junk}),
    ):
        link = invitation_link(outbox, email)
        response = client.post(link, data={"csrf_token": csrf_token(client, link), **answers})
        assert response.status_code in (302, 400)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        sign_out(client)


@pytest.mark.parametrize("path", [INVITE, "/team/invitations/1/withdraw"])
def test_team_forms_without_a_csrf_token_are_refused_kindly(client, make_user, login_as, path):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = client.post(
        path, data={"email": "someone@example.org", "role": Role.ORGANISATION_MEMBER.value}
    )

    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)


def test_an_invitation_form_without_a_csrf_token_is_refused_kindly(client, make_user, login_as, outbox):
    login_as(make_user(Role.ORGANISATION_ADMIN))
    invite(client, "sam@northfield.example", role=Role.ORGANISATION_MEMBER.value)
    sign_out(client)
    link = invitation_link(outbox, "sam@northfield.example")

    response = client.post(
        link, data={"name": "Sam", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)
    assert account_for("sam@northfield.example") is None


def test_the_team_page_lists_the_people_in_the_team(client, make_user, login_as):
    admin = login_as(make_user(Role.ORGANISATION_ADMIN, name="Ada Admin"))
    make_user(Role.ORGANISATION_MEMBER, organisation=admin.organisation, name="Mo Member")
    make_user(Role.ORGANISATION_MEMBER, name="Someone Elsewhere")
    html = client.get("/team").get_data(as_text=True)
    assert "Ada Admin" in html
    assert "Mo Member" in html
    assert "Someone Elsewhere" not in html


def test_a_manager_cannot_withdraw_another_authoritys_invitation(app, client, make_user, login_as, authority):
    from covenant.team.operations import invite

    coordinator = make_user(Role.COORDINATOR)
    with app.test_request_context():
        invitation = invite(coordinator, "new.manager@example.org", Role.AUTHORITY_MANAGER, authority(CAMDEN))
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=authority()))
    assert "new.manager@example.org" not in client.get("/team").get_data(as_text=True)
    token = csrf_token(client, "/team")
    assert (
        client.post(f"/team/invitations/{invitation.id}/withdraw", data={"csrf_token": token}).status_code
        == 404
    )
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_a_manager_invites_another_manager_to_their_authority(client, make_user, login_as, outbox):
    manager = login_as(make_user(Role.AUTHORITY_MANAGER))

    invite(client, "deputy@leeds.example", role=Role.AUTHORITY_MANAGER.value)
    sign_out(client)
    accept(client, invitation_link(outbox, "deputy@leeds.example"), name="Dee Deputy")

    deputy = account_for("deputy@leeds.example")
    assert deputy.role == Role.AUTHORITY_MANAGER
    assert deputy.local_authority_id == manager.local_authority_id


def test_invitations_are_throttled_per_inviter(app, client, make_user, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_RATE_LIMIT", "2 per hour")
    login_as(make_user(Role.ORGANISATION_ADMIN))

    statuses = [
        invite(client, f"person{number}@example.org", role=Role.ORGANISATION_MEMBER.value).status_code
        for number in range(3)
    ]

    assert statuses == [302, 302, 429]
    login_as(make_user(Role.ORGANISATION_ADMIN))
    assert invite(client, "person9@example.org", role=Role.ORGANISATION_MEMBER.value).status_code == 302

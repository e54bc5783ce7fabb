"""Coordinators: reviewing pledges and their wording changes, what waits for review and what is overdue, what the review page says about who asked, an
organisation's history, nudging with a question first, and inviting another coordinator."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, Invitation, Pledge, User
from covenant.pledges.operations import transition
from covenant.review.deadlines import due_on, is_overdue
from covenant.vocab import UK_TIME_ZONE, PledgeStatus, Role
from tests.conftest import banner, csrf_token, error_summary, link_in, normalise, parse, text_of
from tests.pledge_answers import complete_pledge, post_form, section_answers, start_pledge

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def coordinator(make_user, client_request):
    return client_request.login(make_user(Role.COORDINATOR, name="Cora Ordinator"))


# What waits for review


def test_the_deadline_counts_working_days_in_england(make_pledge):
    christmas_eve = datetime(2026, 12, 24, 15, 0, tzinfo=UK_TIME_ZONE)
    pledge = make_pledge(status=PledgeStatus.SUBMITTED, submitted_at=christmas_eve)

    # Christmas Day, the Boxing Day holiday (Monday 28th) and New Year's Day are not working days.
    assert due_on(pledge) == date(2027, 1, 5)
    assert not is_overdue(pledge, today=date(2027, 1, 5))
    assert is_overdue(pledge, today=date(2027, 1, 6))


def test_the_home_page_says_how_many_pledges_wait_and_which_are_overdue(
    client_request, coordinator, make_pledge
):
    late = make_pledge(
        status=PledgeStatus.SUBMITTED,
        title="Forgotten forklift training",
        submitted_at=utcnow() - timedelta(days=20),
    )
    make_pledge(status=PledgeStatus.SUBMITTED, title="Fresh mentoring", submitted_at=utcnow())

    home = client_request.get("coordinator.dashboard")

    assert "2 pledges waiting for a decision" in text_of(home)
    assert "within 5 working days" in text_of(home)
    assert "1 pledge is overdue" in text_of(home)
    overdue = [normalise(item.text) for item in home.select("main .govuk-list--bullet li")]
    assert overdue == [
        f"Forgotten forklift training from {late.organisation.name}: due {date_words(due_on(late))}"
    ]

    queue = client_request.get("review.queue")
    rows = {normalise(row.select("td")[0].text): normalise(row.text) for row in queue.select("tbody tr")}
    assert "Overdue" in rows["Forgotten forklift training"]
    assert "Overdue" not in rows["Fresh mentoring"]


def test_with_nothing_waiting_the_home_page_says_so(client_request, coordinator):
    assert "There are no pledges waiting for review" in text_of(client_request.get("coordinator.dashboard"))


def date_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# The review page


def test_the_review_page_shows_the_website_and_who_submitted_it(
    client_request, coordinator, make_pledge, make_organisation, make_user
):
    organisation = make_organisation(
        name="Northfield Building Supplies", website="https://northfield.example"
    )
    author = make_user(Role.ORGANISATION_MEMBER, organisation=organisation, name="Asha Patel")
    pledge = make_pledge(status=PledgeStatus.DRAFT, organisation=organisation)
    transition(pledge, PledgeStatus.SUBMITTED, author)
    db.session.flush()

    page = client_request.get("review.decide", pledge_id=pledge.id)

    facts = {
        normalise(row.select_one("dt").text): normalise(row.select_one("dd").text)
        for row in page.select(".govuk-summary-list__row")
    }
    assert facts["Submitted by"] == f"Asha Patel ({author.email}), organisation member"
    assert facts["Website"] == "https://northfield.example (opens in new tab)"
    assert page.select_one("a[href='https://northfield.example']") is not None


# The organisation's history


def test_the_organisation_page_shows_its_history_newest_first(
    client_request, coordinator, make_pledge, make_organisation, make_user
):
    organisation = make_organisation(name="Quiet Quarry")
    admin = make_user(Role.ORGANISATION_ADMIN, organisation=organisation, name="Asha Patel")
    pledge = make_pledge(status=PledgeStatus.DRAFT, organisation=organisation, title="Quarry tours")
    transition(pledge, PledgeStatus.SUBMITTED, admin)
    db.session.flush()
    client_request.post(
        "coordinator.suspend_organisation",
        organisation_id=organisation.id,
        _data={"reason": "Checking who they are"},
    )
    other = make_pledge(status=PledgeStatus.DRAFT, title="Someone else’s pledge")
    transition(other, PledgeStatus.SUBMITTED, coordinator)  # another organisation's: not in this history

    page = client_request.get("coordinator.organisation", organisation_id=organisation.id)

    history = page.select_one("#history ~ .covenant-table-wrapper table")
    rows = [[normalise(cell.text) for cell in row.select("td")][1:] for row in history.select("tbody tr")]
    assert rows == [
        ["Cora Ordinator", "Suspended the organisation", "Reason: Checking who they are"],
        ["Asha Patel", "Submitted a pledge for review", "‘Quarry tours’"],
    ]


def test_a_long_history_comes_in_pages(client_request, coordinator, make_organisation):
    from covenant import audit

    organisation = make_organisation()
    for number in range(30):
        audit.record("organisation_nudged", organisation, coordinator, {"emails": number})
    db.session.flush()

    first = client_request.get("coordinator.organisation", organisation_id=organisation.id)
    second = client_request.get("coordinator.organisation", organisation_id=organisation.id, page=2)

    assert len(first.select("#history ~ .covenant-table-wrapper table tbody tr")) == 25
    assert len(second.select("#history ~ .covenant-table-wrapper table tbody tr")) == 5
    assert first.select_one(".govuk-pagination__next a")["href"].endswith("page=2#history")


# Nudging


def test_nudging_asks_first_and_only_the_answer_sends_the_email(
    client_request, coordinator, make_organisation, make_user, outbox
):
    organisation = make_organisation(name="Quiet Quarry")
    admin = make_user(Role.ORGANISATION_ADMIN, organisation=organisation)
    listing = client_request.get("coordinator.without_pledges")
    [nudge] = [link for link in listing.select("main a") if normalise(link.text) == "Nudge Quiet Quarry"]

    question = client_request.get_url(str(nudge["href"]))

    assert text_of(question, "h1") == "Send a reminder to Quiet Quarry?"
    assert admin.email in text_of(question)
    assert outbox() == []  # looking at the question sends nothing
    assert question.select_one("main form")["method"] == "post"

    client_request.post_url(
        str(nudge["href"]), _expected_redirect="/coordinator/signatories-without-pledges?page=1"
    )
    assert [email.template for email in outbox(admin.email)] == ["nudge"]


# Inviting another coordinator


def test_a_coordinator_invites_another_who_joins_as_a_coordinator(
    client, client_request, coordinator, outbox
):
    form = client_request.get("team.invite_colleague")
    assert "Covenant coordinator" in text_of(form)

    check = client_request.post(
        "team.invite_colleague",
        _data={"email": "New.Coordinator@Example.org", "role": "coordinator", "local_authority": ""},
        _expected_status=200,
    )
    assert text_of(check, "h1") == "Check before you invite a covenant coordinator"
    assert "New.Coordinator@Example.org" in text_of(check)
    assert outbox() == []  # nothing goes until they confirm

    confirm = {
        field["name"]: field.get("value", "") for field in check.select("main form input[type=hidden]")
    }
    client_request.post("team.invite_colleague", _data=confirm, _expected_redirect="/team")
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.role, invitation.organisation_id, invitation.local_authority_id) == (
        Role.COORDINATOR,
        None,
        None,
    )
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == coordinator.id)
    ).all() == ["invitation_sent"]
    [email] = outbox("new.coordinator@example.org")
    assert "Cora Ordinator has invited you to join the team that runs the Care Leaver Covenant" in email.body

    client.post("/sign-out", data={"csrf_token": client_request.csrf_token()})
    link = link_in(email)
    joined = client.post(
        link,
        data={
            "csrf_token": client_request.csrf_token(),
            "name": "Nia Coordinator",
            "password": "harbour lantern pebble",
            "confirm_password": "harbour lantern pebble",
        },
        follow_redirects=True,
    )
    # Coordinators see care leavers' data, so they set up two-factor sign-in first, then go on to their home.
    assert joined.request.path == "/two-factor/set-up"
    assert "Welcome to the Care Leaver Covenant, Nia Coordinator" in joined.get_data(as_text=True)
    key = parse(joined.get_data(as_text=True)).select_one("code.covenant-key").get_text().replace(" ", "")
    set_up = client.post(
        "/two-factor/set-up",
        data={"csrf_token": client_request.csrf_token(), "code": pyotp.TOTP(key).now()},
    )
    onwards = parse(set_up.get_data(as_text=True)).find("a", string=lambda text: text and "Continue" in text)
    assert client.get(onwards["href"], follow_redirects=True).request.path == "/coordinator/"
    assert db.session.scalars(select(User).where(User.email == "new.coordinator@example.org")).one().role == (
        Role.COORDINATOR
    )


def test_a_manager_still_needs_their_authority(client_request, coordinator, outbox):
    page = client_request.post(
        "team.invite_colleague",
        _data={"email": "chris@camden.example", "role": "authority_manager", "local_authority": ""},
        _expected_status=400,
    )
    assert "Select the local authority they work for" in text_of(page)
    assert outbox() == []


def test_managers_cannot_invite_coordinators(client_request, make_user, outbox):
    client_request.login(make_user(Role.AUTHORITY_MANAGER))
    page = client_request.post(
        "team.invite_colleague",
        _data={"email": "sneaky@example.org", "role": "coordinator", "confirmed": "yes"},
        _expected_status=400,
    )
    assert banner(page) is None
    assert outbox() == []


# Reviewing pledges


def test_coordinator_can_request_changes_or_reject_with_a_reason_the_organisation_sees(
    client, employer, coordinator, login_as, outbox
):
    login_as(employer)
    pledge_id = start_pledge(client)
    complete_pledge(client, pledge_id)
    post_form(client, f"/pledges/{pledge_id}/check", {})

    login_as(coordinator)
    response = post_form(client, f"/review/{pledge_id}", {"decision": "request_changes", "reason": ""})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == ["Enter what the organisation needs to change"]
    response = post_form(
        client,
        f"/review/{pledge_id}",
        {"decision": "request_changes", "reason": "Say where the warehouse is."},
    )
    assert response.status_code == 302
    assert outbox(employer.email)[-1].template == "pledge_changes_requested"
    assert "Say where the warehouse is." in outbox(employer.email)[-1].body

    login_as(employer)
    page = client.get(f"/pledges/{pledge_id}").get_data(as_text=True)
    assert "A coordinator has asked for changes" in page
    assert "Say where the warehouse is." in page
    post_form(client, f"/pledges/{pledge_id}/check", {})
    assert db.session.get(Pledge, pledge_id).status == PledgeStatus.SUBMITTED

    login_as(coordinator)
    response = post_form(
        client,
        f"/review/{pledge_id}",
        {"decision": "reject", "reason": "We cannot verify this organisation."},
    )
    assert response.status_code == 302
    login_as(employer)
    page = client.get(f"/pledges/{pledge_id}").get_data(as_text=True)
    assert "This pledge was not approved" in page
    assert "We cannot verify this organisation." in page


def test_only_coordinators_review(client, employer, login_as, make_pledge):
    login_as(employer)
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.SUBMITTED)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{pledge.id}").status_code == 403


def test_wording_changes_to_a_live_pledge_are_shown_to_coordinators_as_a_diff(
    client_request, employer, make_pledge, make_user
):
    client_request.login(employer)
    pledge = make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.PUBLISHED,
        summary="A week learning how an office works.",
    )
    about = dict(
        section_answers()["about"],
        title=pledge.title,
        kind=pledge.kind.value,
        outcome_areas=[area.value for area in pledge.outcome_areas],
        summary="A week learning how a busy office works.",
        description=pledge.description,
        what_you_get="A reference and a hot lunch.",
    )
    client_request.post("pledges.edit_section", pledge_id=pledge.id, section_key="about", _data=about)
    assert db.session.get(Pledge, pledge.id).status == PledgeStatus.PUBLISHED  # wording keeps it live

    client_request.login(make_user(Role.COORDINATOR, name="Cora Ordinator"))
    queue = client_request.get("review.queue")
    assert "1 change to check" in text_of(queue)
    [link] = queue.select("a[href^='/review/wording/']")
    change = client_request.get_url(str(link["href"]))

    assert text_of(change, "h1") == f"Check the wording of ‘{pledge.title}’"
    assert [normalise(mark.get_text()) for mark in change.select("del")] == ["taken out: an"]
    assert [normalise(mark.get_text()) for mark in change.select("ins")] == [
        "put in: a busy",
        "put in: a hot",
    ]
    assert [heading.get_text() for heading in change.select("main h2")] == [
        "Summary",
        "What the care leaver gets",
    ]

    client_request.post_url(str(link["href"]), _expected_redirect="/review/")
    queue = client_request.get("review.queue")
    assert "There are no wording changes to check" in text_of(queue)
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "pledge_wording_checked")
    ).all()
    checked = client_request.get_url(str(link["href"]))
    assert "Checked by Cora Ordinator" in text_of(checked)


# Signatories without a pledge


def test_a_signatory_is_nudged_at_most_once_a_week(client, make_user, make_organisation, login_as, outbox):
    organisation = make_organisation(name="Quiet Quarry")
    admin = make_user(Role.ORGANISATION_ADMIN, organisation=organisation)
    login_as(make_user(Role.COORDINATOR))
    for _ in range(2):
        token = csrf_token(client, "/coordinator/signatories-without-pledges")
        response = client.post(
            f"/coordinator/organisations/{organisation.id}/nudge",
            data={"csrf_token": token},
            follow_redirects=True,
        )
        assert response.status_code == 200
    assert [email.template for email in outbox(admin.email)] == ["nudge"]
    assert "was nudged less than a week ago" in response.get_data(as_text=True)

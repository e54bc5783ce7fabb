"""Saved searches and alert emails: saving a search from /opportunities, listing, changing and deleting them,
`flask send-alerts`, and one-click unsubscribing from an email."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, OutboundEmail, SavedSearch, User
from covenant.vocab import AlertFrequency, PledgeKind, PledgeStatus, Role
from tests.conftest import csrf_token, error_summary, text_of

SEARCH = "/opportunities?q=bakery&kind=mentoring&page=3"
SAVE_PATH = "/alerts/save?q=bakery&kind=mentoring"


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def adviser(make_user: Any, login_as: Any) -> User:
    return login_as(make_user(Role.PERSONAL_ADVISER, name="Sam Adviser"))


def saved_by(user: User) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)))


def audit_actions(saved_search_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "saved_search", AuditEvent.subject_id == saved_search_id)
            .order_by(AuditEvent.id)
        )
    )


def save(client: Any, path: str = SAVE_PATH, **answers: str) -> Any:
    data = {"csrf_token": csrf_token(client, path), **answers}
    return client.post(path, data=data)


def make_saved_search(user: User, query_string: str = "", **values: Any) -> SavedSearch:
    values.setdefault("name", "My search")
    values.setdefault("frequency", AlertFrequency.DAILY)
    values.setdefault("alerted_through", utcnow() - timedelta(days=1))
    saved = SavedSearch(user=user, query_string=query_string, **values)
    db.session.add(saved)
    db.session.flush()
    return saved


def publish(make_pledge: Any, hours_ago: float = 1, **values: Any) -> Any:
    return make_pledge(published_at=utcnow() - timedelta(hours=hours_ago), **values)


def alert_emails(to: str | None = None) -> list[OutboundEmail]:
    query = (
        select(OutboundEmail).where(OutboundEmail.template == "saved_search_alert").order_by(OutboundEmail.id)
    )
    if to is not None:
        query = query.where(OutboundEmail.to_address == to)
    return list(db.session.scalars(query))


def send(runner: FlaskCliRunner, frequency: str = "daily") -> Any:
    """Run `flask send-alerts`, as cron does, once the test's changes are committed (as real ones are)."""
    db.session.commit()
    result = runner.invoke(args=["send-alerts", "--frequency", frequency])
    db.session.expire_all()
    return result


def unsubscribe_path(email: OutboundEmail) -> str:
    match = re.search(r"https?://[^/\s]+(/alerts/unsubscribe/\S+)", email.body)
    assert match, email.body
    return match.group(1)


# Saving a search


def test_advisers_see_a_link_to_save_the_search_they_are_looking_at(client, adviser):
    html = client.get(SEARCH).get_data(as_text=True)

    assert f'href="{SAVE_PATH.replace("&", "&amp;")}"' in html
    assert "Save this search and get emails" in html


def test_managers_can_save_searches_too(client, make_user, login_as):
    login_as(make_user(Role.AUTHORITY_MANAGER))

    assert "Save this search and get emails" in client.get(SEARCH).get_data(as_text=True)
    assert client.get(SAVE_PATH).status_code == 200


@pytest.mark.parametrize("role", [Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER, Role.COORDINATOR])
def test_other_people_do_not_get_the_link_and_cannot_save(client, make_user, login_as, role):
    login_as(make_user(role))

    assert "Save this search" not in client.get(SEARCH).get_data(as_text=True)
    assert client.get(SAVE_PATH).status_code == 403
    assert client.get("/alerts").status_code == 403


def test_signed_out_visitors_do_not_get_the_link_and_are_sent_to_sign_in(client):
    assert "Save this search" not in client.get(SEARCH).get_data(as_text=True)

    response = client.get(SAVE_PATH)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_saving_a_search_keeps_it_without_the_page_number(client, adviser):
    page = client.get(SAVE_PATH).get_data(as_text=True)
    assert "bakery" in page  # the search being saved is shown
    assert "Mentoring" in page

    response = save(client, name="Bakery mentors", frequency="weekly")

    assert response.status_code == 302
    assert response.headers["Location"] == "/alerts"
    [saved] = saved_by(adviser)
    assert saved.name == "Bakery mentors"
    assert saved.frequency == AlertFrequency.WEEKLY
    assert saved.query_string == "q=bakery&kind=mentoring"
    assert audit_actions(saved.id) == ["saved_search_saved"]
    listing = client.get("/alerts").get_data(as_text=True)
    assert "We’ll email you every week" in listing
    assert "Bakery mentors" in listing


def test_a_search_is_stored_in_its_normal_form(client, adviser):
    messy = "/alerts/save?kind=mentoring&q=++bakery++&kind=mentoring&kind=nonsense&age=abc&page=2"

    page = client.get(messy).get_data(as_text=True)
    assert "We ignored an unknown kind of opportunity: ‘nonsense’" in page
    save(client, messy, name="Messy", frequency="daily")

    assert [saved.query_string for saved in saved_by(adviser)] == ["q=bakery&kind=mentoring"]


def test_the_name_starts_as_a_description_of_the_search(client, adviser):
    html = client.get(SAVE_PATH).get_data(as_text=True)

    assert re.search(r'<input[^>]*name="name"[^>]*value="bakery, Mentoring"', html)


@pytest.mark.parametrize(
    ("answers", "messages"),
    [
        ({}, ["Enter a name for this search", "Select how often you want emails"]),
        ({"name": "   ", "frequency": "daily"}, ["Enter a name for this search"]),
        ({"name": "x" * 101, "frequency": "daily"}, ["Name must be 100 characters or fewer"]),
        ({"name": "Bakeries", "frequency": "hourly"}, ["Select how often you want emails"]),
    ],
)
def test_a_saved_search_needs_a_name_and_how_often(client, adviser, answers, messages):
    response = save(client, **answers)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_summary(html) == messages
    assert "<title>Error: " in html
    assert saved_by(adviser) == []


def test_saving_the_same_search_again_does_not_make_a_second_one(client, adviser):
    save(client, name="First", frequency="daily")

    response = client.get("/alerts/save?kind=mentoring&q=bakery")

    assert response.status_code == 302
    assert [saved.name for saved in saved_by(adviser)] == ["First"]
    assert "You have already saved this search as ‘First’" in client.get("/alerts").get_data(as_text=True)


def test_a_search_too_long_to_keep_is_refused_kindly(client, adviser):
    words = "😀" * 200  # 200 characters, but 2,400 once in a URL

    response = save(client, f"/alerts/save?q={words}", name="Long", frequency="daily")

    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "This search is too long to save. Use fewer search words"
    ]
    assert saved_by(adviser) == []


# Listing, changing and deleting


def test_the_saved_searches_page_lists_your_searches_with_links_to_run_them(client, adviser, make_user):
    make_saved_search(adviser, "kind=mentoring", name="Mentors", frequency=AlertFrequency.WEEKLY)
    make_saved_search(adviser, "", name="Everything")
    make_saved_search(make_user(Role.PERSONAL_ADVISER), "kind=job", name="Someone else’s")

    html = client.get("/alerts").get_data(as_text=True)

    assert "Mentors" in html
    assert "Everything" in html
    assert "Someone else’s" not in html
    assert 'href="/opportunities?kind=mentoring"' in html
    assert "Kind: Mentoring" in html
    assert "Every week" in html
    assert ">Saved searches<" in html  # the navigation item


def test_with_no_saved_searches_the_page_says_how_to_make_one(client, adviser):
    html = client.get("/alerts").get_data(as_text=True)

    assert "You have not saved any searches yet" in html


def test_changing_how_often(client, adviser):
    saved = make_saved_search(adviser, "kind=mentoring", name="Mentors")
    path = f"/alerts/{saved.id}/change"
    assert 'value="daily" checked' in client.get(path).get_data(as_text=True)

    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "name": "Mentors", "frequency": "weekly"}
    )

    assert response.status_code == 302
    assert saved.frequency == AlertFrequency.WEEKLY
    assert saved.query_string == "kind=mentoring"
    assert audit_actions(saved.id) == ["saved_search_changed"]


def test_changing_needs_a_name(client, adviser):
    saved = make_saved_search(adviser, name="Mentors")
    path = f"/alerts/{saved.id}/change"

    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "name": "", "frequency": "weekly"}
    )

    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == ["Enter a name for this search"]
    assert (saved.name, saved.frequency) == ("Mentors", AlertFrequency.DAILY)


def test_deleting_asks_first_then_deletes(client, adviser):
    saved = make_saved_search(adviser, name="Mentors")
    saved_id = saved.id
    path = f"/alerts/{saved_id}/delete"

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Are you sure you want to delete this saved search?" in confirm.get_data(as_text=True)
    assert saved_by(adviser) == [saved]

    response = client.post(path, data={"csrf_token": csrf_token(client, path)})

    assert response.status_code == 302
    assert saved_by(adviser) == []
    assert audit_actions(saved_id) == ["saved_search_deleted"]
    assert "‘Mentors’ has been deleted" in client.get("/alerts").get_data(as_text=True)


def test_deleting_without_the_form_token_deletes_nothing(client, adviser):
    saved = make_saved_search(adviser)

    assert client.post(f"/alerts/{saved.id}/delete").status_code == 400
    assert saved_by(adviser) == [saved]


def test_another_persons_saved_search_is_not_found(client, adviser, make_user):
    colleague = make_user(Role.PERSONAL_ADVISER)  # same authority, still not theirs
    theirs = make_saved_search(colleague, name="Theirs")

    assert client.get(f"/alerts/{theirs.id}/change").status_code == 404
    assert client.get(f"/alerts/{theirs.id}/delete").status_code == 404
    token = csrf_token(client, "/alerts/save")
    assert client.post(f"/alerts/{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    assert (
        client.post(
            f"/alerts/{theirs.id}/change", data={"csrf_token": token, "name": "Mine", "frequency": "weekly"}
        ).status_code
        == 404
    )
    assert saved_by(colleague) == [theirs]
    assert theirs.name == "Theirs"


def test_a_saved_search_that_does_not_exist_is_not_found(client, adviser):
    assert client.get("/alerts/999999/change").status_code == 404


# Sending alerts


def test_a_digest_lists_new_matches_with_links(app, runner, make_user, make_pledge, make_organisation):
    user = make_user(Role.PERSONAL_ADVISER, email="sam@example.org", name="Sam")
    saved = make_saved_search(user, "kind=mentoring", name="Mentors")
    bakery = make_organisation(name="Pennine Bakeries")
    match = publish(
        make_pledge, title="Mentoring with bakers", kind=PledgeKind.MENTORING, organisation=bakery
    )
    publish(make_pledge, title="A job, not mentoring", kind=PledgeKind.JOB)
    publish(make_pledge, hours_ago=48, title="Old mentoring", kind=PledgeKind.MENTORING)

    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "1 email queued from 1 saved search, 0 failed" in result.output
    [email] = alert_emails()
    assert email.to_address == "sam@example.org"
    assert email.subject == "1 new opportunity for one of your saved searches"  # no words of theirs in it
    assert "your saved search ‘Mentors’" in email.body
    assert "Mentoring with bakers\nPennine Bakeries\n" in email.body
    assert f"http://127.0.0.1:5000/opportunities/{match.id}\n" in email.body
    assert "http://127.0.0.1:5000/opportunities?kind=mentoring\n" in email.body
    assert "A job, not mentoring" not in email.body
    assert "Old mentoring" not in email.body
    assert unsubscribe_path(email).startswith("/alerts/unsubscribe/")
    assert saved.last_sent_at is not None


def test_running_twice_sends_nothing_twice(runner, make_user, make_pledge):
    user = make_user(Role.PERSONAL_ADVISER)
    make_saved_search(user)
    publish(make_pledge, title="First opportunity")

    send(runner)
    again = send(runner)

    assert "0 emails queued" in again.output
    assert len(alert_emails()) == 1

    publish(make_pledge, hours_ago=0, title="Second opportunity")
    send(runner)

    first, second = alert_emails()
    assert "Second opportunity" in second.body
    assert "First opportunity" not in second.body


def test_daily_runs_send_daily_searches_and_weekly_runs_weekly_ones(runner, make_user, make_pledge):
    daily = make_user(Role.PERSONAL_ADVISER, email="daily@example.org")
    weekly = make_user(Role.AUTHORITY_MANAGER, email="weekly@example.org")
    make_saved_search(daily, frequency=AlertFrequency.DAILY)
    make_saved_search(weekly, frequency=AlertFrequency.WEEKLY, alerted_through=utcnow() - timedelta(days=7))
    publish(make_pledge)

    send(runner, "daily")
    assert [email.to_address for email in alert_emails()] == ["daily@example.org"]

    send(runner, "weekly")
    assert [email.to_address for email in alert_emails()] == ["daily@example.org", "weekly@example.org"]


def test_no_email_when_nothing_new_matches(runner, make_user, make_pledge):
    make_saved_search(make_user(Role.PERSONAL_ADVISER), "kind=mentoring")
    publish(make_pledge, kind=PledgeKind.JOB)
    publish(make_pledge, hours_ago=30, kind=PledgeKind.MENTORING)  # before the search was last looked at

    result = send(runner)

    assert result.exit_code == 0
    assert alert_emails() == []


def test_only_opportunities_people_can_see_are_sent(runner, make_user, make_pledge):
    make_saved_search(make_user(Role.PERSONAL_ADVISER))
    make_pledge(status=PledgeStatus.DRAFT, title="Not published", published_at=None)
    publish(make_pledge, title="Paused now", status=PledgeStatus.PAUSED)

    send(runner)

    assert alert_emails() == []


def test_a_long_digest_lists_twenty_and_links_to_the_rest(runner, make_user, make_pledge):
    make_saved_search(make_user(Role.PERSONAL_ADVISER))
    for number in range(23):
        publish(make_pledge, hours_ago=1 + number / 100, title=f"Opportunity {number}")

    send(runner)

    [email] = alert_emails()
    assert email.subject.startswith("23 new opportunities")
    assert email.body.count("/opportunities/") == 20
    assert "Opportunity 0\n" in email.body  # the newest
    assert "Opportunity 22\n" not in email.body
    assert "And 3 more." in email.body


def test_a_search_that_fails_sends_nothing_and_the_others_still_go(
    runner, make_user, make_pledge, monkeypatch, caplog
):
    from covenant.alerts import digests

    broken = make_saved_search(make_user(Role.PERSONAL_ADVISER, email="broken@example.org"))
    make_saved_search(make_user(Role.PERSONAL_ADVISER, email="fine@example.org"))
    watermark = broken.alerted_through
    publish(make_pledge)
    real_queue_email = digests.queue_email

    def queue_email(to: str, template: str, **context: Any) -> Any:
        if to == "broken@example.org":
            raise RuntimeError("the template broke")
        return real_queue_email(to, template, **context)

    monkeypatch.setattr(digests, "queue_email", queue_email)

    result = send(runner)

    assert result.exit_code == 1
    assert "1 failed" in result.output
    assert [email.to_address for email in alert_emails()] == ["fine@example.org"]
    assert broken.alerted_through == watermark  # so the next run tries again
    assert f"Could not send alerts for saved search {broken.id}" in caplog.text


# Unsubscribing


def test_the_unsubscribe_link_shows_a_button_that_works_without_signing_in(
    client_request, runner, make_user, make_pledge
):
    """Council mail scanners open every link in an email: opening it changes nothing; the button does."""
    user = make_user(Role.PERSONAL_ADVISER)
    saved = make_saved_search(user, name="Mentors")
    publish(make_pledge)
    send(runner)
    [email] = alert_emails()

    page = client_request.get_url(unsubscribe_path(email))

    assert text_of(page, "h1") == "Stop emails about this saved search"
    assert "‘Mentors’" in text_of(page)
    db.session.refresh(saved)
    assert saved.unsubscribed_at is None
    assert audit_actions(saved.id) == []

    page = client_request.post_url(unsubscribe_path(email), _expected_status=200)

    assert text_of(page, "h1") == "You have unsubscribed"
    assert "‘Mentors’" in text_of(page)
    db.session.refresh(saved)
    assert saved.unsubscribed_at is not None
    assert audit_actions(saved.id) == ["saved_search_unsubscribed"]

    publish(make_pledge, hours_ago=0)
    send(runner)
    assert len(alert_emails()) == 1

    again = client_request.get_url(unsubscribe_path(email))  # opening the link again just says so
    assert text_of(again, "h1") == "You have unsubscribed"
    client_request.post_url(unsubscribe_path(email), _expected_status=200)  # a second press changes nothing
    assert audit_actions(saved.id) == ["saved_search_unsubscribed"]


def test_mail_programs_can_unsubscribe_in_one_click(client, runner, make_user, make_pledge):
    """The digest names its unsubscribe link for mail programs (List-Unsubscribe), which post to it without
    any CSRF token (RFC 8058); the signed token in the address is the proof. A forged address still fails."""
    user = make_user(Role.PERSONAL_ADVISER)
    saved = make_saved_search(user, name="Mentors")
    publish(make_pledge)
    send(runner)
    [email] = alert_emails()
    assert email.unsubscribe_url is not None
    assert email.unsubscribe_url.endswith(unsubscribe_path(email))

    forged = client.post(unsubscribe_path(email)[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 400
    db.session.refresh(saved)
    assert saved.unsubscribed_at is None

    response = client.post(unsubscribe_path(email), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.refresh(saved)
    assert saved.unsubscribed_at is not None
    assert audit_actions(saved.id) == ["saved_search_unsubscribed"]


def test_an_unsubscribed_search_shows_as_stopped_and_can_be_started_again(
    client, adviser, runner, make_pledge
):
    saved = make_saved_search(adviser, name="Mentors", unsubscribed_at=utcnow() - timedelta(days=3))
    publish(make_pledge, hours_ago=2)  # published while the emails were off
    assert "Stopped on" in client.get("/alerts").get_data(as_text=True)

    path = f"/alerts/{saved.id}/change"
    client.post(path, data={"csrf_token": csrf_token(client, path), "name": "Mentors", "frequency": "daily"})

    assert saved.unsubscribed_at is None
    send(runner)
    assert alert_emails() == []  # nothing from while they were off
    publish(make_pledge, hours_ago=0)
    send(runner)
    assert len(alert_emails()) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[: len(token) // 2],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_unsubscribe_link_gets_a_friendly_page(client, runner, make_user, make_pledge, tamper):
    saved = make_saved_search(make_user(Role.PERSONAL_ADVISER))
    publish(make_pledge)
    send(runner)
    path = unsubscribe_path(alert_emails()[0])
    token = path.rsplit("/", 1)[1]

    response = client.get(f"/alerts/unsubscribe/{tamper(token)}")

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    db.session.refresh(saved)
    assert saved.unsubscribed_at is None


def test_the_unsubscribe_link_of_a_deleted_search_says_there_is_nothing_to_stop(
    client, runner, make_user, make_pledge
):
    saved = make_saved_search(make_user(Role.PERSONAL_ADVISER))
    publish(make_pledge)
    send(runner)
    path = unsubscribe_path(alert_emails()[0])
    db.session.delete(saved)
    db.session.flush()

    response = client.get(path)

    assert response.status_code == 200
    assert "This saved search has been deleted" in response.get_data(as_text=True)


def test_confirmation_banners_show_the_message_not_html(client, adviser):
    save(client, name="<b>Bakers</b>", frequency="daily")

    html = client.get("/alerts").get_data(as_text=True)
    assert '<p class="govuk-notification-banner__heading">Search saved.' in html
    assert "&lt;p class=" not in html

    [saved] = saved_by(adviser)
    path = f"/alerts/{saved.id}/delete"
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    html = client.get("/alerts").get_data(as_text=True)
    assert "‘&lt;b&gt;Bakers&lt;/b&gt;’ has been deleted" in html  # what people type is still escaped
    assert "<b>Bakers</b>" not in html

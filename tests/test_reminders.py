"""`flask send-reminders`: organisations reminded after 5 working days without a reply (bank holidays and
weekends left out), advisers and coordinators told at 10, still-there questions 3 and 6 months after a start,
and DBS attestations renewed; each sent once however often the command runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from covenant.clock import add_working_days, uk_today, working_days_between
from covenant.extensions import db
from covenant.models import SustainmentCheck
from covenant.referrals.reminders import send_reminders
from covenant.vocab import UK_TIME_ZONE, DbsLevel, PledgeKind, ReferralStatus, Role
from tests.conftest import link_in, text_of

CHRISTMAS_WEEK = date(2026, 12, 21)  # a Monday; Friday 25 and Monday 28 December are bank holidays


def uk_midday(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=UK_TIME_ZONE)


def test_working_days_leave_out_weekends_and_bank_holidays() -> None:
    assert working_days_between(CHRISTMAS_WEEK, date(2026, 12, 24)) == 3
    assert (
        working_days_between(CHRISTMAS_WEEK, date(2026, 12, 29)) == 4
    )  # not Christmas, the weekend or Boxing Day (moved)
    assert add_working_days(CHRISTMAS_WEEK, 5) == date(2026, 12, 30)
    assert add_working_days(CHRISTMAS_WEEK, 10) == date(2027, 1, 7)  # not New Year's Day either


def templates(outbox, to: str) -> list[str]:
    return [email.template for email in outbox(to)]


def test_a_referral_with_no_reply_is_reminded_at_5_working_days_and_escalated_at_10_across_christmas(
    app, adviser, employer, make_user, make_care_leaver, make_pledge, make_referral, outbox
):
    coordinator = make_user(Role.COORDINATOR, email="cora@covenant.example")
    referral = make_referral(
        make_care_leaver(adviser), make_pledge(organisation=employer.organisation),
        status_changed_at=uk_midday(CHRISTMAS_WEEK),
    )  # fmt: skip

    with app.test_request_context():
        for day in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 6)):
            send_reminders(day)
        assert templates(outbox, employer.email) == ["referral_reminder"]  # on the 30th, once
        assert templates(outbox, adviser.email) == []
        send_reminders(date(2027, 1, 7))
        send_reminders(date(2027, 1, 8))

    assert templates(outbox, adviser.email) == ["referral_overdue"]
    assert templates(outbox, coordinator.email) == ["referral_overdue_coordinator"]
    assert templates(outbox, employer.email) == ["referral_reminder"]
    assert all(referral.care_leaver.first_name not in email.subject + email.body for email in outbox())


def test_an_answered_referral_is_not_reminded(
    app, adviser, employer, make_care_leaver, make_pledge, make_referral, outbox
):
    make_referral(
        make_care_leaver(adviser), make_pledge(organisation=employer.organisation), ReferralStatus.ACCEPTED,
        status_changed_at=uk_midday(uk_today() - timedelta(days=40)),
    )  # fmt: skip
    with app.test_request_context():
        run = send_reminders()
    assert (run.reminded, run.escalated) == (0, 0)
    assert outbox() == []


def test_jobs_ask_whether_the_young_person_is_still_there_at_3_and_6_months(
    app, client_request, adviser, employer, make_care_leaver, make_pledge, make_referral, outbox
):
    started = date(2026, 6, 15)
    job = make_pledge(
        organisation=employer.organisation, kind=PledgeKind.JOB, places_unlimited=True, places=None
    )
    referral = make_referral(make_care_leaver(adviser), job, ReferralStatus.STARTED, started_on=started)
    mentoring = make_pledge(organisation=employer.organisation, kind=PledgeKind.MENTORING)
    make_referral(make_care_leaver(adviser), mentoring, ReferralStatus.STARTED, started_on=started)

    with app.test_request_context():
        assert send_reminders(date(2026, 9, 14)).asked == 0
        assert send_reminders(date(2026, 9, 15)).asked == 1
        assert send_reminders(date(2026, 9, 16)).asked == 0
    [question] = outbox(employer.email)
    assert question.subject == "Is the young person still with you?"
    assert referral.care_leaver.first_name not in question.body

    yes = link_in(question)
    page = client_request.get_url(yes)  # opening the link records nothing
    assert text_of(page, "h1") == "Is the young person still with you?"
    assert db.session.scalars(select(SustainmentCheck.still_there)).one() is None
    client_request.post_url(
        urlsplit(yes).path, _data={"answer": "yes"}, _expected_redirect="/still-there/thank-you"
    )
    assert db.session.scalars(select(SustainmentCheck.still_there)).one() is True

    with app.test_request_context():
        assert send_reminders(date(2026, 12, 15)).asked == 1
    checks = db.session.scalars(select(SustainmentCheck.months).order_by(SustainmentCheck.months)).all()
    assert checks == [3, 6]


def test_a_forged_still_there_link_is_refused(client_request):
    page = client_request.get("referrals.still_there", token="made-up", _expected_status=400)
    assert text_of(page, "h1") == "This link has expired"


def test_organisations_are_asked_to_confirm_their_dbs_checks_before_12_months_are_up(
    app, employer, make_pledge, outbox
):
    pledge = make_pledge(
        organisation=employer.organisation, under_18_contact=True, contact_supervised=False,
        dbs_level=DbsLevel.ENHANCED_BARRED, dbs_confirmed_on=date(2026, 1, 20),
    )  # fmt: skip
    with app.test_request_context():
        assert send_reminders(date(2026, 12, 19)).dbs_reminded == 0
        assert send_reminders(date(2026, 12, 21)).dbs_reminded == 1
        assert send_reminders(date(2026, 12, 22)).dbs_reminded == 0
        pledge.dbs_confirmed_on = date(2026, 12, 22)  # confirmed again: the next reminder is a year away
        db.session.flush()
        assert send_reminders(date(2027, 1, 5)).dbs_reminded == 0
    assert templates(outbox, employer.email) == ["dbs_attestation_due"]


def test_the_command_says_what_it_sent(app, adviser):
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Reminders: 0 referrals reminded, 0 referrals escalated, 0 still-there questions asked, 0 DBS attestations due.\n"
    )

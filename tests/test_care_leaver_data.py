"""The lifecycle of a care leaver's data: removed at 26 or after 24 quiet months keeping outcomes, erased when
they ask, copied out in full for a subject access request, and every read and change in an audit trail a manager
can filter by person and date but nobody can change."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import textstat
from sqlalchemy import select, update

from covenant.audit import AuditTrailIsAppendOnly
from covenant.care_leavers.lifecycle import anonymise_expired
from covenant.clock import months_before, uk_today
from covenant.extensions import db
from covenant.models import (
    AuditEvent,
    CareLeaver,
    InterestRequest,
    Referral,
    ReferralFeedback,
    User,
)
from covenant.vocab import UK_TIME_ZONE, PledgeKind, ReferralStatus, Role
from tests.conftest import error_summary, normalise, text_of
from tests.pledge_answers import date_parts

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def manager(make_user):
    return make_user(Role.AUTHORITY_MANAGER, name="Morgan Manager")


def months_ago(months: int) -> datetime:
    return datetime.combine(months_before(uk_today(), months), datetime.min.time(), tzinfo=UK_TIME_ZONE)


def with_history(care_leaver, make_user, make_pledge, make_referral):
    """An account, a completed referral with feedback, and an "I'm interested" with a message."""
    account = make_user(
        Role.CARE_LEAVER,
        name=care_leaver.first_name,
        email=f"{care_leaver.first_name.lower()}@young.example",
        mobile="07700900123",
        local_authority_id=care_leaver.local_authority_id,
    )
    care_leaver.user = account
    pledge = make_pledge(title="Warehouse apprenticeship")
    referral = make_referral(
        care_leaver,
        pledge,
        ReferralStatus.COMPLETED,
        note="Lives with her nan in Armley",
        created_at=months_ago(3),
    )
    db.session.add(
        ReferralFeedback(referral=referral, useful=5, recommend=True, comment="My manager was kind")
    )
    db.session.add(
        InterestRequest(care_leaver=care_leaver, pledge=pledge, message="I like driving forklifts")
    )
    db.session.flush()
    return account, referral


def test_personal_details_go_at_26_or_after_24_quiet_months_and_outcomes_stay(
    app, adviser, make_care_leaver, make_user, make_pledge, make_referral
):
    turned_26 = make_care_leaver(adviser, first_name="Jordan", age=26, postcode_district="LS12")
    account, referral = with_history(turned_26, make_user, make_pledge, make_referral)
    quiet = make_care_leaver(adviser, first_name="Quiet", age=20)
    make_referral(quiet, make_pledge(), ReferralStatus.DID_NOT_START, created_at=months_ago(25))
    recently_referred = make_care_leaver(adviser, first_name="Busy", age=20)
    make_referral(recently_referred, make_pledge(), created_at=months_ago(1))
    just_25 = make_care_leaver(adviser, first_name="Young", age=25)
    db.session.execute(
        update(CareLeaver)
        .where(CareLeaver.id.in_([quiet.id, recently_referred.id]))
        .values(updated_at=months_ago(25), created_at=months_ago(30))
    )
    db.session.flush()
    born = turned_26.date_of_birth

    assert anonymise_expired() == 2
    db.session.expire_all()

    gone = db.session.get(CareLeaver, turned_26.id)
    assert gone.anonymised_at is not None
    assert (gone.first_name, gone.reference, gone.postcode_district) == (
        "Removed", f"REMOVED-{gone.id}", None
    )  # fmt: skip
    assert gone.date_of_birth == date(born.year, 1, 1)  # the year alone, for figures by age
    assert (gone.kinds, gone.outcome_areas) == ([], [])
    assert db.session.get(User, account.id) is None  # their account and mobile number
    kept = db.session.get(Referral, referral.id)
    assert kept.status == ReferralStatus.COMPLETED  # the outcome stays for statistics
    assert kept.note == "Removed"
    feedback = db.session.scalars(select(ReferralFeedback)).one()
    assert (feedback.useful, feedback.recommend, feedback.comment) == (5, True, None)
    assert db.session.scalars(select(InterestRequest.message)).all() == [None]
    assert db.session.get(CareLeaver, quiet.id).first_name == "Removed"
    assert db.session.get(CareLeaver, recently_referred.id).first_name == "Busy"  # a referral last month
    assert db.session.get(CareLeaver, just_25.id).first_name == "Young"
    reasons = db.session.scalars(
        select(AuditEvent.changes)
        .where(AuditEvent.action == "care_leaver_anonymised")
        .order_by(AuditEvent.id)
    ).all()
    assert sorted(reason["reason"] for reason in reasons) == ["aged 26", "no activity for 24 months"]

    db.session.commit()
    again = app.test_cli_runner().invoke(args=["anonymise-expired"])
    assert (again.exit_code, again.output) == (0, "Care leavers anonymised: 0.\n")  # safe to run again


def test_the_ages_and_months_can_be_set(app, adviser, make_care_leaver):
    twenty_three = make_care_leaver(adviser, first_name="Alex", age=23)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["anonymise-expired", "--age", "23"])
    assert result.output == "Care leavers anonymised: 1.\n"
    assert db.session.get(CareLeaver, twenty_three.id).first_name == "Removed"


def test_a_manager_answers_a_subject_access_request_with_everything_held(
    client_request, manager, adviser, make_care_leaver, make_user, make_pledge, make_referral
):
    jordan = make_care_leaver(adviser, first_name="Jordan", reference="LCS-777", kinds=[PledgeKind.JOB])
    with_history(jordan, make_user, make_pledge, make_referral)
    client_request.login(adviser)
    client_request.get("caseload.care_leaver", care_leaver_id=jordan.id)  # Priya looked at the record
    client_request.get("caseload.export", care_leaver_id=jordan.id, _expected_status=403)  # managers only

    client_request.login(manager)
    record_page = client_request.get("caseload.care_leaver", care_leaver_id=jordan.id)
    assert "Download everything we hold about Jordan" in text_of(record_page)
    response = client_request.client.get(f"/caseload/{jordan.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="covenant-LCS-777.json"'
    held = json.loads(response.data)

    assert held["record"]["first_name"] == "Jordan"
    assert held["record"]["reference"] == "LCS-777"
    assert held["record"]["interested_in"] == ["Job"]
    assert held["account"]["email"] == "jordan@young.example"
    assert held["account"]["mobile"] == "07700900123"
    [referral] = held["referrals"]
    assert referral["opportunity"] == "Warehouse apprenticeship"
    assert referral["note_to_the_organisation"] == "Lives with her nan in Armley"
    assert referral["status"] == "Completed"
    assert referral["how_it_went"] == {
        "useful_out_of_5": 5,
        "would_recommend": True,
        "comment": "My manager was kind",
    }
    assert held["asked_about"][0]["message"] == "I like driving forklifts"
    seen = [(event["who"], event["what"]) for event in held["who_saw_or_changed_it"]]
    assert ("Priya Adviser", "care_leaver_viewed") in seen
    assert ("Morgan Manager", "care_leaver_viewed") in seen


def test_a_manager_erases_a_care_leaver_who_asks_and_their_referrals_stay(
    client_request, manager, adviser, make_care_leaver, make_user, make_pledge, make_referral
):
    jordan = make_care_leaver(adviser, first_name="Jordan")
    account, referral = with_history(jordan, make_user, make_pledge, make_referral)
    account_id = account.id
    client_request.login(adviser)
    client_request.get("caseload.erase", care_leaver_id=jordan.id, _expected_status=403)

    client_request.login(manager)
    page = client_request.get("caseload.erase", care_leaver_id=jordan.id)
    assert text_of(page, "h1") == "Erase Jordan’s personal details"
    client_request.post("caseload.erase", care_leaver_id=jordan.id, _expected_redirect="/caseload")
    assert db.session.get(User, account_id) is None
    assert db.session.get(Referral, referral.id).status == ReferralStatus.COMPLETED
    # Their record is gone from every list and page; the address answers as if it never existed.
    assert "Jordan" not in text_of(client_request.get("caseload.index"))
    client_request.get("caseload.care_leaver", care_leaver_id=jordan.id, _expected_status=404)
    client_request.post("caseload.erase", care_leaver_id=jordan.id, _expected_status=404)  # a second click
    [erased] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "care_leaver_anonymised"))
    assert (erased.actor_id, erased.changes) == (manager.id, {"reason": "erased on request"})


def test_a_manager_filters_the_audit_trail_by_person_and_date(
    client_request, manager, adviser, make_user, make_care_leaver, authority
):
    other_adviser = make_user(Role.PERSONAL_ADVISER, name="Olu Adviser")
    jordan = make_care_leaver(adviser, first_name="Jordan", reference="LCS-1")
    casey = make_care_leaver(other_adviser, first_name="Casey", reference="LCS-2")
    make_care_leaver(
        make_user(Role.PERSONAL_ADVISER, local_authority_id=authority("E08000025").id), reference="BHM-1"
    )
    for who, care_leaver in [(adviser, jordan), (other_adviser, casey), (manager, jordan)]:
        client_request.login(who)
        client_request.get("caseload.care_leaver", care_leaver_id=care_leaver.id)
    long_ago = AuditEvent(
        action="care_leaver_changed",
        subject_type="care_leaver",
        subject_id=jordan.id,
        actor_id=adviser.id,
        occurred_at=datetime(2026, 1, 15, 12, tzinfo=UK_TIME_ZONE),
    )
    db.session.add(long_ago)
    db.session.flush()

    client_request.login(manager)
    everything = client_request.get("caseload.audit_events")
    assert [normalise(legend.get_text()) for legend in everything.select("legend")] == [
        "From (optional)",
        "To (optional)",
    ]
    rows = [normalise(row.get_text(" ")) for row in everything.select("tbody tr")]
    assert any(
        "Priya Adviser" in row and "Looked at a care leaver’s record" in row and "LCS-1" in row
        for row in rows
    )
    assert any("Olu Adviser" in row and "LCS-2" in row for row in rows)
    assert "BHM-1" not in text_of(everything)  # another authority's care leavers are not theirs to see

    by_olu = client_request.get("caseload.audit_events", who=other_adviser.id)
    assert {normalise(row.select("td")[1].get_text()) for row in by_olu.select("tbody tr")} == {"Olu Adviser"}

    about_jordan = client_request.get("caseload.audit_events", reference="lcs-1")
    assert all("LCS-1" in row.get_text() for row in about_jordan.select("tbody tr"))
    assert "Olu Adviser" not in text_of(about_jordan, "tbody")  # Olu only looked at Casey
    assert "Morgan Manager" in text_of(about_jordan, "tbody")

    in_january = client_request.get(
        "caseload.audit_events",
        **date_parts("since", date(2026, 1, 1)),
        **date_parts("until", date(2026, 1, 31)),
    )
    [row] = in_january.select("tbody tr")
    assert "Changed a care leaver’s record" in normalise(row.get_text(" "))
    assert "15 January 2026" in normalise(row.get_text(" "))

    backwards = client_request.get(
        "caseload.audit_events",
        _expected_status=400,
        **date_parts("since", date(2026, 1, 2)),
        **date_parts("until", date(2026, 1, 1)),
    )
    assert error_summary(backwards) == ["The to date must be the same as or after the from date"]
    unknown = client_request.get("caseload.audit_events", reference="BHM-1", _expected_status=400)
    assert error_summary(unknown) == ["Your authority has no care leaver with this reference"]
    client_request.login(adviser)
    client_request.get("caseload.audit_events", _expected_status=403)


def test_nobody_can_change_or_delete_the_audit_trail(app, adviser, make_care_leaver):
    make_care_leaver(adviser)
    event = AuditEvent(
        action="care_leaver_viewed", subject_type="care_leaver", subject_id=1, actor_id=adviser.id
    )
    db.session.add(event)
    db.session.flush()
    event.action = "nothing_to_see"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(update(AuditEvent).values(action="nothing_to_see"))


def test_the_privacy_notice_tells_a_young_person_plainly_what_is_kept_and_for_how_long(client_request):
    notice = client_request.get("main.privacy")
    words = text_of(notice)
    for said in ("until you are 26", "24 months", "ask for a copy", "erase your details", "Who can see it"):
        assert said in words, said
    for_young_people = words[
        words.index("If you are a care leaver") : words.index("If you use the service at work")
    ]
    assert textstat.flesch_reading_ease(for_young_people) >= 60

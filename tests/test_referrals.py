"""Brokerage: an adviser refers a care leaver to a pledge, the organisation responds, and take-up is followed to
the end; places are never overbooked; the organisation sees only what it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from covenant.clock import uk_today
from covenant.extensions import db
from covenant.models import AuditEvent, Pledge, Referral
from covenant.referrals.operations import ReferralRefused, move
from covenant.vocab import (
    REFERRAL_TRANSITIONS,
    DbsLevel,
    PledgeKind,
    PledgeStatus,
    Reach,
    ReferralStatus,
    Role,
)
from tests.conftest import banner, error_summary, text_of


def test_an_adviser_refers_and_the_organisation_takes_it_to_completion(
    client_request, adviser, employer, make_care_leaver, make_pledge, outbox
):
    sam = make_care_leaver(adviser, first_name="Sam", age=19)
    pledge = make_pledge(organisation=employer.organisation, places=2, title="Warehouse work experience")
    client_request.login(adviser)

    page = client_request.get("referrals.refer_to", care_leaver_id=sam.id, pledge_id=pledge.id)
    assert text_of(page, "h1") == "Refer Sam to ‘Warehouse work experience’"
    check = client_request.post(
        "referrals.refer_to",
        care_leaver_id=sam.id,
        pledge_id=pledge.id,
        _data={"note": "Sam is keen on logistics.", "checked": ""},
        _expected_status=200,
    )
    assert text_of(check, "h1") == f"Check what {employer.organisation.name} will see"
    shown = text_of(check, ".govuk-summary-list")
    assert "Sam" in shown
    assert "19" in shown
    assert "Priya Adviser" in shown
    assert "priya@leeds.example" in shown
    assert "Sam is keen on logistics." in shown
    assert sam.reference not in shown
    assert db.session.scalars(select(Referral)).all() == []  # nothing is sent until they confirm

    client_request.post(
        "referrals.refer_to",
        care_leaver_id=sam.id,
        pledge_id=pledge.id,
        _data={"note": "Sam is keen on logistics.", "checked": "yes"},
    )
    referral = db.session.scalars(select(Referral)).one()
    assert referral.status == ReferralStatus.REFERRED
    to_organisation = [email for email in outbox() if email.template == "referral_received"]
    assert {email.to_address for email in to_organisation} == {employer.email, pledge.contact_email}
    assert {email.subject for email in to_organisation} == {"A new referral for your pledge"}
    assert all("Sam" not in email.body for email in to_organisation)
    assert all("Please reply within 5 working days" in email.body for email in to_organisation)

    client_request.login(employer)
    seen = client_request.get("referrals.organisation_referral", referral_id=referral.id)
    assert "Sam" in text_of(seen)
    assert "Priya Adviser" in text_of(seen)
    assert sam.reference not in text_of(seen)
    assert sam.date_of_birth.isoformat() not in str(seen)
    for status in (ReferralStatus.ACCEPTED, ReferralStatus.STARTED, ReferralStatus.COMPLETED):
        client_request.post(
            "referrals.respond", referral_id=referral.id, status=status.value, _data={"reason": ""}
        )
        assert db.session.get(Referral, referral.id).status == status
    assert db.session.get(Pledge, pledge.id).places_taken == 1
    assert db.session.get(Referral, referral.id).started_on == uk_today()

    client_request.login(adviser)
    home = client_request.get("caseload.index")
    assert "Sam" in text_of(home, "main")
    timeline = client_request.get("referrals.referral", referral_id=referral.id)
    assert [item.get_text(strip=True) for item in timeline.select(".moj-timeline__title")] == [
        "Completed",
        "Started",
        "Accepted",
        "Waiting for a reply",
    ]
    updates = [email for email in outbox("priya@leeds.example") if email.template == "referral_update"]
    assert len(updates) == 3
    assert all("Sam" not in email.subject for email in updates)
    reads = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "referral_viewed")).all()
    assert len(reads) >= 2


@pytest.mark.parametrize("start", list(ReferralStatus))
def test_every_move_the_table_allows_is_made_and_every_other_is_refused(
    start, adviser, employer, make_care_leaver, make_pledge, make_referral, app
):
    for to in ReferralStatus:
        pledge = make_pledge(organisation=employer.organisation, places=5)
        referral = make_referral(make_care_leaver(adviser), pledge, status=start)
        with app.test_request_context():
            if to in REFERRAL_TRANSITIONS[start]:
                move(referral, to, employer)
                assert referral.status == to
            else:
                with pytest.raises(ReferralRefused, match=f"cannot be marked {to.label.lower()}"):
                    move(referral, to, employer)
                assert referral.status == start


def test_a_refused_move_is_a_clear_message_not_a_500(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral
):
    referral = make_referral(
        make_care_leaver(adviser), make_pledge(organisation=employer.organisation), ReferralStatus.DECLINED
    )
    client_request.login(employer)

    client_request.post(
        "referrals.respond",
        referral_id=referral.id,
        status="accepted",
        _expected_redirect=f"/organisation/referrals/{referral.id}",
    )
    page = client_request.get("referrals.organisation_referral", referral_id=referral.id)
    assert banner(page) == "This referral is declined, so it cannot be marked accepted"
    assert client_request.client.get(f"/organisation/referrals/{referral.id}/nonsense").status_code == 404


def test_places_left_follow_the_referrals_and_a_full_pledge_has_a_waiting_list(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral, app, outbox
):
    pledge = make_pledge(organisation=employer.organisation, places=1)
    first = make_referral(make_care_leaver(adviser), pledge, ReferralStatus.ACCEPTED)
    assert db.session.get(Pledge, pledge.id).places_left == 0
    later, latest = make_care_leaver(adviser, first_name="Kai"), make_care_leaver(adviser, first_name="Lee")
    client_request.login(adviser)
    for care_leaver in (later, latest):
        client_request.post(
            "referrals.refer_to", care_leaver_id=care_leaver.id, pledge_id=pledge.id,
            _data={"note": "Please consider them.", "checked": "yes"},
        )  # fmt: skip
    waiting = db.session.scalars(
        select(Referral).where(Referral.status == ReferralStatus.WAITING).order_by(Referral.id)
    ).all()
    assert [referral.care_leaver.first_name for referral in waiting] == ["Kai", "Lee"]

    client_request.login(employer)
    listing = client_request.get("referrals.organisation_referrals")
    assert "Waiting lists" in text_of(listing)
    client_request.post(
        "referrals.respond", referral_id=first.id, status="did_not_start", _data={"reason": "Did not come"}
    )

    assert db.session.get(Referral, waiting[0].id).status == ReferralStatus.REFERRED  # the first in line
    assert db.session.get(Referral, waiting[1].id).status == ReferralStatus.WAITING
    assert db.session.get(Pledge, pledge.id).places_taken == 0


def test_accepting_when_every_place_is_taken_is_refused(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral
):
    pledge = make_pledge(organisation=employer.organisation, places=1)
    make_referral(make_care_leaver(adviser), pledge, ReferralStatus.ACCEPTED)
    second = make_referral(make_care_leaver(adviser), pledge, ReferralStatus.REFERRED)
    client_request.login(employer)

    page = client_request.post(
        "referrals.respond", referral_id=second.id, status="accepted", _data={}, _expected_status=400
    )

    assert error_summary(page) == [
        "There are no places left on this opportunity. Decline the referral, or add a place first"
    ]
    assert db.session.get(Referral, second.id).status == ReferralStatus.REFERRED
    assert db.session.get(Pledge, pledge.id).places_taken == 1


def born(years: int, days: int = 0):
    today = uk_today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday + timedelta(days=days)


@pytest.mark.parametrize(
    ("date_of_birth", "allowed"),
    [
        (lambda: born(18, days=1), False),
        (lambda: born(18), True),
        (lambda: born(17), False),
        (lambda: born(19), True),
    ],
    ids=["17 years 364 days", "18 today", "17", "19"],
)
def test_under_18s_reach_unsupervised_roles_only_with_a_current_enhanced_barred_list_check(
    client_request, adviser, employer, make_care_leaver, make_pledge, date_of_birth, allowed
):
    young = make_care_leaver(adviser, first_name="Jo", date_of_birth=date_of_birth())
    unsupervised = make_pledge(
        organisation=employer.organisation, min_age=16, under_18_contact=True, contact_supervised=False,
        dbs_level=DbsLevel.ENHANCED,
    )  # fmt: skip
    client_request.login(adviser)

    page = client_request.get(
        "referrals.refer_to",
        care_leaver_id=young.id,
        pledge_id=unsupervised.id,
        _expected_status=200 if allowed else 400,
    )

    if allowed:
        assert not page.select(".govuk-warning-text")
    else:
        assert "Jo is under 18" in text_of(page, ".govuk-warning-text")
        assert "enhanced DBS checks with the children’s barred list" in text_of(page, ".govuk-warning-text")
        assert not page.select("textarea")


def test_an_out_of_date_dbs_attestation_stops_under_18_referrals(
    client_request, adviser, employer, make_care_leaver, make_pledge
):
    young = make_care_leaver(adviser, first_name="Jo", age=17)
    pledge = make_pledge(
        organisation=employer.organisation, min_age=16, under_18_contact=True, contact_supervised=False,
        dbs_level=DbsLevel.ENHANCED_BARRED, dbs_confirmed_on=uk_today() - timedelta(days=400),
    )  # fmt: skip
    client_request.login(adviser)
    page = client_request.get(
        "referrals.refer_to", care_leaver_id=young.id, pledge_id=pledge.id, _expected_status=400
    )
    assert "last confirmed its DBS checks for this role more than 12 months ago" in text_of(
        page, ".govuk-warning-text"
    )

    pledge.dbs_confirmed_on = uk_today() - timedelta(days=30)
    db.session.flush()
    client_request.get("referrals.refer_to", care_leaver_id=young.id, pledge_id=pledge.id)


def test_a_care_leaver_outside_the_pledges_ages_is_told_why(
    client_request, adviser, employer, make_care_leaver, make_pledge
):
    older = make_care_leaver(adviser, first_name="Max", age=24)
    pledge = make_pledge(organisation=employer.organisation, min_age=16, max_age=21)
    client_request.login(adviser)
    page = client_request.get(
        "referrals.refer_to", care_leaver_id=older.id, pledge_id=pledge.id, _expected_status=400
    )
    assert "Max is 24, and this opportunity is for people aged 16 to 21" in text_of(page)


def test_a_second_referral_to_the_same_pledge_is_refused(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral
):
    sam = make_care_leaver(adviser, first_name="Sam")
    pledge = make_pledge(organisation=employer.organisation)
    make_referral(sam, pledge)
    client_request.login(adviser)
    page = client_request.post(
        "referrals.refer_to", care_leaver_id=sam.id, pledge_id=pledge.id,
        _data={"note": "Again", "checked": "yes"}, _expected_status=400,
    )  # fmt: skip
    assert error_summary(page) == ["Sam has already been referred to this opportunity"]


def test_the_organisation_exports_first_names_and_ages_only(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral
):
    sam = make_care_leaver(adviser, first_name="=Sam", age=20)
    make_referral(sam, make_pledge(organisation=employer.organisation, title="Mentoring"))
    make_referral(make_care_leaver(adviser, first_name="Other"), make_pledge())  # another organisation's
    client_request.login(employer)

    response = client_request.client.get("/organisation/referrals.csv")

    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Referral,Opportunity,First name,Age,Status,Referred on,Started on"
    assert len(lines) == 2
    assert ",Mentoring,'=Sam,20,Waiting for a reply," in lines[1]
    assert sam.reference not in response.get_data(as_text=True)


def test_organisations_and_other_authorities_never_see_a_care_leaver_or_referral(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral, make_user, authority
):
    sam = make_care_leaver(adviser)
    referral = make_referral(sam, make_pledge(organisation=employer.organisation))
    camden_adviser = make_user(Role.PERSONAL_ADVISER, local_authority=authority("E09000007"))
    other_employer = make_user(Role.ORGANISATION_ADMIN)

    client_request.login(camden_adviser)
    for endpoint, args in [
        ("caseload.care_leaver", {"care_leaver_id": sam.id}),
        ("caseload.change", {"care_leaver_id": sam.id}),
        ("referrals.find_for", {"care_leaver_id": sam.id}),
        ("referrals.referral", {"referral_id": referral.id}),
        ("referrals.withdraw", {"referral_id": referral.id}),
    ]:
        client_request.get(endpoint, _expected_status=404, **args)
    client_request.login(other_employer)
    client_request.get("referrals.organisation_referral", referral_id=referral.id, _expected_status=404)
    client_request.get("referrals.respond", referral_id=referral.id, status="accepted", _expected_status=404)
    client_request.login(employer)
    client_request.get("caseload.care_leaver", care_leaver_id=sam.id, _expected_status=403)


def test_pledge_status_draft_is_not_referrable(
    client_request, adviser, employer, make_care_leaver, make_pledge
):
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.DRAFT)
    client_request.login(adviser)
    client_request.get(
        "referrals.refer_to",
        care_leaver_id=make_care_leaver(adviser).id,
        pledge_id=pledge.id,
        _expected_status=404,
    )


def test_finding_opportunities_for_a_care_leaver_fills_in_the_search_and_offers_to_refer_them(
    client_request, adviser, employer, make_care_leaver, make_pledge, authority
):
    leeds = authority()
    sam = make_care_leaver(adviser, first_name="Sam", age=19, kinds=[PledgeKind.JOB])
    near = make_pledge(organisation=employer.organisation, title="Leeds warehouse job", kind=PledgeKind.JOB,
                       reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])  # fmt: skip
    too_young = make_pledge(organisation=employer.organisation, title="Job for 16 to 18s", kind=PledgeKind.JOB,
                            min_age=16, max_age=18)  # fmt: skip
    mentoring = make_pledge(organisation=employer.organisation, title="Mentoring", kind=PledgeKind.MENTORING)
    client_request.login(adviser)

    response = client_request.client.get(f"/caseload/{sam.id}/opportunities")
    location = response.headers["Location"]
    for part in ("where=E08000035", "distance=10", "kind=job", "age=19"):
        assert part in location
    page = client_request.get_url(location.split("#")[0])

    assert "You are finding opportunities for Sam" in text_of(page)
    titles = [link.get_text() for link in page.select(".covenant-result h3 a")]
    assert near.title in titles
    assert too_young.title not in titles  # the age filter leaves out what they are too old for
    assert mentoring.title not in titles
    [refer] = [
        link
        for link in page.select(".covenant-result a")
        if link.get_text(" ", strip=True) == f"Refer Sam to {near.title}"
    ]
    assert refer["href"] == f"/caseload/{sam.id}/refer/{near.id}"

    pledge_page = client_request.get("opportunities.show", pledge_id=too_young.id)
    assert "Sam is 19, and this opportunity is for people aged 16 to 18" in text_of(pledge_page)
    client_request.post("referrals.stop_finding", _expected_redirect=f"/caseload/{sam.id}")
    assert "finding opportunities for Sam" not in text_of(client_request.get("opportunities.index"))


def test_a_care_leaver_who_does_not_know_their_adviser_can_reach_the_leaving_care_team(
    client_request, make_pledge, authority
):
    leeds = authority()
    leeds.team_phone, leeds.team_email, leeds.team_hours = (
        "0113 378 0000",
        "leaving.care@leeds.example",
        "Weekdays, 9 to 5",
    )
    pledge = make_pledge()
    db.session.flush()

    page = client_request.get("opportunities.show", pledge_id=pledge.id)
    assert "Not sure who your adviser is?" in text_of(page)
    assert [option["value"] for option in page.select("#team option")] == ["", "E08000035"]

    chosen = client_request.get_url(f"/opportunities/{pledge.id}?team=E08000035")
    assert "Contact the leaving care team at Leeds" in text_of(chosen)
    assert chosen.select_one('a[href="tel:01133780000"]') is not None
    assert "leaving.care@leeds.example" in text_of(chosen)


def test_the_organisations_home_page_says_how_many_referrals_wait_for_it(
    client_request, adviser, employer, make_care_leaver, make_pledge, make_referral
):
    client_request.login(employer)
    assert "No personal adviser has referred anyone to your pledges yet" in text_of(
        client_request.get("organisations.dashboard")
    )
    pledge = make_pledge(organisation=employer.organisation)
    make_referral(make_care_leaver(adviser), pledge)
    make_referral(make_care_leaver(adviser), pledge)
    make_referral(make_care_leaver(adviser), pledge, ReferralStatus.STARTED)

    home = text_of(client_request.get("organisations.dashboard"))

    assert "2 to accept or decline" in home
    assert "1 accepted or started" in home

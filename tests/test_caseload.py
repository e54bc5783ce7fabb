"""Caseloads: an adviser records only what referrals need about a care leaver; a manager sees the authority's,
moves care leavers between advisers and deactivates an adviser who leaves; nobody sees another authority's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from covenant.clock import uk_today, utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, CareLeaver, User
from covenant.vocab import OutcomeArea, PledgeKind, ReferralStatus, Role
from tests.conftest import error_summary, text_of
from tests.pledge_answers import date_parts

CAMDEN = "E09000007"


def new_care_leaver(authority, **changes):
    today = uk_today()
    return {
        "reference": "LCS-104233",
        "first_name": "Sam",
        **date_parts("date_of_birth", today.replace(year=today.year - 19)),
        "lives_in": str(authority().id),
        "postcode_district": "ls6",
        "kinds": ["job", "apprenticeship"],
        "outcome_areas": ["education_employment_training"],
        **date_parts("consented_on", today - timedelta(days=2)),
        **changes,
    }


def test_an_adviser_adds_a_care_leaver_with_only_what_referrals_need(client_request, adviser, authority):
    client_request.login(adviser)
    form = client_request.get("caseload.add")
    assert "Do not add a surname, address, health details, ethnicity or case notes" in text_of(form)
    assert "Whose caseload" not in text_of(form)  # an adviser's go on their own

    client_request.post("caseload.add", _data=new_care_leaver(authority))

    sam = db.session.scalars(select(CareLeaver)).one()
    assert (sam.reference, sam.first_name, sam.postcode_district) == ("LCS-104233", "Sam", "LS6")
    assert sam.adviser_id == adviser.id
    assert sam.local_authority_id == adviser.local_authority_id
    assert sam.kinds == [PledgeKind.APPRENTICESHIP, PledgeKind.JOB]  # in the vocabulary's order
    assert sam.outcome_areas == [OutcomeArea.EDUCATION_EMPLOYMENT]
    assert set(CareLeaver.__table__.columns.keys()) == {
        "id", "local_authority_id", "adviser_id", "reference", "first_name", "date_of_birth", "lives_in_id",
        "postcode_district", "consented_on", "created_at", "updated_at", "user_id", "anonymised_at",
    }  # fmt: skip
    page = client_request.get("caseload.care_leaver", care_leaver_id=sam.id)
    assert text_of(page, "h1") == "Sam (LCS-104233)"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "care_leaver")
    ).all()
    assert actions == ["care_leaver_added", "care_leaver_viewed"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": ""}, "Enter your authority’s reference for them"),
        ({"first_name": ""}, "Enter their first name"),
        ({"lives_in": ""}, "Select the council area they live in"),
        ({"postcode_district": "Leeds"}, "Enter the first part of a postcode, like LS6 or SW1A"),
        ({"consented_on": ["", "", ""]}, "Enter the date they agreed to their details being used"),
        ({"date_of_birth": ["1", "1", "1990"]}, "They must be aged 16 to 25. By that date of birth they are"),
    ],
)
def test_each_answer_is_checked_in_plain_words(client_request, adviser, authority, changes, message):
    client_request.login(adviser)
    page = client_request.post(
        "caseload.add", _data=new_care_leaver(authority, **changes), _expected_status=400
    )
    assert any(error.startswith(message) for error in error_summary(page)), error_summary(page)


def test_a_reference_is_used_once_in_an_authority(client_request, adviser, authority, make_care_leaver):
    make_care_leaver(adviser, reference="LCS-104233")
    client_request.login(adviser)
    page = client_request.post(
        "caseload.add", _data=new_care_leaver(authority, reference="lcs-104233"), _expected_status=400
    )
    assert error_summary(page) == ["Your authority already has a care leaver with this reference"]


def test_the_home_page_lists_what_needs_the_adviser(
    client_request, adviser, make_care_leaver, make_pledge, make_referral
):
    pledge = make_pledge(title="Bakery apprenticeship")
    answered = make_referral(
        make_care_leaver(adviser, first_name="Ade"),
        pledge,
        ReferralStatus.DECLINED,
        adviser_attention_since=utcnow(),
    )
    make_referral(make_care_leaver(adviser, first_name="Bea"), pledge, ReferralStatus.REFERRED)
    quiet = make_care_leaver(adviser, first_name="Cal")
    quiet.created_at = utcnow() - timedelta(days=120)
    other_caseload = make_care_leaver(first_name="Dee")
    client_request.login(adviser)

    home = client_request.get("caseload.index")

    tables = {heading.get_text(): heading.find_next(["table", "ul"]) for heading in home.select("main h2")}
    assert "Ade" in tables["Referrals that need you"].get_text()
    assert "Bea" in tables["Waiting for an organisation to reply"].get_text()
    assert "Cal" in tables["No referral in the last 3 months"].get_text()
    assert other_caseload.first_name not in text_of(home)

    client_request.post("referrals.seen", referral_id=answered.id, _expected_redirect="/caseload")
    assert "Nothing needs you at the moment" in text_of(client_request.get("caseload.index"))


def test_a_manager_sees_the_authority_moves_caseloads_and_deactivates_a_leaver(
    client_request, adviser, make_user, make_care_leaver, client, app
):
    manager = make_user(Role.AUTHORITY_MANAGER, name="Mo Manager")
    colleague = make_user(Role.PERSONAL_ADVISER, name="Kim Colleague")
    sam = make_care_leaver(adviser, first_name="Sam")
    client_request.login(manager)
    assert "Sam" in text_of(client_request.get("caseload.index"))

    blocked = client_request.post("caseload.deactivate_adviser", user_id=adviser.id, _expected_status=400)
    assert error_summary(blocked) == ["Move Priya Adviser’s 1 care leaver to other advisers first"]
    client_request.post("caseload.move_caseload", care_leaver_id=sam.id, _data={"adviser": str(colleague.id)})
    assert db.session.get(CareLeaver, sam.id).adviser_id == colleague.id
    client_request.post(
        "caseload.deactivate_adviser", user_id=adviser.id, _expected_redirect="/caseload/advisers"
    )

    assert db.session.get(User, adviser.id).deactivated_at is not None
    leaver = client_request.__class__(app.test_client(), app)
    leaver.login(adviser)  # their sessions have ended
    leaver.get("caseload.index", _expected_status=302)


def test_advisers_cannot_move_caseloads_or_deactivate(client_request, adviser, make_care_leaver, make_user):
    sam = make_care_leaver(adviser)
    client_request.login(adviser)
    client_request.get("caseload.move_caseload", care_leaver_id=sam.id, _expected_status=403)
    client_request.get(
        "caseload.deactivate_adviser", user_id=make_user(Role.PERSONAL_ADVISER).id, _expected_status=403
    )


def test_nobody_sees_another_authoritys_care_leavers(
    client_request, adviser, make_care_leaver, make_user, authority
):
    sam = make_care_leaver(adviser, first_name="Sam")
    camden_manager = make_user(Role.AUTHORITY_MANAGER, local_authority=authority(CAMDEN))
    client_request.login(camden_manager)

    assert "Sam" not in text_of(client_request.get("caseload.index"))
    for endpoint in ("caseload.care_leaver", "caseload.change", "caseload.move_caseload"):
        client_request.get(endpoint, care_leaver_id=sam.id, _expected_status=404)
    client_request.get("caseload.deactivate_adviser", user_id=adviser.id, _expected_status=404)


def test_the_leaving_care_teams_details_are_kept_by_the_manager(client_request, make_user):
    manager = client_request.login(make_user(Role.AUTHORITY_MANAGER))
    page = client_request.post("authorities.team_contact", _data={}, _expected_status=400)
    assert error_summary(page) == [
        "Enter a phone number or an email address, so care leavers can get in touch"
    ]

    client_request.post(
        "authorities.team_contact",
        _data={
            "team_phone": "0113 378 0000",
            "team_email": "leaving.care@leeds.example",
            "team_hours": "Monday to Friday, 9am to 5pm",
        },
        _expected_redirect="/authority",
    )
    assert manager.local_authority.team_phone == "0113 378 0000"
    assert "leaving.care@leeds.example" in text_of(client_request.get("authorities.dashboard"))

"""Care leavers' own accounts: their adviser invites them; they sign in with a password or an emailed link; they
see what is suggested and why, follow their referrals in plain words, say "I'm interested", stop a referral, choose
texts, and say how it went. Every page they see reads easily for a 16-year-old."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import textstat
from sqlalchemy import select

from covenant.clock import uk_today
from covenant.email import send_pending
from covenant.extensions import db
from covenant.models import CareLeaver, InterestRequest, Referral, ReferralFeedback, User
from covenant.vocab import PledgeKind, Reach, ReferralStatus, Role
from tests.conftest import error_summary, link_in, text_of

pytestmark = pytest.mark.usefixtures("quick_hashing")
READING_EASE = 60  # Flesch reading ease: 60 or more reads easily at 16


@pytest.fixture
def sam(make_care_leaver, adviser):
    return make_care_leaver(adviser, first_name="Sam", age=19, kinds=[PledgeKind.JOB])


@pytest.fixture
def young_person(make_user, sam):
    """Sam with an account of their own."""
    user = make_user(
        Role.CARE_LEAVER, name="Sam", email="sam@young.example", local_authority_id=sam.local_authority_id
    )
    sam.user = user
    db.session.flush()
    return user


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_an_adviser_invites_a_young_person_who_makes_an_account_with_a_password(
    client_request, adviser, sam, outbox, app
):
    client_request.login(adviser)
    assert "Give Sam their own account" in text_of(
        client_request.get("caseload.care_leaver", care_leaver_id=sam.id)
    )
    client_request.post("caseload.invite", care_leaver_id=sam.id, _data={"email": "Sam@Young.example"})
    [invitation] = outbox("sam@young.example")
    assert invitation.subject == "Your adviser has made you an account"

    newcomer = client_request.__class__(app.test_client(), app)
    join = path_of(link_in(invitation))
    page = newcomer.get_url(join)
    assert text_of(page, "h1") == "Make your account"
    newcomer.post_url(
        join,
        _data={"how": "password", "password": "glass rocket river", "confirm_password": "glass rocket river"},
        _expected_redirect="/my",
    )
    user = db.session.scalars(select(User).where(User.email == "sam@young.example")).one()
    assert (user.role, user.name) == (Role.CARE_LEAVER, "Sam")
    assert db.session.get(CareLeaver, sam.id).user_id == user.id
    home = newcomer.get("care_leavers.home")
    assert text_of(home, "h1") == "Hi Sam"
    newcomer.get_url(join, _expected_status=400)  # the invitation works once


def test_a_young_person_without_a_password_signs_in_with_an_emailed_link_once(
    client_request, adviser, sam, outbox, app
):
    client_request.login(adviser)
    client_request.post("caseload.invite", care_leaver_id=sam.id, _data={"email": "sam@young.example"})
    newcomer = client_request.__class__(app.test_client(), app)
    newcomer.post_url(
        path_of(link_in(outbox("sam@young.example")[0])), _data={"how": "link"}, _expected_redirect="/my"
    )
    newcomer.post("auth.sign_out", _expected_redirect="/sign-in")
    # No password works for them: only the link.
    assert (
        newcomer.client.post(
            "/sign-in",
            data={
                "csrf_token": newcomer.csrf_token(),
                "email": "sam@young.example",
                "password": "!no-password",
            },
        ).status_code
        == 400
    )

    sent = newcomer.post(
        "care_leavers.ask_for_link", _data={"email": "sam@young.example"}, _expected_status=200
    )
    assert "If sam@young.example has an account, we have sent it a link" in text_of(sent)
    nobody = newcomer.post(
        "care_leavers.ask_for_link", _data={"email": "nobody@young.example"}, _expected_status=200
    )
    assert text_of(nobody, "h1") == text_of(sent, "h1")  # the same answer either way
    [email] = [email for email in outbox("sam@young.example") if email.template == "sign_in_link"]
    link = path_of(link_in(email))
    opened = newcomer.get_url(link)  # mail scanners open links: this signs nobody in
    assert text_of(opened, "h1") == "Sign in"
    newcomer.get("care_leavers.home", _expected_status=302)
    newcomer.post_url(link, _expected_redirect="/my")
    newcomer.get("care_leavers.home")
    newcomer.post("auth.sign_out", _expected_redirect="/sign-in")
    newcomer.post_url(link, _expected_status=400)  # once only


def test_suggestions_say_why_in_plain_words(client_request, young_person, sam, make_pledge, authority):
    make_pledge(
        title="Warehouse job",
        kind=PledgeKind.JOB,
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[authority()],
    )
    make_pledge(title="Driving lessons", kind=PledgeKind.TRAINING, reach=Reach.REGIONS, regions=[])
    client_request.login(young_person)

    home = client_request.get("care_leavers.home")

    suggested = text_of(home, "main")
    assert "Warehouse job" in suggested
    assert "Because you’re interested in job and it is near you in Leeds." in suggested


def test_im_interested_goes_to_the_adviser_who_refers_or_replies(
    client_request, young_person, adviser, sam, make_pledge, outbox
):
    mentoring = make_pledge(title="Mentoring")
    bakery = make_pledge(title="Bakery work experience")
    client_request.login(young_person)
    for pledge, message in [(mentoring, "I could start in May"), (bakery, "")]:
        page = client_request.get("opportunities.show", pledge_id=pledge.id)
        assert page.select_one(f'a[href="/opportunities/{pledge.id}/interested"]') is not None
        client_request.post(
            "care_leavers.interested",
            pledge_id=pledge.id,
            _data={"message": message},
            _expected_redirect="/my",
        )
    again = client_request.post(
        "care_leavers.interested", pledge_id=mentoring.id, _data={}, _expected_status=400
    )
    assert error_summary(again) == ["You have already told your adviser you are interested in this"]
    assert [email.template for email in outbox(adviser.email)] == ["interest_shown", "interest_shown"]

    client_request.login(adviser)
    home = client_request.get("caseload.index")
    assert "Sam (LCS" in text_of(home)
    assert "is interested in ‘Mentoring’" in text_of(home)
    requests = db.session.scalars(select(InterestRequest).order_by(InterestRequest.id)).all()
    page = client_request.get("caseload.interest", request_id=requests[0].id)
    assert "I could start in May" in text_of(page)
    client_request.post(
        "caseload.interest",
        request_id=requests[1].id,
        _data={"reply": "It is full until June. Let us look at the bakery in Otley instead."},
        _expected_redirect="/caseload",
    )
    client_request.post(
        "referrals.refer_to", care_leaver_id=sam.id, pledge_id=mentoring.id,
        _data={"note": "Sam asked about this.", "checked": "yes"},
    )  # fmt: skip
    assert db.session.get(InterestRequest, requests[0].id).status == "referred"

    client_request.login(young_person)
    home = text_of(client_request.get("care_leavers.home"))
    assert "Your adviser says: It is full until June" in home
    assert f"Your adviser has asked {mentoring.organisation.name} about it" in home


def test_a_young_person_stops_a_referral_and_everyone_is_told(
    client_request, young_person, adviser, sam, make_pledge, make_referral, outbox
):
    referral = make_referral(sam, make_pledge(title="Mentoring"), ReferralStatus.ACCEPTED)
    client_request.login(young_person)
    client_request.post(
        "care_leavers.withdraw",
        referral_id=referral.id,
        _data={"reason": "I got a job"},
        _expected_redirect="/my",
    )

    stopped = db.session.get(Referral, referral.id)
    assert stopped.status == ReferralStatus.WITHDRAWN
    assert stopped.adviser_attention_since is not None
    assert [event.reason for event in stopped.events][-1] == "I got a job"
    assert "referral_update" in [email.template for email in outbox(adviser.email)]
    assert "referral_withdrawn" in [email.template for email in outbox()]


def test_when_the_organisation_says_yes_with_a_first_day_the_young_person_reads_it(
    client_request, young_person, adviser, employer, sam, make_pledge, make_referral, outbox
):
    referral = make_referral(sam, make_pledge(organisation=employer.organisation, places=2))
    monday = uk_today() + timedelta(days=14 - uk_today().weekday())
    client_request.login(employer)
    page = client_request.post(
        "referrals.respond",
        referral_id=referral.id,
        status="accepted",
        _data={"first_day": ["1", "1", "2020"]},
        _expected_status=400,
    )
    assert error_summary(page) == ["Their first day must be today or in the future"]
    assert db.session.get(Referral, referral.id).status == ReferralStatus.REFERRED

    client_request.post(
        "referrals.respond",
        referral_id=referral.id,
        status="accepted",
        _data={"first_day": [str(monday.day), str(monday.month), str(monday.year)]},
    )
    said_aloud = f"Monday {monday.day} {monday:%B}" + (
        f" {monday.year}" if monday.year != uk_today().year else ""
    )
    client_request.login(young_person)
    home = text_of(client_request.get("care_leavers.home"), "main")
    assert f"{employer.organisation.name} has said yes. Your first day is {said_aloud}." in home
    update = [email for email in outbox(adviser.email) if email.template == "referral_update"][-1]
    assert "Their first day is" in update.body


def test_texts_instead_of_emails_through_the_development_backend(
    client_request, young_person, sam, make_pledge, make_referral, make_user, capsys, app
):
    client_request.login(young_person)
    bad = client_request.post("care_leavers.texts", _data={"mobile": "0113 496 0000"}, _expected_status=400)
    assert error_summary(bad) == ["Enter a UK mobile number, like 07700 900123"]
    client_request.post("care_leavers.texts", _data={"mobile": "07700 900 123"}, _expected_redirect="/my")
    assert db.session.get(User, young_person.id).mobile == "07700900123"

    employer = make_user(Role.ORGANISATION_ADMIN)
    referral = make_referral(sam, make_pledge(organisation=employer.organisation))
    client_request.login(employer)
    client_request.post("referrals.respond", referral_id=referral.id, status="accepted", _data={})
    db.session.commit()
    with app.app_context():
        send_pending()
    shown = capsys.readouterr().err
    assert "Text" in shown
    assert "to 07700900123" in shown
    assert "there is news about" in shown

    client_request.login(young_person)
    client_request.post("care_leavers.stop_sending_texts", _expected_redirect="/my")
    user = db.session.get(User, young_person.id)
    assert (user.mobile, user.contact_by) == (None, "email")


def test_how_it_went_is_shown_to_the_organisation_only_from_5_answers(
    client_request, adviser, make_user, make_care_leaver, make_pledge, make_referral, app
):
    employer = make_user(Role.ORGANISATION_ADMIN)
    pledge = make_pledge(organisation=employer.organisation, title="Mentoring")
    referrals = [
        make_referral(make_care_leaver(adviser, first_name=f"Kid{n}"), pledge, ReferralStatus.COMPLETED)
        for n in range(5)
    ]
    client_request.login(adviser)
    for number, referral in enumerate(referrals):
        client_request.post(
            "referrals.how_it_went", referral_id=referral.id,
            _data={"useful": "4", "recommend": "yes" if number else "no", "comment": f"Comment {number}"},
        )  # fmt: skip
        client_request.login(employer)
        page = text_of(client_request.get("pledges.show", pledge_id=pledge.id))
        client_request.login(adviser)
        if number < 4:
            assert f"{number + 1} young" in page
            assert "Comment" not in page
    assert "4.0 out of 5" in page
    assert "80% would tell another care leaver" in page
    assert "Comment 0" in page
    assert "Kid" not in page
    assert db.session.scalars(select(ReferralFeedback.with_adviser)).all() == [True] * 5
    client_request.post(
        "referrals.how_it_went",
        referral_id=referrals[0].id,
        _data={"useful": "1", "recommend": "no"},
        _expected_redirect=f"/referrals/{referrals[0].id}",
    )
    assert len(db.session.scalars(select(ReferralFeedback)).all()) == 5  # once per referral


def test_every_page_a_young_person_sees_reads_easily(
    client_request, young_person, sam, make_pledge, make_referral, app, outbox, adviser
):
    """Flesch reading ease of 60 or more (plain English a 16-year-old reads easily) on each of their pages."""
    ended = make_referral(sam, make_pledge(title="Mentoring"), ReferralStatus.COMPLETED)
    going = make_referral(sam, make_pledge(title="Bakery work"), ReferralStatus.ACCEPTED)
    pledge = make_pledge(title="Job in a warehouse")
    visitor = client_request.__class__(app.test_client(), app)
    pages = {
        "sign in with a link": visitor.get("care_leavers.ask_for_link"),
        "link sent": visitor.post(
            "care_leavers.ask_for_link", _data={"email": "sam@young.example"}, _expected_status=200
        ),
    }
    [email] = [email for email in outbox() if email.template == "sign_in_link"]
    pages["the emailed link"] = visitor.get_url(path_of(link_in(email)))
    client_request.login(young_person)
    pages |= {
        "home": client_request.get("care_leavers.home"),
        "I'm interested": client_request.get("care_leavers.interested", pledge_id=pledge.id),
        "stop": client_request.get("care_leavers.withdraw", referral_id=going.id),
        "how it went": client_request.get("care_leavers.how_it_went", referral_id=ended.id),
        "texts": client_request.get("care_leavers.texts"),
    }
    for name, page in pages.items():
        words = text_of(page, "main")
        words = re.sub(r"\S+@\S+", "email", words)
        score = textstat.flesch_reading_ease(words)
        assert score >= READING_EASE, f"{name}: reading ease {score:.0f}: {words}"

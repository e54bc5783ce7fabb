"""Signing an organisation up to the covenant: validation, confirmation, and never revealing who has an account."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from covenant.clock import utcnow
from covenant.extensions import db, limiter
from covenant.models import AuditEvent, Organisation, User
from covenant.organisations import operations as organisation_operations
from covenant.organisations import views as organisation_views
from covenant.vocab import OrganisationType, Region, Role
from tests.conftest import csrf_token, error_links, link_in

SIGN_UP = "/sign-up"
NEW_PASSWORD = "harbour lantern pebble"


pytestmark = pytest.mark.usefixtures("quick_hashing")


def sign_up_form(client: Any, **changes: Any) -> dict[str, Any]:
    """A complete, valid sign-up form with a fresh CSRF token, changed by `changes` (None removes a field)."""
    form: dict[str, Any] = {
        "csrf_token": csrf_token(client, SIGN_UP),
        "organisation_name": "Northfield Building Supplies",
        "organisation_type": OrganisationType.BUSINESS.value,
        "companies_house_number": "",
        "charity_number": "",
        "website": "",
        "region": Region.YORKSHIRE.value,
        "name": "Asha Patel",
        "email": "asha@northfield.example",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
        "agree": "y",
    }
    for field, value in changes.items():
        if value is None:
            form.pop(field, None)
        else:
            form[field] = value
    return form


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_sign_up_page_shows_every_question(client):
    response = client.get(SIGN_UP)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for field in (
        "organisation_name",
        "organisation_type",
        "companies_house_number",
        "charity_number",
        "website",
        "region",
        "name",
        "email",
        "password",
        "confirm_password",
        "agree",
    ):
        assert f'id="{field}"' in html, field
    # Radios are a question too: their legend must say what is being asked.
    assert re.search(r"<legend[^>]*>\s*What type of organisation is it\?\s*</legend>", html)


def test_signing_up_asks_the_admin_to_check_their_email(client, outbox):
    response = client.post(SIGN_UP, data=sign_up_form(client))

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-up/check-your-email"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in page

    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.name == "Northfield Building Supplies"
    assert organisation.kind == OrganisationType.BUSINESS
    assert organisation.region == Region.YORKSHIRE
    admin = db.session.scalars(select(User).where(User.organisation_id == organisation.id)).one()
    assert admin.role == Role.ORGANISATION_ADMIN
    assert admin.name == "Asha Patel"
    assert admin.email_confirmed_at is None
    # The welcome waits until the address is confirmed: two emails at once, one of them unusable, confused people.
    assert [email.template for email in outbox("asha@northfield.example")] == ["confirm_email"]
    assert db.session.scalars(select(AuditEvent.action)).all() == ["organisation_signed_up"]


def test_the_admin_cannot_sign_in_until_they_confirm_their_email(client, outbox):
    client.post(SIGN_UP, data=sign_up_form(client))

    assert client.get("/organisation").status_code == 302  # not signed in by signing up
    link = link_in(outbox("asha@northfield.example")[0])
    opened = client.get(link)  # mail scanners open every link: opening it confirms nothing
    assert opened.status_code == 200
    assert "Confirm email address" in opened.get_data(as_text=True)
    assert db.session.scalars(select(User.email_confirmed_at)).one() is None

    response = client.post(link, data={"csrf_token": csrf_token(client, link)}, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/organisation"
    html = response.get_data(as_text=True)
    assert "Northfield Building Supplies" in html
    assert "Your email address is confirmed and you are signed in" in html
    admin = db.session.scalars(select(User).where(User.email == "asha@northfield.example")).one()
    assert admin.email_confirmed_at is not None
    confirm, welcome = outbox("asha@northfield.example")
    assert welcome.template == "welcome_organisation"
    assert "Northfield Building Supplies" in welcome.body


def test_a_confirmation_link_works_only_once(client, outbox):
    client.post(SIGN_UP, data=sign_up_form(client))
    link = link_in(outbox("asha@northfield.example")[0])
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})

    response = client.get(link)

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert client.get("/organisation").status_code == 302


def test_the_new_password_is_stored_hashed(client):
    client.post(SIGN_UP, data=sign_up_form(client))

    admin = db.session.scalars(select(User).where(User.email == "asha@northfield.example")).one()
    assert NEW_PASSWORD not in admin.password_hash
    assert admin.password_hash.startswith("$argon2")


def test_optional_details_are_kept_tidy(client):
    form = sign_up_form(
        client,
        companies_house_number=" sc 123456 ",
        charity_number="1012345",
        website="  www.northfield.example  ",
        email="  Asha@Northfield.Example ",
    )

    response = client.post(SIGN_UP, data=form)

    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.companies_house_number == "SC123456"
    assert organisation.charity_number == "1012345"
    assert organisation.website == "https://www.northfield.example"
    admin = db.session.scalars(select(User).where(User.organisation_id == organisation.id)).one()
    assert admin.email == "asha@northfield.example"


@pytest.mark.parametrize("number", ["01234567", "SC123456", "ni 012345"])
def test_companies_house_numbers_in_the_right_format_are_accepted(client, number):
    response = client.post(SIGN_UP, data=sign_up_form(client, companies_house_number=number))

    assert response.status_code == 302


@pytest.mark.parametrize("number", ["1012345", "1012345-1", "123456"])
def test_charity_numbers_in_the_right_format_are_accepted(client, number):
    response = client.post(SIGN_UP, data=sign_up_form(client, charity_number=number))

    assert response.status_code == 302


COMPANIES_HOUSE_FORMAT = "Enter a Companies House number in the correct format, like 01234567 or SC123456"
CHARITY_FORMAT = "Enter a charity number in the correct format, like 1012345"
PASSWORD_TOO_EASY = "Password is too easy to guess. Try 3 random words, like ‘glass rocket river’"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organisation_name": ""}, "organisation_name", "Enter your organisation’s name"),
        ({"organisation_name": "   "}, "organisation_name", "Enter your organisation’s name"),
        (
            {"organisation_name": "x" * 201},
            "organisation_name",
            "Organisation name must be 200 characters or fewer",
        ),
        ({"organisation_type": None}, "organisation_type", "Select the type of organisation"),
        ({"companies_house_number": "1234567"}, "companies_house_number", COMPANIES_HOUSE_FORMAT),
        ({"companies_house_number": "123456789"}, "companies_house_number", COMPANIES_HOUSE_FORMAT),
        ({"companies_house_number": "SCX12345"}, "companies_house_number", COMPANIES_HOUSE_FORMAT),
        ({"companies_house_number": "S1234567"}, "companies_house_number", COMPANIES_HOUSE_FORMAT),
        ({"companies_house_number": "١٢٣٤٥٦٧٨"}, "companies_house_number", COMPANIES_HOUSE_FORMAT),
        ({"charity_number": "12345"}, "charity_number", CHARITY_FORMAT),
        ({"charity_number": "12345678"}, "charity_number", CHARITY_FORMAT),
        ({"charity_number": "CH1234"}, "charity_number", CHARITY_FORMAT),
        ({"charity_number": "1012345-123"}, "charity_number", CHARITY_FORMAT),
        ({"charity_number": "١٠١٢٣٤٥"}, "charity_number", CHARITY_FORMAT),
        (
            {"website": "not a website"},
            "website",
            "Enter a website address in the correct format, like www.example.org.uk",
        ),
        (
            {"website": "example.org/" + "x" * 500},
            "website",
            "Website address must be 500 characters or fewer",
        ),
        ({"region": ""}, "region", "Select the region your organisation is based in"),
        ({"name": ""}, "name", "Enter your full name"),
        ({"name": "x" * 201}, "name", "Full name must be 200 characters or fewer"),
        ({"email": ""}, "email", "Enter your email address"),
        (
            {"email": "asha.northfield.example"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"password": "", "confirm_password": ""}, "password", "Enter a password"),
        (
            {"password": "short one", "confirm_password": "short one"},
            "password",
            "Password must be 10 characters or more",
        ),
        ({"password": "password123", "confirm_password": "password123"}, "password", PASSWORD_TOO_EASY),
        ({"password": "qwertyuiop", "confirm_password": "qwertyuiop"}, "password", PASSWORD_TOO_EASY),
        ({"password": "Password123!", "confirm_password": "Password123!"}, "password", PASSWORD_TOO_EASY),
        ({"confirm_password": ""}, "confirm_password", "Confirm your password"),
        (
            {"confirm_password": "harbour lantern pebbles"},
            "confirm_password",
            "The passwords do not match. Enter the same password twice",
        ),
        (
            {"agree": None},
            "agree",
            "Confirm that your organisation agrees to the principles of the Care Leaver Covenant",
        ),
        (
            {"agree": "false"},
            "agree",
            "Confirm that your organisation agrees to the principles of the Care Leaver Covenant",
        ),
    ],
)
def test_each_mistake_is_shown_against_its_field(client, outbox, changes, field, message):
    response = client.post(SIGN_UP, data=sign_up_form(client, **changes))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (f"#{field}", message) in error_links(html)
    assert f'id="{field}-error"' in html  # the message is shown beside the field too
    assert "<title>Error: " in html
    assert count(Organisation) == 0
    assert count(User) == 0
    assert outbox() == []


def test_every_missing_answer_is_listed_in_the_order_of_the_form(client):
    response = client.post(SIGN_UP, data={"csrf_token": csrf_token(client, SIGN_UP)})

    assert response.status_code == 400
    assert [href for href, _ in error_links(response.get_data(as_text=True))] == [
        "#organisation_name",
        "#organisation_type",
        "#region",
        "#name",
        "#email",
        "#password",
        "#confirm_password",
        "#agree",
    ]


def test_what_was_typed_is_kept_when_the_form_comes_back(client):
    response = client.post(SIGN_UP, data=sign_up_form(client, agree=None))

    html = response.get_data(as_text=True)
    assert 'value="Northfield Building Supplies"' in html
    assert 'value="asha@northfield.example"' in html
    assert NEW_PASSWORD not in html  # passwords are never sent back to the browser


def test_signing_up_with_an_email_that_has_an_account_reveals_nothing(client, make_user, outbox):
    owner = make_user(Role.ORGANISATION_MEMBER, email="asha@northfield.example")
    organisations_before = count(Organisation)

    response = client.post(
        SIGN_UP,
        data=sign_up_form(client, email="Asha@Northfield.example", organisation_name="Another Company"),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-up/check-your-email"
    assert count(Organisation) == organisations_before
    assert count(User) == 1
    assert db.session.get(User, owner.id).organisation.name != "Another Company"
    emails = outbox()
    assert len(emails) == 1
    assert emails[0].to_address.lower() == "asha@northfield.example"
    assert emails[0].template == "already_registered"
    assert "already has an account" in emails[0].body


def test_thirty_sign_ups_naming_one_address_email_its_owner_once_a_day(
    client, make_user, outbox, monkeypatch
):
    """However many sign-ups name an address that has an account, its owner is told once a day, not flooded."""
    make_user(Role.ORGANISATION_MEMBER, email="asha@northfield.example")

    for number in range(30):
        limiter.reset()  # from many addresses: the throttle is not what is under test here
        client.post(SIGN_UP, data=sign_up_form(client, organisation_name=f"Company {number}"))

    assert [email.template for email in outbox("asha@northfield.example")] == ["already_registered"]
    tomorrow = utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(organisation_operations, "utcnow", lambda: tomorrow)
    client.post(SIGN_UP, data=sign_up_form(client, organisation_name="Company tomorrow"))
    assert len(outbox("asha@northfield.example")) == 2


def test_sign_up_takes_as_long_whether_or_not_the_address_has_an_account(client, make_user, monkeypatch):
    """The password is hashed either way: skipping the hash for a known address made its answer 20 times
    quicker, which told anyone timing it that the address has an account."""
    hashed: list[str] = []
    real_hash = organisation_views.hash_password
    monkeypatch.setattr(
        organisation_views, "hash_password", lambda password: hashed.append(password) or real_hash(password)
    )
    make_user(Role.ORGANISATION_MEMBER, email="taken@example.org")

    client.post(SIGN_UP, data=sign_up_form(client, email="taken@example.org"))
    client.post(SIGN_UP, data=sign_up_form(client, email="new@example.org"))

    assert hashed == [NEW_PASSWORD, NEW_PASSWORD]


def test_sign_ups_are_throttled_by_address_and_by_email(client):
    """Five sign-ups an hour from one address; and five naming one email address, from anywhere."""
    statuses = [
        client.post(SIGN_UP, data=sign_up_form(client, email=f"person{number}@example.org")).status_code
        for number in range(6)
    ]
    assert statuses == [302] * 5 + [429]

    limiter.reset()
    statuses = [
        client.post(
            SIGN_UP,
            data=sign_up_form(client, organisation_name=f"Company {number}"),
            environ_base={"REMOTE_ADDR": f"192.0.2.{number + 1}"},
        ).status_code
        for number in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_a_signed_in_person_is_not_asked_to_sign_up_again(client, make_user, login_as):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = client.get(SIGN_UP)

    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_sign_up_without_a_csrf_token_is_refused(client):
    form = sign_up_form(client)
    del form["csrf_token"]

    response = client.post(SIGN_UP, data=form)

    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)
    assert count(Organisation) == 0


@pytest.mark.parametrize(
    "junk",
    ["x" * 5000, "名前 🎉 Ünïcödé", "bad\x00byte", "\x00", "<script>alert(1)</script>", "' OR 1=1 --"],
)
def test_junk_in_any_field_never_breaks_sign_up(client, junk):
    for field in (
        "organisation_name",
        "organisation_type",
        "companies_house_number",
        "charity_number",
        "website",
        "region",
        "name",
        "email",
        "password",
        "agree",
    ):
        limiter.reset()  # sign-ups are throttled per address; this test is about what junk does
        response = client.post(SIGN_UP, data=sign_up_form(client, **{field: junk}))

        assert response.status_code in (302, 400), field
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_unicode_names_are_welcome(client):
    response = client.post(
        SIGN_UP, data=sign_up_form(client, organisation_name="Café Ünïcödé 名前", name="Zoë Ó Súilleabháin")
    )

    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.name == "Café Ünïcödé 名前"


def test_a_second_sign_up_under_a_signatorys_name_is_told_who_to_ask(client, make_organisation, make_user):
    existing = make_organisation(name="Northfield Building Supplies", region=Region.YORKSHIRE)
    make_user(Role.ORGANISATION_ADMIN, organisation=existing)

    response = client.post(
        SIGN_UP, data=sign_up_form(client, organisation_name="  northfield   building supplies ")
    )

    assert response.status_code == 400
    [(href, message)] = error_links(response.get_data(as_text=True))
    assert href == "#organisation_name"
    assert message.startswith("Northfield Building Supplies has already signed the covenant")
    assert "ask one of its organisation admins to invite you" in message
    assert "‘Northfield Building Supplies, Yorkshire and the Humber’" in message
    assert count(Organisation) == 1
    assert count(User) == 1

    # A different organisation of the same name says where it is, and signs up.
    response = client.post(
        SIGN_UP, data=sign_up_form(client, organisation_name="Northfield Building Supplies, Hull")
    )
    assert response.status_code == 302
    assert count(Organisation) == 2


def test_a_name_held_only_by_a_sign_up_never_confirmed_is_free(client, make_organisation, make_user):
    squatter = make_organisation(name="Northfield Building Supplies")
    make_user(Role.ORGANISATION_ADMIN, organisation=squatter, email_confirmed_at=None)

    response = client.post(SIGN_UP, data=sign_up_form(client))

    assert response.status_code == 302

"""Accounts: signing in and out, throttling, sessions, password resets and account settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from covenant import security
from covenant.auth import sessions, throttle
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, User
from covenant.vocab import Role
from tests.conftest import PASSWORD, csrf_token, error_links, link_in, pass_second_factor

pytestmark = pytest.mark.usefixtures("quick_hashing")

SIGN_IN = "/sign-in"
FORGOT = "/forgot-password"
NEW_PASSWORD = "glass rocket river"
SIGN_IN_FAILED = "Enter a correct email address and password"


def sign_in(client: Any, email: str, password: str = PASSWORD, next_page: str | None = None) -> Any:
    """Post the sign-in form as a person would."""
    path = SIGN_IN if next_page is None else f"{SIGN_IN}?next={next_page}"
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, SIGN_IN), "email": email, "password": password},
    )


def sign_out(client: Any) -> Any:
    return client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})


def signed_in(client: Any) -> bool:
    """Whether the client can see a page only signed-in people see."""
    return client.get("/account").status_code == 200


# Signing in and out


def test_sign_in_with_the_right_password_goes_to_the_persons_home(client, make_user):
    admin = make_user(Role.ORGANISATION_ADMIN)

    response = sign_in(client, admin.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    page = client.get("/home", follow_redirects=True)
    assert page.request.path == "/organisation"
    assert admin.organisation.name in page.get_data(as_text=True)
    assert db.session.get(User, admin.id).last_signed_in_at is not None


def test_email_addresses_are_matched_without_regard_to_case_or_spaces(client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER, email="pat.adviser@leeds.example")

    response = sign_in(client, "  Pat.Adviser@LEEDS.example ")

    assert response.status_code == 302
    assert client.get("/home").headers["Location"] == "/two-factor/set-up"  # advisers use two factors
    pass_second_factor(client)
    assert client.get("/home").headers["Location"] == "/caseload"
    assert adviser.local_authority.name in client.get("/authority").get_data(as_text=True)


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, make_user):
    member = make_user(Role.ORGANISATION_MEMBER)

    wrong_password = sign_in(client, member.email, "not the right password")
    unknown_email = sign_in(client, "nobody@example.org", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 400
    expected = [("#email", SIGN_IN_FAILED), ("#password", SIGN_IN_FAILED)]
    assert error_links(wrong_password.get_data(as_text=True)) == expected
    assert error_links(unknown_email.get_data(as_text=True)) == expected
    assert not signed_in(client)


def test_sign_in_asks_for_both_answers(client):
    response = client.post(
        SIGN_IN, data={"csrf_token": csrf_token(client, SIGN_IN), "email": "", "password": ""}
    )

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == [
        ("#email", "Enter your email address"),
        ("#password", "Enter your password"),
    ]


def test_an_unconfirmed_person_is_told_to_confirm_and_sent_a_new_link(client, make_user, outbox):
    person = make_user(Role.ORGANISATION_ADMIN, email_confirmed_at=None)

    response = sign_in(client, person.email)

    assert response.status_code == 200
    assert "Confirm your email address" in response.get_data(as_text=True)
    assert not signed_in(client)
    [email] = outbox(person.email)
    assert email.template == "confirm_email"
    confirm = link_in(email)
    assert client.get(confirm).status_code == 200  # the link shows a button: opening it changes nothing
    assert not signed_in(client)
    response = client.post(confirm, data={"csrf_token": csrf_token(client, confirm)}, follow_redirects=True)
    assert response.request.path == "/organisation"
    assert signed_in(client)


def test_an_unconfirmed_person_with_the_wrong_password_learns_nothing(client, make_user, outbox):
    person = make_user(Role.ORGANISATION_ADMIN, email_confirmed_at=None)

    response = sign_in(client, person.email, "not the right password")

    assert response.status_code == 400
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert outbox() == []


def test_signing_out_ends_the_session(client, make_user):
    sign_in(client, make_user().email)
    assert signed_in(client)

    response = sign_out(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out" in client.get(SIGN_IN).get_data(as_text=True)
    assert not signed_in(client)


def test_a_copy_of_the_session_cookie_stops_working_at_sign_out(app, client, make_user):
    """Signing out gives the account a new session token, so a copied cookie is as dead as the original."""
    sign_in(client, make_user().email)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(copy)

    sign_out(client)

    assert not signed_in(copy)


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(client, make_user, monkeypatch):
    sign_in(client, make_user().email)
    assert signed_in(client)
    later = utcnow() + timedelta(hours=11, minutes=59)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert signed_in(client)

    later = utcnow() + timedelta(hours=12, minutes=1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)

    assert not signed_in(client)
    assert client.get("/account").headers["Location"].startswith("/sign-in")


def test_sign_out_needs_a_post_with_a_csrf_token(client, make_user):
    sign_in(client, make_user().email)

    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert signed_in(client)


def test_a_signed_in_person_visiting_sign_in_goes_home(client, make_user, login_as):
    login_as(make_user(Role.COORDINATOR))

    response = client.get(SIGN_IN)

    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_again(client, make_user):
    admin = make_user(Role.ORGANISATION_ADMIN)

    response = client.get("/team")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fteam"
    assert "Sign in to see that page" in client.get(response.headers["Location"]).get_data(as_text=True)
    after = sign_in(client, admin.email, next_page="/team")
    assert after.headers["Location"] == "/team"


@pytest.mark.parametrize(
    "next_page",
    [
        "//evil.com",
        "https://evil.com",
        "http://evil.com/team",
        "/\\evil.com",
        "\\\\evil.com",
        "/%09/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "",
    ],
)
def test_sign_in_only_returns_to_pages_on_this_site(client, make_user, next_page):
    admin = make_user(Role.ORGANISATION_ADMIN)

    response = sign_in(client, admin.email, next_page=next_page)

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location  # browsers read /\\evil.com as //evil.com
    assert urlsplit(location).netloc == ""


# Throttling


def test_the_eleventh_wrong_guess_in_a_minute_is_refused(client, make_user):
    member = make_user(Role.ORGANISATION_MEMBER)
    token = csrf_token(client, SIGN_IN)

    answers = [
        client.post(SIGN_IN, data={"csrf_token": token, "email": member.email, "password": f"guess {n}"})
        for n in range(11)
    ]

    assert [answer.status_code for answer in answers] == [400] * 10 + [429]
    page = answers[-1].get_data(as_text=True)
    assert "Too many attempts" in page
    assert "<title>Too many attempts" in page


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits sign-in makes before answering (recorded, not slept)."""
    waited: list[float] = []
    monkeypatch.setattr(throttle.time, "sleep", waited.append)
    return waited


def guess(client: Any, email: str, address: str, password: str = "a guess") -> int:
    response = client.post(
        SIGN_IN,
        data={"csrf_token": csrf_token(client, SIGN_IN), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return int(response.status_code)


def test_guessing_at_one_account_from_many_addresses_slows_it_down_but_never_locks_it_out(
    client, make_user, waits
):
    """A per-account lock would let anyone lock a known account out: guesses from many addresses instead make
    each answer about that account slow, and its owner still gets in with the right password."""
    member = make_user(Role.ORGANISATION_MEMBER)
    spellings = [member.email, member.email + "\x01", member.email.upper()]  # one account, however typed

    answers = [guess(client, spellings[n % 3], f"192.0.2.{n + 1}") for n in range(12)]

    assert answers == [400] * 12
    assert len(waits) == 2, "the 11th and 12th guesses are answered slowly"
    assert guess(client, member.email, "198.51.100.9", PASSWORD) == 302
    assert len(waits) == 3, "the right password is answered as slowly, and works"


def test_one_address_guessing_at_one_account_is_refused(client, make_user):
    """The hard limit is for one account from one address; the account is named as its look-up reads it, so a
    trailing control character or other case is the same account."""
    member = make_user(Role.ORGANISATION_MEMBER)
    spellings = [member.email, member.email + "\x01", member.email.upper(), f"  {member.email} "]

    answers = [guess(client, spellings[n % len(spellings)], "192.0.2.1") for n in range(10)]

    assert answers == [400] * 10
    assert guess(client, member.email + "\x01", "192.0.2.1", PASSWORD) == 429
    assert guess(client, member.email, "198.51.100.9", PASSWORD) == 302  # from elsewhere, its owner gets in


def test_guessing_at_many_accounts_from_one_address_is_throttled(client):
    token = csrf_token(client, SIGN_IN)

    answers = [
        client.post(
            SIGN_IN, data={"csrf_token": token, "email": f"person{n}@example.org", "password": "a guess"}
        )
        for n in range(11)
    ]

    assert [answer.status_code for answer in answers] == [400] * 10 + [429]


def test_throttling_one_account_leaves_others_alone(client, make_user):
    target = make_user(Role.ORGANISATION_MEMBER)
    bystander = make_user(Role.ORGANISATION_MEMBER)
    token = csrf_token(client, SIGN_IN)
    for n in range(11):
        client.post(
            SIGN_IN,
            data={"csrf_token": token, "email": target.email, "password": "a guess"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        )

    response = client.post(
        SIGN_IN,
        data={"csrf_token": token, "email": bystander.email, "password": "a guess"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )

    assert response.status_code == 400


# Sessions


def test_signing_in_starts_a_fresh_session(client, make_user):
    with client.session_transaction() as session:
        session["planted_by_an_attacker"] = "fixation"

    sign_in(client, make_user().email)

    with client.session_transaction() as session:
        assert "planted_by_an_attacker" not in session
        assert session.get("_user_id")


def test_changing_password_signs_out_every_other_session(app, client, make_user, outbox):
    user = make_user(Role.AUTHORITY_MANAGER)
    other_device = app.test_client()
    sign_in(client, user.email)
    sign_in(other_device, user.email)
    pass_second_factor(client)
    pass_second_factor(other_device)
    assert signed_in(other_device)

    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = client.get("/account")
    assert page.status_code == 200
    assert "You have been signed out everywhere else" in page.get_data(as_text=True)
    assert other_device.get("/account").status_code == 302
    [email] = outbox(user.email)
    assert email.template == "password_changed"
    assert "has just been changed" in email.body
    sign_out(client)
    assert sign_in(client, user.email, PASSWORD).status_code == 400
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_the_new_password_is_stored_hashed(client, make_user, login_as):
    user = login_as(make_user())

    client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    stored = db.session.get(User, user.id).password_hash
    assert NEW_PASSWORD not in stored
    assert stored.startswith("$argon2")
    assert security.verify_password(stored, NEW_PASSWORD)


# Account settings


def test_account_page_shows_who_you_are(client, make_user, login_as):
    adviser = login_as(make_user(Role.PERSONAL_ADVISER, name="Pat Adviser"))

    html = client.get("/account").get_data(as_text=True)

    assert "Pat Adviser" in html
    assert adviser.email in html
    assert "Personal adviser" in html
    assert adviser.local_authority.name in html


def test_changing_your_name_is_saved_and_audited(client, make_user, login_as):
    user = login_as(make_user(name="Pat Old"))

    response = client.post(
        "/account/name", data={"csrf_token": csrf_token(client, "/account/name"), "name": "  Pat New  "}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    html = client.get("/account").get_data(as_text=True)
    assert "Your name has been saved" in html
    assert "Pat New" in html
    assert db.session.get(User, user.id).name == "Pat New"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "name_changed")).one()
    assert event.actor_id == user.id
    assert event.subject_type == "user_account"
    assert event.subject_id == user.id
    assert event.changes == {"name": {"before": "Pat Old", "after": "Pat New"}}


def test_your_name_cannot_be_blank_or_too_long(client, make_user, login_as):
    user = login_as(make_user(name="Pat Old"))
    token = csrf_token(client, "/account/name")

    blank = client.post("/account/name", data={"csrf_token": token, "name": "   "})
    too_long = client.post("/account/name", data={"csrf_token": token, "name": "x" * 201})

    assert blank.status_code == too_long.status_code == 400
    assert error_links(blank.get_data(as_text=True)) == [("#name", "Enter your full name")]
    assert error_links(too_long.get_data(as_text=True)) == [
        ("#name", "Full name must be 200 characters or fewer")
    ]
    assert db.session.get(User, user.id).name == "Pat Old"


def test_changing_password_needs_the_current_password(client, make_user, login_as, outbox):
    user = login_as(make_user())
    before = user.password_hash

    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == [
        ("#current_password", "Your current password is not correct")
    ]
    assert db.session.get(User, user.id).password_hash == before
    assert outbox() == []


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("short one", "short one", "password", "Password must be 10 characters or more"),
        (
            "password123",
            "password123",
            "password",
            "Password is too easy to guess. Try 3 random words, like ‘glass rocket river’",
        ),
        (
            "qwertyuiop",
            "qwertyuiop",
            "password",
            "Password is too easy to guess. Try 3 random words, like ‘glass rocket river’",
        ),
        (
            NEW_PASSWORD,
            "something else",
            "confirm_password",
            "The passwords do not match. Enter the same password twice",
        ),
        ("", "", "password", "Enter a password"),
    ],
)
def test_a_new_password_must_be_good_enough(client, make_user, login_as, new, confirm, field, message):
    user = login_as(make_user())

    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": PASSWORD,
            "password": new,
            "confirm_password": confirm,
        },
    )

    assert response.status_code == 400
    assert (f"#{field}", message) in error_links(response.get_data(as_text=True))
    assert db.session.get(User, user.id).password_hash == user.password_hash


# Password reset


def ask_for_reset(client: Any, email: str) -> Any:
    return client.post(FORGOT, data={"csrf_token": csrf_token(client, FORGOT), "email": email})


def reset(client: Any, path: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "password": password, "confirm_password": password},
    )


def test_a_password_reset_link_lets_you_choose_a_new_password(app, client, make_user, outbox):
    user = make_user(Role.PERSONAL_ADVISER)
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)

    response = ask_for_reset(client, user.email)

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [email] = outbox(user.email)
    assert email.template == "password_reset"
    link = link_in(email)
    assert client.get(link).status_code == 200
    done = reset(client, link)
    assert done.status_code == 302
    landing = client.get(done.headers["Location"], follow_redirects=True)
    assert landing.request.path == "/two-factor/set-up"  # the second factor is still asked for
    assert "Your password has been reset" in landing.get_data(as_text=True)
    assert not signed_in(elsewhere)
    pass_second_factor(client)
    sign_out(client)
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_a_password_reset_link_works_only_once(client, make_user, outbox):
    user = make_user()
    ask_for_reset(client, user.email)
    link = link_in(outbox(user.email)[0])
    reset(client, link)
    sign_out(client)

    again = client.get(link)
    reuse = client.post(
        link, data={"password": "another new password", "confirm_password": "another new password"}
    )

    assert again.status_code == 400
    assert "This link has expired" in again.get_data(as_text=True)
    assert reuse.status_code == 400
    assert sign_in(client, user.email, "another new password").status_code == 400


def test_a_password_reset_link_stops_working_after_an_hour(app, client, make_user, outbox, monkeypatch):
    user = make_user()
    ask_for_reset(client, user.email)
    link = link_in(outbox(user.email)[0])
    assert client.get(link).status_code == 200
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)

    response = client.get(link)

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)


def test_an_earlier_reset_link_stops_working_when_the_password_changes(client, make_user, login_as, outbox):
    user = make_user()
    ask_for_reset(client, user.email)
    link = link_in(outbox(user.email)[0])
    user.password_hash = security.hash_password(NEW_PASSWORD)
    db.session.flush()

    assert client.get(link).status_code == 400


@pytest.mark.parametrize("token", ["nonsense", "x" * 5000, "%00", "eyJ1c2VyIjoxfQ.abc.def"])
def test_a_made_up_reset_link_has_expired(client, token):
    response = client.get(f"/reset-password/{token}")

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)


def test_asking_to_reset_an_unknown_email_looks_the_same_and_sends_nothing(client, make_user, outbox):
    known = ask_for_reset(client, make_user(email="known@example.org").email)
    unknown = ask_for_reset(client, "unknown@example.org")

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in unknown.get_data(as_text=True)
    assert outbox("unknown@example.org") == []
    assert len(outbox()) == 1


def test_reset_asks_for_an_email_address_in_the_right_format(client, outbox):
    response = ask_for_reset(client, "not an email")

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == [
        ("#email", "Enter an email address in the correct format, like name@example.com")
    ]
    assert outbox() == []


def test_resetting_the_password_also_confirms_the_email_address(client, make_user, outbox):
    user = make_user(email_confirmed_at=None)
    ask_for_reset(client, user.email)

    reset(client, link_in(outbox(user.email)[0]))

    assert db.session.get(User, user.id).email_confirmed_at is not None
    assert signed_in(client)


def test_a_new_password_from_a_reset_must_be_good_enough(client, make_user, outbox):
    user = make_user()
    ask_for_reset(client, user.email)
    link = link_in(outbox(user.email)[0])

    response = reset(client, link, password="password123")

    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True))[0][0] == "#password"
    assert client.get(link).status_code == 200  # the link still works: the password did not change


# Nothing anyone types breaks the forms

JUNK = ["x" * 5000, "名前 🎉 Ünïcödé", "bad\x00byte", "\x00", "<script>alert(1)</script>", "%s%n{0}"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_breaks_the_public_forms(client, make_user, junk):
    user = make_user()
    cases = [
        (SIGN_IN, {"email": junk, "password": PASSWORD}),
        (SIGN_IN, {"email": user.email, "password": junk}),
        (FORGOT, {"email": junk}),
    ]
    for path, data in cases:
        response = client.post(path, data={"csrf_token": csrf_token(client, path), **data})

        assert response.status_code in (200, 400), (path, data)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert client.get("/sign-in?next=" + junk).status_code == 200


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_breaks_the_account_forms(client, make_user, login_as, junk):
    login_as(make_user())
    cases = [
        ("/account/name", {"name": junk}),
        (
            "/account/password",
            {"current_password": junk, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        ),
        ("/account/password", {"current_password": PASSWORD, "password": junk, "confirm_password": junk}),
    ]
    for path, data in cases:
        response = client.post(path, data={"csrf_token": csrf_token(client, path), **data})

        assert response.status_code in (302, 400), (path, data)
        assert signed_in(client)


@pytest.mark.parametrize(
    "path",
    [SIGN_IN, FORGOT, "/sign-out", "/account/name", "/account/password", "/sign-up"],
)
def test_forms_without_a_csrf_token_are_refused_kindly(client, make_user, login_as, path):
    if path.startswith("/account"):
        login_as(make_user())

    response = client.post(path, data={"email": "someone@example.org", "name": "Someone"})

    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)

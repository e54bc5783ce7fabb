"""Two-factor sign-in: set-up at first sign-in, codes from an authenticator app, recovery codes, emailed codes,
throttling, opting in and out, and resets."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import url_for
from sqlalchemy import select

from covenant import PROJECT_ROOT
from covenant.demo import DEMO_AUTHENTICATOR_KEYS, DEMO_PASSWORD
from covenant.extensions import db
from covenant.models import AuditEvent, TwoFactor, User
from covenant.two_factor import operations
from covenant.vocab import Role
from tests.conftest import PASSWORD, csrf_token, error_summary, link_in, parse, text_of

pytestmark = pytest.mark.usefixtures("quick_hashing")

SET_UP = "/two-factor/set-up"
CODE = "/two-factor/code"
RECOVERY = "/two-factor/recovery-code"
EMAIL_CODE = "/two-factor/email-code"


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/sign-in", data={"csrf_token": csrf_token(client, "/sign-in"), "email": email, "password": password}
    )


def post(client: Any, path: str, **data: str) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def with_authenticator(user: User) -> tuple[str, list[str]]:
    """Give a user an authenticator app set up already: its secret and their recovery codes."""
    secret = operations.new_secret()
    codes = operations.set_up(user, secret, step=0)
    return secret, codes


def audited(action: str, user: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == user.id)
        )
    )


def test_an_adviser_sets_up_an_authenticator_app_at_their_first_sign_in(client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)

    signed_in = sign_in(client, adviser.email)
    page = parse(client.get(signed_in.headers["Location"], follow_redirects=True).get_data(as_text=True))

    assert page.h1.get_text(strip=True) == "Set up two-factor sign-in"
    assert page.select_one("svg title").get_text() == "QR code to scan with your authenticator app"
    key = page.select_one("code.covenant-key").get_text()
    assert len(key.split()) == 8  # written out in groups of four
    secret = key.replace(" ", "")
    wrong = post(client, SET_UP, code="000000" if code_now(secret) != "000000" else "111111")
    assert wrong.status_code == 400
    assert error_summary(parse(wrong.get_data(as_text=True)))[0].startswith("The code is not correct")

    done = post(client, SET_UP, code=code_now(secret))

    assert done.status_code == 200
    codes = [
        item.get_text(strip=True)
        for item in parse(done.get_data(as_text=True)).select(".covenant-recovery-codes li")
    ]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert client.get("/home").headers["Location"] == "/caseload"  # fully signed in now
    assert client.get("/two-factor/set-up").headers["Location"] == "/account"  # codes are shown once
    stored = db.session.scalars(select(TwoFactor).where(TwoFactor.user_id == adviser.id)).one()
    assert secret not in stored.secret  # kept encrypted
    assert len(audited("two_factor_set_up", adviser)) == 1


def test_sign_in_with_the_right_code(client, make_user):
    manager = make_user(Role.AUTHORITY_MANAGER)
    secret, _ = with_authenticator(manager)

    response = sign_in(client, manager.email)
    page = client.get(response.headers["Location"], follow_redirects=True)

    assert page.request.path == CODE
    html = parse(page.get_data(as_text=True))
    assert html.h1.get_text(strip=True) == "Enter the 6-digit code from your authenticator app"
    assert html.find("a", string="Use a recovery code")
    assert html.find("a", string="Email me a code instead")
    done = post(client, CODE, code=code_now(secret))
    assert done.status_code == 302
    assert client.get("/account").status_code == 200


def test_the_code_leads_on_to_the_page_asked_for(client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)
    secret, _ = with_authenticator(adviser)
    response = client.post(
        "/sign-in?next=/alerts",
        data={"csrf_token": csrf_token(client, "/sign-in"), "email": adviser.email, "password": PASSWORD},
    )
    assert client.get(response.headers["Location"]).headers["Location"] == CODE

    done = post(client, CODE, code=code_now(secret))

    assert done.headers["Location"] == "/alerts"


def test_a_wrong_code_is_refused_with_a_message(client, make_user):
    coordinator = make_user(Role.COORDINATOR)
    secret, _ = with_authenticator(coordinator)
    sign_in(client, coordinator.email)
    right = code_now(secret)

    response = post(client, CODE, code="123456" if right != "123456" else "654321")
    letters = post(client, CODE, code="abcdef")

    assert response.status_code == 400
    assert error_summary(parse(response.get_data(as_text=True))) == [
        "The code is not correct. Enter the 6-digit code your authenticator app shows now"
    ]
    assert letters.status_code == 400
    assert error_summary(parse(letters.get_data(as_text=True))) == ["The code must be 6 numbers"]
    assert (
        client.get(url_for("coordinator.dashboard")).headers["Location"] == CODE
    )  # still only half signed in


def test_a_code_works_only_once(app, client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)
    secret, _ = with_authenticator(adviser)
    sign_in(client, adviser.email)
    code = code_now(secret)
    assert post(client, CODE, code=code).status_code == 302

    someone_watching = app.test_client()
    sign_in(someone_watching, adviser.email)
    replay = post(someone_watching, CODE, code=code)

    assert replay.status_code == 400
    assert "That code has already been used" in error_summary(parse(replay.get_data(as_text=True)))[0]
    assert someone_watching.get("/caseload").headers["Location"] == CODE


def test_a_recovery_code_works_once(app, client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)
    _, codes = with_authenticator(adviser)
    sign_in(client, adviser.email)

    used = post(client, RECOVERY, code=codes[3].upper().replace("-", " "))  # as people type it

    assert used.status_code == 302
    landing = client.get("/caseload")
    assert landing.status_code == 200
    assert "You have 9 recovery codes left" in landing.get_data(as_text=True)
    [event] = audited("recovery_code_used", adviser)
    assert event.changes == {"recovery_codes_left": 9}

    again = app.test_client()
    sign_in(again, adviser.email)
    reused = post(again, RECOVERY, code=codes[3])
    assert reused.status_code == 400
    assert error_summary(parse(reused.get_data(as_text=True))) == [
        "That recovery code is not correct, or it has already been used"
    ]


def test_an_emailed_code_is_the_fallback(app, client, make_user, outbox):
    manager = make_user(Role.AUTHORITY_MANAGER)
    with_authenticator(manager)
    sign_in(client, manager.email)

    asking = parse(client.get(EMAIL_CODE).get_data(as_text=True))
    assert [button for button in asking.select("main button") if "Email me a code" in button.get_text()]
    sent = client.post(
        "/two-factor/email-code/send", data={"send-csrf_token": csrf_token(client, EMAIL_CODE)}
    )
    assert sent.headers["Location"] == EMAIL_CODE

    [email] = outbox(manager.email)
    code = next(word for word in email.body.split() if word.isdigit() and len(word) == 6)
    assert code not in email.subject
    assert manager.name not in email.subject
    wrong = post(client, EMAIL_CODE, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400
    done = post(client, EMAIL_CODE, code=code)
    assert done.status_code == 302
    assert client.get("/caseload").status_code == 200
    assert len(audited("email_code_used", manager)) == 1

    again = app.test_client()
    sign_in(again, manager.email)
    assert post(again, EMAIL_CODE, code=code).status_code == 400  # single use


def test_codes_are_throttled_per_account(app, client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)
    secret, _ = with_authenticator(adviser)
    sign_in(client, adviser.email)
    limit = int(app.config["TWO_FACTOR_RATE_LIMIT"].split()[0])
    wrong = "123456" if code_now(secret) != "123456" else "654321"

    for _ in range(limit):
        assert post(client, CODE, code=wrong).status_code == 400
    throttled = post(client, CODE, code=code_now(secret))
    from_elsewhere = app.test_client()
    sign_in(from_elsewhere, adviser.email)
    also_throttled = from_elsewhere.post(
        CODE,
        data={"csrf_token": csrf_token(from_elsewhere, CODE), "code": code_now(secret)},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )

    assert throttled.status_code == 429
    assert also_throttled.status_code == 429  # the account's limit, from any address
    assert client.get("/caseload").headers["Location"] == CODE


def test_codes_are_throttled_per_address_across_accounts(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ADDRESS_RATE_LIMIT", "3 per minute")
    results = []
    for _ in range(2):
        adviser = make_user(Role.PERSONAL_ADVISER)
        secret, _ = with_authenticator(adviser)
        client = app.test_client()
        sign_in(client, adviser.email)
        wrong = "123456" if code_now(secret) != "123456" else "654321"
        results += [post(client, CODE, code=wrong).status_code for _ in range(2)]

    assert results == [400, 400, 400, 429]  # the fourth try from one address, though at a second account


def test_half_signed_in_people_reach_no_other_page(app, client, make_user):
    adviser = make_user(Role.PERSONAL_ADVISER)
    with_authenticator(adviser)
    sign_in(client, adviser.email)
    allowed = {"static", "auth.sign_out", "dev.outbox"} | {
        endpoint for endpoint in app.view_functions if endpoint.startswith("two_factor.")
    }
    reached = []

    for rule in app.url_map.iter_rules():
        if rule.endpoint in allowed or "GET" not in (rule.methods or ()):
            continue
        url = url_for(rule.endpoint, **{argument: 1 for argument in rule.arguments})
        response = client.get(url)
        if response.status_code != 302 or response.headers["Location"] != CODE:
            reached.append((url, response.status_code))

    assert reached == []
    assert client.get(CODE).status_code == 200
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_token(client, CODE)})
    assert signed_out.headers["Location"] == "/sign-in"
    assert client.get(CODE).headers["Location"].startswith("/sign-in")


def test_an_organisation_user_can_turn_two_factor_on_and_off(client, make_user, login_as):
    member = login_as(make_user(Role.ORGANISATION_MEMBER))
    account = parse(client.get("/account").get_data(as_text=True))
    assert [link for link in account.select("main a") if "Turn on" in link.get_text()]

    page = parse(client.get(SET_UP).get_data(as_text=True))
    secret = page.select_one("code.covenant-key").get_text().replace(" ", "")
    assert post(client, SET_UP, code=code_now(secret)).status_code == 200
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})

    again = sign_in(client, member.email)
    assert client.get(again.headers["Location"]).headers["Location"] == CODE

    with client.session_transaction() as session:
        session["second_factor_passed"] = True
    turned_off = post(client, "/account/two-factor/turn-off")
    assert turned_off.headers["Location"] == "/account"
    assert len(audited("two_factor_turned_off", member)) == 1
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    no_code = sign_in(client, member.email)
    assert client.get(no_code.headers["Location"]).headers["Location"] == "/organisation"


def test_advisers_cannot_turn_two_factor_off(client, make_user, login_as):
    adviser = login_as(make_user(Role.PERSONAL_ADVISER))
    with_authenticator(adviser)

    assert "Turn off" not in text_of(parse(client.get("/account").get_data(as_text=True)))
    assert client.get("/account/two-factor/turn-off").status_code == 403


def test_a_care_leaver_can_opt_in_and_then_needs_a_code_after_their_link(
    client, make_user, make_care_leaver, adviser, login_as, outbox
):
    record = make_care_leaver(adviser, first_name="Sam", age=19)
    young_person = make_user(
        Role.CARE_LEAVER, name="Sam", email="sam@young.example", local_authority_id=record.local_authority_id
    )
    record.user = young_person
    db.session.flush()
    login_as(young_person)
    page = parse(client.get(SET_UP).get_data(as_text=True))
    assert "You can see care leavers’ personal details" not in text_of(page)
    secret = page.select_one("code.covenant-key").get_text().replace(" ", "")
    assert post(client, SET_UP, code=code_now(secret)).status_code == 200
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})

    post(client, "/sign-in/email-link", email="sam@young.example")
    link = link_in(outbox("sam@young.example")[-1])
    followed = post(client, link)

    assert client.get(followed.headers["Location"]).headers["Location"] == CODE


def test_staff_reset_their_own_app_with_their_password(client, make_user, login_as):
    adviser = login_as(make_user(Role.PERSONAL_ADVISER))
    with_authenticator(adviser)

    wrong = post(client, "/account/two-factor/reset", password="not my password")
    right = post(client, "/account/two-factor/reset", password=PASSWORD)

    assert wrong.status_code == 400
    assert right.headers["Location"] == SET_UP
    assert client.get("/caseload").headers["Location"] == SET_UP  # the new app must be set up first
    assert len(audited("two_factor_reset", adviser)) == 1


def test_a_manager_resets_an_advisers_two_factor_and_it_is_audited(app, client, make_user, login_as):
    adviser = make_user(Role.PERSONAL_ADVISER)
    with_authenticator(adviser)
    manager = login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=adviser.local_authority))
    elsewhere = make_user(Role.PERSONAL_ADVISER, local_authority=adviser.local_authority)
    other_authority = make_user(Role.PERSONAL_ADVISER, local_authority_id=_another_authority(adviser))
    team = parse(client.get("/team").get_data(as_text=True))
    assert team.find("a", href=f"/team/members/{adviser.id}/reset-two-factor")

    reset = post(client, f"/team/members/{adviser.id}/reset-two-factor")

    assert reset.headers["Location"] == "/team"
    assert db.session.scalars(select(TwoFactor).where(TwoFactor.user_id == adviser.id)).first() is None
    [event] = audited("two_factor_reset", adviser)
    assert event.actor_id == manager.id
    assert client.get(f"/team/members/{other_authority.id}/reset-two-factor").status_code == 404
    assert client.get(f"/team/members/{elsewhere.id}/reset-two-factor").status_code == 200
    signed_out = app.test_client()
    response = sign_in(signed_out, adviser.email)
    assert signed_out.get(response.headers["Location"]).headers["Location"] == SET_UP


def _another_authority(user: User) -> int:
    from covenant.models import LocalAuthority

    return db.session.scalars(
        select(LocalAuthority.id).where(LocalAuthority.id != user.local_authority_id)
    ).first()


def test_the_readme_lists_each_demo_authenticator_key_beside_its_account():
    readme = (PROJECT_ROOT / "README.md").read_text()

    for email, key in DEMO_AUTHENTICATOR_KEYS.items():
        assert f"| {email} | {DEMO_PASSWORD} | `{key}` |" in readme
        assert len(pyotp.TOTP(key).now()) == 6  # a valid base32 key

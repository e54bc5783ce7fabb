"""Who may see what: login by default, roles, records tied to their team, local offer links and the
coordinator's lists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import select

from covenant.access import PUBLIC, access_rule
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, Invitation, LocalAuthority
from covenant.vocab import Role
from tests.conftest import csrf_token, error_links

CAMDEN = "E09000007"


def local_offer(authority: LocalAuthority) -> str:
    """The page where an authority's local offer link is kept."""
    return f"/authorities/{authority.id}/local-offer"


def token(client: Any) -> str:
    """A CSRF token for this client's session, from a page every visitor can load."""
    return csrf_token(client, "/forgot-password")


# Login by default


def test_every_route_declares_who_may_use_it(app):
    undeclared = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if access_rule(app, rule.endpoint) is None
    )

    assert undeclared == [], f"routes without @public, @signed_in or @roles: {undeclared}"


def test_a_route_without_a_rule_is_refused_even_to_coordinators(
    app, client, make_user, login_as, monkeypatch
):
    monkeypatch.setitem(app.view_functions, "main.privacy", lambda: "a page nobody decided about")

    signed_out = client.get("/privacy")
    login_as(make_user(Role.COORDINATOR))
    coordinator = client.get("/privacy")

    assert signed_out.status_code == coordinator.status_code == 403
    assert "a page nobody decided about" not in coordinator.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in_from_every_private_page(app, client):
    private = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and access_rule(app, rule.endpoint) != PUBLIC
    ]
    assert "/team" in private
    assert "/coordinator/" in private

    for path in private:
        response = client.get(path)

        assert response.status_code == 302, path
        assert response.headers["Location"] == f"/sign-in?next={quote(path, safe='')}", path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in",
        "/sign-up",
        "/sign-up/check-your-email",
        "/forgot-password",
        "/accessibility",
        "/privacy",
        "/cookies",
    ],
)
def test_public_pages_are_open_to_everyone(client, path):
    assert client.get(path).status_code == 200


def test_signing_in_from_the_redirect_returns_to_the_page_asked_for(client, make_user):
    coordinator = make_user(Role.COORDINATOR)
    sign_in_page = client.get("/coordinator/organisations").headers["Location"]

    response = client.post(
        sign_in_page,
        data={"csrf_token": token(client), "email": coordinator.email, "password": "correct horse battery"},
    )

    assert response.headers["Location"] == "/coordinator/organisations"


# Roles

COORDINATOR_PAGES = ["/coordinator/", "/coordinator/authorities", "/coordinator/organisations"]
AUTHORITY_PAGES = ["/authority"]
ORGANISATION_PAGES = ["/organisation"]


@pytest.mark.parametrize("role", [Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER])
def test_organisation_people_cannot_see_coordinator_or_authority_pages(
    client, make_user, login_as, authority, role
):
    login_as(make_user(role))
    leeds = authority()

    for path in [*COORDINATOR_PAGES, *AUTHORITY_PAGES, local_offer(leeds)]:
        response = client.get(path)

        assert response.status_code == 403, path
        assert "You do not have permission to see this page" in response.get_data(as_text=True), path
    assert client.get("/organisation").status_code == 200


@pytest.mark.parametrize("role", [Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER])
def test_local_authority_people_cannot_see_coordinator_or_organisation_pages(
    client, make_user, login_as, role
):
    login_as(make_user(role))

    for path in [*COORDINATOR_PAGES, *ORGANISATION_PAGES]:
        assert client.get(path).status_code == 403, path
    assert client.get("/authority").status_code == 200


def test_coordinators_cannot_see_organisation_or_authority_pages(client, make_user, login_as):
    login_as(make_user(Role.COORDINATOR))

    for path in [*ORGANISATION_PAGES, *AUTHORITY_PAGES]:
        assert client.get(path).status_code == 403, path
    for path in COORDINATOR_PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.ORGANISATION_ADMIN, "/organisation"),
        (Role.ORGANISATION_MEMBER, "/organisation"),
        (Role.PERSONAL_ADVISER, "/caseload"),
        (Role.AUTHORITY_MANAGER, "/caseload"),
        (Role.COORDINATOR, "/coordinator/"),
    ],
)
def test_home_is_the_page_for_your_role(client, make_user, login_as, role, home):
    login_as(make_user(role))

    assert client.get("/home").headers["Location"] == home
    assert client.get(home).status_code == 200


# Invitations belong to the team that sent them


def open_invitation(make_user: Any, inviter_role: Role, **scope: Any) -> Invitation:
    """An open invitation sent by a new member of some team."""
    inviter = make_user(inviter_role, **scope)
    role = {
        Role.ORGANISATION_ADMIN: Role.ORGANISATION_MEMBER,
        Role.AUTHORITY_MANAGER: Role.PERSONAL_ADVISER,
    }[inviter_role]
    invitation = Invitation(
        email="invited@example.org",
        role=role,
        organisation_id=inviter.organisation_id,
        local_authority_id=inviter.local_authority_id,
        invited_by=inviter,
        created_at=utcnow(),
        expires_at=utcnow().replace(year=utcnow().year + 1),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def test_an_organisation_admin_cannot_withdraw_another_organisations_invitation(client, make_user, login_as):
    theirs = open_invitation(make_user, Role.ORGANISATION_ADMIN)
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = client.post(f"/team/invitations/{theirs.id}/withdraw", data={"csrf_token": token(client)})

    assert response.status_code == 404
    assert db.session.get(Invitation, theirs.id).revoked_at is None
    assert "invited@example.org" not in client.get("/team").get_data(as_text=True)


def test_a_manager_cannot_withdraw_another_authoritys_invitation(client, make_user, login_as, authority):
    theirs = open_invitation(make_user, Role.AUTHORITY_MANAGER, local_authority=authority(CAMDEN))
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=authority()))

    response = client.post(f"/team/invitations/{theirs.id}/withdraw", data={"csrf_token": token(client)})

    assert response.status_code == 404
    assert db.session.get(Invitation, theirs.id).revoked_at is None


def test_a_coordinator_cannot_withdraw_an_organisations_invitation(client, make_user, login_as):
    theirs = open_invitation(make_user, Role.ORGANISATION_ADMIN)
    login_as(make_user(Role.COORDINATOR))

    response = client.post(f"/team/invitations/{theirs.id}/withdraw", data={"csrf_token": token(client)})

    assert response.status_code == 404
    assert db.session.get(Invitation, theirs.id).revoked_at is None


@pytest.mark.parametrize("invitation_id", ["999999", "2147483648", "99999999999999999999999", "-1", "abc"])
def test_withdrawing_an_invitation_that_does_not_exist_is_not_found(
    client, make_user, login_as, invitation_id
):
    login_as(make_user(Role.ORGANISATION_ADMIN))

    response = client.post(f"/team/invitations/{invitation_id}/withdraw", data={"csrf_token": token(client)})

    assert response.status_code == 404


# Local offer links


def save_local_offer(client: Any, path: str, url: str) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, path), "local_offer_url": url})


def local_offer_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "local_offer_changed").order_by(AuditEvent.id)
        )
    )


def test_a_manager_adds_their_authoritys_local_offer_link(client, make_user, login_as, authority):
    leeds = authority()
    manager = login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=leeds))

    response = save_local_offer(client, local_offer(authority()), "www.leeds.gov.uk/care-leavers")

    assert response.status_code == 302
    assert response.headers["Location"] == "/authority"
    dashboard = client.get("/authority").get_data(as_text=True)
    assert "The local offer link has been saved" in dashboard
    assert '<a class="govuk-link" href="https://www.leeds.gov.uk/care-leavers">' in dashboard
    assert db.session.get(LocalAuthority, leeds.id).local_offer_url == "https://www.leeds.gov.uk/care-leavers"
    [event] = local_offer_events()
    assert event.actor_id == manager.id
    assert event.subject_type == "local_authority"
    assert event.subject_id == leeds.id
    assert event.changes == {
        "local_offer_url": {"before": None, "after": "https://www.leeds.gov.uk/care-leavers"}
    }


def test_a_link_cannot_break_out_of_the_page(client, make_user, login_as, authority):
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=authority()))

    save_local_offer(client, local_offer(authority()), 'https://www.leeds.gov.uk/"onmouseover="alert(1)')

    dashboard = client.get("/authority").get_data(as_text=True)
    assert 'onmouseover="alert(1)' not in dashboard
    assert "onmouseover=&#34;alert(1)" in dashboard


def test_a_manager_can_remove_the_link(client, make_user, login_as, authority):
    leeds = authority()
    leeds.local_offer_url = "https://www.leeds.gov.uk/care-leavers"
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=leeds))

    save_local_offer(client, local_offer(authority()), "")

    assert db.session.get(LocalAuthority, leeds.id).local_offer_url is None
    assert "Not added yet" in client.get("/authority").get_data(as_text=True)
    assert local_offer_events()[0].changes["local_offer_url"]["after"] is None


def test_saving_the_same_link_again_records_nothing_new(client, make_user, login_as, authority):
    leeds = authority()
    leeds.local_offer_url = "https://www.leeds.gov.uk/care-leavers"
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=leeds))

    response = save_local_offer(client, local_offer(authority()), "https://www.leeds.gov.uk/care-leavers")

    assert response.status_code == 302
    assert local_offer_events() == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a link", "Enter a link in the correct format, like https://www.example.gov.uk/care-leavers"),
        (
            "javascript:alert(1)",
            "Enter a link in the correct format, like https://www.example.gov.uk/care-leavers",
        ),
        ("https://", "Enter a link in the correct format, like https://www.example.gov.uk/care-leavers"),
        ("www.leeds.gov.uk/" + "x" * 500, "Link must be 500 characters or fewer"),
    ],
)
def test_the_local_offer_link_must_be_a_web_address(client, make_user, login_as, authority, url, message):
    leeds = authority()
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=leeds))

    response = save_local_offer(client, local_offer(authority()), url)

    assert response.status_code == 400
    assert ("#local_offer_url", message) in error_links(response.get_data(as_text=True))
    assert db.session.get(LocalAuthority, leeds.id).local_offer_url is None
    assert local_offer_events() == []


def test_a_manager_only_changes_their_own_authority(client, make_user, login_as, authority):
    camden = authority(CAMDEN)
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=authority()))

    save_local_offer(client, local_offer(authority()), "www.leeds.gov.uk/care-leavers")

    assert db.session.get(LocalAuthority, camden.id).local_offer_url is None
    assert (
        client.get(local_offer(camden)).status_code == 404
    )  # another authority's page does not exist for them
    response = client.post(
        local_offer(camden),
        data={"csrf_token": token(client), "local_offer_url": "https://evil.example"},
    )
    assert response.status_code == 404
    assert db.session.get(LocalAuthority, camden.id).local_offer_url is None


def test_an_adviser_cannot_change_the_local_offer_link(client, make_user, login_as, authority):
    leeds = authority()
    login_as(make_user(Role.PERSONAL_ADVISER, local_authority=leeds))

    page = client.get(local_offer(leeds))
    response = client.post(
        local_offer(leeds), data={"csrf_token": token(client), "local_offer_url": "https://evil.example"}
    )

    assert page.status_code == response.status_code == 403
    assert db.session.get(LocalAuthority, leeds.id).local_offer_url is None
    assert local_offer(leeds) not in client.get("/authority").get_data(
        as_text=True
    )  # no 'Change' link either


def test_a_coordinator_can_change_any_authoritys_link(client, make_user, login_as, authority):
    camden = authority(CAMDEN)
    coordinator = login_as(make_user(Role.COORDINATOR))
    path = local_offer(camden)

    response = save_local_offer(client, path, "https://www.camden.gov.uk/care-leavers")

    assert response.status_code == 302
    assert response.headers["Location"] == "/coordinator/authorities"
    assert f"The local offer link for {camden.name} has been saved" in client.get(
        "/coordinator/authorities"
    ).get_data(as_text=True)
    assert (
        db.session.get(LocalAuthority, camden.id).local_offer_url == "https://www.camden.gov.uk/care-leavers"
    )
    [event] = local_offer_events()
    assert event.actor_id == coordinator.id
    assert event.subject_id == camden.id


def test_a_coordinators_bad_link_is_shown_against_the_field(client, make_user, login_as, authority):
    camden = authority(CAMDEN)
    login_as(make_user(Role.COORDINATOR))

    response = save_local_offer(client, local_offer(camden), "not a link")

    assert response.status_code == 400
    assert [href for href, _ in error_links(response.get_data(as_text=True))] == ["#local_offer_url"]


@pytest.mark.parametrize("authority_id", ["999999", "2147483648", "99999999999999999999999"])
def test_a_local_offer_for_an_authority_that_does_not_exist_is_not_found(
    client, make_user, login_as, authority_id
):
    login_as(make_user(Role.COORDINATOR))

    assert client.get(f"/authorities/{authority_id}/local-offer").status_code == 404


@pytest.mark.parametrize(
    "junk", ["x" * 5000, "名前 🎉 Ünïcödé", "bad\x00byte", "\x00", "<script>alert(1)</script>"]
)
def test_junk_never_breaks_the_local_offer_forms(client, make_user, login_as, authority, junk):
    leeds = authority()
    login_as(make_user(Role.AUTHORITY_MANAGER, local_authority=leeds))
    manager_answer = save_local_offer(client, local_offer(authority()), junk)
    login_as(make_user(Role.COORDINATOR))
    coordinator_answer = save_local_offer(client, local_offer(leeds), junk)

    for response in (manager_answer, coordinator_answer):
        assert response.status_code in (302, 400)  # a lone NUL is dropped, leaving an empty link
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.AUTHORITY_MANAGER, Role.COORDINATOR])
def test_local_offer_forms_without_a_csrf_token_are_refused_kindly(
    client, make_user, login_as, authority, role
):
    login_as(make_user(role))

    response = client.post(local_offer(authority()), data={"local_offer_url": "https://www.leeds.gov.uk"})

    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)


# The coordinator's lists


def row_names(html: str) -> list[str]:
    """The names in the first column of the page's table, without any link around them."""
    cells = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_the_authorities_list_shows_fifty_a_page_with_govuk_pagination(client, make_user, login_as):
    login_as(make_user(Role.COORDINATOR))
    names = list(db.session.scalars(select(LocalAuthority.name).order_by(LocalAuthority.name)))
    assert len(names) > 100

    first = client.get("/coordinator/authorities").get_data(as_text=True)
    second = client.get("/coordinator/authorities?page=2").get_data(as_text=True)

    assert row_names(first) == [str(escape(name)) for name in names[:50]]
    assert row_names(second) == [str(escape(name)) for name in names[50:100]]
    assert 'class="govuk-pagination' in first
    assert 'href="/coordinator/authorities?page=2"' in first
    assert 'aria-current="page"' in second
    assert 'href="/coordinator/authorities?page=1"' in second
    assert "(page 2 of" in second


def test_the_organisations_list_shows_fifty_a_page_with_govuk_pagination(
    client, make_user, login_as, make_organisation
):
    login_as(make_user(Role.COORDINATOR))
    for number in range(1, 52):
        make_organisation(name=f"Org {number:03}")

    first = client.get("/coordinator/organisations").get_data(as_text=True)
    second = client.get("/coordinator/organisations?page=2").get_data(as_text=True)

    assert row_names(first) == [f"Org {number:03}" for number in range(1, 51)]
    assert row_names(second) == ["Org 051"]
    assert "51 organisations have signed the covenant" in first
    assert 'class="govuk-pagination' in first
    assert 'href="/coordinator/organisations?page=2"' in first


def test_a_short_list_has_no_pagination(client, make_user, login_as, make_organisation):
    login_as(make_user(Role.COORDINATOR))
    make_organisation(name="Only One")

    html = client.get("/coordinator/organisations").get_data(as_text=True)

    assert row_names(html) == ["Only One"]
    assert "govuk-pagination" not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "%C2%B2", "%00", "100000", "9" * 50])
@pytest.mark.parametrize("path", ["/coordinator/authorities", "/coordinator/organisations", "/team"])
def test_a_page_number_that_makes_no_sense_shows_the_first_page(
    client, make_user, login_as, make_organisation, path, page
):
    login_as(make_user(Role.COORDINATOR, name="Aaron Coordinator"))
    make_organisation(name="Aardvark Apprenticeships")
    first_authority = db.session.scalars(select(LocalAuthority.name).order_by(LocalAuthority.name)).first()
    first_on_page_one = {
        "/coordinator/authorities": str(escape(first_authority)),
        "/coordinator/organisations": "Aardvark Apprenticeships",
        "/team": "Aaron Coordinator",
    }[path]

    response = client.get(f"{path}?page={page}")

    assert response.status_code == 200
    assert first_on_page_one in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "on_last_page"),
    [
        ("/coordinator/authorities", "York"),
        ("/coordinator/organisations", "Aardvark Apprenticeships"),
        ("/team", "Coordinator Cat"),
    ],
)
def test_a_page_past_the_end_shows_the_last_page(
    client, make_user, login_as, make_organisation, path, on_last_page
):
    login_as(make_user(Role.COORDINATOR, name="Coordinator Cat"))
    make_organisation(name="Aardvark Apprenticeships")

    response = client.get(f"{path}?page=99999")

    assert response.status_code == 200
    assert on_last_page in response.get_data(as_text=True)


# Care leavers' records: nobody outside their authority (or, for a referral, the organisation it went to)


def test_no_route_shows_a_care_leaver_or_referral_to_anyone_outside_their_authority(
    app, client_request, make_user, make_care_leaver, make_pledge, make_referral, authority
):
    """Walks every route that takes a care leaver or a referral: for another authority's staff, another
    organisation's people and coordinators, each answers 403 or 404, and never shows the first name."""
    adviser = make_user(Role.PERSONAL_ADVISER)
    employer = make_user(Role.ORGANISATION_ADMIN)
    sam = make_care_leaver(adviser, first_name="Zebedee")
    pledge = make_pledge(organisation=employer.organisation)
    referral = make_referral(sam, pledge)
    values = {
        "care_leaver_id": sam.id,
        "referral_id": referral.id,
        "pledge_id": pledge.id,
        "status": "accepted",
    }
    camden = authority(CAMDEN)
    outsiders = [
        make_user(Role.PERSONAL_ADVISER, local_authority=camden),
        make_user(Role.AUTHORITY_MANAGER, local_authority=camden),
        make_user(Role.ORGANISATION_ADMIN),
        make_user(Role.COORDINATOR),
    ]
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if {"care_leaver_id", "referral_id"} & set(rule.arguments) and set(rule.arguments) <= set(values)
    ]
    assert len(routes) >= 9

    for outsider in outsiders:
        client_request.login(outsider)
        for rule in routes:
            path = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "GET":
                    response = client_request.client.get(path)
                else:
                    response = client_request.client.post(
                        path, data={"csrf_token": client_request.csrf_token()}
                    )
                assert response.status_code in (403, 404), (outsider.role, method, path, response.status_code)
                assert "Zebedee" not in response.get_data(as_text=True), (outsider.role, method, path)

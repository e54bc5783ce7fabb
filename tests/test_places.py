"""Finding opportunities from any postcode or town, and choosing a pledge's council areas without 153 checkboxes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from covenant import demo
from covenant.clock import utcnow
from covenant.extensions import db
from covenant.models import (
    LocalAuthority,
    Organisation,
    OutboundEmail,
    Pledge,
    PostcodeDistrict,
    SavedSearch,
    Town,
    User,
)
from covenant.reference import load_places
from covenant.vocab import AlertFrequency, PledgeStatus, Reach, Role
from tests.conftest import ClientRequest, error_summary, normalise

WHERE_ACCEPTS = "Enter a town, a postcode like LS6 or LS6 1AA, a council area or a region in England"


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def places(app: Flask) -> None:
    """Every postcode district and town loaded, as `make run` and the deployment steps load them."""
    load_places()


def titles(page: Any) -> list[str]:
    return [normalise(link.get_text()) for link in page.select(".covenant-result h3 a")]


def distances(page: Any) -> dict[str, str]:
    """Each result's title and how far away it says it is."""
    found = {}
    for result in page.select(".covenant-result"):
        distance = result.select_one(".covenant-distance strong")
        found[normalise(result.h3.get_text())] = normalise(distance.get_text()) if distance else ""
    return found


def council(name: str) -> LocalAuthority:
    return db.session.scalars(select(LocalAuthority).where(LocalAuthority.name == name)).one()


def test_loading_the_places_twice_changes_nothing_the_second_time(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["load-places"])
    assert first.exit_code == 0, first.output
    districts = db.session.scalar(select(func.count()).select_from(PostcodeDistrict))
    towns = db.session.scalar(select(func.count()).select_from(Town))
    assert (districts or 0) > 2800, "every postcode district in Great Britain"
    assert (towns or 0) > 1500, "every town in England of 5,000 people or more"

    again = runner.invoke(args=["load-places"])

    assert again.exit_code == 0, again.output
    assert "(0 added, 0 moved)" in again.output
    assert "(0 added, 0 changed)" in again.output
    assert db.session.scalar(select(func.count()).select_from(PostcodeDistrict)) == districts
    assert db.session.scalar(select(func.count()).select_from(Town)) == towns


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize(
    ("typed", "near_here", "far_away"),
    [
        ("LS6", "Welding in Headingley", "Surfing in Truro"),
        ("SW1A 1AA", "Law in Westminster", "Welding in Headingley"),
        ("Morley", "Welding in Headingley", "Law in Westminster"),
        ("truro", "Surfing in Truro", "Law in Westminster"),
    ],
)
def test_a_search_near_a_postcode_or_town_finds_what_is_close_to_it(
    client_request: ClientRequest,
    make_pledge: Callable[..., Pledge],
    typed: str,
    near_here: str,
    far_away: str,
) -> None:
    for title, district, name in (
        ("Welding in Headingley", "LS6", "Leeds"),
        ("Law in Westminster", "SW1A", "Westminster"),
        ("Surfing in Truro", "TR1", "Cornwall"),
    ):
        make_pledge(
            title=title,
            reach=Reach.LOCAL_AUTHORITIES,
            local_authorities=[council(name)],
            postcode_district=district,
        )

    page = client_request.get("opportunities.index", near=typed)

    found = titles(page)
    assert near_here in found
    assert far_away not in found
    assert not error_summary(page)


@pytest.mark.usefixtures("places")
def test_the_demo_data_has_opportunities_near_the_places_the_readme_names(
    client_request: ClientRequest, quick_hashing: None
) -> None:
    demo.seed()
    for typed in ("LS6", "SW1A 1AA", "Morley", "Truro"):
        page = client_request.get("opportunities.index", near=typed)
        local = [distance for distance in distances(page).values() if distance]
        assert local, f"a local opportunity near {typed}"


@pytest.mark.usefixtures("places")
def test_a_place_the_box_cannot_find_says_what_it_accepts_and_searches_nothing(
    client_request: ClientRequest, make_pledge: Callable[..., Pledge]
) -> None:
    make_pledge(title="Anywhere in England", reach=Reach.NATIONAL)

    page = client_request.get("opportunities.index", near="Atlantis", _expected_status=400)

    assert error_summary(page) == [f"We could not find ‘Atlantis’. {WHERE_ACCEPTS}"]
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("input#near")["value"] == "Atlantis", "what was typed stays in the box"
    assert WHERE_ACCEPTS in normalise(page.select_one("#near-error").get_text())
    assert titles(page) == [], "never a search of all England instead"


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"near": "ZZ99 9ZZ"}, f"We do not know the postcode ZZ99. {WHERE_ACCEPTS}"),
        ({"where": "nowhere"}, f"We could not find ‘nowhere’. {WHERE_ACCEPTS}"),
        ({"where": "E99999999", "kind": "job"}, f"We could not find ‘E99999999’. {WHERE_ACCEPTS}"),
    ],
)
def test_an_unknown_postcode_district_or_place_code_is_an_error_too(
    client_request: ClientRequest, args: dict[str, str], problem: str
) -> None:
    page = client_request.get("opportunities.index", _expected_status=400, **args)
    assert error_summary(page) == [problem]


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("Leeds", "Leeds"),
        ("leeds city council", "Leeds"),
        ("Yorkshire and the Humber", "Yorkshire and the Humber"),
    ],
)
def test_the_where_box_takes_a_council_area_or_a_region_by_name(
    client_request: ClientRequest, make_pledge: Callable[..., Pledge], typed: str, chosen: str
) -> None:
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[council("Leeds")])
    make_pledge(title="In Cornwall", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[council("Cornwall")])

    page = client_request.get("opportunities.index", near=typed)

    assert titles(page) == ["In Leeds"]
    assert page.select_one("input#near")["value"] == chosen
    assert chosen in normalise(page.select_one(".moj-filter__selected").get_text())


@pytest.mark.usefixtures("places")
def test_results_near_a_place_say_how_far_away_each_one_is(
    client_request: ClientRequest, make_pledge: Callable[..., Pledge]
) -> None:
    leeds = council("Leeds")
    make_pledge(
        title="In Morley", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds], postcode_district="LS27"
    )
    make_pledge(
        title="In Headingley",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[leeds],
        postcode_district="LS6",
    )
    make_pledge(title="In Leeds somewhere", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    make_pledge(title="Anywhere in England", reach=Reach.NATIONAL)

    page = client_request.get("opportunities.index", near="Morley", national="1")

    assert distances(page) == {
        "In Morley": "less than 1 mile away",
        "In Headingley": "6 miles away",
        "In Leeds somewhere": "7 miles away",  # from the centre of Leeds's council area
        "Anywhere in England": "",
    }


@pytest.mark.usefixtures("places")
def test_how_far_says_what_happens_without_a_distance(client_request: ClientRequest) -> None:
    def how_far(**args: str) -> tuple[str, list[str]]:
        select_box = client_request.get("opportunities.index", **args).select_one("select#distance")
        chosen = select_box.select_one("option[selected]") or select_box.select_one("option")
        return normalise(chosen.get_text()), [
            normalise(option.get_text()) for option in select_box.select("option")
        ]

    first, _ = how_far()
    assert first == "No distance"
    hint = normalise(client_request.get("opportunities.index").select_one("#distance-hint").get_text())
    assert (
        hint
        == "With no distance, we search within 10 miles of a town or postcode, or only in a council area or region"
    )
    near_town, options = how_far(near="Morley")
    assert near_town == "Within 10 miles"
    assert options == ["Within 5 miles", "Within 10 miles", "Within 25 miles", "Within 50 miles"]
    in_council, _ = how_far(near="Leeds")
    assert in_council == "Only in Leeds"


# The pledge's Where section -------------------------------------------------------------------------------


@pytest.fixture
def writer(make_user: Callable[..., User], client_request: ClientRequest) -> User:
    return client_request.login(make_user(Role.ORGANISATION_ADMIN))


@pytest.fixture
def draft(writer: User, make_pledge: Callable[..., Pledge]) -> Pledge:
    organisation: Organisation = writer.organisation  # type: ignore[assignment]
    return make_pledge(PledgeStatus.DRAFT, organisation=organisation, reach=None)


def where_section(
    client_request: ClientRequest, draft: Pledge, data: dict[str, Any], status: int = 200
) -> Any:
    return client_request.post(
        "pledges.edit_section",
        pledge_id=draft.id,
        section_key="location",
        _data=data,
        _expected_status=status,
    )


def chosen(page: Any) -> list[str]:
    return [
        normalise(name.get_text())
        for name in page.select(".covenant-chosen-places li .covenant-chosen-place")
    ]


def test_the_where_section_chooses_council_areas_with_a_list_and_add_without_javascript(
    client_request: ClientRequest, draft: Pledge
) -> None:
    leeds, cornwall = council("Leeds"), council("Cornwall")

    page = client_request.get("pledges.edit_section", pledge_id=draft.id, section_key="location")
    assert page.select('input[type="checkbox"][name="local_authorities"]') == [], "no wall of 153 checkboxes"
    assert page.select_one('select[name="add_authority"]') is not None
    assert page.select_one('button[name="add"]') is not None
    assert "None chosen yet" in normalise(page.get_text())

    page = where_section(
        client_request, draft, {"reach": "local_authorities", "add_authority": str(leeds.id), "add": "1"}
    )
    assert chosen(page) == ["Leeds"]
    page = where_section(
        client_request,
        draft,
        {
            "reach": "local_authorities",
            "local_authorities": [str(leeds.id)],
            "add_authority": str(cornwall.id),
            "add": "1",
        },
    )
    assert chosen(page) == ["Leeds", "Cornwall"]
    remove = page.select_one(f'button[name="remove_authority"][value="{leeds.id}"]')
    assert normalise(remove.get_text()) == "Remove Leeds"
    db.session.refresh(draft)
    assert draft.local_authorities == [], "adding and removing change the form, not the pledge"

    page = where_section(
        client_request,
        draft,
        {
            "reach": "local_authorities",
            "local_authorities": [str(leeds.id), str(cornwall.id)],
            "remove_authority": str(leeds.id),
        },
    )
    assert chosen(page) == ["Cornwall"]

    where_section(
        client_request,
        draft,
        {"reach": "local_authorities", "local_authorities": [str(cornwall.id)]},
        status=302,
    )
    db.session.refresh(draft)
    assert [authority.name for authority in draft.local_authorities] == ["Cornwall"]


def test_a_council_area_chosen_but_not_added_is_saved_with_the_rest(
    client_request: ClientRequest, draft: Pledge
) -> None:
    where_section(
        client_request,
        draft,
        {"reach": "local_authorities", "add_authority": str(council("Leeds").id)},
        status=302,
    )
    db.session.refresh(draft)
    assert [authority.name for authority in draft.local_authorities] == ["Leeds"]


def test_a_pledge_needs_a_council_area_when_it_is_local(client_request: ClientRequest, draft: Pledge) -> None:
    page = where_section(client_request, draft, {"reach": "local_authorities"}, status=400)
    assert error_summary(page) == ["Select at least one local authority area"]
    assert page.select_one("select#local_authorities") is not None, "the error links to the list to add from"


@pytest.mark.parametrize(("district", "saved"), [("ls6", "LS6"), ("TR1", "TR1")])
def test_a_pledges_postcode_district_must_exist(
    client_request: ClientRequest, draft: Pledge, district: str, saved: str
) -> None:
    page = where_section(client_request, draft, {"reach": "remote", "postcode_district": "ZZ99"}, status=400)
    assert error_summary(page) == ["ZZ99 is not a postcode district. Enter a real one, like LS1 or SW1A"]

    where_section(client_request, draft, {"reach": "remote", "postcode_district": district}, status=302)
    db.session.refresh(draft)
    assert draft.postcode_district == saved


@pytest.mark.usefixtures("places")
def test_the_where_box_suggests_regions_council_areas_and_towns_as_you_type(client: Any) -> None:
    assert client.get("/opportunities/places?q=mor").get_json()[:2] == ["Morley", "Morecambe"], (
        "biggest first"
    )
    assert client.get("/opportunities/places?q=yor").get_json() == ["Yorkshire and the Humber", "York"]
    assert "Leeds" in client.get("/opportunities/places?q=LEE").get_json()
    assert client.get("/opportunities/places?q=m").get_json() == [], "two letters at least"
    assert client.get("/opportunities/places?q=atlantis").get_json() == []


@pytest.mark.usefixtures("places")
def test_a_search_near_a_place_credits_the_open_data_it_uses(client_request: ClientRequest) -> None:
    credit = normalise(
        client_request.get("opportunities.index", near="Morley")
        .select_one(".covenant-attribution")
        .get_text()
    )
    assert "OS data © Crown copyright and database right" in credit
    assert "GeoNames" in credit


@pytest.mark.usefixtures("places")
def test_a_search_with_a_place_it_cannot_find_is_not_saved_as_a_search_of_england(
    client_request: ClientRequest, make_user: Callable[..., User]
) -> None:
    client_request.login(make_user(Role.PERSONAL_ADVISER))
    client_request.get(
        "alerts.save",
        near="Atlantis",
        _expected_status=302,
        _expected_redirect="/opportunities?near=Atlantis",
    )
    client_request.post(
        "alerts.save",
        near="Atlantis",
        _data={"name": "Atlantis", "frequency": "daily"},
        _expected_redirect="/opportunities?near=Atlantis",
    )
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


@pytest.mark.usefixtures("places")
def test_a_saved_search_near_a_town_emails_what_is_near_it_and_one_whose_place_is_gone_emails_nothing(
    runner: FlaskCliRunner, make_user: Callable[..., User], make_pledge: Callable[..., Pledge]
) -> None:
    adviser = make_user(Role.PERSONAL_ADVISER, email="sam@example.org")
    for query_string, name in (("near=Morley", "Morley"), ("near=ZZ99&distance=10", "Nowhere")):
        db.session.add(
            SavedSearch(
                user=adviser,
                name=name,
                query_string=query_string,
                frequency=AlertFrequency.DAILY,
                alerted_through=utcnow() - timedelta(days=1),
            )
        )
    make_pledge(
        title="Welding in Morley",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[council("Leeds")],
        postcode_district="LS27",
        published_at=utcnow() - timedelta(hours=1),
    )
    make_pledge(title="Anywhere in England", reach=Reach.NATIONAL, published_at=utcnow() - timedelta(hours=1))

    result = runner.invoke(args=["send-alerts", "--frequency", "daily"])

    assert result.exit_code == 0, result.output
    [email] = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "saved_search_alert"))
    assert "‘Morley’" in email.body
    assert "Welding in Morley" in email.body
    assert "Anywhere in England" not in email.body

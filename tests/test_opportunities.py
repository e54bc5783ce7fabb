"""Finding opportunities: every filter and order on both databases, ranking, stemming, distance, pages and
malformed parameters, and that only live pledges of organisations in good standing ever appear."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from covenant.clock import uk_today, utcnow
from covenant.extensions import db
from covenant.models import PostcodeDistrict
from covenant.vocab import OutcomeArea, PledgeKind, PledgeStatus, Reach, Region, Role


def titles(client, query=""):
    """The titles of the results on a search page, in order."""
    response = client.get("/opportunities" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [
        re.sub(r"\s+", " ", title).strip()
        for title in re.findall(
            r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]*">(.*?)</a>', html, re.S
        )
    ]


def every_title(client, query):
    """The titles on every page of a search's results, in order."""
    found = []
    for page in range(1, 10):
        found += titles(client, f"{query}&page={page}")
        if 'rel="next"' not in page_text(client, f"{query}&page={page}"):
            return found
    raise AssertionError("more pages than expected")


def page_text(client, query=""):
    return client.get("/opportunities" + query).get_data(as_text=True)


def statements_during(action):
    """The SQL statements (other than savepoints) that `action` runs."""
    seen = []

    def count_statement(*args):
        if not args[2].lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(args[2])

    engine = db.engines[None]
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    return seen


@pytest.fixture
def leeds(authority):
    return authority("E08000035")


@pytest.fixture
def bradford(authority):
    return authority("E08000032")


@pytest.fixture
def cornwall(authority):
    return authority("E06000052")


def test_only_live_pledges_of_organisations_in_good_standing_appear(client, make_pledge, make_organisation):
    today = uk_today()
    make_pledge(title="Live one")
    for status in PledgeStatus:
        if status != PledgeStatus.PUBLISHED:
            make_pledge(title=f"Hidden {status.value}", status=status)
    make_pledge(
        title="Hidden suspended", organisation=make_organisation(suspended_at=utcnow(), suspension_reason="x")
    )
    make_pledge(title="Hidden past closing", closes_on=today - timedelta(days=1))
    make_pledge(title="Hidden past end", ends_on=today - timedelta(days=1), closes_on=None)
    make_pledge(title="Live ongoing", ongoing=True, ends_on=None, closes_on=None)
    assert sorted(titles(client)) == ["Live one", "Live ongoing"]


def test_keyword_search_stems_and_ranks_title_matches_first(client, make_pledge):
    make_pledge(title="Careers advice sessions", description="Our mentors will help you plan.")
    make_pledge(title="Mentoring with an engineer", description="Meet monthly.")
    make_pledge(title="Driving lessons", description="Twenty lessons.")
    assert titles(client, "?q=mentors") == ["Mentoring with an engineer", "Careers advice sessions"]
    assert titles(client, "?q=driving+lesson") == ["Driving lessons"]
    assert titles(client, "?q=lessons+mentoring") == []
    assert "No opportunities found" in page_text(client, "?q=astronaut")


def test_best_match_puts_title_then_summary_then_anywhere_newest_first(client, make_pledge):
    make_pledge(title="Careers day", description="Our mentors meet you monthly.")
    make_pledge(title="Mentoring with an engineer")
    make_pledge(title="Office week", summary="Mentoring and lunch with our team.")
    make_pledge(title="Mentors for care leavers")
    make_pledge(title="Driving lessons")
    db.session.commit()

    order = ["Mentors for care leavers", "Mentoring with an engineer", "Office week", "Careers day"]
    assert titles(client, "?q=mentoring") == order
    assert re.search(r"Sorted by:\s*<strong>best match</strong>", page_text(client, "?q=mentoring"))
    assert "with your search words in their title first" in page_text(client, "?q=mentoring")
    assert "with your search words in their title first" not in page_text(client, "?q=mentoring&sort=newest")
    # Every word must be in the title for the first place: split between title and description comes last.
    make_pledge(title="Lessons in mentoring", description="Also some driving.")
    make_pledge(title="Driving with a mentor", summary="Lessons on Saturdays.")
    db.session.commit()
    assert titles(client, "?q=driving+mentoring+lessons") == ["Driving with a mentor", "Lessons in mentoring"]
    # The other orders still apply to a keyword search.
    assert titles(client, "?q=mentoring&sort=newest")[:2] == ["Driving with a mentor", "Lessons in mentoring"]


@pytest.fixture(params=["named-by-the-count", "read-in-order"])
def pages_read(request, monkeypatch):
    """A search whose matches the count names in full has them sorted for its pages; a bigger one has its pages
    read in order from the indexes. Tests of an order run both ways, and must find the same pages."""
    if request.param == "read-in-order":
        from covenant.opportunities.search import results

        monkeypatch.setattr(results, "COUNT_CAP", 1)
    return request.param


def test_best_match_pages_are_the_same_however_they_are_read(client, make_pledge, pages_read):
    """Best match reads a tier only while the tiers before fall short of the page, or sorts the matches the
    count named: every way gives the same pages."""
    for number in range(25):
        make_pledge(title=f"Plumbing number {number}", kind=PledgeKind.APPRENTICESHIP)
    for number in range(4):
        make_pledge(title=f"Trade {number}", summary="Plumbing and heating.", kind=PledgeKind.APPRENTICESHIP)
    for number in range(3):
        make_pledge(title=f"Workshop {number}", what_you_get="Plumbing tools to keep.")
    make_pledge(title="Plumbing but a job", kind=PledgeKind.JOB)
    make_pledge(title="Not this one")
    db.session.commit()
    expected = (
        ["Plumbing but a job"]
        + [f"Plumbing number {number}" for number in reversed(range(25))]
        + [f"Trade {number}" for number in reversed(range(4))]
        + [f"Workshop {number}" for number in reversed(range(3))]
    )
    pages = [titles(client, f"?q=plumbing&page={page}") for page in (1, 2)]
    assert pages[0] + pages[1] == expected
    assert len(pages[0]) == 20
    if pages_read == "named-by-the-count":
        assert "33 opportunities" in page_text(client, "?q=plumbing")

    apprenticeships = [
        title for title in expected if title != "Plumbing but a job" and "Workshop" not in title
    ]
    found = titles(client, "?q=plumbing&kind=apprenticeship") + titles(
        client, "?q=plumbing&kind=apprenticeship&page=2"
    )
    assert found == apprenticeships
    assert titles(client, "?q=plumbing&kind=mentoring") == []
    assert titles(client, "?q=astronaut") == []


def test_keyword_search_is_safe_with_operators_and_punctuation(client, make_pledge):
    make_pledge(title="Kitchen jobs", summary="Work in a kitchen.")
    for query in [
        '?q="kitchen',
        "?q=kitchen+AND+OR+NOT",
        "?q=kitchen*",
        "?q=%27%3B+DROP+TABLE+pledge%3B",
        "?q=(((",
        "?q=NEAR(kitchen)",
        "?q=kitchen:A+%26+jobs+%7C+!work",
        "?q=v1.2.3+3.5+1e5",
        "?q=kitchen_jobs",
        "?q=%E6%97%A5%E6%9C%AC%E8%AA%9E",
        "?q=the",
    ]:
        response = client.get("/opportunities" + query)
        assert response.status_code == 200, query
    assert titles(client, "?q=KITCHEN") == ["Kitchen jobs"]
    assert titles(client, "?q=kitchen:A") == ["Kitchen jobs"], "a colon is not an operator"
    assert titles(client, "?q=kitchen_jobs") == ["Kitchen jobs"], "an underscore separates words"
    assert titles(client, "?q=!!!") == ["Kitchen jobs"]  # no searchable words: every opportunity


def test_filters_by_kind_outcome_area_age_and_pay(client, make_pledge):
    make_pledge(
        title="Paid job for 18 plus",
        kind=PledgeKind.JOB,
        paid=True,
        min_age=18,
        max_age=25,
        outcome_areas=[OutcomeArea.FINANCE],
    )
    make_pledge(
        title="Unpaid mentoring",
        kind=PledgeKind.MENTORING,
        paid=False,
        min_age=16,
        max_age=21,
        outcome_areas=[OutcomeArea.HEALTH],
    )
    make_pledge(title="Work experience", kind=PledgeKind.WORK_EXPERIENCE, min_age=16, max_age=17)
    assert titles(client, "?kind=job") == ["Paid job for 18 plus"]
    assert sorted(titles(client, "?kind=job&kind=mentoring")) == ["Paid job for 18 plus", "Unpaid mentoring"]
    assert titles(client, "?area=health") == ["Unpaid mentoring"]
    assert sorted(titles(client, "?age=17")) == ["Unpaid mentoring", "Work experience"]
    assert titles(client, "?age=22") == ["Paid job for 18 plus"]
    assert titles(client, "?paid=1") == ["Paid job for 18 plus"]


FILTERS = [
    "kind=job",
    "area=health",
    "area=health&area=finance",
    "age=17&paid=1",
    "where=E08000035",
    "where=E08000035&remote=1&national=1",
    "where=E12000003",
    "where=E12000003&national=1",
    "where=E08000035&distance=25",
    "near=LS1&distance=10",
    "where=E06000052&distance=50&remote=1",
    "kind=job&where=E08000035&distance=10",
    "kind=mentoring&where=E08000035",
]


@pytest.mark.parametrize("keyword_leads", [True, False], ids=["keyword-first", "keyword-last"])
def test_a_keyword_narrows_every_filter_the_same_way(
    client, make_pledge, leeds, bradford, cornwall, pages_read, monkeypatch, keyword_leads
):
    """With a keyword or without, in every order, read in order or sorted once found, a filter finds the same
    pledges; and whether the keyword's matches are read first or it is tested last (`keyword_leads`, which the
    databases answer from their own figures)."""
    from covenant.opportunities.search import filters as search_filters

    monkeypatch.setattr(search_filters, "keyword_leads", lambda keyword, others: keyword_leads)
    db.session.add(PostcodeDistrict(code="LS1", latitude=53.7990, longitude=-1.5490))
    places = [
        {"reach": Reach.LOCAL_AUTHORITIES, "local_authorities": [leeds]},
        {"reach": Reach.LOCAL_AUTHORITIES, "local_authorities": [bradford, cornwall]},
        {"reach": Reach.LOCAL_AUTHORITIES, "local_authorities": [cornwall], "postcode_district": "LS1"},
        {"reach": Reach.REGIONS, "regions": [Region.YORKSHIRE]},
        {"reach": Reach.REGIONS, "regions": [Region.LONDON, Region.SOUTH_WEST]},
        {"reach": Reach.REMOTE},
        {"reach": Reach.NATIONAL},
    ]
    kinds = [PledgeKind.JOB, PledgeKind.MENTORING]
    areas = [[OutcomeArea.HEALTH], [OutcomeArea.FINANCE, OutcomeArea.INDEPENDENT_LIVING]]
    number = 0
    for place in places:
        for kind in kinds:
            for area in areas:
                for word in ("Plumbing", "Painting"):
                    number += 1
                    make_pledge(
                        title=f"{word} {number}",
                        kind=kind,
                        outcome_areas=area,
                        paid=number % 3 == 0,
                        min_age=16 if number % 2 else 18,
                        **place,
                    )
    db.session.commit()
    for filters in FILTERS:
        plumbing = sorted(
            title for title in every_title(client, f"?{filters}") if title.startswith("Plumbing")
        )
        assert plumbing, filters
        sorts = ["", "&sort=newest"]
        if "where=E0" in filters or "near=" in filters:  # a place with a centre
            sorts.append("&sort=nearest")
            everything = sorted(every_title(client, f"?{filters}"))
            assert sorted(every_title(client, f"?{filters}&sort=nearest")) == everything, filters
        for sort in sorts:
            found = every_title(client, f"?q=plumbing&{filters}{sort}")
            assert sorted(found) == plumbing, (filters, sort)


def test_open_now_and_closing_soon(client, make_pledge):
    today = uk_today()
    make_pledge(title="Full", places=2, places_taken=2)
    make_pledge(title="Unlimited", places=None, places_unlimited=True)
    make_pledge(title="Closing in 5 days", closes_on=today + timedelta(days=5))
    make_pledge(title="Closing in 20 days", closes_on=today + timedelta(days=20))
    assert "Full" not in titles(client, "?open=1")
    assert "Unlimited" in titles(client, "?open=1")
    assert titles(client, "?closing=1") == ["Closing in 5 days"]


def test_where_includes_local_regional_and_optionally_remote_and_national(
    client, make_pledge, leeds, cornwall
):
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    make_pledge(title="In Cornwall", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[cornwall])
    make_pledge(title="Across Yorkshire", reach=Reach.REGIONS, regions=[Region.YORKSHIRE])
    make_pledge(title="Online", reach=Reach.REMOTE)
    make_pledge(title="Anywhere", reach=Reach.NATIONAL)
    assert sorted(titles(client, "?where=E08000035&remote=1&national=1")) == [
        "Across Yorkshire",
        "Anywhere",
        "In Leeds",
        "Online",
    ]
    assert sorted(titles(client, "?where=E08000035")) == ["Across Yorkshire", "In Leeds"]
    assert sorted(titles(client, "?where=E08000035&remote=1")) == ["Across Yorkshire", "In Leeds", "Online"]
    assert sorted(titles(client, "?where=E12000003")) == [
        "Across Yorkshire",
        "In Leeds",
    ]  # the region of Yorkshire
    assert sorted(titles(client, "?where=E06000052")) == ["In Cornwall"]


def test_distance_from_an_authority_has_a_boundary(client, make_pledge, leeds, bradford, cornwall):
    make_pledge(title="In Bradford", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[bradford])
    make_pledge(title="In Cornwall", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[cornwall])
    # Leeds and Bradford centroids are about 9 to 10 miles apart.
    assert titles(client, "?where=E08000035&distance=5") == []
    assert titles(client, "?where=E08000035&distance=25") == ["In Bradford"]
    assert "In Cornwall" not in titles(client, "?where=E08000035&distance=50")
    assert titles(client, "?where=E06000052&distance=5") == ["In Cornwall"]


def test_distance_from_a_postcode_district_and_nearest_first(client, make_pledge, leeds, bradford):
    db.session.add_all(
        [
            PostcodeDistrict(code="LS1", latitude=53.7990, longitude=-1.5490),
            PostcodeDistrict(code="BD1", latitude=53.7950, longitude=-1.7530),
        ]
    )
    make_pledge(
        title="Bradford centre",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[bradford],
        postcode_district="BD1",
    )
    make_pledge(
        title="Leeds centre",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[leeds],
        postcode_district="LS1",
    )
    assert titles(client, "?near=LS1&distance=5") == ["Leeds centre"]
    # A whole postcode is searched near its district, and only the district is kept.
    assert titles(client, "?near=ls1+4ap&distance=5") == ["Leeds centre"]
    page = page_text(client, "?near=ls1+4ap&distance=5").lower()
    assert 'value="ls1"' in page
    assert "ls1 4ap" not in page
    assert "ls14ap" not in page
    assert titles(client, "?near=LS1&distance=10&sort=nearest&remote=1") == [
        "Leeds centre",
        "Bradford centre",
    ]
    assert titles(client, "?where=E08000032&sort=nearest&distance=25") == ["Bradford centre", "Leeds centre"]
    html = page_text(client, "?near=ZZ9&distance=10")
    assert "We do not know the postcode ZZ9" in html
    assert "We could not find ‘not a postcode’" in page_text(client, "?near=not+a+postcode")


@pytest.mark.parametrize("rings", [(1, 4, 16, 64), (1, 2)], ids=["rings", "small-rings"])
def test_nearest_first_pages_through_every_ring_in_order(
    client, make_pledge, authority, monkeypatch, rings, pages_read
):
    """Nearest first reads the nearest authorities' pledges ring by ring while they hold too few for the page.
    With pages of 3, every ring is read somewhere, and an authority's list is cut off short of pledges that a
    nearer authority lists too; the pages together must be the whole order: by the distance to each pledge's
    nearest authority, the most recently added first at the same distance, then pledges with no authority: those
    across the region first, then remote and national ones, the most recently added first."""
    from covenant.opportunities.search import nearest, results

    monkeypatch.setattr(nearest, "RESULTS_PER_PAGE", 3)
    monkeypatch.setattr(results, "RESULTS_PER_PAGE", 3)
    monkeypatch.setattr(nearest, "NEAREST_RINGS", rings)
    codes = ["E08000035", "E08000032", "E08000034", "E08000036", "E08000033", "E06000014", "E06000052"]
    places = [authority(code) for code in codes]
    leeds = places[0]
    squeeze = math.cos(math.radians(leeds.latitude))

    def distance(place):
        return (place.latitude - leeds.latitude) ** 2 + ((place.longitude - leeds.longitude) * squeeze) ** 2

    base = utcnow() - timedelta(days=1)
    local, elsewhere = [], []
    for number in range(24):
        published_at = base + timedelta(minutes=(number * 7) % 13, seconds=number)
        if number % 6 == 5:
            reach = [Reach.REMOTE, Reach.NATIONAL, Reach.REGIONS][number // 6 % 3]
            regions = [Region.YORKSHIRE] if reach == Reach.REGIONS else []
            make_pledge(title=f"Elsewhere {number}", reach=reach, regions=regions, published_at=published_at)
            elsewhere.append((reach != Reach.REGIONS, number, f"Elsewhere {number}"))
            continue
        # Some pledges list two authorities; the nearer one decides.
        listed = [places[number % 7], places[(number * 3) % 7]] if number % 4 == 0 else [places[number % 7]]
        make_pledge(
            title=f"Local {number}",
            reach=Reach.LOCAL_AUTHORITIES,
            local_authorities=list({place.id: place for place in listed}.values()),
            published_at=published_at,
        )
        local.append((min(distance(place) for place in listed), number, f"Local {number}"))
    db.session.commit()
    within_50_miles = (50 / 69) ** 2  # squared degrees, as the search reckons it
    # At the same distance the most recently added (the higher number) comes first, whenever it was published.
    local = sorted((row for row in local if row[0] <= within_50_miles), key=lambda row: (row[0], -row[1]))
    elsewhere.sort(key=lambda row: (row[0], -row[1]))
    expected = [title for *_, title in local] + [title for *_, title in elsewhere]
    assert len(local) > 12, "the pledges listed only in Cornwall are out of range, the rest in"

    search_url = "?where=E08000035&distance=50&sort=nearest&remote=1&national=1"
    assert every_title(client, search_url) == expected
    assert sorted(every_title(client, search_url.replace("nearest", "newest"))) == sorted(expected)
    # Within a distance, only what is in range, still nearest first.
    in_range = [title for title in expected if title.startswith("Local")][:5]
    found = every_title(client, "?where=E08000035&distance=25&sort=nearest")
    assert found[: len(in_range)] == in_range


def test_nearest_first_puts_the_places_region_before_other_regions_and_england(client, make_pledge, leeds):
    db.session.add(PostcodeDistrict(code="LS1", latitude=53.7990, longitude=-1.5490))
    make_pledge(
        title="Across Yorkshire", reach=Reach.REGIONS, regions=[Region.YORKSHIRE], postcode_district="LS1"
    )
    make_pledge(title="Across London", reach=Reach.REGIONS, regions=[Region.LONDON])
    make_pledge(title="Anywhere", reach=Reach.NATIONAL)
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    assert titles(client, "?where=E08000035&national=1&sort=nearest") == [
        "In Leeds",
        "Across Yorkshire",
        "Anywhere",
    ]
    # From a postcode no region is chosen, so none comes first: the most recently added does.
    assert titles(client, "?near=LS1&national=1&sort=nearest") == ["In Leeds", "Anywhere", "Across Yorkshire"]


def test_a_postcode_alone_is_searched_within_10_miles(client, make_pledge, leeds, cornwall):
    db.session.add(PostcodeDistrict(code="LS1", latitude=53.7990, longitude=-1.5490))
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    make_pledge(title="In Cornwall", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[cornwall])
    assert titles(client, "?near=LS1") == ["In Leeds"]
    html = page_text(client, "?near=LS1")
    assert '<option value="10" selected>Within 10 miles</option>' in html
    remove = '"><span class="govuk-visually-hidden">Remove this filter</span> '
    assert f'href="/opportunities#results{remove}Within 10 miles of LS1' in html
    assert titles(client, "?near=LS1&distance=50") == ["In Leeds"]
    # With a council area too, the postcode is only where distances are measured from.
    assert sorted(titles(client, "?where=E06000052&near=LS1")) == ["In Cornwall"]


def test_sorts_by_newest_and_closing_soonest(client, make_pledge, pages_read):
    today = uk_today()
    now = utcnow()
    make_pledge(
        title="Old, closes soon", published_at=now - timedelta(days=9), closes_on=today + timedelta(days=2)
    )
    make_pledge(
        title="New, closes late", published_at=now - timedelta(days=1), closes_on=today + timedelta(days=50)
    )
    make_pledge(
        title="Middle, no closing date",
        published_at=now - timedelta(days=5),
        closes_on=None,
        ongoing=True,
        ends_on=None,
    )
    assert titles(client) == ["New, closes late", "Middle, no closing date", "Old, closes soon"]
    assert titles(client, "?sort=closing") == [
        "Old, closes soon",
        "New, closes late",
        "Middle, no closing date",
    ]


def test_pages_of_twenty_with_edges_corrected(client, make_pledge):
    now = utcnow()
    for number in range(45):
        make_pledge(title=f"Opportunity {number:02d}", published_at=now - timedelta(minutes=number))
    assert len(titles(client)) == 20
    assert titles(client, "?page=3") == [f"Opportunity {number}" for number in range(40, 45)]
    html = page_text(client, "?page=9")
    assert "There are only 3 pages of results, so we showed the last one" in html
    assert titles(client, "?page=0")[0] == "Opportunity 00"
    assert "That page does not exist" in page_text(client, "?page=-1")
    assert 'class="govuk-pagination' in page_text(client)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?kind=spaceship", "We ignored an unknown kind of opportunity: ‘spaceship’"),
        ("?area=happiness", "We ignored an unknown outcome area: ‘happiness’"),
        ("?age=300", "Age must be a whole number from 16 to 25, so we ignored it"),
        ("?age=%C2%B2", "Age must be a whole number from 16 to 25, so we ignored it"),
        (
            "?distance=far&where=E08000035&national=1",
            "Distance must be 5, 10, 25 or 50 miles, so we ignored it",
        ),
        ("?distance=10", "Choose your council area or enter a postcode to search within a distance"),
        ("?sort=random", "We did not recognise that order, so we used the usual one"),
        ("?sort=nearest", "Choose a place to sort by nearest"),
        ("?q=" + "shown " * 1000, "Your search words were too long, so we used the first 200 characters"),
    ],
)
def test_bad_parameters_are_corrected_with_a_message(client, make_pledge, query, message):
    make_pledge(title="Still shown")
    html = page_text(client, query)
    assert message in html
    assert "Still shown" in html


def test_chosen_filters_are_removable_tags_and_the_url_is_the_search(client, make_pledge):
    make_pledge(title="Paid job", kind=PledgeKind.JOB, paid=True)
    html = page_text(client, "?kind=job&paid=1")
    assert "Selected filters" in html
    assert (
        'href="/opportunities?paid=1#results"><span class="govuk-visually-hidden">Remove this filter</span> Job'
        in html
    )
    assert (
        'href="/opportunities?kind=job#results"><span class="govuk-visually-hidden">Remove this filter</span> Paid only'
        in html
    )
    assert "Clear filters" in html


def test_with_a_place_remote_and_national_opportunities_are_removable_filters(client, make_pledge, leeds):
    """From a council area or a postcode alike, online and England-wide opportunities show only when asked for,
    and say so among the chosen filters."""
    db.session.add(PostcodeDistrict(code="LS1", latitude=53.7990, longitude=-1.5490))
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    make_pledge(title="Online", reach=Reach.REMOTE)
    make_pledge(title="Anywhere", reach=Reach.NATIONAL)
    for place in ("where=E08000035", "near=LS1&distance=10"):
        assert sorted(titles(client, f"?{place}&remote=1&national=1")) == ["Anywhere", "In Leeds", "Online"]
        assert titles(client, f"?{place}&national=1") == ["Anywhere", "In Leeds"]
        assert titles(client, f"?{place}") == ["In Leeds"]
    html = page_text(client, "?where=E08000035&remote=1&national=1")
    remove = '"><span class="govuk-visually-hidden">Remove this filter</span> '
    assert (
        f'href="/opportunities?where=E08000035&amp;national=1#results{remove}Also from home or online' in html
    )
    assert (
        f'href="/opportunities?where=E08000035&amp;remote=1#results{remove}Also anywhere in England' in html
    )
    assert "Also from home or online" not in page_text(client, "?kind=job")


def test_a_search_page_runs_a_fixed_number_of_statements(client, make_pledge, leeds, app):
    search = "/opportunities?q=mentoring&where=E08000035&sort=newest"

    def statements_for(count):
        for number in range(count):
            make_pledge(
                title=f"Mentoring {count}-{number}",
                reach=Reach.LOCAL_AUTHORITIES,
                local_authorities=[leeds],
                regions=[],
                outcome_areas=[OutcomeArea.HEALTH, OutcomeArea.FINANCE],
            )
        db.session.commit()
        return statements_during(lambda: client.get(search))

    def searching(statements):
        # The list of places is read again after each change (it is kept under the search token), not once for
        # each search.
        return [statement for statement in statements if "ORDER BY local_authority.name" not in statement]

    client.get(search)
    few = searching(statements_for(2))
    many = searching(statements_for(20))
    assert len(few) == len(many)
    assert len(many) <= 8


def test_an_opportunity_page_in_plain_english(client, make_pledge, leeds):
    leeds.local_offer_url = "https://www.leeds.gov.uk/care-leavers"
    pledge = make_pledge(
        title="Warehouse work experience",
        reach=Reach.LOCAL_AUTHORITIES,
        local_authorities=[leeds],
        places=4,
        places_taken=1,
        paid=True,
        pay_amount=11.44,
        pay_period="hour",
    )
    html = client.get(f"/opportunities/{pledge.id}").get_data(as_text=True)
    assert "Warehouse work experience" in html
    assert "3 of 4 left" in html
    assert "£11.44 per hour" in html
    assert "Ask your personal adviser" in html
    assert "https://www.leeds.gov.uk/care-leavers" in html
    assert pledge.contact_email not in html  # adviser-only: contact details are not public


def test_an_opportunity_care_leavers_may_ask_about_shows_the_contact(client, make_pledge):
    from covenant.vocab import TakeUp

    pledge = make_pledge(
        take_up=TakeUp.ADVISER_OR_CARE_LEAVER, contact_email="jobs@example.org", contact_phone="0113 496 0000"
    )
    html = client.get(f"/opportunities/{pledge.id}").get_data(as_text=True)
    assert '<a class="govuk-link" href="mailto:jobs@example.org">jobs@example.org</a>' in html
    # On a phone, a tap rings the number.
    assert '<a class="govuk-link" href="tel:01134960000">0113 496 0000</a>' in html


def test_pay_is_shown_only_where_it_means_something(client, make_pledge):
    from covenant.vocab import PledgeKind

    job = make_pledge(title="Warehouse job", kind=PledgeKind.JOB, paid=False)
    discount = make_pledge(title="Money off bikes", kind=PledgeKind.DISCOUNT, paid=False)
    assert "Unpaid" in client.get(f"/opportunities/{job.id}").get_data(as_text=True)
    for path in (f"/opportunities/{discount.id}", "/opportunities?q=bikes"):
        html = client.get(path).get_data(as_text=True)
        assert "Money off bikes" in html
        assert "Unpaid" not in html
        assert ">Pay<" not in html


def test_closed_paused_draft_and_unknown_opportunities(client, make_pledge, make_organisation):
    closed = make_pledge(status=PledgeStatus.CLOSED)
    paused = make_pledge(status=PledgeStatus.PAUSED)
    draft = make_pledge(status=PledgeStatus.DRAFT)
    suspended = make_pledge(organisation=make_organisation(suspended_at=utcnow(), suspension_reason="x"))
    response = client.get(f"/opportunities/{closed.id}")
    assert response.status_code == 410
    assert "This opportunity has closed" in response.get_data(as_text=True)
    assert "not open at the moment" in client.get(f"/opportunities/{paused.id}").get_data(as_text=True)
    assert client.get(f"/opportunities/{draft.id}").status_code == 404
    assert client.get(f"/opportunities/{suspended.id}").status_code == 404
    assert client.get("/opportunities/999999").status_code == 404
    assert client.get("/opportunities/99999999999999").status_code == 404


def test_the_results_say_which_filters_are_in_use(client, make_pledge):
    make_pledge(title="Paid job", kind=PledgeKind.JOB, paid=True)
    html = page_text(client, "?kind=job&paid=1")
    assert "Filtered by: <strong>Job</strong>, <strong>Paid only</strong>." in html


def test_a_search_done_again_is_kept_until_anything_it_reads_changes(client, make_pledge, make_organisation):
    first = make_pledge(title="Mentoring with a pilot")
    db.session.commit()
    assert titles(client, "?q=mentoring") == ["Mentoring with a pilot"]
    again = statements_during(lambda: titles(client, "?q=mentoring"))
    assert len(again) == 1, "a search done again reads only the search token"

    # Each change below is committed by another "user" and shows in the very next search.
    second = make_pledge(title="Mentoring with a chef")
    db.session.commit()
    assert sorted(titles(client, "?q=mentoring")) == ["Mentoring with a chef", "Mentoring with a pilot"]

    first.title = "Mentoring with an airline pilot"
    db.session.commit()
    assert "Mentoring with an airline pilot" in titles(client, "?q=mentoring")

    second.organisation.suspended_at = utcnow()
    second.organisation.suspension_reason = "Reported"
    db.session.commit()
    assert titles(client, "?q=mentoring") == ["Mentoring with an airline pilot"]

    first.status = PledgeStatus.PAUSED
    db.session.commit()
    assert "No opportunities found" in page_text(client, "?q=mentoring")


def test_the_search_token_changes_only_when_what_a_search_reads_changes(app, make_pledge, make_user):
    from covenant.opportunities.freshness import current_token

    before = current_token()
    make_user(Role.COORDINATOR)
    db.session.commit()
    assert current_token() == before, "an account is not something a search reads"

    make_pledge(title="Changes the token")
    db.session.commit()
    changed = current_token()
    assert changed != before

    make_pledge(title="Never committed")
    db.session.rollback()
    assert current_token() == changed


def test_counting_stops_past_the_cap_and_says_more_than(client, make_pledge, monkeypatch):
    from covenant.opportunities.search import results

    monkeypatch.setattr(results, "COUNT_CAP", 3)
    for number in range(25):
        make_pledge(title=f"Mentoring number {number}")
    db.session.commit()

    html = page_text(client, "?q=mentoring&sort=newest")
    assert "More than 3 opportunities" in html
    assert "(more than 3 found)" in html
    assert "Showing 1 to 20." in html
    assert 'rel="next"' in html
    assert "govuk-pagination__item--ellipsis" in html, "the last page is not known, so the list ends in a gap"

    html = page_text(client, "?q=mentoring&sort=newest&page=2")
    assert "25 opportunities" in html, "counting goes on as far as the page asked for"
    assert "Showing 21 to 25." in html
    assert 'rel="next"' not in html

    # Best match counts the same way, and the count is kept for the search in any order.
    assert "25 opportunities" in page_text(client, "?q=mentoring")
    assert "25 opportunities" in page_text(client, "?q=mentoring&page=2")
    html = page_text(client, "?q=mentoring&page=9")
    assert "There are only 2 pages of results, so we showed the last one" in html
    assert "Showing 21 to 25." in html


def test_find_opportunities_near_you_goes_to_what_is_within_10_miles(client, make_pledge, leeds):
    make_pledge(title="In Leeds", reach=Reach.LOCAL_AUTHORITIES, local_authorities=[leeds])
    first = page_text(client)
    assert "Find opportunities near you" in first
    assert 'action="/opportunities/near-you"' in first
    response = client.get("/opportunities/near-you?where=E08000035")
    assert response.status_code == 302
    assert response.location == "/opportunities?where=E08000035&remote=1&national=1&distance=10#results"
    found = page_text(client, "?where=E08000035&remote=1&national=1&distance=10")
    assert "In Leeds" in found
    assert "Find opportunities near you" not in found, "once a search is made, the filters change it"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose your council area"),
        ("?where=", "Choose your council area"),
        ("?where=E12000003", "Select one of the options shown"),  # a region: not on this list
        ("?where=" + "E" * 5000, "Select one of the options shown"),
    ],
)
def test_find_opportunities_near_you_without_a_council_area_says_so(client, make_pledge, query, message):
    make_pledge(title="Still listed")
    response = client.get("/opportunities/near-you" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Error: Find opportunities" in html
    assert "There is a problem" in html
    assert f'<a href="#home">{message}</a>' in html
    assert 'id="home-error"' in html
    assert "Still listed" in html

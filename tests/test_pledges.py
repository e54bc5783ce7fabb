"""Pledges: an organisation writes one section by section, submits it, a coordinator decides, and the
organisation pauses, resumes and closes it. Every rule gives a clear message and never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from covenant.clock import uk_today, utcnow
from covenant.extensions import db
from covenant.models import AuditEvent, Pledge
from covenant.pledges.operations import PledgeRuleBroken, close_expired, transition
from covenant.pledges.sections import SECTIONS, SECTIONS_BY_KEY
from covenant.vocab import PLEDGE_TRANSITIONS, PledgeStatus, Role
from tests.conftest import csrf_token, error_summary, normalise, text_of
from tests.pledge_answers import complete_pledge, date_parts, post_form, section_answers, start_pledge


@pytest.fixture
def employer(make_user, login_as):
    return login_as(make_user(Role.ORGANISATION_ADMIN))


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


def test_an_employer_writes_submits_and_a_coordinator_approves_a_pledge(
    client, employer, coordinator, login_as, outbox
):
    pledge_id = start_pledge(client)
    task_list = client.get(f"/pledges/{pledge_id}").get_data(as_text=True)
    assert "Answer each section" in task_list
    assert task_list.count("Incomplete") == 8

    complete_pledge(client, pledge_id)
    check = client.get(f"/pledges/{pledge_id}/check")
    html = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "£11.44 per hour" in html
    assert "Yorkshire and the Humber (near LS1)" in html
    assert "sam.jones@example.org" in html

    response = post_form(client, f"/pledges/{pledge_id}/check", {})
    assert response.status_code == 302
    submitted = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pledge submitted" in submitted
    assert "This usually takes up to 5 working days." in submitted  # the promise, from REVIEW_WORKING_DAYS
    assert "This usually takes up to 5 working days." in client.get(f"/pledges/{pledge_id}").get_data(
        as_text=True
    )
    pledge = db.session.get(Pledge, pledge_id)
    assert pledge.status == PledgeStatus.SUBMITTED

    login_as(coordinator)
    queue = client.get("/review/").get_data(as_text=True)
    assert "Two weeks’ work experience in our warehouse" in queue
    review = client.get(f"/review/{pledge_id}").get_data(as_text=True)
    assert employer.organisation.name in review
    response = post_form(client, f"/review/{pledge_id}", {"decision": "approve"})
    assert response.status_code == 302
    assert db.session.get(Pledge, pledge_id).status == PledgeStatus.PUBLISHED
    [approved] = outbox(employer.email)
    assert approved.template == "pledge_approved"
    assert f"/opportunities/{pledge_id}\n" in approved.body  # a link to the live pledge, as others see it

    login_as(employer)
    for action, status in (
        ("pause", PledgeStatus.PAUSED),
        ("resume", PledgeStatus.PUBLISHED),
        ("close", PledgeStatus.CLOSED),
    ):
        token = csrf_token(client, f"/pledges/{pledge_id}")
        response = client.post(f"/pledges/{pledge_id}/{action}", data={"csrf_token": token})
        assert response.status_code == 302
        assert db.session.get(Pledge, pledge_id).status == status
    actions = db.session.scalars(
        select(AuditEvent.changes).where(
            AuditEvent.subject_type == "pledge",
            AuditEvent.subject_id == pledge_id,
            AuditEvent.action == "pledge_status_changed",
        )
    ).all()
    assert [change["status"]["after"] for change in actions] == [
        "submitted",
        "published",
        "paused",
        "published",
        "closed",
    ]


@pytest.mark.parametrize(
    ("section", "data", "messages"),
    [
        (
            "name",
            {"title": "", "kind": ""},
            ["Enter the name of the opportunity", "Select the kind of opportunity"],
        ),
        (
            "name",
            {"title": "x" * 121, "kind": "spaceship"},
            ["Name of the opportunity must be 120 characters or fewer", "Select one of the options shown"],
        ),
        (
            "about",
            {"summary": "", "description": "", "what_you_get": ""},
            [
                "Select at least one outcome area",
                "Enter a summary",
                "Enter a description of the opportunity",
                "Enter what the care leaver gets",
            ],
        ),
        (
            "about",
            {
                "outcome_areas": ["health"],
                "summary": "y" * 201,
                "description": "d" * 5001,
                "what_you_get": "w",
            },
            [
                "Summary must be 200 characters or fewer",
                "Description must be 5,000 characters or fewer",
            ],
        ),
        ("pay", {}, ["Select yes if the opportunity is paid"]),
        (
            "pay",
            {"paid": "yes"},
            ["Enter how much the pay is", "Select whether the pay is per hour, week or year"],
        ),
        (
            "pay",
            {"paid": "yes", "pay_amount": "lots", "pay_period": "hour"},
            ["Enter the pay as an amount of money, like 12.50 or 24000"],
        ),
        ("pay", {"paid": "yes", "pay_amount": "0", "pay_period": "hour"}, ["Pay must be more than £0"]),
        ("eligibility", {"min_age": "", "max_age": ""}, ["Enter the youngest age", "Enter the oldest age"]),
        (
            "eligibility",
            {"min_age": "15", "max_age": "30"},
            ["Youngest age must be between 16 and 25", "Oldest age must be between 16 and 25"],
        ),
        (
            "eligibility",
            {"min_age": "20", "max_age": "18"},
            ["Oldest age must be the same as or more than the youngest age"],
        ),
        (
            "eligibility",
            {"min_age": "eighteen", "max_age": "2.5"},
            ["Youngest age must be a whole number, like 18", "Oldest age must be a whole number, like 18"],
        ),
        ("location", {}, ["Select where the opportunity is available"]),
        ("location", {"reach": "regions"}, ["Select at least one region"]),
        ("location", {"reach": "local_authorities"}, ["Select at least one local authority area"]),
        (
            "location",
            {"reach": "remote", "postcode_district": "LS1 4AP"},
            ["Enter a postcode district in the correct format, like LS1 or SW1A"],
        ),
        (
            "places",
            {},
            [
                "Enter the number of places, or tick ‘No limit’",
                "Enter the date it starts",
                "Enter the date it ends, or tick ‘It is ongoing’",
            ],
        ),
        (
            "places",
            {"places": "0", "places_unlimited": "y", "ongoing": "y", "starts_on": ["31", "2", "2027"]},
            [
                "Number of places must be between 1 and 100,000",
                "The start date must be a real date",
            ],
        ),
        (
            "places",
            {"places": "2", "starts_on": ["1", "", "2027"], "ends_on": ["1", "1", "2027"]},
            ["The start date must include a month"],
        ),
        (
            "places",
            {
                "places": "2",
                **date_parts("starts_on", uk_today() + timedelta(days=10)),
                **date_parts("ends_on", uk_today() + timedelta(days=5)),
            },
            [
                "The end date must be the same as or after the start date",
            ],
        ),
        (
            "places",
            {
                "places": "2",
                **date_parts("starts_on", uk_today()),
                **date_parts("ends_on", uk_today() + timedelta(days=5)),
                **date_parts("closes_on", uk_today() + timedelta(days=6)),
            },
            [
                "The closing date must be the same as or before the end date",
            ],
        ),
        (
            "take-up",
            {"contact_email": "not an email", "contact_phone": "call me"},
            [
                "Select how a care leaver can take it up",
                "Enter the name of the contact",
                "Enter an email address in the correct format, like name@example.com",
                "Enter a phone number, like 0113 496 0000 or +44 113 496 0000",
            ],
        ),
        (
            "safeguarding",
            {},
            [
                "Select yes if care leavers under 18 will have contact with your staff or volunteers",
                "Select the level of DBS check",
            ],
        ),
        (
            "safeguarding",
            {"under_18_contact": "yes", "dbs_level": "basic"},
            ["Select yes if the contact will always be supervised"],
        ),
        (
            "safeguarding",
            {"under_18_contact": "yes", "contact_supervised": "no", "dbs_level": "none"},
            [
                "If under-18s will have unsupervised contact, the people involved need an enhanced DBS check with the children’s barred list",
                "Enter the date you last confirmed everyone in this role has the check",
            ],
        ),
        (
            "adjustments",
            {"adjustments": "a" * 2001},
            ["Reasonable adjustments must be 2,000 characters or fewer"],
        ),
    ],
)
def test_each_section_explains_what_is_wrong(client, employer, section, data, messages):
    pledge_id = start_pledge(client)
    response = post_form(client, f"/pledges/{pledge_id}/{section}", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_summary(html) == messages
    assert "<title>Error: " in html


def test_submission_is_refused_until_every_section_is_complete_and_dates_are_in_the_future(client, employer):
    pledge_id = start_pledge(client)
    response = post_form(client, f"/pledges/{pledge_id}/check", {})
    assert response.status_code == 400
    assert "Complete the section ‘About the opportunity’" in error_summary(response.get_data(as_text=True))

    complete_pledge(client, pledge_id)
    pledge = db.session.get(Pledge, pledge_id)
    pledge.closes_on = uk_today() - timedelta(days=1)
    db.session.flush()
    response = post_form(client, f"/pledges/{pledge_id}/check", {})
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "The closing date for referrals must be today or in the future"
    ]
    assert db.session.get(Pledge, pledge_id).status == PledgeStatus.DRAFT


def test_editing_a_live_pledge_keeps_it_live_for_places_and_wording_but_sends_it_back_for_kind(
    client, employer, make_pledge
):
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.PUBLISHED)
    answers = section_answers()

    about = dict(
        answers["about"],
        outcome_areas=[a.value for a in pledge.outcome_areas],
        summary="New summary wording.",
    )
    response = post_form(client, f"/pledges/{pledge.id}/about", about)
    assert response.status_code == 302
    assert db.session.get(Pledge, pledge.id).status == PledgeStatus.PUBLISHED

    page = client.get(f"/pledges/{pledge.id}/name").get_data(as_text=True)
    assert "Changing the name or kind sends the pledge back for review" in page
    name = {"title": pledge.title, "kind": "job"}
    response = post_form(client, f"/pledges/{pledge.id}/name", name)
    assert response.status_code == 302
    assert db.session.get(Pledge, pledge.id).status == PledgeStatus.SUBMITTED
    assert "gone back for review" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_places_cannot_drop_below_those_already_taken(client, employer, make_pledge):
    pledge = make_pledge(
        organisation=employer.organisation, status=PledgeStatus.PUBLISHED, places=5, places_taken=3
    )
    data = dict(section_answers()["places"], places="2")
    response = post_form(client, f"/pledges/{pledge.id}/places", data)
    assert response.status_code == 400
    assert error_summary(response.get_data(as_text=True)) == [
        "There must be at least 3 places, as 3 are already taken"
    ]


def test_an_organisation_cannot_see_or_change_another_organisations_pledges(
    client, employer, make_pledge, make_organisation
):
    other = make_pledge(organisation=make_organisation(), status=PledgeStatus.DRAFT)
    assert client.get(f"/pledges/{other.id}").status_code == 404
    assert client.get(f"/pledges/{other.id}/about").status_code == 404
    token = csrf_token(client, "/pledges/new")
    assert (
        client.post(f"/pledges/{other.id}/about", data={"csrf_token": token, "title": "Mine now"}).status_code
        == 404
    )
    assert client.post(f"/pledges/{other.id}/copy", data={"csrf_token": token}).status_code == 404
    assert db.session.get(Pledge, other.id).title != "Mine now"


def test_invalid_transitions_get_a_clear_message_not_a_500(client, employer, make_pledge):
    draft = make_pledge(organisation=employer.organisation, status=PledgeStatus.DRAFT)
    token = csrf_token(client, f"/pledges/{draft.id}")
    response = client.post(f"/pledges/{draft.id}/pause", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "A pledge that is draft cannot become paused" in response.get_data(as_text=True)
    assert db.session.get(Pledge, draft.id).status == PledgeStatus.DRAFT


@pytest.mark.parametrize("start", list(PledgeStatus))
def test_the_state_table_is_the_only_way_a_pledge_changes_status(start, make_pledge, make_user):
    actor = make_user(Role.COORDINATOR)
    for target in PledgeStatus:
        pledge = make_pledge(status=start)
        if target in PLEDGE_TRANSITIONS[start]:
            transition(pledge, target, actor)
            assert pledge.status == target
        else:
            with pytest.raises(PledgeRuleBroken):
                transition(pledge, target, actor)


def test_expired_pledges_close_by_command_and_when_read(client, employer, make_pledge, app):
    today = uk_today()
    by_closing = make_pledge(
        organisation=employer.organisation, status=PledgeStatus.PUBLISHED, closes_on=today - timedelta(days=1)
    )
    by_end = make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.PAUSED,
        ends_on=today - timedelta(days=1),
        closes_on=None,
    )
    ongoing = make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.PUBLISHED,
        ongoing=True,
        ends_on=None,
        closes_on=None,
    )
    assert close_expired() == 2
    assert {by_closing.status, by_end.status, ongoing.status} == {PledgeStatus.CLOSED, PledgeStatus.PUBLISHED}

    read_later = make_pledge(
        organisation=employer.organisation, status=PledgeStatus.PUBLISHED, closes_on=today - timedelta(days=3)
    )
    # Read, it shows as closed; only the command records it (a page view never writes).
    assert "This pledge is closed" in client.get(f"/pledges/{read_later.id}").get_data(as_text=True)
    assert "Closed (" in client.get("/organisation").get_data(as_text=True)
    assert db.session.get(Pledge, read_later.id).status == PledgeStatus.PUBLISHED
    result = app.test_cli_runner().invoke(args=["close-expired"])
    assert "Pledges closed: 1." in result.output


def test_copying_a_pledge_starts_a_new_draft_without_dates(client, employer, make_pledge):
    original = make_pledge(organisation=employer.organisation, status=PledgeStatus.CLOSED)
    token = csrf_token(client, f"/pledges/{original.id}")
    response = client.post(f"/pledges/{original.id}/copy", data={"csrf_token": token})
    copy = db.session.scalars(select(Pledge).where(Pledge.title == f"Copy of {original.title}")).one()
    assert response.headers["Location"].endswith(f"/pledges/{copy.id}")
    assert copy.status == PledgeStatus.DRAFT
    assert copy.starts_on is None
    assert copy.closes_on is None
    assert copy.outcome_areas == original.outcome_areas
    assert copy.contact_email == original.contact_email


def test_suspended_organisations_cannot_submit(client, employer):
    pledge_id = start_pledge(client)
    complete_pledge(client, pledge_id)
    from covenant.clock import utcnow

    employer.organisation.suspended_at = utcnow()
    employer.organisation.suspension_reason = "Under investigation"
    db.session.flush()
    response = post_form(client, f"/pledges/{pledge_id}/check", {})
    assert response.status_code == 400
    assert "Your organisation is suspended, so it cannot submit pledges" in error_summary(
        response.get_data(as_text=True)
    )


HIDDEN_TAG = '<strong class="govuk-tag govuk-tag--grey">\n  Hidden – organisation suspended\n</strong>'
LIVE_TAG = '<strong class="govuk-tag govuk-tag--green">\n  Live\n</strong>'


def test_a_suspended_organisations_live_pledges_say_hidden_not_live(
    client, employer, make_pledge, make_user, login_as
):
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.PUBLISHED)
    coordinator = make_user(Role.COORDINATOR)
    organisation_page = f"/coordinator/organisations/{employer.organisation.id}"

    def suspend_or_reinstate_then_read(reason, action):
        """The coordinator's organisation page, then the organisation's pledge page and dashboard."""
        login_as(coordinator)
        response = client.post(
            f"{organisation_page}/{action}",
            data={"csrf_token": csrf_token(client, organisation_page), "reason": reason},
        )
        assert response.status_code == 302
        coordinator_page = client.get(organisation_page).get_data(as_text=True)
        login_as(employer)
        pledge_page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
        return coordinator_page, pledge_page, client.get("/organisation").get_data(as_text=True)

    coordinator_page, pledge_page, dashboard = suspend_or_reinstate_then_read(
        "Under investigation", "suspend"
    )
    for html in (coordinator_page, pledge_page):
        assert HIDDEN_TAG in html
        assert LIVE_TAG not in html
    assert "Hidden – organisation suspended (1)" in dashboard
    assert "Live (1)" not in dashboard

    coordinator_page, pledge_page, dashboard = suspend_or_reinstate_then_read(
        "Investigation closed", "reinstate"
    )
    for html in (coordinator_page, pledge_page):
        assert LIVE_TAG in html
        assert "Hidden – organisation suspended" not in html
    assert "Live (1)" in dashboard
    assert "Hidden – organisation suspended" not in dashboard


def test_dashboard_lists_pledges_by_status_with_what_needs_attention(client, employer, make_pledge):
    make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.CHANGES_REQUESTED,
        title="Fix me",
        review_reason="Add dates",
    )
    make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.PUBLISHED,
        title="Nearly closing",
        closes_on=uk_today() + timedelta(days=3),
        places=4,
        places_taken=1,
    )
    html = client.get("/organisation").get_data(as_text=True)
    assert "Needs your attention" in html
    assert "Fix me</a>: A coordinator has asked for changes" in html
    assert "Nearly closing</a>: Closes for referrals in 3 days" in html
    assert "3 of 4" in html


@pytest.mark.parametrize("section", [section.key for section in SECTIONS])
def test_every_question_on_a_section_page_is_asked_in_words(client, employer, section):
    pledge_id = start_pledge(client)
    html = client.get(f"/pledges/{pledge_id}/{section}").get_data(as_text=True)
    form = SECTIONS_BY_KEY[section].form
    for name, field in form._unbound_fields:
        if name != "save":
            label = field.args[0]
            assert label in html.replace("&#39;", "'").replace("&rsquo;", "’"), (
                f"{section}: the question ‘{label}’ is missing"
            )


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        ("places", "ends_on", "The end date must be today or in the future"),
        ("places", "closes_on", "The closing date must be today or in the future"),
        (
            "safeguarding",
            "dbs_confirmed_on",
            "You last confirmed the checks more than 12 months ago. Check them again, then enter today’s date",
        ),
    ],
)
def test_dates_that_have_passed_are_refused_when_the_section_is_saved(
    client, employer, section, field, message
):
    pledge_id = start_pledge(client)
    data = dict(section_answers()[section], **date_parts(field, uk_today() - timedelta(days=1)))
    if field == "dbs_confirmed_on":  # asked only for unsupervised contact, and good for 12 months
        data.update(
            contact_supervised="no",
            dbs_level="enhanced_barred",
            **date_parts(field, uk_today() - timedelta(days=400)),
        )
    if field == "ends_on":
        data.update(date_parts("starts_on", uk_today() - timedelta(days=10)))
        data.pop("closes_on")
    response = post_form(client, f"/pledges/{pledge_id}/{section}", data)
    assert response.status_code == 400
    assert message in error_summary(response.get_data(as_text=True))


def test_the_reason_for_changes_reads_as_words_not_html(client, employer, make_pledge):
    pledge = make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.CHANGES_REQUESTED,
        review_reason="Add <b>dates</b> please",
    )
    html = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert '<h2 class="govuk-notification-banner__heading">A coordinator has asked for changes</h2>' in html
    assert "&lt;h2" not in html
    assert "Add &lt;b&gt;dates&lt;/b&gt; please" in html


def test_the_task_list_says_what_stops_a_complete_pledge_being_submitted(client, employer, make_pledge):
    pledge = make_pledge(
        organisation=employer.organisation,
        status=PledgeStatus.DRAFT,
        closes_on=uk_today() - timedelta(days=2),
    )
    html = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "Before you can submit this pledge for review" in html
    assert "The closing date for referrals must be today or in the future" in html


def test_changing_a_live_pledges_contact_details_sends_it_back_for_review(
    client_request, employer, make_pledge
):
    """People use the contact details to get in touch: new ones are checked before they are public."""
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.PUBLISHED)
    take_up = dict(section_answers()["take-up"], take_up=pledge.take_up.value)

    page = client_request.get("pledges.edit_section", pledge_id=pledge.id, section_key="take-up")
    assert "Changing how it is taken up or the contact details sends the pledge back for review" in text_of(
        page
    )

    client_request.post(
        "pledges.edit_section",
        pledge_id=pledge.id,
        section_key="take-up",
        _data=dict(take_up, contact_phone=""),
    )
    assert db.session.get(Pledge, pledge.id).status == PledgeStatus.SUBMITTED
    assert db.session.get(Pledge, pledge.id).contact_email == "sam.jones@example.org"


def test_a_suspended_organisation_cannot_send_a_live_pledge_to_the_review_queue(
    client_request, employer, make_pledge
):
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.PUBLISHED)
    employer.organisation.suspended_at = utcnow()
    employer.organisation.suspension_reason = "Under investigation"
    db.session.flush()
    name = {"title": "A new name", "kind": pledge.kind.value}

    page = client_request.post(
        "pledges.edit_section", pledge_id=pledge.id, section_key="name", _data=name, _expected_status=400
    )

    assert error_summary(page) == [
        "Your organisation is suspended, so you cannot make changes that need a coordinator to review them"
    ]
    assert db.session.get(Pledge, pledge.id).status == PledgeStatus.PUBLISHED
    assert db.session.get(Pledge, pledge.id).title != "A new name"


@pytest.mark.parametrize(
    ("section", "answers", "message"),
    [
        (
            "pay",
            {"paid": "yes", "pay_amount": "100000000", "pay_period": "year"},
            "Pay must be £1,000,000 or less",
        ),
        (
            "pay",
            {"paid": "yes", "pay_amount": "1000000000", "pay_period": "year"},
            "Enter the pay as an amount of money, like 12.50 or 24000",
        ),
        ("places", {"places": "99999999999"}, "Number of places must be a whole number, like 5"),
        ("places", {"starts_on": ["99999999999", "1", "2027"]}, "The start date must be a real date"),
        ("places", {"starts_on": ["1", "99999999999", "2027"]}, "The start date must be a real date"),
        ("eligibility", {"min_age": "-99999999999"}, "Youngest age must be a whole number, like 18"),
    ],
)
def test_numbers_too_big_for_their_columns_get_a_message_not_a_500(
    client_request, employer, make_pledge, section, answers, message
):
    pledge = make_pledge(organisation=employer.organisation, status=PledgeStatus.DRAFT)
    data = dict(section_answers()[section], **answers)

    page = client_request.post(
        "pledges.edit_section", pledge_id=pledge.id, section_key=section, _data=data, _expected_status=400
    )

    assert message in error_summary(page)


def test_the_start_page_goes_on_to_the_next_question_and_the_name_is_not_asked_again(
    client_request, employer
):
    start = client_request.get("pledges.start")
    assert start.select_one(".govuk-character-count[data-maxlength='120']") is not None

    client_request.post(
        "pledges.start", _data={"title": "Warehouse work experience", "kind": "work_experience"}
    )
    pledge = db.session.scalars(select(Pledge)).one()
    # "Save and continue" continues to the next question, not back to the task list.
    client_request.post(
        "pledges.start",
        _data={"title": "Another one", "kind": "job"},
        _expected_redirect=f"/pledges/{pledge.id + 1}/about",
    )
    about = client_request.get("pledges.edit_section", pledge_id=pledge.id, section_key="about")
    assert "What is the opportunity called?" not in text_of(about)
    assert "What kind of opportunity is it?" not in text_of(about)
    assert about.select_one(".govuk-character-count[data-maxlength='5000'] textarea[name=description]")

    task_list = client_request.get("pledges.show", pledge_id=pledge.id)
    [name_row] = [row for row in task_list.select(".govuk-task-list__item") if "Name and kind" in row.text]
    assert "Completed" in name_row.text


def test_change_on_check_your_answers_comes_back_to_check_your_answers(client, client_request, employer):
    pledge_id = start_pledge(client)
    complete_pledge(client, pledge_id)
    check = client_request.get("pledges.check", pledge_id=pledge_id)
    change = next(
        link for link in check.select("a") if normalise(link.text) == "Change about the opportunity"
    )

    question = client_request.get_url(str(change["href"]))
    assert question.select_one(".govuk-back-link").text == "Back to check your answers"
    assert question.select_one(".govuk-back-link")["href"] == f"/pledges/{pledge_id}/check"
    about = dict(section_answers()["about"], summary="Learn how a warehouse works, lunch paid.")
    client_request.post_url(
        str(change["href"]), _data=about, _expected_redirect=f"/pledges/{pledge_id}/check"
    )
    assert db.session.get(Pledge, pledge_id).summary == "Learn how a warehouse works, lunch paid."


def test_a_discount_is_not_asked_about_pay_and_shows_none(client, client_request, employer, coordinator):
    pledge_id = start_pledge(client, title="20% off bikes", kind="discount")
    task_list = client_request.get("pledges.show", pledge_id=pledge_id)
    assert "Pay" not in [item.text.strip() for item in task_list.select(".govuk-task-list__name-and-hint")]
    client_request.get(
        "pledges.edit_section",
        pledge_id=pledge_id,
        section_key="pay",
        _expected_status=302,
        _expected_redirect=f"/pledges/{pledge_id}",
    )
    answers = section_answers()
    del answers["pay"]
    answers["name"] = {"title": "20% off bikes", "kind": "discount"}
    complete_pledge(client, pledge_id, answers)
    check = client_request.get("pledges.check", pledge_id=pledge_id)
    assert "Pay" not in [heading.text for heading in check.select("main h2")]
    assert "Unpaid" not in text_of(check)
    client_request.post("pledges.check", pledge_id=pledge_id)
    client_request.login(coordinator)
    client_request.post("review.decide", pledge_id=pledge_id, _data={"decision": "approve"})

    public = client_request.get("opportunities.show", pledge_id=pledge_id)
    assert "Pay" not in [key.text.strip() for key in public.select(".govuk-summary-list__key")]
    results = client_request.get("opportunities.index", q="bikes")
    assert "20% off bikes" in text_of(results)
    assert "Pay" not in text_of(results)


def test_a_pledge_that_becomes_a_discount_forgets_its_pay_and_one_that_becomes_a_job_is_asked(
    client, client_request, employer
):
    pledge_id = start_pledge(client, kind="job")
    complete_pledge(client, pledge_id, dict(section_answers(), name={"title": "A job", "kind": "job"}))
    client_request.post(
        "pledges.edit_section",
        pledge_id=pledge_id,
        section_key="name",
        _data={"title": "A discount", "kind": "discount"},
        return_to="check",
        _expected_redirect=f"/pledges/{pledge_id}/check",
    )
    pledge = db.session.get(Pledge, pledge_id)
    assert (pledge.paid, pledge.pay_amount, pledge.pay_period) == (None, None, None)

    # Back to a job from check your answers: the pay question comes next, then check your answers again.
    client_request.post(
        "pledges.edit_section",
        pledge_id=pledge_id,
        section_key="name",
        _data={"title": "A job", "kind": "job"},
        return_to="check",
        _expected_redirect=f"/pledges/{pledge_id}/pay?return_to=check",
    )
    client_request.post_url(
        f"/pledges/{pledge_id}/pay?return_to=check",
        _data=section_answers()["pay"],
        _expected_redirect=f"/pledges/{pledge_id}/check",
    )


def test_the_pay_hint_quotes_the_current_minimum_wage_and_never_a_stale_one(client_request, employer, client):
    from datetime import date

    from covenant.pledges.forms import pay_hint
    from covenant.vocab import MINIMUM_WAGE_FROM, MINIMUM_WAGE_RATES

    current = pay_hint(MINIMUM_WAGE_FROM + timedelta(days=30))
    assert f"From {MINIMUM_WAGE_FROM.day} April {MINIMUM_WAGE_FROM.year}" in current
    for _ages, rate in MINIMUM_WAGE_RATES:
        assert f"£{rate}" in current
    assert "11.44" not in current
    for stale_day in (MINIMUM_WAGE_FROM + timedelta(days=400), date(2026, 3, 31)):
        stale = pay_hint(stale_day)
        assert "£" not in stale
        assert "at least the National Minimum Wage" in stale

    pledge_id = start_pledge(client)
    page = client_request.get("pledges.edit_section", pledge_id=pledge_id, section_key="pay")
    assert pay_hint(uk_today()) in normalise(page.select_one("#pay_amount-hint").text)

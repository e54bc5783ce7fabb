"""The filter form declares each filter once: its name in the address, its words on the page, its checks."""

from __future__ import annotations

import re
from dataclasses import fields

from werkzeug.datastructures import MultiDict

from covenant.opportunities.criteria import Criteria, filter_fields, parse_criteria
from covenant.opportunities.forms import FilterForm


def test_every_filter_fills_a_criterion_and_the_page_shows_every_one_but_order_and_page(app):
    criteria = {field.name for field in fields(Criteria)}
    declared = filter_fields()
    assert {field.criterion for field in declared} <= criteria
    shown = set()
    for entry in FilterForm.LAYOUT:
        shown |= {entry} if isinstance(entry, str) else set(entry[2])
    # A council area or region chosen by its code (`where`) is shown, and changed, in the one "Where" box.
    assert shown == {field.name for field in declared} - {"sort", "page", "where"}


def test_a_search_address_reads_back_as_the_same_search(app):
    address = (
        "q=driving+lessons&kind=training&kind=job&area=finance&where=E08000035&remote=1&distance=25"
        "&age=17&paid=1&open=1&closing=1&sort=closing&page=3"
    )
    with app.test_request_context():
        criteria = parse_criteria(MultiDict(re.findall(r"([^&=]+)=([^&]*)", address.replace("+", " "))))
        assert not criteria.messages
        assert criteria.url_query() == "?" + address
        assert parse_criteria(MultiDict(criteria.query_args())) == criteria


def test_the_filters_on_the_page_are_named_as_the_form_declares(client):
    html = client.get("/opportunities?where=E08000035").get_data(as_text=True)
    form = re.search(r'<form method="get" action="/opportunities#results".*?</form>', html, re.S)
    assert form is not None
    names = set(re.findall(r'name="([^"]+)"', form.group(0)))
    assert {field.name for field in filter_fields()} - {"sort", "page", "where"} <= names

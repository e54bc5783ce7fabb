"""Light and fast on a cheap phone (issue 12), checked without timing anything: what the front end weighs once
compressed, how long browsers may keep it, what each page's head asks for, and which pages are compressed.

`make bench` measures the pages themselves with Lighthouse; these checks stop the causes from coming back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pytest
from flask import Flask
from flask.testing import FlaskClient

from covenant.models import Pledge, User
from covenant.static_files import METAFILE, read_built_names
from covenant.vocab import PledgeStatus, Role

KB = 1000
# What a phone downloads for the search page on a first visit, compressed (the target is 100 KB in all, with
# the page itself about 7 KB). Each budget is today's size and a little room: a bigger file has to be a choice.
BUDGETS = {  # name: (Brotli, gzip) in bytes
    "the stylesheet": (14 * KB, 17 * KB),
    "the script every page runs": (8 * KB, 9 * KB),
    "the place autocomplete's script": (8.5 * KB, 9.5 * KB),
}
PUBLIC_PAGES = ["/", "/opportunities", "/sign-in", "/sign-up", "/accessibility", "/privacy", "/cookies"]


@pytest.fixture
def plain_client(app: Flask) -> FlaskClient:
    """A client that leaves response bodies alone (the checking client parses every page, and a compressed
    one is not HTML until it is decompressed)."""
    return FlaskClient(app, app.response_class)


def head_of(html: str) -> Element:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    head = document.find("head")
    assert head is not None
    return head


def static_folder(app: Flask) -> Path:
    return Path(app.static_folder or "")


def outputs(app: Flask) -> dict[str, dict]:
    """esbuild's account of each file it built, by its path under the static folder."""
    metafile = json.loads((static_folder(app) / METAFILE).read_text())
    return {path.split("/static/", 1)[1]: facts for path, facts in metafile["outputs"].items()}


def files_of(app: Flask) -> dict[str, list[str]]:
    """The built files behind each budget: the script every page runs is the entry and the chunks it imports."""
    built = read_built_names(static_folder(app))
    built_outputs = outputs(app)
    entry = built["js/covenant.js"]
    statically = [
        imported["path"].split("/static/", 1)[1]
        for imported in built_outputs[entry]["imports"]
        if imported["kind"] == "import-statement"
    ]
    lazily = [
        imported["path"].split("/static/", 1)[1]
        for imported in built_outputs[entry]["imports"]
        if imported["kind"] == "dynamic-import"
    ]
    return {
        "the stylesheet": [built["css/covenant.css"]],
        "the script every page runs": [entry, *statically],
        "the place autocomplete's script": lazily,
    }


def sent_size(path: Path, encoding: str) -> int:
    """The bytes sent for a file when the browser accepts this encoding: WhiteNoise keeps no compressed copy
    of a file that compression hardly shrinks, and sends the file itself."""
    compressed = path.with_name(f"{path.name}.{encoding}")
    return (compressed if compressed.exists() else path).stat().st_size


@pytest.mark.parametrize("name", BUDGETS)
def test_the_front_end_stays_within_its_compressed_budget(app: Flask, name: str) -> None:
    files = files_of(app)[name]
    assert files, f"no file built for {name}"
    for encoding, budget in zip(("br", "gz"), BUDGETS[name], strict=True):
        size = sum(sent_size(static_folder(app) / path, encoding) for path in files)
        assert size <= budget, f"{name} is {size:,} bytes with {encoding}, over its budget of {budget:,}"


def test_only_the_components_pages_use_are_built(app: Flask) -> None:
    """Not all of GOV.UK Frontend and MOJ Frontend: the stylesheet was 235 KB and the scripts 190 KB."""
    built = read_built_names(static_folder(app))
    assert (static_folder(app) / built["css/covenant.css"]).stat().st_size < 130 * KB
    assert (static_folder(app) / built["js/covenant.js"]).stat().st_size < 35 * KB


def test_pages_ask_for_the_hashed_files_and_one_stylesheet_blocks_rendering(client: FlaskClient) -> None:
    html = client.get("/opportunities").get_data(as_text=True)
    head = head_of(html)
    stylesheets = [link for link in head.iter("link") if link.get("rel") == "stylesheet"]
    assert len(stylesheets) == 1, "one stylesheet"
    assert stylesheets[0].get("href", "").startswith("/static/css/covenant-")
    assert not list(head.iter("script")), (
        "no script in the head: nothing but the stylesheet holds up the page"
    )
    icon = next(link for link in head.iter("link") if link.get("rel") == "icon")
    assert icon.get("href", "").startswith("/static/images/covenant-icon-")
    body = html5lib.parse(html, namespaceHTMLElements=False).find("body")
    assert body is not None
    modules = [script for script in body.iter("script") if script.get("src")]
    assert len(modules) == 1
    assert modules[0].get("type") == "module", "a module script never blocks rendering"
    assert modules[0].get("src", "").startswith("/static/js/covenant-")
    for url in (stylesheets[0].get("href"), icon.get("href"), modules[0].get("src")):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_a_hashed_file_is_kept_a_year_and_sent_compressed(client: FlaskClient, app: Flask) -> None:
    stylesheet = read_built_names(static_folder(app))["css/covenant.css"]
    on_disk = static_folder(app) / stylesheet
    for accepted, encoding, body in (
        ("gzip, deflate, br, zstd", "br", on_disk.with_name(on_disk.name + ".br")),
        ("gzip, deflate", "gzip", on_disk.with_name(on_disk.name + ".gz")),
        ("", None, on_disk),
    ):
        response = client.get(f"/static/{stylesheet}", headers={"Accept-Encoding": accepted})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.mimetype == "text/css"
        assert response.data == body.read_bytes()
        response.close()


def test_a_file_without_a_hash_is_not_kept_for_long(client: FlaskClient) -> None:
    response = client.get(f"/static/{METAFILE}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"
    response.close()


def test_a_missing_static_file_is_a_404(client: FlaskClient) -> None:
    response = client.get("/static/css/covenant.css")  # only the hashed name is built
    assert response.status_code == 404
    response.close()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_is_described_for_search_results(client: FlaskClient, path: str) -> None:
    head = head_of(client.get(path).get_data(as_text=True))
    descriptions = [
        meta.get("content", "") for meta in head.iter("meta") if meta.get("name") == "description"
    ]
    assert len(descriptions) == 1
    assert 40 <= len(descriptions[0]) <= 250


def test_an_opportunity_is_described_by_its_summary(
    client: FlaskClient, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(summary="Two weeks in a busy kitchen & a reference at the end.")
    head = head_of(client.get(f"/opportunities/{pledge.id}").get_data(as_text=True))
    descriptions = [meta.get("content") for meta in head.iter("meta") if meta.get("name") == "description"]
    assert descriptions == ["Two weeks in a busy kitchen & a reference at the end."]


def test_a_closed_opportunity_is_described_too(
    client: FlaskClient, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(PledgeStatus.CLOSED)
    head = head_of(client.get(f"/opportunities/{pledge.id}").get_data(as_text=True))
    assert any(meta.get("name") == "description" for meta in head.iter("meta"))


@pytest.mark.parametrize(("accepted", "encoding"), [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")])
def test_public_pages_are_sent_compressed(plain_client: FlaskClient, accepted: str, encoding: str) -> None:
    response = plain_client.get("/opportunities", headers={"Accept-Encoding": accepted})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.data) < len(plain_client.get("/opportunities").data) / 3


def test_a_page_with_a_csrf_token_is_never_compressed(client: FlaskClient) -> None:
    """Compression would let an attacker read the token from the sizes of pages that repeat their input."""
    response = client.get("/sign-in", headers={"Accept-Encoding": "gzip, br"})
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers


def test_a_signed_in_page_is_never_compressed(
    client: FlaskClient, make_user: Callable[..., User], login_as: Callable[[User], User]
) -> None:
    login_as(make_user(Role.PERSONAL_ADVISER))
    response = client.get("/opportunities?q=mentoring", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_signed_out_the_navigation_is_not_folded_away_after_the_page_is_drawn(
    client: FlaskClient, make_user: Callable[..., User], login_as: Callable[[User], User]
) -> None:
    """Folding the menu behind a button happens when the script runs, after the first paint, and moved the
    whole page: signed out there are only three links, so they stay open."""
    assert "govuk-service-navigation__toggle" not in client.get("/opportunities").get_data(as_text=True)
    login_as(make_user(Role.COORDINATOR))
    assert "govuk-service-navigation__toggle" in client.get("/opportunities").get_data(as_text=True)

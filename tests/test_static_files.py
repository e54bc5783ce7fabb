"""How the front end is served, checked without timing anything: how long browsers may keep each file, which
compressed copy they get, and what each page's head asks for.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
from flask import Flask
from flask.testing import FlaskClient

from covenant.static_files import METAFILE, read_built_names


def head_of(html: str) -> Element:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    head = document.find("head")
    assert head is not None
    return head


def static_folder(app: Flask) -> Path:
    return Path(app.static_folder or "")


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

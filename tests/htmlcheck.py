"""Checks every HTML page served in tests: well-formed HTML, one non-empty <title>, no duplicate ids."""

from __future__ import annotations

from collections import Counter

import html5lib
from html5lib.html5parser import ParseError


def check_html(html: str, where: str) -> str:
    """Parse strictly and return the page title; raise AssertionError describing the first problem."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(html)
    except ParseError as error:
        line, column = parser.errors[0][0] if parser.errors else (0, 0)
        lines = html.splitlines()
        context = lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""
        raise AssertionError(
            f"{where}: HTML is not well-formed at line {line}, column {column} ({error}): {context}"
        ) from error
    titles = document.findall(".//title")
    assert len(titles) == 1, f"{where}: expected one <title>, found {len(titles)}"
    title = (titles[0].text or "").strip()
    assert title, f"{where}: the <title> is empty"
    ids = Counter(element.get("id") for element in document.iter() if element.get("id"))
    duplicates = sorted(name for name, count in ids.items() if count > 1)
    assert not duplicates, f"{where}: duplicate ids {duplicates}"
    for summary in document.iter("div"):
        if "govuk-error-summary" not in (summary.get("class") or "").split():
            continue
        for link in summary.iter("a"):
            target = (link.get("href") or "").removeprefix("#")
            assert target in ids, f"{where}: the error summary links to #{target}, which is not on the page"
    return title

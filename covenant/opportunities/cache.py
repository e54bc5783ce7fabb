"""Small in-process caches, one set per app (`app.extensions`), for what the search page makes again and again.

The search cache keeps counts, the rendered list of each page of results and the rendered filter form of each
search. People page through a search, go back to it, share it and repeat it all day; counting, ranking and
rendering are nearly all of a search's cost. Entries are keyed by the search token (`freshness`), so a change to
anything a search reads makes them unreachable at once, and they expire after `SEARCH_CACHE_SECONDS` anyway.
Each gunicorn worker has its own: at most `SEARCH_CACHE_SIZE` entries, a rendered page of results being about
20 KB (so some 20 MB at the default). `SEARCH_CACHE_SIZE = 0` turns it off.

The presentation cache keeps what every search shares: the GOV.UK components the filter form is made of (keyed by
their parameters, which say everything they show) and the list of local authorities (keyed by the search token,
which any change to an authority renews). It is always on, and small.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import TTLCache
from flask import current_app
from flask.sansio.app import App

EXTENSION = "covenant.search_cache"
PRESENTATION = "covenant.search_presentation"
PRESENTATION_SIZE = 512


class SearchCache:
    """A thread-safe, size- and time-limited mapping; a disabled one remembers nothing."""

    def __init__(self, size: int, seconds: float) -> None:
        self.enabled = size > 0 and seconds > 0
        self._entries: TTLCache[Hashable, Any] = TTLCache(maxsize=max(size, 1), ttl=max(seconds, 1))
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        if not self.enabled:
            return None
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        if self.enabled:
            with self._lock:
                self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_app(app: App) -> None:
    """Give the app its own, empty caches."""
    seconds = float(app.config.get("SEARCH_CACHE_SECONDS", 0))
    app.extensions[EXTENSION] = SearchCache(int(app.config.get("SEARCH_CACHE_SIZE", 0)), seconds)
    app.extensions[PRESENTATION] = SearchCache(PRESENTATION_SIZE, max(seconds, 60))


def search_cache() -> SearchCache:
    """The current app's counts, rendered results and filter forms, under the search token."""
    cache: SearchCache = current_app.extensions[EXTENSION]
    return cache


def presentation_cache() -> SearchCache:
    """The current app's rendered GOV.UK components and list of local authorities."""
    cache: SearchCache = current_app.extensions[PRESENTATION]
    return cache

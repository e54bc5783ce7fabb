"""A small in-process cache for searches done again: counts, and the rendered list of each page of results.

People page through a search, go back to it, share it and repeat it all day; counting, ranking and rendering
are nearly all of a search's cost. Entries are keyed by the search token (`freshness`), so a change to
anything a search reads makes them unreachable at once, and they expire after `SEARCH_CACHE_SECONDS` anyway.

Each gunicorn worker has its own cache: at most `SEARCH_CACHE_SIZE` entries, a rendered page of results being
about 20 KB (so some 20 MB at the default). `SEARCH_CACHE_SIZE = 0` turns it off.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import TTLCache
from flask import current_app
from flask.sansio.app import App

EXTENSION = "covenant.search_cache"


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
    app.extensions[EXTENSION] = SearchCache(
        int(app.config.get("SEARCH_CACHE_SIZE", 0)), float(app.config.get("SEARCH_CACHE_SECONDS", 0))
    )


def search_cache() -> SearchCache:
    cache: SearchCache = current_app.extensions[EXTENSION]
    return cache

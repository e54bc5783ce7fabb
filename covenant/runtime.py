"""How the Python process serving Covenant collects its garbage.

Python's cyclic garbage collector looks at its youngest objects after every 700 net allocations, and now and then
at every object it tracks. A search page allocates tens of thousands of objects (SQLAlchemy builds and compiles
its statements, Jinja renders the page), so it ran several collections a request, and a full one, over the
quarter of a million objects the app and its libraries make as they start, took tens of milliseconds of
whichever request set it off.

So once the app is built, the objects made so far (modules, mappers, compiled templates: they live as long as the
process) are frozen out of collection, and the youngest generation is collected after 10,000 allocations rather
than 700. Garbage cycles are still collected, in fewer and cheaper passes (what that saved is in
`docs/performance.md`). Not in tests, which build many apps in one process.
"""

from __future__ import annotations

import gc

YOUNGEST_GENERATION_THRESHOLD = 10_000


def settle_garbage_collection() -> None:
    """Freeze what start-up made, and collect the youngest generation less often (Python's `gc` module)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_GENERATION_THRESHOLD, middle, oldest)

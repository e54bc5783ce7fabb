"""`make bench`: how fast the public search is on a realistic registry, on SQLite and on PostgreSQL.

`python -m covenant.bench` builds (or reuses) a data set of 100,000 published pledges from 10,000
organisations on each database (`data`), times the representative searches in process (`timing`), measures
the throughput of the search page against a bare route under gunicorn (`load`), then prints a table per
database and a verdict per target, and writes the figures as JSON into `bench-results/`.

Nothing here is part of the app that is served: the bare route lives only in `covenant.bench.wsgi`.
"""

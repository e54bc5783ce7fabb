"""`make bench`: how fast the public search is on a realistic registry, on SQLite and on PostgreSQL.

`python -m bench` builds (or reuses) a data set of 100,000 published pledges from 10,000 organisations on each
database (`database`, `rows`), times the named searches in process (`timing`) and a seeded random sample of
every other (`sample`), measures the throughput of the search page against a bare route under gunicorn (`load`,
`wsgi`), then prints a table per database and a verdict per target, and writes the figures as JSON into
`bench-results/`. `python -m bench.lighthouse` measures the public pages in a real browser (Lighthouse).

None of it is part of the app that is served: it lives beside `covenant/`, which is the only package installed.
"""

"""What gunicorn serves in the load test: the real app on a bench database, plus a bare route to compare with.

`/bench/hello` exists only here, never in the app that is deployed. It goes through the same app, hooks and
headers as every page, so the comparison measures what the search page itself costs.

    COVENANT_BENCH_DATABASE_URL=sqlite:///... gunicorn 'bench.wsgi:app'
"""

from __future__ import annotations

import os

from flask import Flask

from bench.database import bench_app
from bench.load import HELLO_PATH
from covenant.access import public


def hello() -> str:
    return "hello"


def create_bench_app(database_url: str) -> Flask:
    app = bench_app(database_url)
    app.add_url_rule(HELLO_PATH, "bench_hello", public(hello))
    return app


app = create_bench_app(os.environ["COVENANT_BENCH_DATABASE_URL"])

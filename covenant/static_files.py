"""Static files served as production Python services serve them: WhiteNoise, in front of the app in every mode
(`make run`'s Flask server, gunicorn, the tests).

`make assets` builds the front end into `covenant/static/` with esbuild, which gives every file a content-hashed
name (`css/covenant-337CXVJZ.css`) and writes a metafile listing them, then compresses each file ahead of time
with Brotli and gzip (`python -m whitenoise.compress`). WhiteNoise answers `/static/...` before Flask sees the
request, sends the compressed file the browser accepts, and lets browsers keep a hashed file for a year without
asking again: a file that changes gets a new name. Templates go on asking for `url_for('static',
filename='css/covenant.css')`; the name is swapped for the hashed one as the URL is built.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Flask, current_app
from werkzeug.datastructures import Headers
from whitenoise import WhiteNoise

METAFILE = "metafile.json"  # esbuild's account of what it built (`make assets`)
# esbuild's `[hash]`: eight base32 characters before the extension. Such a file never changes.
HASHED_NAME = re.compile(r"-[A-Z2-7]{8}(?=\.[a-z0-9]+$)")
IMMUTABLE = "public, max-age=31536000, immutable"
# Anything else under /static/ (only the metafile) may change with the next build.
SHORT_MAX_AGE = 60
# A static file shown as a page on its own (an SVG opened directly) may not run or load anything.
STATIC_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


def read_built_names(static_folder: Path) -> dict[str, str]:
    """Each entry point's name without its hash, mapped to the name esbuild gave it: `js/covenant.js` to
    `js/covenant-MHFAAGLA.js`. Empty when the front end has not been built."""
    try:
        outputs: dict[str, Any] = json.loads((static_folder / METAFILE).read_text())["outputs"]
    except FileNotFoundError:
        return {}
    built_names = {}
    for output, facts in outputs.items():
        if "entryPoint" not in facts:
            continue  # chunks and images, which the bundles refer to by their hashed names already
        parts = PurePosixPath(output).parts  # relative to where esbuild ran: covenant/static/css/...
        built = "/".join(parts[parts.index("static") + 1 :])
        built_names[HASHED_NAME.sub("", built)] = built
    return built_names


def hashed_static_filename(endpoint: str, values: dict[str, Any]) -> None:
    """`url_defaults`: point `url_for('static', filename=...)` at the built file's hashed name."""
    if endpoint == "static" and "filename" in values:
        if current_app.debug:  # `flask run --debug`: the front end may have been rebuilt since start-up
            built_names = read_built_names(Path(current_app.static_folder or ""))
        else:
            built_names = current_app.extensions["covenant_static_files"]
        values["filename"] = built_names.get(values["filename"], values["filename"])


def static_file_headers(headers: Headers, path: str, url: str) -> None:
    """WhiteNoise's `add_headers_function`: a year's cache for hashed names, and the security headers a
    static file needs (Flask, and so flask-talisman, never see these requests)."""
    if HASHED_NAME.search(url):
        headers["Cache-Control"] = IMMUTABLE
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = STATIC_CONTENT_SECURITY_POLICY


def init_static_files(app: Flask) -> None:
    """Serve `covenant/static/` with WhiteNoise and make `url_for('static', ...)` give the hashed names."""
    static_folder = Path(app.static_folder or "")
    built_names = read_built_names(static_folder)
    if not built_names:
        app.logger.warning("The front end is not built (no %s): run `make assets`", static_folder / METAFILE)
    app.extensions["covenant_static_files"] = built_names
    app.url_defaults(hashed_static_filename)
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=static_folder,
        prefix=app.static_url_path,
        max_age=SHORT_MAX_AGE,
        allow_all_origins=False,  # nothing is meant for other sites
        # The Flask development server with --debug: pick up files rebuilt while it runs.
        autorefresh=app.debug,
        add_headers_function=static_file_headers,
    )

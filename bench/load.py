"""Throughput under gunicorn: the search page against a bare route of the same app, one after the other, with
the same load generator for the same time.

The generator is Debian's `wrk` when it is installed (`make bench` installs it when it can), otherwise a small
Python one that keeps its connections alive. Only 127.0.0.1 is ever loaded, for a bounded time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess  # noqa: S404 - runs wrk, with fixed arguments
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from covenant import PROJECT_ROOT
from devtools import servers

HOST = servers.HOST
WORKERS = 2
# The bare route `bench.wsgi` adds, to compare the search page with.
HELLO_PATH = "/bench/hello"
CONNECTIONS = 4
WARM_UP_REQUESTS = 20


@dataclass(frozen=True)
class Throughput:
    """Requests per second that one path sustained."""

    path: str
    requests: int
    seconds: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "errors": self.errors,
            "requests_per_second": round(self.per_second, 1),
        }


@contextmanager
def gunicorn(database_url: str, workers: int = WORKERS) -> Iterator[str]:
    """Serve the bench app (`bench.wsgi`) on a free local port; yields its base URL, and stops it afterwards."""
    environment = dict(os.environ, COVENANT_BENCH_DATABASE_URL=database_url)
    with servers.gunicorn(
        "bench.wsgi:app", env=environment, cwd=PROJECT_ROOT, ready_path=HELLO_PATH, workers=workers
    ) as base:
        yield base


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def measure(
    base: str, paths: list[str], seconds: float, label: str, connections: int = CONNECTIONS
) -> Throughput:
    """Load the paths, in turn, for `seconds` (after a few warm-up requests) with the available generator."""
    for _ in range(WARM_UP_REQUESTS):
        with urllib.request.urlopen(base + paths[0], timeout=10) as response:  # noqa: S310 - our own server
            response.read()
    if shutil.which("wrk"):
        return _wrk(base, paths, seconds, connections, label)
    return _python_load(base, paths, seconds, connections, label)


def _wrk(base: str, paths: list[str], seconds: float, connections: int, label: str) -> Throughput:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # Each connection asks for the paths in turn.
        script.write("local paths = {" + ", ".join(json.dumps(path) for path in paths) + "}\n")
        script.write(
            "local next_path = 0\n"
            "request = function()\n"
            "  next_path = next_path % #paths + 1\n"
            '  return wrk.format("GET", paths[next_path])\n'
            "end\n"
        )
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds:.0f}s",
        "--script",
        script.name,
        base + paths[0],
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - fixed command line
            command, capture_output=True, text=True, timeout=seconds + 60, check=True
        )
    finally:
        os.unlink(script.name)
    output = finished.stdout
    summary = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    if summary is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    elapsed = float(summary.group(2)) / (1000 if summary.group(3) == "ms" else 1)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        # A read error here is gunicorn's sync worker closing the connection after each answer, as it always
        # does; wrk reconnects. Failed connections and time-outs are real errors.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return Throughput(label, int(summary.group(1)), elapsed, errors)


def _python_load(base: str, paths: list[str], seconds: float, connections: int, label: str) -> Throughput:
    """A small closed-loop generator: one thread per connection, reusing it while the server allows."""
    host, port = HOST, int(base.rsplit(":", 1)[1])
    counts = [0] * connections
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        turn = 0
        while time.monotonic() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            try:
                connection.request("GET", path, headers={"Connection": "keep-alive"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    counts[index] += 1
                else:
                    errors[index] += 1
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=10)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(index,)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(label, sum(counts), time.monotonic() - started, sum(errors))

"""Running Covenant beside the tools that measure and test it: a gunicorn server on a free local port, and a
PostgreSQL database created when it is missing.

Used by the benchmark (`bench/`) and the browser tests (`tests/browser/conftest.py`); neither ships with the app.
Only 127.0.0.1 is ever served or asked.
"""

from __future__ import annotations

import socket
import subprocess  # noqa: S404 - runs gunicorn with a fixed command line
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import URL, create_engine, text
from sqlalchemy.exc import OperationalError

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class DatabaseUnreachable(Exception):
    """The PostgreSQL server cannot be reached (or refuses to create the database)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(
    app: str,
    *,
    env: Mapping[str, str],
    cwd: Path,
    ready_path: str,
    port: int | None = None,
    workers: int = 1,
    threads: int = 1,
    log: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> Iterator[str]:
    """Serve the WSGI `app` ("module:callable") under gunicorn on `port` (by default a free one) of 127.0.0.1;
    yields its base URL once `ready_path` answers 200, and stops the server afterwards."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "sync" if threads == 1 else "gthread",
        "--bind", f"{HOST}:{port}",
        "--log-level", "warning",
        app,
    ]  # fmt: skip
    output: IO[bytes] | None = log.open("wb") if log is not None else None
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        command,
        env=dict(env),
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_serving(server, base + ready_path, timeout, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if output is not None:
            output.close()


def wait_until_serving(
    server: subprocess.Popen[bytes], url: str, timeout: float = START_TIMEOUT, log: Path | None = None
) -> None:
    """Return once `url` answers 200; RuntimeError (with the server's log, if any) when the server stops or
    does not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {server.returncode}{_log_text(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} seconds{_log_text(log)}")


def _log_text(log: Path | None) -> str:
    if log is None:
        return ""
    try:
        return ":\n" + log.read_text(errors="replace")
    except OSError:
        return ""


def create_postgres_database(url: URL, name: str) -> None:
    """CREATE DATABASE `name` on the server of `url` unless it exists, connecting to the database `url` names
    (or, failing that, `postgres`); DatabaseUnreachable when neither connection works."""
    last_error: Exception | None = None
    for maintenance in dict.fromkeys((url.database, "postgres")):
        engine = create_engine(url.set(database=maintenance), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                exists = connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            return
        except OperationalError as error:
            last_error = error
        finally:
            engine.dispose()
    first_line = str(getattr(last_error, "orig", last_error)).strip().splitlines()[0] if last_error else ""
    raise DatabaseUnreachable(f"could not create the database {name}: {first_line}")

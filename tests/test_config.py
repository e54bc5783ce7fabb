"""Start-up settings: production refuses to start, in one sentence, on a missing or wrong setting;
development looks after itself."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from covenant import PROJECT_ROOT, create_app
from covenant.config import ConfigError, config_class_from_environment, finalise, normalise_database_url

SETTINGS = (
    "COVENANT_ENV",
    "DATABASE_URL",
    "SECRET_KEY",
    "BASE_URL",
    "MAIL_BACKEND",
    "MAIL_FROM",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "NOTIFY_API_KEY",
    "NOTIFY_TEMPLATE_ID",
    "RATELIMIT_STORAGE_URI",
    "TRUSTED_PROXIES",
    "WEB_CONCURRENCY",
)

PRODUCTION = {
    "COVENANT_ENV": "production",
    "DATABASE_URL": "postgresql://covenant@db.internal/covenant",
    "SECRET_KEY": "3f9c1e7a5b2d8f40c6e19a7b3d5f2e8c1a4b6d9e",
    "BASE_URL": "https://covenant.example.org",
    "MAIL_BACKEND": "notify",
    "NOTIFY_API_KEY": "covenant-live-11111111-2222-3333-4444-555555555555-66666666-7777-8888-9999-000000000000",
    "NOTIFY_TEMPLATE_ID": "0c6d1a5e-8b39-4f3e-9a57-1f0a3c3f6b21",
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379",
}


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment (no settings from the shell running the tests) and an instance folder of its own."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "instance"
    monkeypatch.setenv("COVENANT_INSTANCE_PATH", str(folder))
    return folder


@pytest.fixture
def production(instance: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A complete production environment, for each test to spoil one setting of."""
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    return instance


def settings_at_start(instance: Path) -> dict[str, Any]:
    """The settings the app would start with, checked as create_app checks them."""
    config_object = config_class_from_environment()()
    config = {name: getattr(config_object, name) for name in dir(config_object) if name.isupper()}
    finalise(config, str(instance))
    return config


def start_up_refusal() -> str:
    """Start the app and return the sentence it stops with."""
    with pytest.raises(ConfigError) as stopped:
        create_app()
    message = str(stopped.value)
    assert "\n" not in message
    assert message.endswith(".")
    assert message.count(". ") == 0, f"more than one sentence: {message}"
    return message


def test_a_complete_production_environment_starts(production: Path) -> None:
    config = settings_at_start(production)
    assert config["ENVIRONMENT"] == "production"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://covenant@db.internal/covenant"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["FORCE_HTTPS"] is True
    assert not production.exists(), "production must never write a secret key of its own"


def test_production_without_a_secret_key_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY")
    assert (
        start_up_refusal()
        == "Covenant cannot start: set SECRET_KEY to a random value of at least 32 characters."
    )
    assert not (production / "secret_key").exists()


def test_production_with_a_short_secret_key_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 31)
    assert "SECRET_KEY" in start_up_refusal()


def test_production_without_a_database_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL")
    assert (
        start_up_refusal()
        == "Covenant cannot start: set DATABASE_URL, for example postgresql://user@host/covenant."
    )


@pytest.mark.parametrize("base_url", ["", "http://covenant.example.org", "covenant.example.org"])
def test_production_needs_an_https_base_url(
    production: Path, monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    monkeypatch.setenv("BASE_URL", base_url)
    assert start_up_refusal() == (
        "Covenant cannot start: set BASE_URL to the service's public https:// address, used in email links."
    )


def test_production_refuses_to_only_log_emails(production: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_BACKEND", "log")
    message = start_up_refusal()
    assert "MAIL_BACKEND is 'log'" in message
    assert "'smtp' or 'notify'" in message


def test_production_logs_emails_when_no_backend_is_chosen(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving MAIL_BACKEND unset means `log`, which production refuses."""
    monkeypatch.delenv("MAIL_BACKEND")
    assert "MAIL_BACKEND is 'log'" in start_up_refusal()


def test_smtp_needs_a_mail_server(production: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_BACKEND", "smtp")
    assert (
        start_up_refusal()
        == "Covenant cannot start: MAIL_BACKEND is 'smtp', so set SMTP_HOST to your mail server."
    )
    monkeypatch.setenv("SMTP_HOST", "smtp.example.org")
    assert settings_at_start(production)["SMTP_HOST"] == "smtp.example.org"


def test_notify_needs_a_key_and_a_template(production: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_TEMPLATE_ID")
    assert "NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID" in start_up_refusal()


def test_an_unknown_mail_backend_does_not_start(production: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_BACKEND", "sendgrid")
    assert start_up_refusal() == (
        "Covenant cannot start: MAIL_BACKEND is 'sendgrid', but it must be one of: log, smtp, notify."
    )


@pytest.mark.parametrize(("name", "value"), [("SMTP_PORT", "submission"), ("TRUSTED_PROXIES", "one")])
def test_a_number_setting_that_is_not_a_number_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    message = start_up_refusal()
    assert name in message
    assert value in message


def test_an_unknown_environment_does_not_start(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVENANT_ENV", "staging")
    message = start_up_refusal()
    assert "COVENANT_ENV is 'staging'" in message
    assert "development, production, test" in message


def test_production_is_the_default(production: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_ENV")
    monkeypatch.delenv("SECRET_KEY")
    assert "SECRET_KEY" in start_up_refusal()


def test_a_refused_start_prints_one_line_and_no_traceback(instance: Path) -> None:
    """What an operator sees when running a command with a production setting missing."""
    environment = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    environment["COVENANT_ENV"] = "production"
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(  # noqa: S603 - the project's own flask command, with fixed arguments
        [str(flask), "--app", "covenant", "routes"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Covenant cannot start: set SECRET_KEY to a random value of at least 32 characters."
    ]
    assert result.stdout == ""


def test_development_makes_its_secret_key_once(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVENANT_ENV", "development")
    first = create_app()
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "the secret key must be readable by its owner only"
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()

    second = create_app()
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"], "a restart must not sign everyone out"


def test_development_keys_differ_between_checkouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated key is random, not a value written in the code."""
    monkeypatch.setenv("COVENANT_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    keys = set()
    for name in ("one", "two"):
        monkeypatch.setenv("COVENANT_INSTANCE_PATH", str(tmp_path / name))
        keys.add(settings_at_start(tmp_path / name)["SECRET_KEY"])
    assert len(keys) == 2


def test_development_uses_a_database_in_the_instance_folder(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_ENV", "development")
    config = settings_at_start(instance)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'covenant.sqlite3'}"
    assert config["BASE_URL"] == "http://127.0.0.1:5000"
    assert config["MAIL_BACKEND"] == "log"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_instance_config_file_is_read(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`instance/config.py` can hold local settings, such as a development mail server."""
    monkeypatch.setenv("COVENANT_ENV", "development")
    instance.mkdir()
    (instance / "config.py").write_text('MAIL_BACKEND = "smtp"\nSMTP_HOST = "mail.local"\n')
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["SMTP_HOST"] == "mail.local"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://covenant:pw@db/covenant", "postgresql+psycopg://covenant:pw@db/covenant"),
        ("postgresql://covenant@db:5433/covenant", "postgresql+psycopg://covenant@db:5433/covenant"),
        ("postgresql+psycopg://covenant@db/covenant", "postgresql+psycopg://covenant@db/covenant"),
        ("sqlite:////srv/covenant.sqlite3", "sqlite:////srv/covenant.sqlite3"),
    ],
)
def test_database_urls_use_psycopg(
    production: Path, monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert settings_at_start(production)["SQLALCHEMY_DATABASE_URI"] == used
    assert normalise_database_url(given) == used


def test_postgresql_connections_never_compile_statements_with_jit(production: Path) -> None:
    """JIT took 3 seconds to compile a search that runs in 40 ms: this service's statements never repay it."""
    config = settings_at_start(production)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c jit=off -c work_mem=16MB -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
        " -c plan_cache_mode=force_custom_plan"
    )
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_postgresql_connections_ask_for_the_settings_a_web_service_needs(app) -> None:
    from sqlalchemy import text

    from covenant.extensions import db

    if db.engine.dialect.name != "postgresql":
        assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        return
    assert db.session.scalar(text("SHOW jit")) == "off"
    assert db.session.scalar(text("SHOW random_page_cost")) == "1.1"
    assert db.session.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
    assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"


def test_a_secret_key_of_one_repeated_character_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    assert start_up_refusal() == (
        "Covenant cannot start: set SECRET_KEY to a random value of at least 32 characters."
    )


@pytest.mark.parametrize("url", ["garbage", "mysql://covenant@db/covenant", "http://db.internal/covenant"])
def test_a_database_url_that_is_not_one_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert start_up_refusal() == (
        "Covenant cannot start: DATABASE_URL is not a database address: set it like postgresql://user@host/covenant."
    )


def test_a_rate_limit_storage_that_is_not_one_does_not_start(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "bogus://x")
    message = start_up_refusal()
    assert "RATELIMIT_STORAGE_URI 'bogus://x'" in message
    assert "redis://" in message


def test_production_counts_sign_in_attempts_in_redis_unless_it_runs_one_worker(
    production: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """memory:// counts in each worker separately: with 2 workers, an attacker has twice the guesses."""
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    message = start_up_refusal()
    assert message.startswith("Covenant cannot start: RATELIMIT_STORAGE_URI is memory://")
    assert "redis://" in message
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert "RATELIMIT_STORAGE_URI is memory://" in start_up_refusal()
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert settings_at_start(production)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_hides_sql_parameters_from_the_logs(production: Path) -> None:
    """A database error would otherwise log the statement's values: emails, names, password hashes."""
    assert settings_at_start(production)["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


GARBAGE_COLLECTION_AFTER_START = """
import gc, sys
from covenant import create_app
from covenant.config import TestConfig
before = gc.get_threshold()[0]
create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sys.argv[1], TESTING=sys.argv[2] == "testing")
after = gc.get_threshold()[0]
print("default" if after == before else after, gc.get_freeze_count() > 0)
"""


@pytest.mark.parametrize(("testing", "expected"), [("serving", "10000 True"), ("testing", "default False")])
def test_a_serving_process_collects_garbage_less_often_and_tests_keep_the_default(
    tmp_path: Path, testing: str, expected: str
) -> None:
    """A process that serves requests freezes what start-up made and collects its youngest objects after 10,000
    allocations (`covenant/runtime.py`); the test suite, which builds many apps, keeps Python's defaults."""
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    found = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", GARBAGE_COLLECTION_AFTER_START, url, testing],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    assert found.stdout.split("\n")[-2] == expected

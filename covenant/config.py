"""Configuration from the environment and `instance/config.py`.

Settings are read once when the app is created. Development generates its own secret key into
`instance/`; production refuses to start, in one sentence, when a setting it needs is missing or wrong.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MAIL_BACKENDS = ("log", "smtp", "notify")
# What each PostgreSQL connection asks for (`finalise` says why).
POSTGRESQL_SETTINGS = (
    "jit=off",
    "work_mem=16MB",
    "random_page_cost=1.1",
    "max_parallel_workers_per_gather=0",
    "plan_cache_mode=force_custom_plan",
)
# A secret key must have at least this many different characters: "kkkk…" is long but guessable.
SECRET_KEY_MIN_DISTINCT = 10


class ConfigError(SystemExit):
    """A setting is missing or wrong: start-up stops with this one sentence and no traceback."""


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver, which is the one Covenant installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"Covenant cannot start: {name} is '{value}', but it must be a whole number.")
    return int(value)


class Config:
    """Production settings: everything secret or site-specific comes from the environment."""

    ENVIRONMENT = "production"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 8 * 60 * 60
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Sessions end after 8 idle hours (the signed cookie's age) and 12 hours after signing in, however busy.
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60
    SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
    FORCE_HTTPS = True
    # The largest request and form Covenant reads: its longest form, a pledge section, is a few KB.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    INVITATION_MAX_AGE = 7 * 24 * 60 * 60
    PASSWORD_RESET_MAX_AGE = 60 * 60
    EMAIL_CONFIRMATION_MAX_AGE = 3 * 24 * 60 * 60
    SIGN_IN_RATE_LIMIT = "10 per minute;50 per hour"
    # An account with this many wrong passwords lately is answered slowly (see auth/throttle.py).
    SIGN_IN_SLOW_DOWN_AFTER = "10 per 15 minutes"
    SIGN_IN_SLOW_DOWN_SECONDS = 2.0
    # Two-factor codes (authenticator, recovery or emailed) tried at one account, from anywhere, and from one
    # address at any accounts (see two_factor/throttle.py); limits lapse, so nobody is locked out for good.
    TWO_FACTOR_RATE_LIMIT = "5 per minute;20 per hour"
    TWO_FACTOR_ADDRESS_RATE_LIMIT = "20 per minute;200 per hour"
    # An emailed two-factor code works once, for this long.
    TWO_FACTOR_EMAIL_CODE_MAX_AGE = 10 * 60
    SIGN_UP_RATE_LIMIT = "5 per hour;20 per day"
    INVITATION_RATE_LIMIT = "30 per hour;100 per day"
    INVITATION_RECIPIENT_RATE_LIMIT = "3 per day"
    SERVICE_NAME = "Care Leaver Covenant"

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(env.get("DATABASE_URL", ""))
        self.BASE_URL = env.get("BASE_URL", "").rstrip("/")
        self.MAIL_BACKEND = env.get("MAIL_BACKEND", "log")
        self.MAIL_FROM = env.get("MAIL_FROM", "Care Leaver Covenant <no-reply@covenant.invalid>")
        self.SMTP_HOST = env.get("SMTP_HOST", "")
        self.SMTP_PORT = _env_int("SMTP_PORT", 587)
        self.SMTP_USERNAME = env.get("SMTP_USERNAME", "")
        self.SMTP_PASSWORD = env.get("SMTP_PASSWORD", "")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
        self.NOTIFY_API_KEY = env.get("NOTIFY_API_KEY", "")
        self.NOTIFY_TEMPLATE_ID = env.get("NOTIFY_TEMPLATE_ID", "")
        # A GOV.UK Notify text message template whose message is ((body)): care leavers may choose texts.
        self.NOTIFY_SMS_TEMPLATE_ID = env.get("NOTIFY_SMS_TEMPLATE_ID", "")
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        # gunicorn's own setting for how many workers to run (its default is 1).
        self.WEB_CONCURRENCY = env.get("WEB_CONCURRENCY", "")
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        # A care leaver's personal details are removed at this age, or after this long with nothing happening
        # (`flask anonymise-expired`).
        self.ANONYMISE_AT_AGE = _env_int("ANONYMISE_AT_AGE", 26)
        self.ANONYMISE_AFTER_MONTHS_INACTIVE = _env_int("ANONYMISE_AFTER_MONTHS_INACTIVE", 24)
        # Search counts and rendered pages of results kept per worker (0: none); see opportunities/cache.py.
        self.SEARCH_CACHE_SIZE = _env_int("SEARCH_CACHE_SIZE", 1_000)
        self.SEARCH_CACHE_SECONDS = _env_int("SEARCH_CACHE_SECONDS", 300)


class DevelopmentConfig(Config):
    """`make run`: a SQLite file in `instance/`, mail written to the log, plain HTTP on localhost."""

    ENVIRONMENT = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    FORCE_HTTPS = False

    def __init__(self) -> None:
        super().__init__()
        self.BASE_URL = self.BASE_URL or "http://127.0.0.1:5000"


class TestConfig(DevelopmentConfig):
    """The test suite: its own database, CSRF on as in real life, a fixed key."""

    ENVIRONMENT = "test"
    TESTING = True
    __test__ = False  # not a pytest test class, despite the name
    SIGN_IN_RATE_LIMIT = "10 per minute;50 per hour"
    RATELIMIT_STORAGE_URI = "memory://"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 16
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("COVENANT_TEST_DATABASE_URL", "sqlite://")
        )
        self.MAIL_BACKEND = "log"
        self.RATELIMIT_STORAGE_URI = "memory://"


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_class_from_environment() -> type[Config]:
    """Pick the settings class named by `COVENANT_ENV` (production when unset, the safe default)."""
    name = os.environ.get("COVENANT_ENV", "production").strip().lower()
    if name not in CONFIGS:
        raise ConfigError(f"COVENANT_ENV is '{name}', but it must be one of: {', '.join(sorted(CONFIGS))}.")
    return CONFIGS[name]


def development_secret_key(instance_path: str) -> str:
    """Read, or create once, a random secret key kept in `instance/secret_key` for development."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created owner-only from the start: no moment when another account could read it.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as key_file:
            key_file.write(secrets.token_hex(32))
    return path.read_text().strip()


def finalise(config: dict[str, Any], instance_path: str) -> None:
    """Fill development defaults and stop start-up with one clear sentence on a wrong setting."""
    environment = config["ENVIRONMENT"]
    if environment != "production":
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = development_secret_key(instance_path)
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            sqlite_path = Path(instance_path) / "covenant.sqlite3"
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{sqlite_path}"
    problems = _problems(config, production=environment == "production")
    if problems:
        raise ConfigError(f"Covenant cannot start: {problems[0]}")
    if environment == "production":
        # SQL parameters (emails, names, password hashes) never reach the error log.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            key: value
            for key, value in config["SQLALCHEMY_ENGINE_OPTIONS"].items()
            if key == "hide_parameters"
        }
    elif config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL compiles a statement it costs highly enough (as it may a search it cannot estimate well)
        # with JIT, which took 3 seconds for a search that runs in 40 ms: this service's statements are never
        # long enough to repay it. The reports sort up to a year's replies (about 100,000 small rows) for their
        # medians: PostgreSQL's default 4 MB of memory for a sort spilled them to disk. Its default cost of a
        # page read out of order (`random_page_cost` 4) is a spinning disk's: on solid-state storage, as
        # PostgreSQL's documentation advises, 1.1 lets it read a search's matches from the covering indexes
        # (`ix_pledge_search` and others) instead of a bitmap of every matching pledge's row. No parallel
        # workers for one statement: a web request's statements are short, and starting workers (which then
        # compete with other requests for the cores) cost the search more than they saved. And every statement
        # is planned with its values: psycopg prepares a statement run five times, and PostgreSQL would then
        # plan it once for any values, but a search's plan depends on its keyword and place.
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", " ".join(f"-c {setting}" for setting in POSTGRESQL_SETTINGS))
        options["connect_args"] = connect_args
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _database_problem(url: str) -> str | None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql"):
        return "DATABASE_URL is not a database address: set it like postgresql://user@host/covenant."
    return None


def _rate_limit_problem(uri: str, production: bool, workers: str) -> str | None:
    from limits.storage import SCHEMES

    scheme = urlsplit(uri).scheme
    if scheme not in SCHEMES or scheme.startswith("async+"):
        return f"RATELIMIT_STORAGE_URI '{uri}' is not a storage Covenant can count attempts in: set it to redis://host:6379."
    if production and scheme == "memory" and workers.strip() != "1":
        return "RATELIMIT_STORAGE_URI is memory://, which each worker counts separately: set it to your Redis server, like redis://redis:6379, or run one worker with WEB_CONCURRENCY=1."
    return None


def _problems(config: dict[str, Any], production: bool) -> list[str]:
    """Everything wrong with the settings, the most basic first (start-up reports the first)."""
    problems: list[str] = []
    backend = config.get("MAIL_BACKEND")
    if backend not in MAIL_BACKENDS:
        problems.append(f"MAIL_BACKEND is '{backend}', but it must be one of: {', '.join(MAIL_BACKENDS)}.")
    if backend == "smtp" and not config.get("SMTP_HOST"):
        problems.append("MAIL_BACKEND is 'smtp', so set SMTP_HOST to your mail server.")
    if backend == "notify" and not (config.get("NOTIFY_API_KEY") and config.get("NOTIFY_TEMPLATE_ID")):
        problems.append("MAIL_BACKEND is 'notify', so set NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID.")
    if production:
        secret = config.get("SECRET_KEY") or ""
        if len(secret) < 32 or len(set(secret)) < SECRET_KEY_MIN_DISTINCT:
            problems.append("set SECRET_KEY to a random value of at least 32 characters.")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            problems.append("set DATABASE_URL, for example postgresql://user@host/covenant.")
        base_url = config.get("BASE_URL") or ""
        if not base_url.startswith("https://"):
            problems.append("set BASE_URL to the service's public https:// address, used in email links.")
        if backend == "log":
            problems.append("MAIL_BACKEND is 'log', which sends nothing: set it to 'smtp' or 'notify'.")
    database = config.get("SQLALCHEMY_DATABASE_URI")
    rate_limits = _rate_limit_problem(
        config.get("RATELIMIT_STORAGE_URI") or "memory://", production, config.get("WEB_CONCURRENCY") or ""
    )
    for problem in (_database_problem(database) if database else None, rate_limits):
        if problem:
            problems.append(problem)
    return problems

"""Flask extensions, created here and bound to the app in `create_app`."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from covenant.compression import PublicPageCompress
from covenant.sqltypes import include_in_migrations, render_migration_type

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names constraints the same way on SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(
    compare_type=True,
    render_as_batch=True,
    render_item=render_migration_type,
    include_object=include_in_migrations,
)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
# Only for flask-talisman's per-view decorator (`@talisman(force_https=False)`), which marks the view itself:
# each app gets its own Talisman in `create_app`, as Talisman keeps its settings on the instance, and two apps
# sharing one (a test suite's) would both get the last one's.
talisman = Talisman()
compress = PublicPageCompress()

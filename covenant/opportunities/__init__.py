"""Finding opportunities: public browsing and search of published pledges."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities", template_folder="templates")


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """Each app gets its own search cache; every session's changes renew the search token."""
    from covenant.opportunities import cache, freshness

    cache.init_app(state.app)
    freshness.watch_changes()


from covenant.opportunities import views  # noqa: E402, F401 - registers the routes

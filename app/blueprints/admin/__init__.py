"""The console: operators change things; the finance role reads everything and writes nothing."""

from flask import Blueprint, abort, request
from flask_login import current_user

from app.security import to_login

bp = Blueprint("admin", __name__, url_prefix="/admin")

CONSOLE_ROLES = ("operator", "finance")
READS = ("GET", "HEAD", "OPTIONS")


@bp.before_request
def guard():
    """Operators and finance only; finance is refused every write with 403."""
    if not current_user.is_authenticated:
        return to_login(next=request.full_path.rstrip("?"))
    if current_user.role not in CONSOLE_ROLES:
        abort(403)
    if current_user.role == "finance" and request.method not in READS:
        abort(403)
    return None


@bp.context_processor
def console_context() -> dict:
    """What every console page knows: may this user write, and the navigation."""
    from app.blueprints.admin.nav import navigation

    can_write = current_user.is_authenticated and current_user.role == "operator"
    return {"can_write": can_write, "console_nav": navigation()}


def _query_with(**changes) -> dict:
    """Template global (macros see it too): the query string with some parameters changed."""
    from app.blueprints.admin.tables import query_with

    return query_with(**changes)


bp.add_app_template_global(_query_with, "query_with")


from app.blueprints.admin import (  # noqa: E402,F401  # noqa: E402,F401  # noqa: E402,F401  # noqa: E402,F401  # noqa: E402,F401
    alert_settings,
    alerts,
    analytics,
    audit,
    flash,
    gift_preview,
    gift_stock,
    gifts,
    home,
    layout,
    library,
    members,
    orders,
    rule_sim,
    rules,
    segments,
    staff,
    stores,
    task_reviews,
    tasks,
)

"""Console views (operators only)."""

from app.blueprints.admin import bp
from app.extensions import db
from app.htmx import render
from app.security import role_required
from app.services.analytics import overview
from app.timeutil import utcnow


@bp.get("/")
@role_required("operator")
def home():
    """The console home: the points totals at a glance."""
    return render("admin/home.html", "content", totals=overview.totals(db.session, utcnow()))

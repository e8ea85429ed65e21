"""Counter views (advisors only)."""

from flask_login import current_user

from app.blueprints.counter import bp
from app.htmx import render
from app.security import role_required


@bp.get("/")
@role_required("advisor")
def home():
    """The advisor's home at their store's counter."""
    return render("counter/home.html", "content", store=current_user.store)

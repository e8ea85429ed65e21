"""Mall views."""

from flask_login import current_user

from app.blueprints.mall import bp
from app.extensions import db
from app.htmx import render
from app.security import role_required
from app.services import member_center
from app.timeutil import utcnow


@bp.get("/")
def home():
    """The mall home: the member's standing and the shelves."""
    view = None
    if current_user.is_authenticated and current_user.role == "member":
        view = member_center.overview(db.session, current_user.member, utcnow())
    return render("mall/home.html", "content", view=view)


@bp.get("/flash")
@role_required("member")
def flash():
    """Flash redemptions (限时兑换)."""
    return render("mall/flash.html", "content", events=[])


@bp.get("/orders")
@role_required("member")
def orders():
    """The member's orders."""
    return render("mall/orders.html", "content", orders=[])

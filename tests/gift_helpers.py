"""Shared pieces of the gift console tests: a complete gift form, counts, the refusal check."""

from sqlalchemy import func, select

from app.models import Shelf
from tests import factories

HX = {"HX-Request": "true"}


def make_shelves(session) -> dict:
    """Two shelves, `care` first."""
    care = Shelf(code="care", name="护肤臻品", names={"en": "Skincare"}, sort=0)
    coupons = Shelf(code="coupons", name="优惠券", names={"en": "Coupons"}, sort=1)
    session.add_all([care, coupons])
    session.commit()
    return {"care": care, "coupons": coupons}


def sign_in_operator(client, session, login_as) -> str:
    """Operator `admin` signed in, pages in English; returns the CSRF token."""
    factories.staff(session, "operator", "admin")
    session.commit()
    client.set_cookie("lang", "en")
    return login_as("admin")


def gift_form(token, **changes) -> dict:
    """A complete, valid gift form (every field); a change of None leaves that field out."""
    data = {
        "csrf_token": token,
        "name": "玫瑰精华 30ml",
        "name_en": "Rose Serum 30 ml",
        "name_zh_hant": "玫瑰精華 30ml",
        "description": "玫瑰焕亮。",
        "description_en": "Brightening rose serum.",
        "description_zh_hant": "玫瑰煥亮。",
        "kind": "physical",
        "badges": ["new", "points_cash"],
        "icon": "jar",
        "points": "1200",
        "cash": "29.90",
        "cost": "80",
        "stock": "20",
        "listed_at": "2026-12-24T10:00",
        "delisted_at": "2027-01-01T00:00",
        "tiers": ["gold", "diamond"],
        "limit_count": "2",
        "limit_period": "month",
        "per_order_max": "3",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None and v is not ...}


def count(session, model) -> int:
    """Rows of a model, read afresh."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def refused(response) -> str:
    """Assert a 422 with a form-error; return the page."""
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert 'data-testid="form-error"' in page
    return page

"""The gift form pages (new and edit), shared by the gift views and the stock and codes views."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectChoice

from app.blueprints.admin.gift_forms import (
    CodesForm,
    GiftEditForm,
    GiftForm,
    StockForm,
    utc_to_local,
)
from app.drawings import drawing
from app.extensions import db
from app.htmx import render
from app.i18n import local_name
from app.models import Gift, GiftCode, Shelf
from app.services.console import codes, gifts, stock
from app.services.points import tiers
from app.timeutil import utcnow


def choices(form: GiftForm) -> GiftForm:
    """Fill the shelf and tier choices from the database."""
    shelves = db.session.scalars(select(Shelf).order_by(Shelf.sort, Shelf.id)).all()
    form.shelf.choices = [SelectChoice(s.id, local_name(s)) for s in shelves]
    form.tiers.choices = [SelectChoice(t.code, local_name(t)) for t in tiers.ladder(db.session)]
    return form


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def prefill(gift: Gift) -> dict:
    """The edit form's values for a stored gift."""
    names, texts = gift.names or {}, gift.descriptions or {}
    return {
        "name": gift.name, "name_en": names.get("en", ""),
        "name_zh_hant": names.get("zh_Hant", ""), "description": gift.description,
        "description_en": texts.get("en", ""), "description_zh_hant": texts.get("zh_Hant", ""),
        "kind": gift.kind, "shelf": gift.shelf_id, "badges": gift.badges,
        "icon": drawing(gift.image),
        "points": gift.points_price, "cash": _yuan(gift.cash_fen), "cost": _yuan(gift.cost_fen),
        "stock": gift.stock, "stock_seen": gift.stock, "listed_at": utc_to_local(gift.listed_at),
        "delisted_at": utc_to_local(gift.delisted_at), "tiers": gift.tier_codes,
        "limit_count": gift.limit_count, "limit_period": gift.limit_period or "",
        "per_order_max": gift.per_order_max,
    }  # fmt: skip


def new_page(form: GiftForm, error: str | None = None, status: int = 200):
    """The empty gift form (or the refused one, with its error)."""
    return render(
        "admin/gift_form.html", "console", form=form, gift=None, error=error,
        crumbs=[(_("Gifts"), url_for("admin.gifts")), (_("New gift"), None)],
    ), status  # fmt: skip


def _pool(gift: Gift) -> dict | None:
    if gift.kind not in codes.POOL_KINDS:
        return None
    total = db.session.scalar(select(func.count(GiftCode.id)).where(GiftCode.gift_id == gift.id))
    left = codes.free(db.session, gift.id)
    return {"total": int(total or 0), "free": left, "short": gift.stock > left}


def stock_context(gift: Gift, **extra) -> dict:
    """What the stock and codes cards show."""
    return {
        "gift": gift,
        "movements": db.session.scalars(stock.history(gift.id)).all(),
        "stock_form": extra.pop("stock_form", None) or StockForm(formdata=None),
        "codes_form": extra.pop("codes_form", None) or CodesForm(formdata=None),
        "pool": _pool(gift),
        "tier_ladder": tiers.ladder(db.session),
        **extra,
    }


def edit_page(gift: Gift, form: GiftEditForm | None = None, *, error=None, status=200, **extra):
    """The gift's page: the form, its state, stock and movements, codes, preview links."""
    form = form or choices(GiftEditForm(formdata=None, data=prefill(gift)))
    block = extra.pop("block", "console")
    return render(
        "admin/gift_form.html", block, form=form, error=error,
        state=gifts.state_of(gift, utcnow()),
        crumbs=[(_("Gifts"), url_for("admin.gifts")), (gift.name, None)],
        **stock_context(gift, **extra),
    ), status  # fmt: skip

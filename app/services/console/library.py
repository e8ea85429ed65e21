"""The gift library (礼品库): templates the brand keeps, listed as a new gift in one click.

A gift made from a template starts *delisted* (its end is the moment it was made) and with no
stock, so nothing reaches a member before the operator has checked it, given it stock and set
its listing time; the edit form opens next.
"""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Gift, GiftTemplate, Shelf, User
from app.services.console import audit
from app.services.console.gift_errors import GiftError
from app.services.console.gifts import snapshot

COPIED = (
    "kind", "name", "names", "description", "descriptions", "image", "badges", "points_price",
    "cash_fen", "cost_fen", "tier_codes", "limit_count", "limit_period", "per_order_max", "sort",
)  # fmt: skip


def templates() -> Select:
    """Every template, by shelf and then as the brand sorted them."""
    return select(GiftTemplate).order_by(GiftTemplate.sort, GiftTemplate.id)


def list_template(session: Session, actor: User, template_id: int, *, now: datetime) -> Gift:
    """A new gift from a template: every field copied, no stock, delisted until it is set."""
    template = session.get(GiftTemplate, template_id)
    if template is None:
        raise GiftError("not_found")
    shelf_id = template.shelf_id or session.scalar(select(Shelf.id).order_by(Shelf.sort, Shelf.id))
    if shelf_id is None:
        raise GiftError("shelf")
    gift = Gift(stock=0, shelf_id=shelf_id, delisted_at=now)
    for column in COPIED:
        value = getattr(template, column)
        setattr(gift, column, type(value)(value) if isinstance(value, list | dict) else value)
    session.add(gift)
    session.flush()
    audit.record(
        session, actor, "gift.from_library", "gift", gift.id, now=now,
        summary=f"{template.code} → {gift.id} {gift.name}", before={"template": template.code},
        after=snapshot(gift),
    )  # fmt: skip
    return gift

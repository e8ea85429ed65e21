"""Bring a demo database loaded before the drawings and descriptions up to date (idempotent)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.catalogue_data import GIFTS
from app.demo.gift_library import TEMPLATES
from app.demo.hant import description
from app.models import Gift, GiftTemplate

OLD_DRAWINGS = ("bottle", "jar", "lipstick", "coupon", "ticket", "spa")


def _old_text(zh: str) -> str:
    return f"{zh}。云澜会员专享兑换。"  # what every demo gift said before it had its own text


def redraw(session: Session) -> None:
    """Demo gifts and templates still on the six shared drawings get their own; demo gifts
    still on the generic text get their description (an operator's own choice is kept)."""
    images = {row[3]: row[2] for row in GIFTS}
    for gift in session.scalars(select(Gift).where(Gift.name.in_(images))):
        if gift.image in OLD_DRAWINGS:
            gift.image = images[gift.name]
        if gift.description == _old_text(gift.name):
            gift.description, texts = description(gift.name, "")
            gift.descriptions = (gift.descriptions or {}) | texts
    drawn = {row[0]: row[3] for row in TEMPLATES}
    for template in session.scalars(select(GiftTemplate).where(GiftTemplate.code.in_(drawn))):
        if template.image in OLD_DRAWINGS:
            template.image = drawn[template.code]

"""'Preview as': the shelves and a gift page as a member of some tier would see them.

The member is synthetic — a tier and a points balance, id 0 (no row has it) — and only read
queries run, through the mall's own catalogue services, so the preview is what the mall shows.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Gift, Tier
from app.services.mall import catalog

DEFAULT_BALANCE = 100_000  # enough for any demo gift: the preview is about gates and windows


@dataclass(frozen=True)
class PreviewMember:
    """Stands in for a member in the catalogue services: a tier and no history."""

    tier: Tier
    id: int = 0


def member(session: Session, tier_code: str) -> PreviewMember | None:
    """A synthetic member of the tier with this code (None for an unknown code)."""
    tier = session.scalar(select(Tier).where(Tier.code == tier_code))
    return PreviewMember(tier) if tier else None


def shelves(
    session: Session, who: PreviewMember, now: datetime, balance: int = DEFAULT_BALANCE
) -> list[catalog.ShelfView]:
    """The shelves at `now` for this member, each card with its state."""
    return catalog.shelves(session, who, now, balance=balance)


def gift_state(
    session: Session, gift: Gift, who: PreviewMember, now: datetime,
    balance: int = DEFAULT_BALANCE,
) -> catalog.GiftState:  # fmt: skip
    """The gift page's call to action for this member at `now`."""
    return catalog.state(session, gift, who, now, balance)

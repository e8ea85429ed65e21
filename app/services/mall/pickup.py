"""The member's pickup counter: remembered on the member, offered (and changed) on flash cards.

What the card shows and where a one-tap order goes are decided by the same rule (the
remembered counter while it is open, else the first open one), so the card never names a
counter the order would not use. Choosing a counter at checkout remembers it too.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Member, Store
from app.services.mall.errors import BadRequest


def shown(member: Member | None, stores: tuple):
    """The store row a card names for this member: the remembered one if open, else the first."""
    if not stores:
        return None
    remembered = member.pickup_store_id if member is not None else None
    return next((s for s in stores if s.id == remembered), stores[0])


def store_for(session: Session, member: Member) -> Store | None:
    """Where a one-tap order of this member is picked up (the rule of `shown`, from the rows)."""
    if member.pickup_store_id is not None:
        store = session.get(Store, member.pickup_store_id)
        if store is not None and store.closed_at is None:
            return store
    return session.scalar(select(Store).where(Store.closed_at.is_(None)).order_by(Store.id))


def remember(session: Session, member: Member, store_id: int) -> Store:
    """Keep `store_id` as the member's pickup counter; a closed or unknown store is refused."""
    store = session.get(Store, store_id) if store_id else None
    if store is None or store.closed_at is not None:
        raise BadRequest(field="store")
    member.pickup_store_id = store.id
    session.flush()
    return store

"""The member's pickup counter: remembered on the member, offered (and changed) on flash cards.

What the card shows and where a one-tap order goes are decided by the same rule (the
remembered counter while it is open, else the first open one), so the card never names a
counter the order would not use (`flash_gate.UNDER_LOCK` applies the rule of `shown` in SQL for
the order). Choosing a counter at checkout remembers it too.
"""

from sqlalchemy.orm import Session

from app.models import Member, Store
from app.services.mall.errors import BadRequest


def shown(member: Member | None, stores: tuple):
    """The store row a card names for this member: the remembered one if open, else the first."""
    if not stores:
        return None
    remembered = member.pickup_store_id if member is not None else None
    return next((s for s in stores if s.id == remembered), stores[0])


def remember(session: Session, member: Member, store_id: int) -> Store:
    """Keep `store_id` as the member's pickup counter; a closed or unknown store is refused."""
    store = session.get(Store, store_id) if store_id else None
    if store is None or store.closed_at is not None:
        raise BadRequest(field="store")
    member.pickup_store_id = store.id
    session.flush()
    return store

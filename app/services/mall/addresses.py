"""The member's address book."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Address

MAX_ADDRESSES = 10


class TooManyAddresses(Exception):
    """The address book is full."""


def for_member(session: Session, member_id: int) -> list[Address]:
    """The member's addresses, newest first."""
    return list(
        session.scalars(
            select(Address).where(Address.member_id == member_id).order_by(Address.id.desc())
        )
    )


def add(
    session: Session, member_id: int, *, recipient: str, phone: str, region: str, detail: str
) -> Address:
    """Add an address (at most ten)."""
    if len(for_member(session, member_id)) >= MAX_ADDRESSES:
        raise TooManyAddresses()
    address = Address(
        member_id=member_id,
        recipient=recipient.strip(),
        phone=phone,
        region=region.strip(),
        detail=detail.strip(),
    )
    session.add(address)
    session.flush()
    return address

"""The member's address book."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import reads
from app.models import Address

MAX_ADDRESSES = 10


class TooManyAddresses(Exception):
    """The address book is full."""


# the gift page reads it for every signed-in member: rows of columns, not ORM instances
BOOK = reads.hot(
    select(*Address.__table__.columns)
    .where(Address.member_id == bindparam("member_id"))
    .order_by(Address.id.desc())
)


def for_member(session: Session, member_id: int) -> list:
    """The member's addresses, newest first (read-only rows with the columns of `Address`)."""
    return list(reads.execute(session, BOOK, {"member_id": member_id}))


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

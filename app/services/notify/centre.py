"""The member's notification centre: the latest notifications, and marking them read."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Notification
from app.services.notify import texts

SHOWN = 50  # the centre lists the latest this many


@dataclass(frozen=True)
class Item:
    """One notification as the centre shows it."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    unread: bool


def latest(session: Session, member_id: int) -> list[Item]:
    """The member's latest notifications, newest first, in the reader's language."""
    stmt = (
        select(Notification)
        .where(Notification.member_id == member_id)
        .order_by(Notification.id.desc())
        .limit(SHOWN)
    )
    items = []
    for n in session.scalars(stmt):
        title, body = texts.words(n.kind, n.params)
        link = texts.link(n.kind, n.params)
        items.append(Item(n.id, n.kind, title, body, link, n.created_at, n.read_at is None))
    return items


def mark_read(session: Session, member_id: int, now: datetime) -> int:
    """Mark every unread notification of the member read; returns how many."""
    stmt = (
        update(Notification)
        .where(Notification.member_id == member_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount

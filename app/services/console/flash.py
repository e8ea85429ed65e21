"""Flash events in the console: list by status, create, edit until the start, end early, cancel.

Two events of the same gift may not overlap in time: the member board would show the gift twice
at two prices, and each event's per-member limit would let a member take one from both.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from app.models import FlashCancellation, FlashEvent, Gift, GiftCode, User
from app.models.segments import SEGMENTS
from app.services.console import audit
from app.services.errors import DomainError
from app.services.mall.storefront import flash_phase

FLASH_KINDS = ("physical", "coupon", "virtual")  # a treatment is booked, a flash order is not
WALLET_KINDS = ("coupon", "virtual")  # each unit hands out a pooled code
STATUSES = ("upcoming", "live", "ended", "cancelled")  # the list's filter; live includes sold out
MAX_STOCK = 100_000
MAX_LIMIT = 99


class FlashError(DomainError):
    """A flash change that cannot go ahead; `code` says why, `detail` holds what to show."""


@dataclass(frozen=True)
class FlashDraft:
    """What the create/edit form asks for (money in fen, times in UTC; no start means now)."""

    gift_id: int
    title: str
    points: int
    cash_fen: int
    stock: int
    per_member_limit: int
    starts_at: datetime | None
    ends_at: datetime
    segment: str | None = None  # only that segment's members see and redeem it (None: all)


@dataclass(frozen=True)
class FlashRow:
    """One line of the console list."""

    event: FlashEvent
    status: str  # upcoming | live | sold_out | ended | cancelled

    @property
    def sold(self) -> int:
        """Units taken so far (cancelled orders gave theirs back)."""
        return self.event.initial_stock - self.event.stock


def status(event: FlashEvent, cancelled: bool, now: datetime) -> str:
    """Where the event stands for the operator."""
    return "cancelled" if cancelled else flash_phase(event, now)


def _not_cancelled():
    cancelled = select(FlashCancellation.event_id).where(
        FlashCancellation.event_id == FlashEvent.id
    )
    return ~cancelled.exists()


def query(now: datetime, wanted: str = "", search: str = "") -> Select:
    """Events with their gift and cancellation time, narrowed by status and a title/gift search."""
    stmt = (
        select(FlashEvent, FlashCancellation.at)
        .join(FlashEvent.gift)
        .outerjoin(FlashCancellation, FlashCancellation.event_id == FlashEvent.id)
        .options(contains_eager(FlashEvent.gift))
    )
    if search:
        like = f"%{search}%"
        stmt = stmt.where(or_(FlashEvent.title.ilike(like), Gift.name.ilike(like)))
    open_ = FlashCancellation.event_id.is_(None)
    narrow = {
        "upcoming": [open_, FlashEvent.starts_at > now],
        "live": [open_, FlashEvent.starts_at <= now, FlashEvent.ends_at > now],
        "ended": [open_, FlashEvent.ends_at <= now],
        "cancelled": [FlashCancellation.event_id.is_not(None)],
    }
    return stmt.where(*narrow.get(wanted, []))


def rows(page_rows, now: datetime) -> list[FlashRow]:
    """The list's (event, cancelled_at) rows with their status."""
    return [FlashRow(event, status(event, at is not None, now)) for event, at in page_rows]


def gifts(session: Session) -> list[Gift]:
    """Gifts a flash event can be made of, by name."""
    return list(session.scalars(select(Gift).where(Gift.kind.in_(FLASH_KINDS)).order_by(Gift.name)))


def _lock_gift(session: Session, gift_id: int) -> Gift:
    """The gift, locked: two operators creating events of it at once cannot both pass the check."""
    gift = session.scalar(select(Gift).where(Gift.id == gift_id).with_for_update())
    if gift is None:
        raise FlashError("gift")
    if gift.kind not in FLASH_KINDS:
        raise FlashError("kind")
    return gift


def _check_numbers(draft: FlashDraft) -> None:
    if not draft.title.strip():
        raise FlashError("title")
    if draft.points < 1:
        raise FlashError("points")
    if draft.cash_fen < 0:
        raise FlashError("cash")
    if not 1 <= draft.stock <= MAX_STOCK:
        raise FlashError("stock")
    if not 1 <= draft.per_member_limit <= MAX_LIMIT:
        raise FlashError("limit")
    if draft.segment is not None and draft.segment not in SEGMENTS:
        raise FlashError("segment")


def _check_window(starts: datetime, ends: datetime, now: datetime) -> None:
    if starts < now.replace(second=0, microsecond=0):  # the current minute counts as now
        raise FlashError("past_start")
    if ends <= starts:
        raise FlashError("window")


def _check(session: Session, draft: FlashDraft, now: datetime, event_id: int | None = None):
    """Refuse a draft that cannot run; returns its gift and its start."""
    _check_numbers(draft)
    starts = draft.starts_at or now
    _check_window(starts, draft.ends_at, now)
    gift = _lock_gift(session, draft.gift_id)
    if gift.kind in WALLET_KINDS:
        free = session.scalar(
            select(func.count(GiftCode.id)).where(
                GiftCode.gift_id == gift.id, GiftCode.order_id.is_(None)
            )
        )
        if free < draft.stock:
            raise FlashError("codes", free=free)
    overlap = session.scalar(
        select(FlashEvent.title)
        .where(
            FlashEvent.gift_id == gift.id,
            FlashEvent.id != (event_id or 0),
            FlashEvent.starts_at < draft.ends_at,
            FlashEvent.ends_at > starts,
            _not_cancelled(),
        )
        .limit(1)
    )
    if overlap is not None:
        raise FlashError("overlap", title=overlap)
    return gift, starts


def snapshot(event: FlashEvent) -> dict:
    """The event's settings as JSON-safe values (for the audit log)."""
    return {
        "gift_id": event.gift_id,
        "title": event.title,
        "points": event.points_price,
        "cash_fen": event.cash_fen,
        "stock": event.initial_stock,
        "per_member_limit": event.per_member_limit,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "segment": event.segment,
    }


def _apply(event: FlashEvent, gift: Gift, draft: FlashDraft, starts: datetime) -> None:
    event.gift = gift
    event.title = draft.title.strip()
    event.points_price, event.cash_fen = draft.points, draft.cash_fen
    event.stock = event.initial_stock = draft.stock  # nothing is sold before the start
    event.per_member_limit = draft.per_member_limit
    event.starts_at, event.ends_at = starts, draft.ends_at
    event.segment = draft.segment


def create(session: Session, actor: User, draft: FlashDraft, *, now: datetime) -> FlashEvent:
    """A new flash event (live at once when it starts now)."""
    gift, starts = _check(session, draft, now)
    event = FlashEvent()
    _apply(event, gift, draft, starts)
    session.add(event)
    session.flush()
    audit.record(
        session, actor, "flash.create", "flash", event.id, now=now,
        summary=f"{event.title} ({gift.name})", after=snapshot(event),
    )  # fmt: skip
    return event


def _lock(session: Session, event_id: int) -> tuple[FlashEvent, bool]:
    """The event, locked against redemptions and other operators, and whether it is cancelled."""
    event = session.scalar(
        select(FlashEvent)
        .where(FlashEvent.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise FlashError("not_found")
    return event, session.get(FlashCancellation, event_id) is not None


def update(
    session: Session, actor: User, event_id: int, draft: FlashDraft, *, now: datetime
) -> FlashEvent:
    """Change anything about an event that has not started yet."""
    event, cancelled = _lock(session, event_id)
    if cancelled:
        raise FlashError("cancelled")
    if now >= event.starts_at:
        raise FlashError("started")
    gift, starts = _check(session, draft, now, event.id)
    before = snapshot(event)
    _apply(event, gift, draft, starts)
    old, new = audit.changes(before, snapshot(event))
    audit.record(
        session, actor, "flash.update", "flash", event.id, now=now,
        summary=event.title, before=old, after=new,
    )  # fmt: skip
    return event


def end_earlier(
    session: Session, actor: User, event_id: int, ends_at: datetime, *, now: datetime
) -> FlashEvent:
    """Bring a running event's end forward (to now at the earliest); nothing else changes."""
    event, cancelled = _lock(session, event_id)
    if cancelled:
        raise FlashError("cancelled")
    if now < event.starts_at:
        raise FlashError("not_started")
    if now >= event.ends_at:
        raise FlashError("ended")
    if ends_at >= event.ends_at:
        raise FlashError("not_earlier")
    before = event.ends_at.isoformat()
    event.ends_at = max(ends_at, now)
    audit.record(
        session, actor, "flash.update", "flash", event.id, now=now,
        summary=f"{event.title}: end brought forward",
        before={"ends_at": before}, after={"ends_at": event.ends_at.isoformat()},
    )  # fmt: skip
    return event


def cancel(
    session: Session, actor: User, event_id: int, *, now: datetime, reason: str = ""
) -> FlashEvent:
    """Call an event off: no one redeems it from now on; orders already placed stand."""
    event, cancelled = _lock(session, event_id)
    if cancelled:
        raise FlashError("cancelled")
    if now >= event.ends_at:
        raise FlashError("ended")
    was = status(event, False, now)
    session.add(FlashCancellation(event_id=event.id, at=now, actor_id=actor.id, reason=reason))
    if now > event.starts_at:
        event.ends_at = now  # running: it ends here, so every page shows it over
    sold = event.initial_stock - event.stock
    audit.record(
        session, actor, "flash.cancel", "flash", event.id, now=now,
        summary=f"{event.title}: cancelled, {sold} orders kept",
        before={"status": was}, after={"status": "cancelled", "ends_at": event.ends_at.isoformat()},
        reason=reason,
    )  # fmt: skip
    return event

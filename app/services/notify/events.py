"""The reminders of events (the `event-reminders` job, every minute): pickup ready, shipped,
tier up or down, back in stock / on sale — and tomorrow's appointments booked after the daily
`reminders` job ran.

Each is found by the job rather than enqueued where it happens: the orders, shipments and tier
changes not yet notified (an anti-join on the notification's unique key), a batch at a time, so
the services that make the events stay as they are and a reminder is still made exactly once.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from app.models import (
    Gift,
    GiftSubscription,
    Order,
    Shipment,
    Store,
    Tier,
    TierChange,
)
from app.services.notify import reminders
from app.services.notify.outbox import Draft, enqueue, unsent
from app.services.notify.reminders import names

BATCH = 500
LOOKBACK = timedelta(days=7)  # an event older than this (the job was down) is not told late


def pickups(session: Session, now: datetime) -> list[Draft]:
    """Pickup orders waiting at the counter whose member was not told yet."""
    stmt = (
        select(Order.id, Order.member_id, Order.pickup_code, Store.name, Gift.name, Gift.names)
        .join(Store, Store.id == Order.store_id)
        .join(Gift, Gift.id == Order.gift_id)
        .where(Order.status == "to_pickup", Order.created_at >= now - LOOKBACK)
        .where(unsent(("pickup_ready",), "order:", Order.member_id, Order.id))
        .order_by(Order.id)
        .limit(BATCH)
    )
    return [
        Draft(member_id, "pickup_ready", f"order:{order_id}", "ready",
              {"order_id": order_id, "code": code, "store": store, "gift": names(g, gn)})
        for order_id, member_id, code, store, g, gn in session.execute(stmt)
    ]  # fmt: skip


def shipments(session: Session, now: datetime) -> list[Draft]:
    """Orders handed to a carrier whose member was not told yet, with the tracking number."""
    stmt = (
        select(Order.id, Order.member_id, Shipment.carrier, Shipment.tracking_no,
               Gift.name, Gift.names)
        .join(Order, Order.id == Shipment.order_id)
        .join(Gift, Gift.id == Order.gift_id)
        .where(Shipment.shipped_at >= now - LOOKBACK)
        .where(unsent(("shipped",), "order:", Order.member_id, Order.id))
        .order_by(Order.id)
        .limit(BATCH)
    )  # fmt: skip
    return [
        Draft(member_id, "shipped", f"order:{order_id}", "shipped",
              {"order_id": order_id, "carrier": carrier, "tracking": tracking,
               "gift": names(g, gn)})
        for order_id, member_id, carrier, tracking, g, gn in session.execute(stmt)
    ]  # fmt: skip


def tier_changes(session: Session, now: datetime) -> list[Draft]:
    """Upgrades and downgrades not told yet (a member's first tier is no change)."""
    before, after = aliased(Tier), aliased(Tier)
    stmt = (
        select(TierChange.id, TierChange.member_id, before.rank, after.rank, after.code)
        .join(before, before.id == TierChange.from_tier_id)
        .join(after, after.id == TierChange.to_tier_id)
        .where(TierChange.at >= now - LOOKBACK)
        .where(unsent(("tier_up", "tier_down"), "tier:", TierChange.member_id, TierChange.id))
        .order_by(TierChange.id)
        .limit(BATCH)
    )
    return [
        Draft(member_id, "tier_up" if new > old else "tier_down", f"tier:{change_id}",
              "changed", {"tier": code})
        for change_id, member_id, old, new, code in session.execute(stmt)
        if new != old
    ]  # fmt: skip


def available(session: Session, now: datetime) -> tuple[list[Draft], list[int]]:
    """'Notify me' subscriptions whose gift can be redeemed now, and their ids."""
    stmt = (
        select(GiftSubscription, Gift.name, Gift.names)
        .join(Gift, Gift.id == GiftSubscription.gift_id)
        .where(GiftSubscription.notified_at.is_(None), Gift.stock > 0)
        .where(or_(Gift.listed_at.is_(None), Gift.listed_at <= now))
        .where(or_(Gift.delisted_at.is_(None), Gift.delisted_at > now))
        .order_by(GiftSubscription.id)
        .limit(BATCH)
    )
    drafts, ids = [], []
    for sub, gift_name, gift_names in session.execute(stmt):
        params = {"gift_id": sub.gift_id, "gift": names(gift_name, gift_names)}
        drafts.append(
            Draft(sub.member_id, sub.reason, f"gift:{sub.gift_id}", f"r{sub.round}", params)
        )
        ids.append(sub.id)
    return drafts, ids


def _told(session: Session, ids: list[int], now: datetime) -> None:
    session.execute(
        update(GiftSubscription)
        .where(GiftSubscription.id.in_(ids), GiftSubscription.notified_at.is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    )


def run(session: Session, _period_start: datetime, now: datetime) -> Iterator[int]:
    """The `event-reminders` job: every event not told yet, a batch at a time."""
    for find in (pickups, shipments, tier_changes, reminders.appointments):
        while drafts := find(session, now):
            yield enqueue(session, drafts, now)
            if len(drafts) < BATCH:
                break
    while True:
        drafts, ids = available(session, now)
        if not ids:
            break
        made = enqueue(session, drafts, now)  # an opted-out member's is dropped, and closed
        _told(session, ids, now)
        yield made

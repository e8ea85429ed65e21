"""What an advisor does at the counter: find the member, record a purchase, hand over a pickup,
redeem for the member present. Every step is idempotent and bound to the advisor's store."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import local_name
from app.inputs import is_ascii_digits
from app.models import Gift, Member, Order, Payment, StoreStock, User
from app.services.accounts.accounts import PHONE_RE
from app.services.counter import member_code
from app.services.mall import bookings, catalog, orders, placing
from app.services.mall.errors import RedeemError
from app.services.points import balances, issuing, ledger, purchases


class CounterError(RedeemError):
    """A counter action that cannot go ahead; `code` says why."""


@dataclass(frozen=True)
class MemberCard:
    """What the advisor sees of the member in front of them."""

    member: Member
    masked_phone: str
    balance: int
    expiring: list
    pickups: list[Order]
    appointments: list


def find(session: Session, query: str, now: datetime) -> Member | None:
    """The member for an exact phone number or a current member code; nothing else is searchable."""
    query = re.sub(r"\s", "", query)
    if PHONE_RE.match(query):
        return session.scalar(select(Member).join(Member.user).where(User.phone == query))
    if is_ascii_digits(query) and len(query) > member_code.DIGITS:  # not "１３８…" or "١٢٣"
        return member_code.resolve(session, query, now)
    return None


def mask(phone: str) -> str:
    """138****0000."""
    return f"{phone[:3]}****{phone[-4:]}"


def card(session: Session, member: Member, store_id: int, now: datetime) -> MemberCard:
    """The member card: balance, what expires soon, this store's open pickups and appointments."""
    pickups = list(
        session.scalars(
            select(Order)
            .where(
                Order.member_id == member.id,
                Order.store_id == store_id,
                Order.status == "to_pickup",
            )
            .order_by(Order.id)
        )
    )
    return MemberCard(
        member=member,
        masked_phone=mask(member.user.phone),
        pickups=pickups,
        balance=balances.balance(session, member.id, now),
        expiring=balances.expiring(session, member.id, now, days=30),
        appointments=bookings.for_member_at_store(session, member.id, store_id, now),
    )


def record_purchase(
    session: Session,
    staff: User,
    member: Member,
    *,
    receipt_no: str,
    paid_fen: int,
    categories: list[str],
    now: datetime,
) -> purchases.Recorded:
    """An in-store purchase through the same earning rules as the POS; the receipt is the key."""
    order_no, lines, fingerprint = _receipt(staff, member, receipt_no, paid_fen, categories)
    try:
        return purchases.record_purchase(
            session,
            member,
            order_no=order_no,
            store_code=staff.store.code,
            paid_fen=paid_fen,
            paid_at=now,
            lines=lines,
            fingerprint=fingerprint,
            now=now,
            channel="counter",
        )
    except purchases.Conflict as exc:
        raise CounterError("receipt_conflict") from exc
    except issuing.IssueCapReached as exc:
        raise CounterError("issue_cap", room=exc.room) from exc


def _receipt(staff: User, member: Member, receipt_no: str, paid_fen: int, categories: list[str]):
    """The counter receipt as a store order: its number, its lines and the body's fingerprint."""
    lines = [{"category": c, "paid_fen": share} for c, share in _split(paid_fen, categories)]
    order_no = f"{staff.store.code}-{receipt_no}"
    body = {
        "order_no": order_no,
        "member_no": member.member_no,
        "paid_fen": paid_fen,
        "lines": lines,
    }
    return order_no, lines, purchases.body_hash(body)


def _split(paid_fen: int, categories: list[str]) -> list[tuple[str, int]]:
    """Share the amount evenly between the ticked categories (the first takes the remainder)."""
    categories = categories or ["skincare"]
    share, rest = divmod(paid_fen, len(categories))
    return [(c, share + (rest if i == 0 else 0)) for i, c in enumerate(categories)]


def hand_over(
    session: Session, staff: User, pickup_code: str, *, cash_collected: bool, now: datetime
) -> Order:
    """Verify a pickup code (核销) and complete the order; a second tap says it is done already."""
    order = session.scalar(
        select(Order)
        .where(Order.pickup_code == pickup_code.strip())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise CounterError("pickup_unknown")
    if order.store_id != staff.store_id:
        raise CounterError("pickup_other_store", store=local_name(order.store))
    if order.status == "completed":
        raise CounterError("pickup_done", at=order.closed_at)
    if order.status != "to_pickup":
        raise CounterError("pickup_not_ready", status=order.status)
    if order.cash_due_fen and order.paid_at is None:
        _require_cash(order.cash_due_fen, cash_collected)
        _record_cash(session, order, now)
    return orders.complete(session, order, now, f"handed over at {staff.store.code}")


def _require_cash(cash_fen: int, cash_collected: bool) -> None:
    """The cash part is paid at the counter: without the advisor's tick nothing goes ahead."""
    if not cash_collected:
        raise CounterError("cash_due", cash_fen=cash_fen)


def _record_cash(session: Session, order: Order, now: datetime) -> None:
    """The cash part collected at the counter: a paid counter payment, the order paid now."""
    session.add(
        Payment(
            order_id=order.id,
            provider="counter",
            amount_fen=order.cash_due_fen,
            status="paid",
            created_at=now,
            paid_at=now,
        )
    )
    order.paid_at = now


def counter_gifts(session: Session, store_id: int) -> list[StoreStock]:
    """Gifts this counter keeps in stock."""
    return list(
        session.scalars(
            select(StoreStock).where(StoreStock.store_id == store_id, StoreStock.stock > 0)
        )
    )


def redeem_here(
    session: Session,
    staff: User,
    code: str,
    gift_id: int,
    qty: int,
    *,
    request_key: str,
    cash_collected: bool = False,
    now: datetime,
) -> Order:
    """Redeem for the member present (their current code is the proof), from counter stock; the
    cash part of a points + cash gift is collected here, as at a pickup, or nothing happens."""
    member = member_code.resolve(session, code, now)
    if member is None:
        raise CounterError("code_invalid")
    ledger.lock_member(session, member.id)
    key = f"counter:{request_key}"
    if found := session.scalar(select(Order).where(Order.request_key == f"{member.id}:{key}")):
        return found  # a double tap is one order
    gift, stock = _counter_gift(session, staff, member, gift_id, qty, now)
    if gift.cash_fen:
        _require_cash(gift.cash_fen * qty, cash_collected)
    placing.take_stock(session, StoreStock, stock.id, qty)
    order = _place_here(session, staff, member, gift, qty, key, now)
    if order.cash_due_fen:
        _record_cash(session, order, now)
    return orders.complete(session, order, now, f"redeemed at {staff.store.code}")


def _place_here(session: Session, staff: User, member: Member, gift: Gift, qty: int, key, now):
    """The counter's order: picked up here and now; points do not pay cash at the counter."""
    what = placing.Placement(
        qty=qty,
        points=gift.points_price * qty,
        cash_fen=gift.cash_fen * qty,
        delivery="pickup",
        key=key,
        breakdown=None,  # the cash part is paid in cash
        store=staff.store,
    )
    return placing.place(session, member, gift, what, now=now)


def _counter_gift(
    session: Session, staff: User, member: Member, gift_id: int, qty: int, now: datetime
) -> tuple[Gift, StoreStock]:
    """The gift and this counter's stock of it, if the member may take `qty` of it."""
    gift = session.get(Gift, gift_id)
    stock = session.scalar(
        select(StoreStock).where(
            StoreStock.store_id == staff.store_id, StoreStock.gift_id == gift_id
        )
    )
    if gift is None or stock is None:
        raise CounterError("not_at_counter")
    if not 1 <= qty <= gift.per_order_max:
        raise CounterError("bad_quantity")
    state = catalog.state(session, gift, member, now, balance=10**12)
    if state.status in ("locked", "limit"):
        raise CounterError(state.status, tier=state.locked_reason)
    return gift, stock

"""The member's points history: what each entry was, what it links to, and the balance after it.

Each line carries the points the member held after it (a running sum over every transaction,
`SUM() OVER`, so a filtered page shows it too). Lots past their expiry that the daily job has
not written off yet are shown as expiry lines at their instant and counted in the running
balance, so the newest line's balance is always the balance shown in the header plus any
pending points, whatever the time of day. One statement for the page, one for what its lines
name (the gift and order, the store of a purchase, the lot an expiry took).
"""

import functools
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Integer, String, bindparam, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.models import LedgerEntry, Order, PointLot, PointTransaction, PosOrder, Store
from app.models.types import UTCDateTime
from app.services.mall import snapshot
from app.services.points import balances, targets
from app.services.points.guide import times
from app.services.points.rules import rules_at
from app.timeutil import last_valid_day, local_date

PAGE_SIZE = 20
FILTERS = {
    "all": None,
    "earned": PointTransaction.points > 0,
    "spent": PointTransaction.kind.in_(("spend", "redeem", "clawback", "debt_settle")),
    "expired": PointTransaction.kind.in_(("expire", "clear")),
}
WITH_DUE = ("all", "expired")  # the filters that show expiries not written off yet


@dataclass(frozen=True)
class DueExpiry:
    """Points past their expiry that the daily job has not written off yet (shown as a line)."""

    points: int  # negative, like an expiry entry
    created_at: datetime  # the instant they expired
    source: str = ""
    kind: str = "expire"
    memo: str = ""
    debt_delta: int = 0
    ref: str = ""
    earned_at: datetime | None = None


@dataclass(frozen=True)
class Purchase:
    """The store purchase a line is about."""

    order_no: str
    store: str
    channel: str  # pos | counter
    campaign: str = ""  # the campaign that multiplied it, if any
    ratio: str = ""


@dataclass(frozen=True)
class Line:
    """One line of the history, newest first."""

    txn: object  # PointTransaction | DueExpiry
    running: int | None  # points held after this line (None when it cannot be known here)
    usable_until: date | None = None  # points this line earned, still open and unexpired
    expired_on: date | None = None  # the last usable day, passed (earned or expired lines)
    earned_on: date | None = None  # expiry lines: when the points were earned
    order_id: int | None = None  # the mall order (redemption, points returned)
    gift: object = None  # its snapshot.GiftRow
    purchase: Purchase | None = None


def _page_stmt(member_id: int, kind: str, page: int):
    running = func.sum(PointTransaction.points).over(
        order_by=(PointTransaction.created_at, PointTransaction.id)
    )
    sums = (
        select(PointTransaction.id.label("id"), running.label("running"))
        .where(PointTransaction.member_id == member_id)
        .subquery()
    )
    stmt = select(PointTransaction, sums.c.running).join(sums, sums.c.id == PointTransaction.id)
    if FILTERS.get(kind) is not None:
        stmt = stmt.where(FILTERS[kind])
    stmt = stmt.order_by(PointTransaction.created_at.desc(), PointTransaction.id.desc())
    return stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)


_INT, _AT, _TEXT = cast(null(), Integer), cast(null(), UTCDateTime), cast(null(), String)
DETAILS = union_all(
    select(  # the lot an earning created or an expiry took
        literal(0), LedgerEntry.txn_id, PointLot.expires_at, PointLot.remaining,
        PointLot.earned_at, _TEXT, _TEXT, _TEXT,
    )
    .join(PointLot, PointLot.id == LedgerEntry.lot_id)
    .where(LedgerEntry.txn_id.in_(bindparam("txn_ids", expanding=True))),
    select(  # the mall order of a redemption
        literal(1), Order.id, _AT, Order.gift_id, _AT, Order.order_no, _TEXT, _TEXT
    ).where(
        Order.member_id == bindparam("member_id"),
        Order.order_no.in_(bindparam("order_nos", expanding=True)),
    ),
    select(  # the member's own store purchase (a friend's, for a referral, stays private)
        literal(2), PosOrder.id, PosOrder.paid_at, _INT, _AT, PosOrder.order_no,
        func.coalesce(Store.name, PosOrder.store_code), PosOrder.channel,
    )
    .outerjoin(Store, Store.code == PosOrder.store_code)
    .where(
        PosOrder.member_id == bindparam("member_id"),
        PosOrder.order_no.in_(bindparam("pos_nos", expanding=True)),
    ),
)  # fmt: skip


def _refs(txns, prefix: str) -> list[str]:
    return [t.ref[len(prefix) :] for t in txns if t.ref.startswith(prefix)]


def _details(session: Session, member_id: int, txns: list) -> tuple[dict, dict, dict]:
    """(txn id -> lot row, order no -> (id, gift id), order no -> (paid_at, store, channel))."""
    lots, orders, purchases = {}, {}, {}
    if not txns:
        return lots, orders, purchases
    params = {
        "member_id": member_id,
        "txn_ids": [t.id for t in txns if t.kind in ("earn", "expire")],
        "order_nos": _refs(txns, "redeem:"),
        "pos_nos": _refs(txns, "order:"),
    }
    for part, ref_id, at, number, earned_at, order_no, store, channel in session.execute(
        DETAILS, params
    ):
        if part == 0:
            lots[ref_id] = (at, number, earned_at)
        elif part == 1:
            orders[order_no] = (ref_id, number)
        else:
            purchases[order_no] = (at, store, channel)
    return lots, orders, purchases


def page(session: Session, member, kind: str, number: int, now: datetime) -> tuple:
    """(lines newest first, whether more follow, pending points) of one page of the history."""
    rows = list(session.execute(_page_stmt(member.id, kind, number)).tuples())
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    summary = balances.current(session, member.id, now)
    due = _due(summary, now)
    lots, orders, purchases = _details(session, member.id, [t for t, _ in rows])
    gifts = snapshot.catalogue(session).gifts
    # read only if a campaign for one segment multiplied a purchase on the page
    segment = functools.cache(lambda: targets.segment_of(session, member.id))
    lines = []
    for txn, running in rows:
        before = sum(d.points for d in due if d.created_at <= txn.created_at)
        line = Line(txn, int(running) + before, **_lot_dates(txn, lots.get(txn.id), now))
        lines.append(_linked(session, line, orders, purchases, gifts, (member.tier.code, segment)))
    if kind in WITH_DUE and number == 1 and due:
        lines = _merge(lines, due, kind == "all", start=None if more else 0)
    return lines, more, summary.pending


def _due(summary: balances.Summary, now: datetime) -> list[DueExpiry]:
    """The lots past their expiry still holding points (the daily job has not run yet)."""
    lots = [(e, t, r) for _, e, t, r in summary.lots if e is not None and e <= now]
    return [DueExpiry(-r, e, earned_at=t) for e, t, r in sorted(lots, reverse=True)]


def _lot_dates(txn, lot, now: datetime) -> dict:
    """What the line says of its lot's dates: usable until (open and unexpired), expired on
    (a passed day, never a future-looking one), and for an expiry when it was earned."""
    if lot is None:
        return {}
    expires_at, remaining, earned_at = lot
    if txn.kind == "expire":
        return {"earned_on": local_date(earned_at), "expired_on": _last_day(expires_at)}
    if expires_at is not None and expires_at <= now:
        return {"expired_on": last_valid_day(expires_at)}
    if expires_at is not None and remaining > 0:
        return {"usable_until": last_valid_day(expires_at)}
    return {}


def _last_day(expires_at: datetime | None) -> date | None:
    return last_valid_day(expires_at) if expires_at is not None else None


def _linked(session, line: Line, orders: dict, purchases: dict, gifts: dict, who: tuple) -> Line:
    """The line with the mall order (and gift) or the store purchase it is about (`who`: the
    member's tier and a reader of their segment)."""
    ref = line.txn.ref
    if ref.startswith("redeem:") and (found := orders.get(ref[len("redeem:") :])):
        return replace(line, order_id=found[0], gift=gifts.get(found[1]))
    if ref.startswith("order:") and (found := purchases.get(ref[len("order:") :])):
        paid_at, store, channel = found
        rule = _campaign(session, paid_at, *who) if line.txn.kind == "earn" else None
        purchase = Purchase(ref[len("order:") :], store, channel)
        if rule is not None:
            purchase = replace(purchase, campaign=rule.name, ratio=times(rule.multiplier_pct))
        return replace(line, purchase=purchase)
    return line


def _campaign(session: Session, paid_at: datetime, tier: str, segment):
    """The campaign that multiplied a purchase (the highest applying that brand-local day; the
    member's current tier and segment stand in for those they had then)."""
    day = local_date(paid_at)
    found = [c for c in rules_at(session, paid_at).campaigns() if c.applies(day, tier)]
    if any(c.segment for c in found):
        found = [c for c in found if targets.reaches(c.segment, segment())]
    return max(found, key=lambda c: c.multiplier_pct, default=None)


def _merge(lines: list, due: list, counted: bool, start: int | None) -> list:
    """The page's lines with the expiries due, by time; a due line's balance is the line below
    it minus what it takes (only on the unfiltered history, where the lines are contiguous)."""
    due_lines = [Line(d, None, earned_on=local_date(d.earned_at)) for d in due]
    due_lines = [replace(d, expired_on=last_valid_day(d.txn.created_at)) for d in due_lines]
    merged = sorted([*lines, *due_lines], key=lambda line: line.txn.created_at, reverse=True)
    result, last = [], start if counted else None
    for line in reversed(merged):
        if isinstance(line.txn, DueExpiry):
            last = last + line.txn.points if last is not None else None
            line = replace(line, running=last)
        else:
            last = line.running if counted else None
        result.append(line)
    return result[::-1]

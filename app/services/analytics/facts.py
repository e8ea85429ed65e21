"""The ledger's transactions as analytics facts: one row per transaction with its brand-local
day, flow, channel (an issue's earning channel, a spend's sink), source, store, tier and the
README's figures. The rollups job sums these into points_daily; the pages read the rollup plus
the facts after its cursor; the direct computation (tests, the bench) reads only facts.
"""

from sqlalchemy import Date, and_, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from app.models import Gift, Member, Order, PointTransaction, PosOrder
from app.services.analytics import definitions as d
from app.timeutil import brand_tz, utcnow

T = PointTransaction
SINKS = ("physical", "coupon", "virtual", "service", "points_as_cash", "flash", "other")
FIGURES = ("issued", "consumed", "expired", "for_cash")
KEYS = ("day", "flow", "channel", "source", "store", "tier_id")


def local_day(session: Session, column):
    """SQL: the brand-local date of a UTC instant (SQLite: the zone's fixed offset now)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(brand_tz().key, column), Date)
    offset = utcnow().astimezone(brand_tz()).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    whole_seconds = func.substr(column, 1, 19)  # SQLite rounds microseconds to milliseconds
    return type_coerce(func.date(whole_seconds, f"{minutes:+d} minutes"), Date)


def _flow():
    return case(
        (T.kind.in_(d.ISSUING), literal("issue")),
        (T.kind.in_(d.SPENDING), literal("spend")),
        (T.kind.in_(d.EXPIRING), literal("expire")),
        else_=literal("other"),
    )


def _channel(pos, order, gift):
    """An issue's earning channel (purchases split POS / counter), a spend's sink, else ''."""
    source = func.coalesce(T.source, "")
    purchase = case((pos.c.channel == "counter", "purchase_counter"), else_="purchase_pos")
    sink = case(
        (order.c.flash_event_id.is_not(None), "flash"),
        (gift.c.kind.in_(SINKS), gift.c.kind),
        else_="other",
    )
    return case(
        (T.kind.in_(d.ISSUING), case((T.source == "purchase", purchase), else_=source)),
        (T.kind.in_(d.SPENDING), sink),
        else_="",
    )


def _for_cash(order):
    sign = case((T.kind == "reverse", -1), else_=1)
    paid = sign * func.coalesce(order.c.points_for_cash, 0)
    return case((T.kind.in_(d.SPENDING), paid), else_=0)


def _prefixed(ref_column, prefix: str, key_column):
    """ref = prefix || key, written so the key column's index serves the join."""
    n = len(prefix)
    head, rest = func.substr(ref_column, 1, n), func.substr(ref_column, n + 1)
    return and_(head == prefix, key_column == rest)


def facts(session: Session, *where):
    """A subquery of one fact per transaction (columns KEYS, FIGURES, id, created_at)."""
    pos = PosOrder.__table__.alias("fact_pos")
    order = Order.__table__.alias("fact_order")
    gift = Gift.__table__.alias("fact_gift")
    spends = T.kind.in_(d.SPENDING)
    stmt = (
        select(
            T.id,
            T.created_at,
            local_day(session, T.created_at).label("day"),
            _flow().label("flow"),
            _channel(pos, order, gift).label("channel"),
            func.coalesce(T.source, "").label("source"),
            func.coalesce(pos.c.store_code, "").label("store"),
            func.coalesce(Member.tier_id, 0).label("tier_id"),
            d.issued.label("issued"),
            d.consumed.label("consumed"),
            d.expired.label("expired"),
            _for_cash(order).label("for_cash"),
        )
        .join(Member, Member.id == T.member_id)
        .outerjoin(pos, _prefixed(T.ref, "order:", pos.c.order_no))
        .outerjoin(order, and_(spends, _prefixed(T.ref, "redeem:", order.c.order_no)))
        .outerjoin(gift, gift.c.id == order.c.gift_id)
        .where(*where)
    )
    return stmt.subquery("facts")


def grouped(session: Session, *where):
    """The facts summed per KEYS: what the rollups job upserts into points_daily."""
    f = facts(session, *where)
    keys = [f.c[k] for k in KEYS]
    return select(*keys, *(func.sum(f.c[k]) for k in FIGURES)).group_by(*keys)

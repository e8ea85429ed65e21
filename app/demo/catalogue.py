"""Demo catalogue: a gift on every shelf and in every state, flash events, the rate calendar."""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.catalogue_data import BENEFITS, GIFTS, SHELVES, SLOT_TIMES
from app.demo.hant import HANT, benefit_names, description, translate
from app.demo.redraw import redraw
from app.models import (
    Benefit,
    CashRate,
    FlashEvent,
    Gift,
    GiftCode,
    HomeSection,
    ServiceSlot,
    Shelf,
    Store,
    StoreStock,
)
from app.timeutil import local_date, local_midnight


def _shelves(session: Session) -> dict[str, Shelf]:
    shelves = {}
    for sort, (code, zh, en, hant) in enumerate(SHELVES):
        shelves[code] = Shelf(code=code, name=zh, names={"en": en, "zh_Hant": hant}, sort=sort)
        session.add(shelves[code])
    return shelves


def _gifts(session: Session, shelves: dict[str, Shelf], now: datetime) -> dict[str, Gift]:
    gifts = {}
    for sort, (shelf, kind, image, zh, en, points, cash, cost, stock, extra) in enumerate(GIFTS):
        extra = dict(extra)
        listed_in = extra.pop("listed_in", None)
        gift = Gift(
            kind=kind,
            image=image,
            name=zh,
            names={"en": en, "zh_Hant": HANT[zh]},
            shelf=shelves[shelf],
            sort=sort,
            points_price=points,
            cash_fen=cash,
            cost_fen=cost,
            stock=stock,
            listed_at=now + listed_in if listed_in else None,
            description=description(zh, en)[0],
            descriptions=description(zh, en)[1],
            **extra,
        )
        session.add(gift)
        gifts[en] = gift
    session.flush()
    _codes(session, gifts)
    return gifts


def _codes(session: Session, gifts: dict[str, Gift]) -> None:
    """One pooled code per unit of every coupon and virtual good."""
    for gift in gifts.values():
        if gift.kind in ("coupon", "virtual"):
            session.add_all(
                GiftCode(gift_id=gift.id, code=f"YL{gift.id:02d}-{n:05d}")
                for n in range(gift.stock)
            )


def load(session: Session, *, now: datetime) -> None:
    """The demo catalogue once; later runs keep it alive (slots ahead, live and upcoming flash)."""
    if not session.scalar(select(Shelf.id).limit(1)):
        _build(session, now)
    translate(session)
    redraw(session)
    gifts = {g.names.get("en", g.name): g for g in session.scalars(select(Gift))}
    _ensure_flash(session, gifts, now)
    _ensure_slots(session, gifts, now)
    session.flush()


def _build(session: Session, now: datetime) -> None:
    shelves = _shelves(session)
    session.flush()
    gifts = _gifts(session, shelves, now)
    session.add_all(_cash_rates(now) + _home_sections())
    _counter(session, gifts)
    for sort, shelf in enumerate(shelves.values(), start=2):
        session.add(HomeSection(kind="shelf", sort=sort, shelf_id=shelf.id))
    session.flush()


def _cash_rates(now: datetime) -> list[CashRate]:
    return [
        CashRate(kind="weekly", name="会员日 Member day", points_per_yuan=10, weekday=2),
        CashRate(
            kind="range",
            name="圣诞双倍 Christmas",
            points_per_yuan=15,
            starts_on=date(now.year, 12, 24),
            ends_on=date(now.year, 12, 25),
        ),
    ]


def _home_sections() -> list[HomeSection]:
    return [
        HomeSection(
            kind="banner",
            sort=0,
            title="冬日焕颜季",
            titles={"en": "Winter glow season", "zh_Hant": HANT["冬日焕颜季"]},
            image="img/banner.svg",
            link="/gifts/2",
        ),
        HomeSection(
            kind="flash",
            sort=1,
            title="限时兑换",
            titles={"en": "Flash redemptions", "zh_Hant": HANT["限时兑换"]},
        ),
    ]


def _ensure_flash(session: Session, gifts: dict[str, Gift], now: datetime) -> None:
    """A live flash redemption and an upcoming one, whenever the demo is (re)loaded."""
    live = select(FlashEvent.id).where(
        FlashEvent.starts_at <= now, FlashEvent.ends_at > now, FlashEvent.stock > 0
    )
    if session.scalar(live.limit(1)) is None:
        session.add(
            FlashEvent(
                gift=gifts["Youth Serum 15 ml"],
                title="精华体验装 限时兑",
                points_price=500,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=5),
                stock=50,
                initial_stock=50,
            )
        )
    if session.scalar(select(FlashEvent.id).where(FlashEvent.starts_at > now).limit(1)) is None:
        session.add(
            FlashEvent(
                gift=gifts["Velvet Lipstick #520"],
                title="唇膏 限时秒兑",
                points_price=800,
                starts_at=now + timedelta(hours=20),
                ends_at=now + timedelta(hours=26),
                stock=20,
                initial_stock=20,
            )
        )


def _ensure_slots(session: Session, gifts: dict[str, Gift], now: datetime) -> None:
    """Bookable slots at the first two stores for today and the next three days."""
    stores = list(session.scalars(select(Store).order_by(Store.id)))[:2]
    services = [g for g in gifts.values() if g.kind == "service"]
    have = set(
        session.execute(
            select(ServiceSlot.gift_id, ServiceSlot.store_id, ServiceSlot.starts_at)
        ).all()
    )
    today = local_date(now)
    for offset in range(4):
        midnight = local_midnight(today + timedelta(days=offset))
        for store in stores:
            for gift in services:
                for hour, minute in SLOT_TIMES:
                    start = midnight + timedelta(hours=hour, minutes=minute)
                    if (gift.id, store.id, start) not in have:
                        session.add(
                            ServiceSlot(
                                gift_id=gift.id,
                                store_id=store.id,
                                starts_at=start,
                                capacity=2,
                                ends_at=start + timedelta(minutes=60),
                            )
                        )


def _counter(session: Session, gifts: dict[str, Gift]) -> None:
    """Counter stock at SH001 and the staff-verified benefits."""
    stores = list(session.scalars(select(Store).order_by(Store.id)))
    for name in ("Youth Serum 15 ml", "Velvet Lipstick #520", "Nourishing Cream 50 ml"):
        session.add(StoreStock(store_id=stores[0].id, gift_id=gifts[name].id, stock=10))
    session.add_all(Benefit(**(b | {"names": benefit_names(b["name"])})) for b in BENEFITS)

"""The catalogue as every member sees it: gifts, shelves, home sections, flash events, stores.

Plain frozen rows, cached under the catalogue stamp (`app.cache`): every write to these tables,
stock included, bumps it. Nothing here depends on the clock — what is listed, live or shown is
decided by the caller at its `now` — so a cached copy is right at any instant until the next
write. Rows carry the attributes the templates read from the models, so either can be shown.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cache
from app.i18n import local_name
from app.models import FlashCancellation, FlashEvent, Gift, HomeSection, Shelf, Store, Tier


@dataclass(frozen=True)
class GiftRow:
    """A gift as the mall shows it."""

    id: int
    kind: str
    name: str
    names: dict
    description: str
    descriptions: dict
    image: str
    photo: str | None
    shelf_id: int
    sort: int
    badges: tuple
    points_price: int
    cash_fen: int
    stock: int
    listed_at: datetime | None
    delisted_at: datetime | None
    tier_codes: tuple
    limit_count: int | None
    limit_period: str | None
    per_order_max: int

    def label(self, locale: str) -> str:
        """The gift's name in a locale."""
        return local_name(self, locale)


@dataclass(frozen=True)
class ShelfRow:
    """A shelf."""

    id: int
    code: str
    name: str
    names: dict
    sort: int


@dataclass(frozen=True)
class SectionRow:
    """An operator-arranged block of the home."""

    id: int
    kind: str
    sort: int
    title: str
    titles: dict
    shelf_id: int | None
    image: str
    link: str
    visible: bool
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    """A flash event with its gift, and whether the console cancelled it."""

    id: int
    gift: GiftRow
    title: str
    starts_at: datetime
    ends_at: datetime
    points_price: int
    cash_fen: int
    stock: int
    initial_stock: int
    per_member_limit: int
    cancelled: bool
    segment: str | None = None  # only that segment's members see it (None: everyone)


@dataclass(frozen=True)
class StoreRow:
    """An open store, for the pickup choice."""

    id: int
    code: str
    name: str
    names: dict
    city: str


@dataclass(frozen=True)
class Catalogue:
    """Everything above, indexed the ways the mall reads it."""

    gifts: dict  # id -> GiftRow
    ordered: tuple  # every gift in the shelves' order (shelf sort, gift sort, id)
    shelves: dict  # id -> ShelfRow
    sections: tuple  # SectionRow in the operator's order
    events: tuple  # EventRow by start
    stores: tuple  # open StoreRow by id
    tier_ranks: dict = field(default_factory=dict)  # tier code -> rank

    def lowest_tier(self, codes) -> str:
        """The lowest tier code of a gate ('' when the gate names no known tier)."""
        known = [c for c in codes if c in self.tier_ranks]
        return min(known, key=self.tier_ranks.__getitem__) if known else ""


def _row(cls, obj, **extra):
    """A frozen copy of `obj` holding the fields of `cls` (lists become tuples)."""
    values = {}
    for f in fields(cls):
        if f.name in extra:
            values[f.name] = extra[f.name]
        else:
            value = getattr(obj, f.name)
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


OPEN_STORES = select(Store).where(Store.closed_at.is_(None)).order_by(Store.id)


def build(session: Session) -> Catalogue:
    """Read the catalogue tables (a handful of queries, once per stamp)."""
    shelves = {s.id: _row(ShelfRow, s) for s in session.scalars(select(Shelf))}
    gifts = [_row(GiftRow, g) for g in session.scalars(select(Gift))]
    by_id = {g.id: g for g in gifts}
    cancelled = set(session.scalars(select(FlashCancellation.event_id)))
    events = session.scalars(select(FlashEvent).order_by(FlashEvent.starts_at, FlashEvent.id))
    return Catalogue(
        gifts=by_id,
        ordered=tuple(sorted(gifts, key=lambda g: (shelves[g.shelf_id].sort, g.sort, g.id))),
        shelves=shelves,
        sections=tuple(
            _row(SectionRow, s)
            for s in session.scalars(select(HomeSection).order_by(HomeSection.sort, HomeSection.id))
        ),
        events=tuple(
            _row(EventRow, e, gift=by_id[e.gift_id], cancelled=e.id in cancelled) for e in events
        ),
        stores=tuple(_row(StoreRow, s) for s in session.scalars(OPEN_STORES)),
        tier_ranks=dict(session.execute(select(Tier.code, Tier.rank)).all()),
    )


def catalogue(session: Session) -> Catalogue:
    """The catalogue of the current stamp."""
    return cache.cached("mall.catalogue", lambda: build(session), session)

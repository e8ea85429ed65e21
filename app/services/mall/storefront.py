"""The mall's front: operator-arranged home sections and the flash redemption board."""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import cache
from app.models import FlashEvent, HomeSection, Member, Shelf
from app.services.mall import catalog, recommend, snapshot
from app.services.points import targets

ENDED_SHOWN_FOR = timedelta(days=2)
UNREAD = object()  # the viewer's segment is not read yet


@dataclass(frozen=True)
class FlashCard:
    """A flash event with its phase and the member's standing."""

    event: FlashEvent
    phase: str  # upcoming | live | sold_out | ended
    reason: str = ""  # why this member cannot redeem: tier | limit | points
    shortfall: int = 0
    tier: str = ""  # the lowest tier allowed, when the reason is the tier

    @property
    def can_redeem(self) -> bool:
        """Live, in stock, and nothing stands in the member's way."""
        return self.phase == "live" and not self.reason

    @property
    def stock_tenths(self) -> int:
        """Remaining stock in tenths of the initial stock, for the stock bar."""
        return self.event.stock * 10 // max(self.event.initial_stock, 1)


@dataclass
class Section:
    """One block of the home page: an operator's section, or a shelf by category."""

    kind: str  # banner | flash | shelf | for_you
    section: HomeSection | None = None
    shelf: Shelf | None = None
    cards: list = field(default_factory=list)


@dataclass(frozen=True)
class Stock:
    """What the stock poll shows of an event."""

    id: int
    starts_at: datetime
    ends_at: datetime
    stock: int
    initial_stock: int
    segment: str | None = None  # only that segment's members may see the figure


STOCK = select(
    FlashEvent.id,
    FlashEvent.starts_at,
    FlashEvent.ends_at,
    FlashEvent.stock,
    FlashEvent.initial_stock,
    FlashEvent.segment,
).where(FlashEvent.id == bindparam("event_id"))


def stock_of(session: Session, event_id: int) -> Stock | None:
    """An event's stock and window, straight from its row (None when there is no such event)."""
    row = session.execute(STOCK, {"event_id": event_id}).first()
    return Stock(*row) if row else None


def flash_phase(event: FlashEvent, now: datetime) -> str:
    """Where the event stands in its window."""
    if now < event.starts_at:
        return "upcoming"
    if now >= event.ends_at:
        return "ended"
    return "live" if event.stock > 0 else "sold_out"


def flash_card(
    session: Session,
    event,
    member: Member | None,
    now: datetime,
    balance: int | None = None,
    who: catalog.Viewer | None = None,
) -> FlashCard:
    """The card of one event for one member (`who`: their points and orders, if read)."""
    phase = flash_phase(event, now)
    if member is None or phase in ("ended", "sold_out"):
        return FlashCard(event, phase)
    if not catalog.tier_allowed(event.gift, member):
        return FlashCard(event, phase, "tier", tier=catalog.gate_tier(session, event.gift))
    who = who or catalog.viewer(session, member, now, balance)
    if who.used.flash.get(event.id, 0) >= event.per_member_limit:
        return FlashCard(event, phase, "limit")
    if who.balance < event.points_price:
        return FlashCard(event, phase, "points", event.points_price - who.balance)
    return FlashCard(event, phase)


def shown_events(session: Session, now: datetime) -> list:
    """The events the board shows someone (not cancelled, not long over), targeted or not."""
    return [
        e
        for e in snapshot.catalogue(session).events
        if e.ends_at > now - ENDED_SHOWN_FOR and not e.cancelled
    ]


def flash_board(
    session: Session,
    member: Member | None,
    now: datetime,
    who: catalog.Viewer | None = None,
    segment=UNREAD,
) -> list[FlashCard]:
    """Live events first, then upcoming, then recently ended (cancelled ones are not shown);
    an event for one segment only to its members (`segment`: the viewer's, read if not given;
    a visitor is in none)."""
    events = shown_events(session, now)
    if segment is UNREAD:
        segment = targets.segment_for(session, member, events)
    events = [e for e in events if targets.reaches(e.segment, segment)]
    if events and who is None:
        who = catalog.viewer(session, member, now)
    cards = [flash_card(session, e, member, now, who=who) for e in events]
    order = {"live": 0, "sold_out": 1, "upcoming": 2, "ended": 3}
    return sorted(cards, key=lambda c: order[c.phase])


def _boundaries(session: Session) -> tuple:
    """Every instant at which what the mall shows changes by itself (sorted)."""
    found = set()
    catalogue = snapshot.catalogue(session)
    for gift in catalogue.gifts.values():
        found.update((gift.listed_at, gift.delisted_at))
    for section in catalogue.sections:
        found.update((section.starts_at, section.ends_at))
    for e in catalogue.events:
        found.update((e.starts_at, e.ends_at, e.ends_at + ENDED_SHOWN_FOR))
    return tuple(sorted(t for t in found if t is not None))


def next_change(session: Session, now: datetime) -> datetime | None:
    """The first instant after `now` at which a listing, a section or a flash event changes
    phase (None: nothing ahead) — until then a page built from this catalogue stays right."""
    boundaries = cache.cached("mall.boundaries", lambda: _boundaries(session), session)
    i = bisect_right(boundaries, now)
    return boundaries[i] if i < len(boundaries) else None


def showing(section: HomeSection, now: datetime) -> bool:
    """Whether members see the section now: visible, and inside its window if it has one."""
    started = section.starts_at is None or section.starts_at <= now
    return section.visible and started and (section.ends_at is None or now < section.ends_at)


def _fill(
    session: Session, section, view, who: catalog.Viewer, now, filtered: bool, segment=UNREAD
) -> list:
    """The one arranged section with its cards, or nothing when it has none to show."""
    if section.kind == "shelf":
        return [Section("shelf", section, view.shelf, view.cards)] if view else []
    if filtered:  # a kind or affordability filter shows shelves only
        return []
    if section.kind == "flash":
        board = flash_board(session, who.member, now, who, segment)
        live = [c for c in board if c.phase in ("live", "upcoming")]
        return [Section("flash", section, cards=live[:3])] if live else []
    if section.kind == "for_you":
        cards = recommend.recommend(session, who.member, now, who=who) if who.member else []
        return [Section("for_you", section, cards=cards)]
    return [Section("banner", section)]


def home(
    session: Session,
    member: Member | None,
    now: datetime,
    *,
    kind: str = "",
    affordable: bool = False,
    segment=UNREAD,
) -> list[Section]:
    """The home sections in the operator's order (hidden and out-of-window ones left out);
    `segment`: whose flash strip (the member's own when not given)."""
    who = catalog.viewer(session, member, now)
    views = {
        view.shelf.id: view
        for view in catalog.shelves(session, member, now, kind=kind, affordable=affordable, who=who)
    }
    filtered = bool(kind or affordable)
    arranged = snapshot.catalogue(session).sections
    sections = []
    for section in arranged:
        view = views.pop(section.shelf_id, None) if section.kind == "shelf" else None
        if showing(section, now):
            sections += _fill(session, section, view, who, now, filtered, segment)
    if member and not filtered and all(s.kind != "for_you" for s in arranged):
        # not placed by the operator: "for you" leads the home, as it always has
        cards = recommend.recommend(session, member, now, who=who)
        sections.insert(0, Section("for_you", None, cards=cards))
    # shelves the operator did not place follow, by category
    sections += [Section("shelf", None, view.shelf, view.cards) for view in views.values()]
    return sections

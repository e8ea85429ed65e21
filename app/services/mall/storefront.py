"""The mall's front: operator-arranged home sections and the flash redemption board."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import FlashCancellation, FlashEvent, HomeSection, Member, Shelf
from app.services.mall import catalog, redemption
from app.services.points import balances

ENDED_SHOWN_FOR = timedelta(days=2)


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


def flash_phase(event: FlashEvent, now: datetime) -> str:
    """Where the event stands in its window."""
    if now < event.starts_at:
        return "upcoming"
    if now >= event.ends_at:
        return "ended"
    return "live" if event.stock > 0 else "sold_out"


def flash_card(
    session: Session,
    event: FlashEvent,
    member: Member | None,
    now: datetime,
    balance: int | None = None,
) -> FlashCard:
    """The card of one event for one member."""
    phase = flash_phase(event, now)
    if member is None or phase in ("ended", "sold_out"):
        return FlashCard(event, phase)
    if not catalog.tier_allowed(event.gift, member):
        return FlashCard(event, phase, "tier", tier=catalog.lowest_tier(session, event.gift).code)
    if redemption.flash_claims(session, event.id, member.id) >= event.per_member_limit:
        return FlashCard(event, phase, "limit")
    balance = balances.balance(session, member.id, now) if balance is None else balance
    if balance < event.points_price:
        return FlashCard(event, phase, "points", event.points_price - balance)
    return FlashCard(event, phase)


def flash_board(session: Session, member: Member | None, now: datetime) -> list[FlashCard]:
    """Live events first, then upcoming, then recently ended (cancelled ones are not shown)."""
    cancelled = select(FlashCancellation.event_id).where(
        FlashCancellation.event_id == FlashEvent.id
    )
    events = session.scalars(
        select(FlashEvent)
        .where(FlashEvent.ends_at > now - ENDED_SHOWN_FOR, ~cancelled.exists())
        .order_by(FlashEvent.starts_at)
    )
    balance = balances.balance(session, member.id, now) if member else None
    cards = [flash_card(session, e, member, now, balance) for e in events]
    order = {"live": 0, "sold_out": 1, "upcoming": 2, "ended": 3}
    return sorted(cards, key=lambda c: order[c.phase])


def showing(section: HomeSection, now: datetime) -> bool:
    """Whether members see the section now: visible, and inside its window if it has one."""
    started = section.starts_at is None or section.starts_at <= now
    return section.visible and started and (section.ends_at is None or now < section.ends_at)


def _fill(
    session: Session, section: HomeSection, view, member: Member | None, now, filtered: bool
) -> list[Section]:
    """The one arranged section with its cards, or nothing when it has none to show."""
    if section.kind == "shelf":
        return [Section("shelf", section, view.shelf, view.cards)] if view else []
    if filtered:  # a kind or affordability filter shows shelves only
        return []
    if section.kind == "flash":
        live = [c for c in flash_board(session, member, now) if c.phase in ("live", "upcoming")]
        return [Section("flash", section, cards=live[:3])] if live else []
    if section.kind == "for_you":
        cards = catalog.recommend(session, member, now) if member else []
        return [Section("for_you", section, cards=cards)]
    return [Section("banner", section)]


def home(
    session: Session,
    member: Member | None,
    now: datetime,
    *,
    kind: str = "",
    affordable: bool = False,
) -> list[Section]:
    """The home sections in the operator's order (hidden and out-of-window ones left out)."""
    views = {
        view.shelf.id: view
        for view in catalog.shelves(session, member, now, kind=kind, affordable=affordable)
    }
    filtered = bool(kind or affordable)
    arranged = list(session.scalars(select(HomeSection).order_by(HomeSection.sort, HomeSection.id)))
    sections = []
    for section in arranged:
        view = views.pop(section.shelf_id, None) if section.kind == "shelf" else None
        if showing(section, now):
            sections += _fill(session, section, view, member, now, filtered)
    if member and not filtered and all(s.kind != "for_you" for s in arranged):
        # not placed by the operator: "for you" leads the home, as it always has
        sections.insert(0, Section("for_you", None, cards=catalog.recommend(session, member, now)))
    # shelves the operator did not place follow, by category
    sections += [Section("shelf", None, view.shelf, view.cards) for view in views.values()]
    return sections

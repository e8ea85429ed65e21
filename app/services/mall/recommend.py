"""'For you': the member's own picks, each with the one reason it was picked.

Ranked deterministically (`rank`, a pure function) from what the member can redeem now and four
signals read in ONE statement (`signals`): gifts co-redeemed with the member's own redemptions,
gifts popular in the member's tier, then in their RFM segment, then anything they can afford
(shelves they redeemed from first). A gift they cannot redeem at all (tier-locked, limit reached,
sold out, not listed) is never picked; one slot may go to a gift just out of reach.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app import reads
from app.models import GiftPair, GiftPopularity, MemberSegment, Order
from app.services.mall import snapshot
from app.services.mall.catalog import Card, GiftState, Viewer, is_listed, viewer

LIMIT = 4
MIN_POPULAR = 2  # members of the tier/segment who redeemed it: one member is not "popular"
NEAR_SHARE = 5  # "N more points to go" when the shortfall is at most 1/5 of the price
# reason codes, best first (app/services/mall/reasons.py words them)
ALSO_CHOSE, TIER_POPULAR, SEGMENT_FAVOURITE, AFFORDABLE, POINTS_TO_GO = (
    "also_chose", "tier_popular", "segment_favourite", "affordable", "points_to_go",
)  # fmt: skip
ORDER = (ALSO_CHOSE, TIER_POPULAR, SEGMENT_FAVOURITE, AFFORDABLE, POINTS_TO_GO)


@dataclass(frozen=True)
class Signals:
    """What the member's tier, segment and redemptions say about each gift."""

    tier: str = ""
    segment: str = ""
    pairs: dict = field(default_factory=dict)  # gift id -> (members, the gift redeemed with it)
    in_tier: dict = field(default_factory=dict)  # gift id -> members of the tier who redeemed it
    in_segment: dict = field(default_factory=dict)  # gift id -> members of the segment


@dataclass(frozen=True)
class Pick(Card):
    """A card of 'for you' and why it is there."""

    reason: str = AFFORDABLE
    because: int | None = None  # ALSO_CHOSE: the member's gift it was co-redeemed with
    tier: str = ""  # TIER_POPULAR: the tier's code
    segment: str = ""  # SEGMENT_FAVOURITE: the segment's code

    @property
    def why(self) -> tuple:
        """What the reason's words depend on (the kept shelf's key)."""
        return (self.reason, self.because, self.tier, self.segment, self.state.shortfall)


_SEGMENT = (
    select(MemberSegment.segment)
    .where(MemberSegment.member_id == bindparam("member_id"))
    .scalar_subquery()
)
OWN_SEGMENT = "own_segment"  # the kind of SIGNALS' row that names the member's segment
_ORDERED = select(Order.gift_id).where(Order.member_id == bindparam("member_id"))  # any status
SIGNALS = reads.baked(union_all(
    select(literal(OWN_SEGMENT), MemberSegment.segment, literal(0), literal(0), literal(0)).where(
        MemberSegment.member_id == bindparam("member_id")
    ),
    select(
        literal("pair"), literal(""), GiftPair.gift_id, GiftPair.other_id, GiftPair.members
    ).where(GiftPair.gift_id.in_(_ORDERED)),
    select(
        GiftPopularity.scope, GiftPopularity.code, GiftPopularity.gift_id, literal(0),
        GiftPopularity.members,
    ).where(
        GiftPopularity.members >= MIN_POPULAR,
        or_(
            and_(GiftPopularity.scope == "tier", GiftPopularity.code == bindparam("tier")),
            and_(GiftPopularity.scope == "segment", GiftPopularity.code == _SEGMENT),
        ),
    ),
))  # fmt: skip


def signals(session: Session, who: Viewer) -> Signals:
    """The member's segment, their gifts' co-redemptions and their tier's and segment's
    favourites, in one statement."""
    member = who.member
    params = {"member_id": member.id, "tier": member.tier.code}
    return signals_from(member.tier.code, reads.execute(session, SIGNALS, params).tuples())


def signals_from(tier: str, rows) -> Signals:
    """The signals in rows of SIGNALS: (kind, code, gift id, other gift id, members)."""
    segment, pairs, in_tier, in_segment = "", {}, {}, {}
    for kind, code, gift_id, other_id, members in rows:
        if kind == OWN_SEGMENT:  # the member's; "segment" rows are the segment's favourites
            segment = code
        elif kind == "pair":  # the strongest link wins; ties go to the lower gift id
            best = pairs.get(other_id)
            if best is None or (members, -gift_id) > (best[0], -best[1]):
                pairs[other_id] = (members, gift_id)
        else:
            (in_tier if kind == "tier" else in_segment)[gift_id] = members
    return Signals(tier, segment, pairs, in_tier, in_segment)


def _pick(gift, gift_state: GiftState, sig: Signals, ordered) -> Pick | None:
    """The gift's best reason for this member, or None when it should not be picked."""
    if gift_state.status == "short":
        near = gift_state.shortfall * NEAR_SHARE <= gift.points_price
        return Pick(gift, gift_state, POINTS_TO_GO) if near else None
    if not gift_state.can_redeem:
        return None
    if gift.id not in ordered:
        if gift.id in sig.pairs:
            return Pick(gift, gift_state, ALSO_CHOSE, because=sig.pairs[gift.id][1])
        if gift.id in sig.in_tier:
            return Pick(gift, gift_state, TIER_POPULAR, tier=sig.tier)
        if gift.id in sig.in_segment:
            return Pick(gift, gift_state, SEGMENT_FAVOURITE, segment=sig.segment)
    return Pick(gift, gift_state, AFFORDABLE)


def _key(pick: Pick, sig: Signals, ordered, liked: set) -> tuple:
    """Sort key: reason, then its strength, then (for the rest) new before redeemed, liked
    shelves, dearer first; the gift id breaks every tie."""
    gift = pick.gift
    strength = {
        ALSO_CHOSE: sig.pairs.get(gift.id, (0,))[0],
        TIER_POPULAR: sig.in_tier.get(gift.id, 0),
        SEGMENT_FAVOURITE: sig.in_segment.get(gift.id, 0),
    }.get(pick.reason, 0)
    rest = (gift.id in ordered, gift.shelf_id not in liked, -gift.points_price)
    if pick.reason == POINTS_TO_GO:
        rest = (False, False, pick.state.shortfall)
    return (ORDER.index(pick.reason), -strength, *rest, gift.id)


def rank(cards: list[Card], sig: Signals, ordered, liked: set, limit: int = LIMIT) -> list[Pick]:
    """The member's picks from their cards (gift + state), best first: up to `limit`, of which
    at most one is a gift just out of reach (the last slot, when any gift is)."""
    picks = [p for c in cards if (p := _pick(c.gift, c.state, sig, ordered)) is not None]
    picks.sort(key=lambda p: _key(p, sig, ordered, liked))
    ready = [p for p in picks if p.reason != POINTS_TO_GO]
    near = [p for p in picks if p.reason == POINTS_TO_GO][:1]
    return ready[: limit - len(near)] + near


def recommend(
    session: Session,
    member,
    now: datetime,
    limit: int = LIMIT,
    who: Viewer | None = None,
    signals_read: Signals | None = None,
) -> list[Pick]:
    """'For you' for a signed-in member: their picks with reasons (one statement of its own,
    none when the caller read the signals with something else)."""
    who = who or viewer(session, member, now)
    catalogue = snapshot.catalogue(session)
    liked = {catalogue.gifts[g].shelf_id for g in who.used.ordered if g in catalogue.gifts}
    cards = [
        Card(g, who.state(session, g, now))
        for g in catalogue.ordered
        if g.stock > 0 and is_listed(g, now)
    ]
    found = signals_read or signals(session, who)
    return rank(cards, found, who.used.ordered, liked, limit)

"""'For you' ranking: a hand-worked fixture of gifts, states and signals with known answers."""

from app.services.mall import recommend
from app.services.mall.catalog import Card, GiftState
from app.services.mall.recommend import Signals, rank
from app.services.mall.snapshot import GiftRow

SKIN, LIPS = 1, 2


def gift(gift_id: int, price: int = 100, shelf: int = SKIN) -> GiftRow:
    """A listed gift row with only what ranking reads set."""
    return GiftRow(
        id=gift_id, kind="physical", name=f"G{gift_id}", names={}, description="",
        descriptions={}, image="", photo=None, shelf_id=shelf, sort=0, badges=(),
        points_price=price, cash_fen=0, stock=10, listed_at=None, delisted_at=None,
        tier_codes=(), limit_count=None, limit_period=None, per_order_max=5,
    )  # fmt: skip


OK = GiftState("ok", stock_left=10)
# id: (price, shelf, state); the member (Silver, loyal) holds 1,000 points and redeemed gift 1
CARDS = {
    1: (100, SKIN, OK),  # redeemed before: only "you can afford this", after the new ones
    2: (200, SKIN, GiftState("locked", locked_reason="gold")),  # never: tier-locked
    3: (300, LIPS, OK),  # co-redeemed with gift 1 by 4 members
    4: (400, LIPS, OK),  # popular in the tier (5 members)
    5: (200, SKIN, GiftState("limit", limit_left=0)),  # co-redeemed, but the limit is reached
    6: (250, LIPS, OK),  # popular in the tier (3 members) and the segment
    7: (150, LIPS, OK),  # popular in the segment only
    8: (1_050, SKIN, GiftState("short", shortfall=50)),  # 50 short of 1,050: within a fifth
    9: (1_400, SKIN, GiftState("short", shortfall=400)),  # 400 short: too far
    10: (300, LIPS, OK),  # nothing known: affordable, on a shelf the member never used
    11: (120, SKIN, OK),  # affordable, on the shelf the member redeemed from
    12: (100, SKIN, GiftState("sold_out")),  # never: sold out
}
SIGNALS = Signals(
    tier="silver",
    segment="loyal",
    pairs={3: (4, 1), 5: (6, 1)},
    in_tier={4: 5, 6: 3, 1: 9},
    in_segment={6: 8, 7: 2},
)
ORDERED, LIKED = frozenset({1}), {SKIN}


def cards() -> list[Card]:
    """The fixture's cards in catalogue order."""
    return [Card(gift(i, price, shelf), state) for i, (price, shelf, state) in CARDS.items()]


def picked(limit: int) -> list[tuple]:
    """(gift id, reason) of the member's picks."""
    return [(p.gift.id, p.reason) for p in rank(cards(), SIGNALS, ORDERED, LIKED, limit)]


def test_the_best_reasons_first_and_one_gift_just_out_of_reach_last():
    assert picked(4) == [
        (3, "also_chose"),
        (4, "tier_popular"),
        (6, "tier_popular"),  # the tier's signal outranks the segment's
        (8, "points_to_go"),
    ]


def test_the_whole_order_with_room_for_everything():
    assert picked(20) == [
        (3, "also_chose"),
        (4, "tier_popular"),
        (6, "tier_popular"),
        (7, "segment_favourite"),
        (11, "affordable"),  # a liked shelf first
        (10, "affordable"),
        (1, "affordable"),  # redeemed before: last of the affordable ones
        (8, "points_to_go"),
    ]


def test_never_picks_what_the_member_cannot_redeem():
    shown = {p.gift.id for p in rank(cards(), SIGNALS, ORDERED, LIKED, 99)}
    assert shown.isdisjoint({2, 5, 9, 12})


def test_reasons_carry_what_their_words_need():
    picks = {p.gift.id: p for p in rank(cards(), SIGNALS, ORDERED, LIKED, 20)}
    assert picks[3].because == 1 and picks[4].tier == "silver" and picks[7].segment == "loyal"
    assert picks[8].state.shortfall == 50
    assert picks[3].why != picks[4].why


def test_equal_strength_goes_to_the_dearer_then_the_lower_id_and_no_signal_means_affordable():
    same = Signals(tier="silver", in_tier={10: 3, 3: 3, 4: 3})  # 3 and 10: both 300 on LIPS
    ranked = rank(cards(), same, frozenset(), set(), 4)
    assert [p.gift.id for p in ranked] == [4, 3, 10, 8]
    plain = rank(cards(), Signals(tier="silver"), frozenset(), set(), 3)
    assert [p.reason for p in plain] == ["affordable", "affordable", "points_to_go"]
    assert [p.gift.id for p in plain[:2]] == [4, 3]  # dearer first, then the lower id


def test_nothing_near_leaves_every_slot_to_redeemable_gifts():
    far = [c for c in cards() if c.gift.id != 8]
    ranked = rank(far, SIGNALS, ORDERED, LIKED, 4)
    assert [p.reason for p in ranked] == ["also_chose", "tier_popular", "tier_popular",
                                          "segment_favourite"]  # fmt: skip
    assert recommend.LIMIT == 4

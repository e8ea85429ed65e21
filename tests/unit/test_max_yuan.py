"""`pricing.max_yuan`: points pay no more of the cash than the cap, nor than the member's
points left after the gift's own points buy."""

import pytest

from app.services.mall import pricing


@pytest.mark.parametrize(
    ("cap", "balance", "gift_points", "rate", "expected"),
    [
        (150, 0, 1_500, 20, 0),  # zero balance
        (150, 1_000, 1_500, 20, 0),  # the balance does not even cover the gift's points
        (150, 1_500, 1_500, 20, 0),  # exactly the gift's points: nothing left for cash
        (150, 100_000, 1_500, 20, 150),  # the gift's cap binds
        (150, 2_500, 1_500, 20, 50),  # the rate binds: 1,000 spare points at 20 = ¥50
        (150, 2_519, 1_500, 20, 50),  # whole yuan only: 1,019 points buy ¥50, not ¥50.95
        (150, 2_500, 1_500, 10, 100),  # a member day's rate buys more
        (0, 100_000, 100, 20, 0),  # a gift whose cash part points may not pay
        (150, 4_500, 1_500, 20, 150),  # both bind at once
    ],
)
def test_max_yuan(cap, balance, gift_points, rate, expected):
    assert pricing.max_yuan(cap, balance, gift_points, rate) == expected


def test_breakdown_refuses_more_than_the_member_can_afford(session, now):
    split = pricing.breakdown(session, 30_000, 45, now, afford=(1_000, 100))  # 900 spare / 20
    assert (split.max_yuan, split.points_for_cash, split.cash_due_fen) == (45, 900, 25_500)
    with pytest.raises(pricing.CashCapExceeded) as refused:
        pricing.breakdown(session, 30_000, 46, now, afford=(1_000, 100))
    assert refused.value.detail == {"max_yuan": 45}

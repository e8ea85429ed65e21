"""Tasks and occasions: rewards under the monthly behaviour cap, once per task, the birthday
once a year in the brand-local month, member-day prices only on the day, review moderation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.jobs import periods
from app.jobs.registry import JOBS
from app.models import (
    EarningSetting,
    MemberDay,
    MemberDayPrice,
    Order,
    PointTransaction,
    TaskCompletion,
    TaskRule,
    Tier,
    User,
)
from app.services.mall import pricing, redemption
from app.services.mall.errors import PriceChanged
from app.services.mall.redemption import Checkout
from app.services.points import balances, earning, ledger, tasks
from app.services.points.audit import audit
from app.services.tasks import centre, reviews, shares
from tests import factories


def used(session, member, now):
    return earning.behaviour_used(session, member.id, now)


def credits(session, member):
    return session.scalar(
        select(func.count(PointTransaction.id)).where(
            PointTransaction.member_id == member.id, PointTransaction.kind == "earn"
        )
    )


@pytest.mark.parametrize(
    ("already", "reward", "granted", "capped"),
    [
        (0, 20, 20, False),
        (280, 20, 20, False),  # exactly fills the cap
        (290, 20, 10, True),  # trimmed to what the cap leaves, like sign-in
        (300, 20, 0, True),  # refused: nothing credited, the task is still done
    ],
)
def test_a_task_reward_is_cut_to_the_monthly_cap(
    session, make_member, now, already, reward, granted, capped
):
    member = make_member()
    session.get(TaskRule, "review_gift").points = reward
    if already:
        earning.award_behaviour(session, member.id, "signin", already, "before", now=now)
    result = tasks.reward(session, member.id, "review_gift", "1", now=now)
    assert (result.points, result.capped) == (granted, capped)
    assert used(session, member, now) == already + granted
    assert balances.balance(session, member.id, now) == already + granted
    again = tasks.reward(session, member.id, "review_gift", "1", now=now)
    assert (again.points, again.already) == (granted, True)
    assert balances.balance(session, member.id, now) == already + granted
    assert audit(session) == []


def test_sharing_pays_once_per_gift_and_at_most_the_monthly_count(session, make_member, now):
    member = make_member()
    session.get(TaskRule, "share_gift").monthly_max = 2
    gifts = [factories.gift(session, name=f"G{n}") for n in range(3)]
    first = shares.share(session, member, gifts[0].id, now=now)
    assert (first.points, first.already) == (5, False)
    assert shares.share(session, member, gifts[0].id, now=now).already  # same gift: once
    assert shares.share(session, member, gifts[1].id, now=now).points == 5
    third = shares.share(session, member, gifts[2].id, now=now)
    assert (third.points, third.capped) == (0, True)  # over this month's count
    assert balances.balance(session, member.id, now) == 10
    assert credits(session, member) == 2
    next_month = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)  # July 1, 00:00 in Shanghai
    assert shares.share(session, member, gifts[2].id, now=next_month).points == 5


def test_an_unknown_gift_cannot_be_shared(session, make_member, now):
    with pytest.raises(shares.ShareError):
        shares.share(session, make_member(), 999_999, now=now)


def test_a_switched_off_task_pays_nothing(session, make_member, now):
    member = make_member()
    session.get(TaskRule, "share_gift").enabled = False
    gift = factories.gift(session)
    assert shares.share(session, member, gift.id, now=now).points == 0
    assert balances.balance(session, member.id, now) == 0


def test_first_redemption_is_claimed_once_after_a_redemption(session, make_member, now):
    factories.store(session)
    member = make_member()
    ledger.credit(session, member.id, "purchase", 500, "seed", now=now)
    with pytest.raises(shares.ShareError, match="first_redemption_missing"):
        shares.claim_first_redemption(session, member.id, now=now)
    gift = factories.gift(session, points_price=100)
    redemption.redeem(session, member.id, gift.id, Checkout(request_key="a"), now=now)
    assert balances.balance(session, member.id, now) == 400  # redeeming itself pays nothing
    view = centre.centre(session, member, now)
    first = next(t for t in view.tasks if t.code == "first_redemption")
    assert (first.done, first.claimable) == (False, True)
    assert shares.claim_first_redemption(session, member.id, now=now).points == 30
    assert shares.claim_first_redemption(session, member.id, now=now).already
    assert balances.balance(session, member.id, now) == 430


# ---------------------------------------------------------------- birthday


def birthday_member(make_member, month=6, day=3):
    return make_member(birthday=date(1995, month, day))


@pytest.mark.parametrize(
    ("at", "granted"),
    [
        (datetime(2026, 5, 31, 15, 59, tzinfo=UTC), 0),  # May 31, 23:59 in Shanghai
        (datetime(2026, 5, 31, 16, 0, tzinfo=UTC), 100),  # June 1, 00:00 in Shanghai
        (datetime(2026, 6, 30, 15, 59, tzinfo=UTC), 100),  # June 30, 23:59
        (datetime(2026, 6, 30, 16, 0, tzinfo=UTC), 0),  # July 1, 00:00
    ],
)
def test_birthday_points_in_the_brand_local_birthday_month(session, make_member, at, granted):
    member = birthday_member(make_member)
    assert tasks.birthday(session, member.id, now=at).points == granted
    assert balances.balance(session, member.id, at) == granted


def test_birthday_points_once_a_year_and_outside_the_behaviour_cap(session, make_member):
    member = birthday_member(make_member)
    june = datetime(2026, 6, 2, 4, tzinfo=UTC)
    earning.award_behaviour(session, member.id, "signin", 300, "full", now=june)
    assert tasks.birthday(session, member.id, now=june).points == 100  # the cap is full
    assert tasks.birthday(session, member.id, now=june + timedelta(days=10)).already
    assert balances.balance(session, member.id, june) == 400
    next_year = datetime(2027, 6, 5, 4, tzinfo=UTC)
    assert tasks.birthday(session, member.id, now=next_year).points == 100


def test_the_birthday_job_grants_each_member_once(session, make_member):
    june, may = birthday_member(make_member), birthday_member(make_member, month=5)
    nobody = make_member()
    at = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)  # June 1, 00:30 in Shanghai
    job = JOBS["birthdays"]
    start = periods.start_of("daily", at)
    assert sum(job.run(session, start, at)) == 1
    assert list(job.run(session, start, at)) == []  # a second run finds nobody due
    assert [balances.balance(session, m.id, at) for m in (june, may, nobody)] == [100, 0, 0]
    rows = session.scalars(select(TaskCompletion.member_id)).all()
    assert rows == [june.id]


def test_the_birthday_job_ends_when_a_cap_leaves_no_room(session, make_member):
    member = birthday_member(make_member)
    session.get(EarningSetting, "monthly_issue_cap").value = 1
    at = datetime(2026, 6, 10, 4, tzinfo=UTC)
    ledger.credit(session, make_member().id, "purchase", 1, "fill", now=at)
    assert sum(JOBS["birthdays"].run(session, periods.start_of("daily", at), at)) == 1
    assert balances.balance(session, member.id, at) == 0  # tried, retried another day


# ---------------------------------------------------------------- member days


@pytest.fixture
def member_day(session):
    """Wednesdays (brand-local) are member days; one gift costs 60 for Gold instead of 100."""
    row = session.get(MemberDay, 1)
    row.kind, row.day, row.enabled = "weekly", 2, True
    gift = factories.gift(session, points_price=100, stock=5)
    session.add(MemberDayPrice(gift_id=gift.id, tier_code="gold", points_price=60))
    session.flush()
    return gift


def gold(session, make_member, now):
    member = make_member(tier=session.scalar(select(Tier).where(Tier.code == "gold")))
    ledger.credit(session, member.id, "purchase", 1_000, f"seed-{member.id}", now=now)
    return member


@pytest.mark.parametrize(
    ("at", "price"),
    [
        (datetime(2026, 6, 16, 15, 59, tzinfo=UTC), 100),  # Tue June 16, 23:59 in Shanghai
        (datetime(2026, 6, 16, 16, 0, tzinfo=UTC), 60),  # Wed June 17, 00:00
        (datetime(2026, 6, 17, 15, 59, tzinfo=UTC), 60),  # Wed 23:59
        (datetime(2026, 6, 17, 16, 0, tzinfo=UTC), 100),  # Thu 00:00
    ],
)
def test_member_day_price_only_on_the_brand_local_day(
    session, make_member, now, member_day, at, price
):
    factories.store(session)
    member = gold(session, make_member, now)
    assert pricing.unit_points(session, member_day, member, at) == price
    order = redemption.redeem(
        session, member.id, member_day.id, Checkout(request_key="d", expected_points=price), now=at
    )
    assert order.points == price
    assert balances.balance(session, member.id, at) == 1_000 - price


def test_member_day_price_is_per_tier_and_not_for_visitors(session, make_member, now, member_day):
    wednesday = datetime(2026, 6, 17, 4, tzinfo=UTC)
    base = make_member()
    assert pricing.unit_points(session, member_day, base, wednesday) == 100
    assert pricing.unit_points(session, member_day, None, wednesday) == 100
    assert pricing.price_until(session, member_day.id, wednesday) == datetime(
        2026, 6, 17, 16, 0, tzinfo=UTC
    )


def test_monthly_member_day(session, make_member, now, member_day):
    row = session.get(MemberDay, 1)
    row.kind, row.day = "monthly", 18
    session.flush()
    member = gold(session, make_member, now)
    assert (
        pricing.unit_points(session, member_day, member, datetime(2026, 6, 17, 16, tzinfo=UTC))
        == 60
    )
    assert (
        pricing.unit_points(session, member_day, member, datetime(2026, 6, 17, 15, tzinfo=UTC))
        == 100
    )


def test_a_price_changed_at_midnight_is_refused_and_nothing_written(
    session, make_member, now, member_day
):
    factories.store(session)
    member = gold(session, make_member, now)
    thursday = datetime(2026, 6, 17, 16, 0, tzinfo=UTC)  # the page said 60 at 23:59
    with pytest.raises(PriceChanged):
        redemption.redeem(
            session, member.id, member_day.id,
            Checkout(request_key="late", expected_points=60), now=thursday,
        )  # fmt: skip
    assert session.scalar(select(func.count(Order.id))) == 0
    assert balances.balance(session, member.id, thursday) == 1_000


# ---------------------------------------------------------------- reviews


@pytest.fixture
def collected(session, make_member, now):
    """A member who collected a gift (a completed wallet order)."""
    member = make_member()
    ledger.credit(session, member.id, "purchase", 500, "seed", now=now)
    gift = factories.gift(session, kind="coupon", stock=2, points_price=100)
    order = redemption.redeem(session, member.id, gift.id, Checkout(request_key="c"), now=now)
    assert order.status == "completed"
    return member, order


def operator(session):
    user = User(staff_id="op1", role="operator", password_hash="x", display_name="Op")
    session.add(user)
    session.flush()
    return user


def test_a_review_shows_and_earns_only_once_approved(session, collected, now):
    member, order = collected
    assert [o.id for o in reviews.reviewable(session, member.id)] == [order.id]
    review = reviews.submit(session, member.id, order.id, "Lovely texture.", "a" * 24, now=now)
    assert reviews.shown(session, order.gift_id) == []
    assert balances.balance(session, member.id, now) == 400  # nothing until approved
    assert reviews.reviewable(session, member.id) == []
    result = reviews.moderate(session, operator(session), review.id, True, now=now)
    assert result.points == 20
    assert [r.id for r in reviews.shown(session, order.gift_id)] == [review.id]
    assert balances.balance(session, member.id, now) == 420
    with pytest.raises(reviews.ReviewError, match="review_moderated"):
        reviews.moderate(
            session, session.get(User, review.moderated_by_id), review.id, True, now=now
        )
    assert balances.balance(session, member.id, now) == 420


def test_a_rejected_review_neither_shows_nor_earns(session, collected, now):
    member, order = collected
    review = reviews.submit(session, member.id, order.id, "Spam spam spam", "b" * 24, now=now)
    assert reviews.moderate(session, operator(session), review.id, False, now=now).points == 0
    assert reviews.shown(session, order.gift_id) == []
    assert balances.balance(session, member.id, now) == 400


@pytest.mark.parametrize(
    ("body", "error"),
    [("ok", "review_length"), ("x" * 501, "review_length")],
)
def test_a_bad_review_is_refused(session, collected, now, body, error):
    member, order = collected
    with pytest.raises(reviews.ReviewError, match=error):
        reviews.submit(session, member.id, order.id, body, "c" * 24, now=now)


def test_only_the_members_own_collected_order_is_reviewable(session, collected, make_member, now):
    member, order = collected
    with pytest.raises(reviews.ReviewError, match="review_order"):
        reviews.order_to_review(session, make_member().id, order.id)
    reviews.submit(session, member.id, order.id, "Very nice.", "d" * 24, now=now)
    with pytest.raises(reviews.ReviewError, match="review_exists"):
        reviews.order_to_review(session, member.id, order.id)


def test_the_task_centre_shows_progress_and_the_cap(session, make_member, now):
    member = make_member()
    earning.sign_in(session, member.id, now)
    shares.share(session, member, factories.gift(session).id, now=now)
    view = centre.centre(session, member, now)
    by_code = {t.code: t for t in view.tasks}
    assert list(by_code) == ["signin", "profile", "first_redemption", "share_gift",
                             "review_gift", "birthday"]  # fmt: skip
    assert by_code["signin"].done and not by_code["profile"].done
    assert (by_code["share_gift"].count, by_code["share_gift"].of) == (1, 6)
    assert (view.used, view.room) == (10, 290)

"""The birthday's reward as a gift: a coupon or virtual goods handed to the wallet as an order of
no points, once per brand-local year in the birthday month; points otherwise; a notification."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import delete, func, select

from app.jobs import periods
from app.jobs.registry import JOBS
from app.models import GiftCode, LedgerEntry, Notification, Order, TaskCompletion, TaskRule
from app.services.analytics import cost
from app.services.points import balances
from app.services.points.audit import audit
from app.services.tasks import birthday, settings, shares
from app.services.tasks.settings import TaskSettingsError
from tests import factories

JUNE = datetime(2026, 6, 2, 4, tzinfo=UTC)  # June 2, noon in Shanghai


@pytest.fixture
def coupon(session):
    """A ¥50 coupon with two codes, set as the birthday's gift."""
    gift = factories.gift(session, kind="coupon", name="生日券", points_price=500, stock=2,
                          cost_fen=5_000)  # fmt: skip
    session.get(TaskRule, "birthday").gift_id = gift.id
    session.flush()
    return gift


def born_in(make_member, month=6):
    return make_member(birthday=date(1995, month, 3))


def orders_of(session, member):
    return session.scalars(select(Order).where(Order.member_id == member.id)).all()


def test_the_gift_arrives_in_the_wallet_once_a_year_and_takes_no_points(
    session, make_member, coupon
):
    member = born_in(make_member)
    reward = birthday.give(session, member.id, now=JUNE)
    (order,) = orders_of(session, member)
    assert reward.order_id == order.id and reward.points == 0
    assert (order.points, order.points_for_cash, order.status) == (0, 0, "completed")
    assert session.scalar(select(GiftCode.code).where(GiftCode.order_id == order.id))
    assert session.get(type(coupon), coupon.id).stock == 1
    entries = select(func.count(LedgerEntry.id)).where(LedgerEntry.member_id == member.id)
    assert session.scalar(entries) == 0 and balances.balance(session, member.id, JUNE) == 0
    assert birthday.give(session, member.id, now=JUNE + timedelta(days=5)).already
    assert len(orders_of(session, member)) == 1
    next_year = birthday.give(session, member.id, now=JUNE.replace(year=2027))
    assert next_year.order_id and len(orders_of(session, member)) == 2
    assert audit(session) == []


def test_a_gift_given_is_not_a_first_redemption(session, make_member, coupon):
    member = born_in(make_member)
    birthday.give(session, member.id, now=JUNE)
    assert not shares.has_redeemed(session, member.id)


def test_no_gift_outside_the_birthday_month(session, make_member, coupon):
    member = born_in(make_member, month=7)
    assert birthday.give(session, member.id, now=JUNE).order_id is None
    assert orders_of(session, member) == []


def test_no_codes_left_writes_nothing_and_a_later_day_gives_it(session, make_member, coupon):
    member = born_in(make_member)
    codes = session.scalars(select(GiftCode).where(GiftCode.gift_id == coupon.id)).all()
    session.execute(delete(GiftCode).where(GiftCode.id.in_([c.id for c in codes])))
    reward = birthday.give(session, member.id, now=JUNE)
    assert reward.capped and reward.order_id is None
    assert orders_of(session, member) == [] and session.get(type(coupon), coupon.id).stock == 2
    assert session.scalar(select(func.count(TaskCompletion.id))) == 0
    session.add(GiftCode(gift_id=coupon.id, code="RESTOCKED"))
    assert birthday.give(session, member.id, now=JUNE + timedelta(days=1)).order_id


def test_the_job_gives_the_gift_and_tells_the_member(session, make_member, coupon):
    member, other = born_in(make_member), born_in(make_member, month=5)
    job = JOBS["birthdays"]
    assert sum(job.run(session, periods.start_of("daily", JUNE), JUNE)) == 1
    (order,) = orders_of(session, member)
    assert orders_of(session, other) == []
    note = session.scalar(select(Notification).where(Notification.member_id == member.id))
    assert note.kind == "birthday" and note.params["order_id"] == order.id
    assert note.params["gift"]["zh_Hans"] == "生日券"


def test_birthday_points_are_told_too(session, make_member):
    member = born_in(make_member)
    assert birthday.give(session, member.id, now=JUNE).points == 100
    note = session.scalar(select(Notification).where(Notification.member_id == member.id))
    assert (note.kind, note.params) == ("birthday", {"points": 100})
    birthday.give(session, member.id, now=JUNE + timedelta(days=1))  # already: no second one
    assert session.scalar(select(func.count(Notification.id))) == 1


def test_a_gift_given_does_not_change_the_value_of_a_point(session, make_member, coupon):
    member = born_in(make_member)
    birthday.give(session, member.id, now=JUNE)
    assert cost.average_value(session, JUNE - timedelta(days=1), JUNE + timedelta(days=1)) is None
    paid = factories.gift(session, points_price=1_000, cost_fen=20_000)
    session.add(Order(order_no="R1", request_key="k1", member_id=member.id, gift_id=paid.id,
                      qty=1, points=1_000, delivery="pickup", status="completed",
                      created_at=JUNE))  # fmt: skip
    session.flush()
    value = cost.average_value(session, JUNE - timedelta(days=1), JUNE + timedelta(days=1))
    assert value == Fraction(20_000, 1_000)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("birthday", "physical"), ("birthday", "service"), ("share_gift", "coupon")],
)
def test_only_the_birthday_gives_a_gift_and_only_a_coupon_or_virtual(session, code, kind):
    actor = factories.staff(session, "operator", "admin")
    gift = factories.gift(session, kind=kind)
    with pytest.raises(TaskSettingsError, match="birthday_gift"):
        settings.save_task(session, actor, code, 100, True, 0, now=JUNE, gift_id=gift.id)
    with pytest.raises(TaskSettingsError, match="birthday_gift"):
        settings.save_task(session, actor, "birthday", 100, True, 0, now=JUNE, gift_id=999_999)
    assert session.get(TaskRule, "birthday").gift_id is None


def test_operators_choose_the_gift_and_back_to_points(session, coupon):
    actor = factories.staff(session, "operator", "admin")
    assert (coupon.id, "生日券") in settings.birthday_gifts(session)
    settings.save_task(session, actor, "birthday", 100, True, 0, now=JUNE, gift_id=None)
    assert session.get(TaskRule, "birthday").gift_id is None
    settings.save_task(session, actor, "birthday", 100, True, 0, now=JUNE, gift_id=coupon.id)
    assert session.get(TaskRule, "birthday").gift_id == coupon.id

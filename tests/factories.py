"""Factories for catalogue objects used across tests."""

from datetime import timedelta

from app.models import FlashEvent, Gift, GiftCode, Shelf, Store


def store(session, code="SH001"):
    """A store (created once per code)."""
    found = session.query(Store).filter_by(code=code).one_or_none()
    if found:
        return found
    found = Store(code=code, name=f"Store {code}", city="上海")
    session.add(found)
    session.flush()
    return found


def gift(session, **fields):
    """A listed physical gift: 100 points, stock 10, no gate, no limit."""
    shelf = session.query(Shelf).filter_by(code="care").one_or_none()
    if shelf is None:
        shelf = Shelf(code="care", name="护肤", sort=1)
        session.add(shelf)
    values = {"kind": "physical", "name": "Serum", "points_price": 100, "stock": 10, "shelf": shelf}
    values.update(fields)
    item = Gift(**values)
    session.add(item)
    session.flush()
    if item.kind in ("coupon", "virtual"):
        session.add_all(
            GiftCode(gift_id=item.id, code=f"CODE-{item.id}-{n}") for n in range(item.stock)
        )
        session.flush()
    return item


def flash(session, now, *, stock=20, price=50, limit=1, starts=-1, hours=2, **gift_fields):
    """A flash event on a new gift, live from `starts` hours relative to now."""
    item = gift(session, **gift_fields)
    event = FlashEvent(
        gift=item,
        title="Flash",
        starts_at=now + timedelta(hours=starts),
        ends_at=now + timedelta(hours=starts + hours),
        points_price=price,
        stock=stock,
        initial_stock=stock,
        per_member_limit=limit,
    )
    session.add(event)
    session.flush()
    return event


def advisor(session, store_code="SH001", staff_id="A0001"):
    """An advisor bound to a store."""
    from app.models import User

    user = User(
        role="advisor",
        staff_id=staff_id,
        password_hash="x",
        store=store(session, store_code),
        display_name="王美琪",
    )
    session.add(user)
    session.flush()
    return user


def slot(session, now, *, gift_item=None, store_code="SH001", hours=24, capacity=2):
    """A service slot `hours` from now at a store."""
    from app.models import ServiceSlot

    item = gift_item or gift(session, kind="service", name="Facial", points_price=300)
    result = ServiceSlot(
        gift_id=item.id,
        store_id=store(session, store_code).id,
        starts_at=now + timedelta(hours=hours),
        ends_at=now + timedelta(hours=hours + 1),
        capacity=capacity,
    )
    session.add(result)
    session.flush()
    return result


def buy(session, member, fen, at, order_no="o1", lines=None, category="skincare"):
    """A paid POS order of `fen` at `at` at store SH001 (created if missing; one line of
    `category` unless lines are given)."""
    from app.services.points import purchases

    store(session, "SH001")  # the POS may only name stores that exist

    if lines is None:
        lines = [{"sku": "S", "category": category, "qty": 1, "paid_fen": fen}]
    body = {"order_no": order_no, "fen": fen, "lines": lines}
    return purchases.record_purchase(
        session,
        member,
        order_no=order_no,
        store_code="SH001",
        paid_fen=fen,
        paid_at=at,
        lines=lines,
        fingerprint=purchases.body_hash(body),
        now=at,
    ).order


def staff(session, role="operator", staff_id="admin", password="secret123"):
    """A console user (operator or finance) who can log in with `password`."""
    from app.models import User
    from app.services.accounts import accounts

    user = User(
        role=role,
        staff_id=staff_id,
        password_hash=accounts.hash_password(password),
        display_name=staff_id,
    )
    session.add(user)
    session.flush()
    return user

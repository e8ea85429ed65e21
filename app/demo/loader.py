"""Demo data: the brand's stores, the demo accounts of CONTRACT.md, a believable history."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import catalogue as demo_catalogue
from app.demo import flash_home as demo_flash_home
from app.demo import gift_library, loadtest
from app.demo import members_orders as demo_members_orders
from app.demo import rules as demo_rules
from app.demo.defaults import seed_defaults
from app.models import Store, User
from app.services.accounts import accounts, apikeys
from app.services.points import earning, purchases

PASSWORD = "demo1234"
DEMO_API_KEY = "demo-pos-key"
STORES = [
    ("SH001", "上海恒隆广场专柜", "上海"),
    ("BJ001", "北京国贸商城专柜", "北京"),
    ("GZ001", "广州太古汇专柜", "广州"),
]
STORE_NAMES = {  # en and zh_Hant (converted by hand)
    "SH001": {"en": "Plaza 66 counter, Shanghai", "zh_Hant": "上海恆隆廣場專櫃"},
    "BJ001": {"en": "China World Mall counter, Beijing", "zh_Hant": "北京國貿商城專櫃"},
    "GZ001": {"en": "Taikoo Hui counter, Guangzhou", "zh_Hant": "廣州太古匯專櫃"},
}
# phone, name, fen paid ~100 days ago (sets the tier through growth)
MEMBERS = [
    ("13800000000", "林小满", 0),
    ("13800000001", "周予安", 128_000),
    ("13800000002", "陈知夏", 560_000),
    ("13800000003", "许清欢", 2_150_000),
]


def _stores(session: Session) -> dict[str, Store]:
    have = {s.code: s for s in session.scalars(select(Store))}
    for code, name, city in STORES:
        if code not in have:
            have[code] = Store(code=code, name=name, city=city)
            session.add(have[code])
        if not have[code].names:  # a store loaded before it had translated names
            have[code].names = STORE_NAMES[code]
    session.flush()
    return have


def _staff(session: Session, stores: dict[str, Store], now: datetime) -> None:
    for staff_id, role, name, store in (
        ("A0001", "advisor", "王美琪", "SH001"),
        ("admin", "operator", "运营管理员", None),
        ("admin2", "operator", "运营主管", None),
        ("F0001", "finance", "财务专员", None),
    ):
        if not session.scalar(select(User.id).where(User.staff_id == staff_id)):
            session.add(
                User(
                    role=role,
                    staff_id=staff_id,
                    display_name=name,
                    created_at=now,
                    password_hash=accounts.hash_password(PASSWORD),
                    store=stores[store] if store else None,
                )
            )


def _member(session: Session, phone: str, name: str, paid_fen: int, now: datetime) -> None:
    if session.scalar(select(User.id).where(User.phone == phone)):
        return
    joined = now - timedelta(days=120)
    member = accounts.register(session, phone, PASSWORD, "", now=joined)
    member.name = name
    spent_at = now - timedelta(days=100)
    if paid_fen:
        body = {"order_no": f"DEMO-{phone}", "paid_fen": paid_fen}
        purchases.record_purchase(
            session,
            member,
            order_no=body["order_no"],
            store_code="SH001",
            paid_fen=paid_fen,
            paid_at=spent_at,
            lines=[{"sku": "YL-SERUM-50", "category": "skincare", "qty": 1, "paid_fen": paid_fen}],
            fingerprint=purchases.body_hash(body),
            now=spent_at,
        )
    # a few behaviour points that expire within the month, so /me has something to warn about
    earning.award_behaviour(
        session, member.id, "task", 60, f"demo-task:{member.id}", now=now - timedelta(days=80)
    )
    earning.sign_in(session, member.id, now - timedelta(days=1))


def load(session: Session, *, now: datetime) -> None:
    """Everything the demo needs; running it twice changes nothing."""
    seed_defaults(session)
    stores = _stores(session)
    _staff(session, stores, now)
    for phone, name, paid_fen in MEMBERS:
        _member(session, phone, name, paid_fen, now)
    demo_catalogue.load(session, now=now)
    demo_flash_home.load(session)
    gift_library.load(session)
    demo_rules.load(session, now=now)
    demo_members_orders.load(session, now=now)
    if not apikeys.check(session, DEMO_API_KEY):
        apikeys.create(session, "demo POS", now=now, key=DEMO_API_KEY)
    session.flush()


def load_members(session: Session, count: int, *, now: datetime, months: int = 0) -> int:
    """Load-test members 13900000001… (base tier, 10,000 points each; with `months`, a past over
    that many months) in one transaction; returns how many were new. `demo load` commits a
    chunk at a time instead (loadtest.batches)."""
    return sum(loadtest.batches(session, count, now=now, months=months))


def reset(session: Session) -> None:
    """Empty every table by rebuilding the schema through the migrations."""
    from flask_migrate import downgrade, upgrade

    session.rollback()
    session.close()
    downgrade(revision="base")
    upgrade()

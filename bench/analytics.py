"""Analytics at scale on PostgreSQL: N members and ≈ 10 transactions each (1 M → ≈ 10 M ledger
transactions), the rollups backfilled by the job, then the console home, the monthly analytics
page and the RFM recompute timed, with the direct scan of the ledger beside each page.

Everything is generated set-based (generate_series) in a schema of the bench's own, dropped
afterwards: members in four tiers, POS / counter purchases in 20 stores over 18 months with their
purchase credits and lots (year-end expiry), sign-ins, redemptions of gifts (some paying cash with
points), plain spends, expiries and refund claw-backs — real point_txns and point_lots, the rows
the rollups and the liability read. Ledger entries (one per transaction's lot) are not generated:
nothing the analytics read uses them.

    .venv/bin/python bench/analytics.py [--pg URL] [--members 1000000] [--skip-direct]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig, database_url  # noqa: E402
from app.demo.defaults import seed_defaults  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Gift, Shelf  # noqa: E402
from app.services.analytics import channels, cost, flows, overview, rfm, rollups  # noqa: E402
from app.timeutil import add_months, local_midnight, utcnow  # noqa: E402

SCHEMA = "bench_analytics"
TABLES = ("members", "pos_orders", "point_txns", "point_lots", "orders")
AGO = "now() - (random() * 540) * interval '1 day'"
TXN = "INSERT INTO point_txns (member_id, kind, source, points, debt_delta, idem_key, ref, memo, created_at) "  # noqa: E501
LOAD = [
    """INSERT INTO users (role, phone, display_name, password_hash, active, must_change_password,
       created_at) SELECT 'member', '19' || lpad(g::text, 9, '0'), '', 'x', true, false, now()
       FROM generate_series(1, :n) g""",
    """INSERT INTO members (user_id, member_no, name, referral_code, tier_id, debt, created_at)
       SELECT u.id, 'B' || lpad(u.id::text, 10, '0'), '', 'R' || lpad(u.id::text, 10, '0'),
       (SELECT id FROM tiers ORDER BY rank OFFSET (u.id % 4) LIMIT 1), 0, now()
       FROM users u WHERE u.role = 'member'""",
    # four purchases a member in 20 stores, one in three at the counter
    f"""INSERT INTO pos_orders (order_no, member_id, store_code, channel, paid_fen, paid_at,
       lines, body_hash, points_awarded, refunded_fen, points_reversed, created_at)
       SELECT 'O' || m.id || '-' || k, m.id, 'S' || lpad(((m.id * 7 + k) % 20)::text, 3, '0'),
       CASE WHEN k % 3 = 0 THEN 'counter' ELSE 'pos' END, p.fen, p.at, '[]', 'x', p.fen / 100,
       0, 0, p.at FROM members m, generate_series(1, 4) k,
       LATERAL (SELECT (1000 + random() * 300000)::int + k * 0 AS fen, {AGO} + k * interval '0' AS at) p""",  # noqa: E501
    TXN
    + """SELECT member_id, 'earn', 'purchase', points_awarded, 0, 'p:' || order_no,
       'order:' || order_no, '', paid_at FROM pos_orders""",
    TXN
    + f"""SELECT m.id, 'earn', 'signin', 5 + k, 0, 's:' || m.id || ':' || k, '', '', {AGO}
       FROM members m, generate_series(1, 3) k""",
    """INSERT INTO orders (order_no, request_key, member_id, gift_id, qty, points, cash_fen,
       points_for_cash, cash_due_fen, delivery, status, created_at)
       SELECT 'G' || m.id, 'k' || m.id, m.id, g.id, 1, 500, 0,
       CASE WHEN m.id % 4 = 0 THEN 100 ELSE 0 END, 0, 'ship', 'completed',
       now() - (random() * 540) * interval '1 day'
       FROM members m JOIN gifts g ON g.id = (SELECT min(id) FROM gifts) + m.id % 3
       WHERE m.id % 2 = 0""",
    TXN
    + """SELECT member_id, 'redeem', NULL, -(points + points_for_cash), 0, 'r:' || order_no,
       'redeem:' || order_no, '', created_at FROM orders""",
    TXN
    + f"""SELECT m.id, 'spend', NULL, -(50 + k * 20), 0, 'd:' || m.id || ':' || k, '', '',
       {AGO} FROM members m, generate_series(1, 2) k""",
    TXN
    + f"""SELECT m.id, 'expire', 'signin', -(m.id % 40 + 1), 0, 'e:' || m.id, '', '', {AGO}
       FROM members m WHERE m.id % 3 = 0""",
    TXN
    + """SELECT member_id, 'clawback', NULL, -(points_awarded / 2 + 1), 0, 'c:' || order_no,
       'order:' || order_no, '', paid_at + interval '3 days' FROM pos_orders
       WHERE member_id % 10 = 0 AND order_no LIKE '%-1'""",
    # a lot per purchase credit, expiring at the end of the year after the earning year
    """INSERT INTO point_lots (member_id, source, points, remaining, earned_at, available_at,
       expires_at, ref) SELECT member_id, 'purchase', points, (random() * points)::int,
       created_at, created_at, (date_trunc('year', created_at AT TIME ZONE 'Asia/Shanghai')
       + interval '2 years') AT TIME ZONE 'Asia/Shanghai', ref
       FROM point_txns WHERE kind = 'earn' AND source = 'purchase'""",
]


def load(n: int) -> dict[str, int]:
    """Build the schema and default rules, then `n` members with their history; row counts."""
    db.create_all()
    seed_defaults(db.session)
    shelf = Shelf(code="care", name="护肤", sort=1)
    db.session.add(shelf)
    for kind in ("physical", "coupon", "virtual"):
        db.session.add(Gift(kind=kind, name=kind, points_price=500, stock=10, shelf=shelf,
                            cost_fen=90_000))  # fmt: skip
    db.session.flush()
    for sql in LOAD:
        started = time.perf_counter()
        db.session.execute(text(sql), {"n": n})
        print(f"  {sql.split()[2]:<12} {time.perf_counter() - started:7.1f} s", flush=True)
    db.session.commit()
    vacuum()
    return counts()


def vacuum() -> None:
    """VACUUM ANALYZE the bench's tables, as autovacuum would after a bulk load."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (*TABLES, "points_daily"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def counts() -> dict[str, int]:
    """The rows the bench made."""
    return {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}


def timed(label: str, work) -> float:
    """Run `work()` (then roll back what it read), print and return the seconds it took."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    db.session.rollback()
    print(f"{label:<52}{seconds:>8.2f} s", flush=True)
    return seconds


def home(direct: bool):
    """What the console home reads (app/blueprints/admin/home.py)."""
    now = utcnow()
    this = flows.current_month(now)
    overview.totals(db.session, now, direct=direct)
    cost.liability(db.session, now, direct=direct)
    cost.health(db.session, now, direct=direct)
    flows.monthly(db.session, add_months(this, -1), this, direct=direct)


def analytics(direct: bool):
    """What /admin/analytics reads (app/blueprints/admin/analytics.py), the last 12 months."""
    now = utcnow()
    last = flows.current_month(now)
    first = add_months(last, -11)
    since, until = local_midnight(first), local_midnight(add_months(last, 1))
    cost.liability(db.session, now, direct=direct)
    flows.monthly(db.session, first, last, direct=direct)
    flows.outstanding(db.session, since, direct=direct)
    channels.by_channel(db.session, since, until, direct=direct)
    channels.by_sink(db.session, since, until, direct=direct)
    cost.health(db.session, now, direct=direct)
    cost.expiring_by_month(db.session, now)
    channels.past_expiry(db.session, now)


def backfill() -> None:
    """The rollups job's first run over the whole ledger (a commit per batch)."""
    for _ in rollups.run(db.session, utcnow(), utcnow()):
        db.session.commit()


def measure(opts) -> None:
    """Load (unless reusing), backfill, then time the pages (cold, then warm) and the RFM."""
    started = time.perf_counter()
    rows = counts() if opts.reuse else load(opts.members)
    print(f"{rows} in {time.perf_counter() - started:.1f} s", flush=True)
    if not opts.reuse:
        timed("rollups job: first run (backfill)", backfill)
        vacuum()
    timed("rollups job: next run (nothing new)", backfill)
    for _ in range(2):  # the second is warm
        timed("console home (rollups)", lambda: home(False))
        if not opts.skip_direct:
            timed("console home (direct scan)", lambda: home(True))
        timed("monthly analytics page (rollups)", lambda: analytics(False))
        if not opts.skip_direct:
            timed("monthly analytics page (direct scan)", lambda: analytics(True))
    timed("RFM recompute", lambda: (rfm.recompute(db.session, utcnow()), db.session.commit()))


def main() -> None:
    """Load, time, report, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--reuse", action="store_true", help="time a kept schema, no load")
    parser.add_argument(
        "--skip-direct", action="store_true", help="no direct scans (minutes each at 1 M)"
    )
    opts = parser.parse_args()
    if not opts.pg:
        parser.error("give --pg URL or set TEST_DATABASE_URL (a PostgreSQL database)")
    url = database_url(opts.pg)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    if not opts.reuse:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    try:
        with app.app_context():
            measure(opts)
            db.session.remove()
    finally:
        if not opts.keep:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()

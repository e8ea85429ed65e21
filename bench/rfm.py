"""RFM recompute at scale on PostgreSQL: bulk-load N members with purchases, time the recompute.

The members, orders (≈ 3 a buyer over 18 months, some refunded), point lots and redemptions are
generated set-based (generate_series) in a schema of the bench's own, dropped afterwards, so it
never touches the tables a test run in the same database uses. Times `rfm.recompute` (twice: the
first into an empty table, then replacing every row, as the nightly job does) and the segments
page's reads.

    .venv/bin/python bench/rfm.py [--pg URL] [--members 50000]
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
from app.services.analytics import rfm, segments  # noqa: E402
from app.services.console.tables import page_of  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

SCHEMA = "bench_rfm"
LOAD = [
    """INSERT INTO users (role, phone, display_name, password_hash, active, must_change_password,
       created_at) SELECT 'member', '19' || lpad(g::text, 9, '0'), '', 'x', true, false, now()
       FROM generate_series(1, :n) g""",
    """INSERT INTO members (user_id, member_no, name, referral_code, tier_id, debt, created_at)
       SELECT u.id, 'B' || lpad(u.id::text, 10, '0'), '', 'R' || lpad(u.id::text, 10, '0'),
       (SELECT id FROM tiers ORDER BY rank LIMIT 1), 0, now()
       FROM users u WHERE u.role = 'member'""",
    # four in five members buy: 1–6 orders over the last 18 months, one order in 25 refunded
    """INSERT INTO pos_orders (order_no, member_id, store_code, channel, paid_fen, paid_at, lines,
       body_hash, points_awarded, refunded_fen, points_reversed, created_at)
       SELECT 'O' || m.id || '-' || k, m.id, 'SH001', CASE WHEN k % 3 = 0 THEN 'counter' ELSE 'pos'
       END, p.fen, now() - (random() * 540) * interval '1 day', '[]', 'x', p.fen / 100,
       CASE WHEN random() < 0.04 THEN p.fen ELSE 0 END, 0, now()
       FROM members m, LATERAL generate_series(1, 1 + (random() * 5)::int + m.id * 0) k,
       LATERAL (SELECT (1000 + random() * 300000)::int + k * 0 AS fen) p
       WHERE m.id % 5 <> 0""",
    """INSERT INTO point_lots (member_id, source, points, remaining, earned_at, available_at,
       expires_at, ref) SELECT m.id, 'purchase', 5000, (random() * 5000)::int, now() - interval
       '30 days', now() - interval '30 days', now() + interval '300 days', '' FROM members m""",
    """INSERT INTO orders (order_no, request_key, member_id, gift_id, qty, points, cash_fen,
       points_for_cash, cash_due_fen, delivery, status, created_at)
       SELECT 'G' || m.id, 'k' || m.id, m.id, :gift, 1, 500, 0, 0, 0, 'ship',
       CASE WHEN m.id % 7 = 0 THEN 'cancelled' ELSE 'completed' END,
       now() - (random() * 400) * interval '1 day' FROM members m WHERE m.id % 3 = 0""",
]


def load(n: int) -> dict[str, int]:
    """Build the schema and default rules, then `n` members with their history; row counts."""
    db.create_all()
    seed_defaults(db.session)
    shelf = Shelf(code="care", name="护肤", sort=1)
    gift = Gift(kind="physical", name="Serum", points_price=500, stock=10, shelf=shelf)
    db.session.add_all([shelf, gift])
    db.session.flush()
    for sql in LOAD:
        db.session.execute(text(sql), {"n": n, "gift": gift.id})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    return {
        t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
        for t in ("members", "pos_orders", "point_lots", "orders")
    }


def timed(label: str, work) -> float:
    """Run `work()`, print and return the seconds it took."""
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"{label:<44}{seconds:>8.2f} s   {result if isinstance(result, int) else ''}")
    return seconds


def recompute() -> int:
    """One recompute as the job runs it: a transaction, committed."""
    count = rfm.recompute(db.session, utcnow())
    db.session.commit()
    return count


def main() -> None:
    """Load, time, report, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--members", type=int, default=50_000)
    opts = parser.parse_args()
    if not opts.pg:
        parser.error("give --pg URL or set TEST_DATABASE_URL (a PostgreSQL database)")
    url = database_url(opts.pg)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    try:
        with app.app_context():
            started = time.perf_counter()
            counts = load(opts.members)
            print(f"loaded {counts} in {time.perf_counter() - started:.1f} s")
            timed("recompute (empty table)", recompute)
            timed("recompute (replacing every row)", recompute)
            timed("segments page: summary", lambda: segments.summary(db.session).members)
            stmt = segments.members_query("random")
            sorts = {"monetary": db.metadata.tables["member_segments"].c.monetary_fen}
            timed("segments page: a page of members", lambda: page_of(
                db.session, stmt, sorts=sorts, sort="monetary", desc=True, page=1, scalars=False
            ).total)  # fmt: skip
            db.session.remove()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()

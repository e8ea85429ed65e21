"""Load-test members 13900000001… in bulk: base tier and 10,000 points each, or, with a history,
a plausible past over some months (app/demo/history.py). Idempotent: a phone already there is
skipped, with its history (a member and their past are written in the same chunk)."""

import multiprocessing
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.demo import bulk
from app.demo.calendar import Calendar
from app.demo.history import CATEGORIES, History
from app.demo.ledger_rows import Account
from app.models import Gift, Member, Store, User
from app.services.accounts import accounts
from app.services.points.ledger import expiry_for
from app.services.points.rules import rules_at
from app.timeutil import add_months, local_date

CHUNK = 10_000  # members per transaction
PHONE_PREFIX = "139"
TABLES = (
    "users", "members", "pos_orders", "point_lots", "point_txns", "ledger_entries",
    "growth_events", "tier_changes", "signins", "orders", "order_events", "pos_refunds",
)  # fmt: skip
WITH_IDS = ("users", "members", "point_lots", "point_txns", "pos_orders", "orders")
USER = ("id", "role", "phone", "display_name", "password_hash", "active", "must_change_password",
        "created_at")  # fmt: skip
MEMBER = ("id", "user_id", "member_no", "name", "referral_code", "tier_id", "debt", "created_at")
CODE_SPACE = 32**6  # six characters of the 32-letter referral alphabet
CODE_STEP = 0x2E5BF271  # odd: multiplying by it permutes the code space


def phone(n: int) -> str:
    """The n-th load-test phone number (1-based)."""
    return f"{PHONE_PREFIX}{n:08d}"


def referral_code(member_id: int) -> str:
    """A code that looks random and is unique per member id (a permutation of the space)."""
    value, chars = member_id * CODE_STEP % CODE_SPACE, []
    for _ in range(6):
        value, digit = divmod(value, 32)
        chars.append(accounts.REFERRAL_ALPHABET[digit])
    return "".join(chars)


class Loader:
    """What every chunk shares: the one password hash, id reservations, the history's world."""

    def __init__(self, session: Session, *, now: datetime, months: int = 0):
        self.session, self.now, self.months = session, now, months
        self.password_hash = accounts.hash_password("demo1234")  # argon2 once, not per member
        self.ids = {table: bulk.Ids(session, table) for table in WITH_IDS}
        self.rows = bulk.Rows()
        rules = rules_at(session, now)
        self.base = rules.ladder()[0]
        self.adjustment = (expiry_for(rules.source("adjustment"), now), 0)
        self.history = self._history() if months else None

    def _history(self) -> History:
        today = local_date(self.now)
        cal = Calendar(self.session, add_months(today, -self.months), self.now, today, CATEGORIES)
        stores = self.session.execute(
            select(Store.id, Store.code).where(Store.closed_at.is_(None)).order_by(Store.id)
        ).all()
        gifts = [
            (g.id, g.points_price)
            for g in self.session.scalars(select(Gift).order_by(Gift.id))
            if g.kind == "physical" and not g.cash_fen and not g.tier_codes and not g.limit_count
            and g.points_price > 0 and (g.listed_at is None or g.listed_at <= self.now)
            and g.delisted_at is None
        ]  # fmt: skip
        if not stores:
            raise ValueError("a history needs stores: run demo load first")
        return History(cal, self.rows, self.ids, stores, gifts, self.base, self.months)

    def chunk(self, first: int, last: int) -> int:
        """Members `first`…`last` that are not there yet, with their past; how many."""
        wanted = [phone(n) for n in range(first, last + 1)]
        have = set(self.session.scalars(
            select(User.phone).where(User.phone >= wanted[0], User.phone <= wanted[-1])
        ))  # fmt: skip
        new = [p for p in wanted if p not in have]
        if not new:
            return 0
        bulk.without_triggers(self.session)
        people = [(p, self.ids["users"](), self.ids["members"]()) for p in new]
        codes = self._codes([member_id for _, _, member_id in people])
        for number, user_id, member_id in people:
            self._member(number, user_id, member_id, codes[member_id])
        self.rows.write(self.session, TABLES)
        return len(new)

    def _member(self, number: str, user_id: int, member_id: int, code: str) -> None:
        member_no = f"{10_000_000 + member_id}"
        if self.history is None:
            joined = self.now
            acct = Account(self.rows, self.ids, member_id, self.base)
            acct.credit("adjustment", 10_000, f"loadtest:{number}", joined, self.adjustment)
            acct.write_lots()
        else:
            joined = self.history.joined(member_id)
            acct = self.history.member(member_id, number, member_no, joined)
        self.rows.add("users", USER, (user_id, "member", number, "", self.password_hash, True,
                                      False, joined))  # fmt: skip
        self.rows.add("members", MEMBER, (member_id, user_id, member_no, "", code,
                                          acct.tier.id, acct.debt, joined))  # fmt: skip

    def _codes(self, member_ids: list[int]) -> dict[int, str]:
        """Referral codes for new members; one already taken (a registered member's random
        code) is replaced by a fresh random one."""
        codes = {member_id: referral_code(member_id) for member_id in member_ids}
        taken = set(self.session.scalars(
            select(Member.referral_code).where(Member.referral_code.in_(codes.values()))
        ))  # fmt: skip
        for member_id, code in codes.items():
            while code in taken:
                code = accounts.new_referral_code(self.session)
            codes[member_id] = code
            taken.add(code)
        return codes

    def after_commit(self) -> None:
        """A chunk was committed: SQLite's ids are read again for the next one."""
        for ids in self.ids.values():
            ids.sync()


def batches(session: Session, count: int, *, now: datetime, months: int = 0) -> Iterator[int]:
    """Load members 1…count a chunk at a time, yielding how many each chunk created; the caller
    commits after every yield. On PostgreSQL the tables are analysed at the end."""
    loader = Loader(session, now=now, months=months)
    for first in range(1, count + 1, CHUNK):
        yield loader.chunk(first, min(first + CHUNK - 1, count))
        loader.after_commit()
    if session.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            session.execute(text(f"ANALYZE {table}"))


_worker: dict = {}


def _start_worker(app, now: datetime, months: int) -> None:
    """A forked worker: its own app context, connections and loader."""
    from app.extensions import db

    _worker["context"] = context = app.app_context()
    context.push()
    db.engine.dispose(close=False)  # the parent's pooled connections are not ours to use
    _worker["loader"] = Loader(db.session, now=now, months=months)


def _worker_chunk(span: tuple[int, int]) -> int:
    from app.extensions import db

    loader = _worker["loader"]
    try:
        created = loader.chunk(*span)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    loader.after_commit()
    return created


def load_parallel(app, count: int, *, now: datetime, months: int, workers: int) -> int:
    """`batches` in forked worker processes on PostgreSQL, a chunk (and a commit) at a time each;
    how many members were created. The ids come from the sequences, so workers never clash."""
    from app.extensions import db

    spans = [(first, min(first + CHUNK - 1, count)) for first in range(1, count + 1, CHUNK)]
    db.session.commit()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _start_worker, (app, now, months)) as pool:
        created = sum(pool.imap_unordered(_worker_chunk, spans))
    for table in TABLES:
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    return created

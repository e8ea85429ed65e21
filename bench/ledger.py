"""Ledger throughput: earn+spend pairs per second on SQLite and PostgreSQL, and the overdraw race.

Every credit and every debit is its own transaction, as a request would make it. PostgreSQL comes
from --pg or TEST_DATABASE_URL; the bench builds its tables in a schema of its own and drops it
afterwards, so it never touches the tables a test run in the same database is using.

    .venv/bin/python bench/ledger.py [--pg URL] [--pairs 2000] [--members 50] [--threads 4]
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig, database_url  # noqa: E402
from app.demo.defaults import seed_defaults  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import accounts  # noqa: E402
from app.services.points import balances, ledger
from app.services.points.audit import audit  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

RACERS = 20  # threads in the overdraw race: 20 spends of 10 against 100 points
WAIT = 60  # seconds before a stuck barrier fails the race instead of hanging it


@dataclass(frozen=True)
class Run:
    """One timed batch of earn+spend pairs."""

    backend: str
    threads: int
    pairs: int
    seconds: float
    problems: int

    def row(self) -> str:
        """A line of the throughput table."""
        ops = 2 * self.pairs / self.seconds
        audit_ok = "ok" if not self.problems else f"{self.problems} problem(s)"
        return (
            f"{self.backend:<11}{self.threads:>8}{self.pairs:>8}{self.seconds:>9.2f}"
            f"{ops:>9.0f}{self.pairs / self.seconds:>9.0f}   {audit_ok}"
        )


def make_app(url: str, schema: str | None = None):
    """An app on `url` with a connection per racing thread (and a private schema on PostgreSQL)."""
    options: dict = {"pool_size": RACERS + 2, "max_overflow": 0, "pool_timeout": WAIT}
    if schema:
        options["connect_args"] = {"options": f"-csearch_path={schema}"}
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)


def open_accounts(app, members: int) -> list[int]:
    """Build the schema, the default rules and `members` members; their ids."""
    with app.app_context():
        db.create_all()
        seed_defaults(db.session)
        now = utcnow()
        ids = [
            accounts.create_member(db.session, f"139{n:08d}", "x", now=now, password_hash="x").id
            for n in range(members)
        ]
        db.session.commit()
        return ids


def earn_and_spend(session, member: int, key: str) -> None:
    """Credit 10 purchase points, then spend them: two transactions."""
    ledger.credit(session, member, "purchase", 10, f"earn:{key}", now=utcnow())
    session.commit()
    ledger.debit(session, member, 10, f"spend:{key}", now=utcnow())
    session.commit()


def timed_pairs(app, backend: str, members: list[int], pairs: int, threads: int) -> Run:
    """Run `pairs` earn+spend pairs, each thread on members of its own, round-robin."""

    # Threads never share a member here: a pair's spend could otherwise meet a lot credited by
    # another thread after this spend's `now`, not yet available to it. The race covers sharing.
    def work(part: int) -> None:
        mine = members[part::threads]
        with app.app_context():
            for n, i in enumerate(range(part, pairs, threads)):
                earn_and_spend(db.session, mine[n % len(mine)], f"t{threads}:{i}")
            db.session.remove()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work, part) for part in range(threads)]:
            future.result()
    seconds = time.perf_counter() - started
    with app.app_context():
        problems = len(audit(db.session))
        db.session.remove()
    return Run(backend, threads, pairs, seconds, problems)


def overdraw_race(app, member: int) -> tuple[int, int, int, int]:
    """20 threads spend 10 of the member's 100 points at once: (ok, refused, balance, problems)."""
    with app.app_context():
        ledger.credit(db.session, member, "adjustment", 100, "race:fund", now=utcnow())
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(RACERS, timeout=WAIT)

    def spend(i: int) -> bool:
        with app.app_context():
            barrier.wait()
            try:
                ledger.debit(db.session, member, 10, f"race:{i}", now=utcnow())
                db.session.commit()
                return True
            except ledger.InsufficientPoints:
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        won = sum(pool.map(spend, range(RACERS)))
    with app.app_context():
        balance, problems = balances.balance(db.session, member, utcnow()), len(audit(db.session))
        db.session.remove()
    return won, RACERS - won, balance, problems


def bench(app, backend: str, args) -> tuple[list[tuple], tuple]:
    """Throughput with one thread and with --threads, then the overdraw race (as plain tuples)."""
    members = open_accounts(app, args.members)
    runs = [timed_pairs(app, backend, members, args.pairs, n) for n in (1, args.threads)]
    race = overdraw_race(app, members[0])
    with app.app_context():
        db.engine.dispose()
    return [astuple(run) for run in runs], race


def bench_sqlite(args):
    """The bench on a temporary SQLite file (WAL, BEGIN IMMEDIATE: writers queue)."""
    with tempfile.TemporaryDirectory() as folder:
        return bench(make_app(f"sqlite:///{folder}/bench.db"), "sqlite", args)


def bench_postgres(args):
    """The bench in a private schema of the PostgreSQL database, dropped afterwards."""
    url, schema = database_url(args.pg), f"bench_ledger_{os.getpid()}"
    admin = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as error:
        print(f"postgresql: skipped, nothing answers at {url} ({error.orig})")
        return None
    try:
        return bench(make_app(url, schema), "postgresql", args)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> int:
    """Run the benches and print the tables; exit 1 if a race or an audit went wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    benches = [bench_sqlite]
    if args.pg:
        benches.append(bench_postgres)
    else:
        print("postgresql: skipped, give --pg URL or set TEST_DATABASE_URL")
    results = []
    for one in benches:
        # A fresh interpreter per backend: create_app adds the append-only trigger DDL to the
        # shared metadata once per app, so a second create_all in one process repeats it.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            if result := pool.submit(one, args).result():
                results.append(([Run(*run) for run in result[0]], result[1]))
    print(f"\n{args.pairs} earn+spend pairs over {args.members} members, one transaction each")
    print(
        f"{'backend':<11}{'threads':>8}{'pairs':>8}{'seconds':>9}{'ops/s':>9}{'pairs/s':>9}   audit"
    )
    for runs, _ in results:
        print("\n".join(run.row() for run in runs))
    print(f"\n{RACERS} threads each spending 10 of one member's 100 points at once")
    print(f"{'backend':<11}{'succeeded':>10}{'refused':>9}{'balance':>9}   audit")
    good = True
    for runs, (won, refused, balance, problems) in results:
        audit_ok = "ok" if not problems else f"{problems} problem(s)"
        print(f"{runs[0].backend:<11}{won:>10}{refused:>9}{balance:>9}   {audit_ok}")
        good &= (won, balance, problems) == (10, 0, 0) and not any(r.problems for r in runs)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

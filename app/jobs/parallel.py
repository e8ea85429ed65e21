"""The expiry job's batches on several connections at once (PostgreSQL).

Each batch is a transaction of its own, in a worker thread's own session, committed there. The
batches' member ranges are disjoint and `expiry.lock_due` locks members in id order, then their
lots, so concurrent batches never wait on (or deadlock with) each other. SQLite serializes writes:
there, and with one worker, the batches run one after another on the caller's session.
"""

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from functools import partial

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.services.points import expiry


def expire_points(
    session: Session,
    as_of: datetime,
    *,
    now: datetime,
    batch: int | None = None,
    workers: int | None = None,
) -> Iterator[int]:
    """`expiry.expire_in_batches` on `workers` (default EXPIRY_WORKERS) connections at once,
    yielding each batch's lots in this thread as it commits; the caller commits after every
    yield as before (its own session holds nothing of the batches).

    Closing the generator (the scheduler's stop) submits no more batches and waits for the
    running ones; a batch's error is raised here once the batches in flight have finished.
    """
    workers = workers or current_app.config["EXPIRY_WORKERS"]
    engine = session.get_bind().engine
    if workers <= 1 or engine.dialect.name == "sqlite":
        yield from expiry.expire_in_batches(session, as_of, now=now, batch=batch)
        return
    ranges = iter(expiry.member_ranges(session, batch or expiry.BATCH))
    work = partial(_batch, current_app._get_current_object(), engine, as_of, now)
    with ThreadPoolExecutor(workers, thread_name_prefix="expire-points") as pool:
        yield from _in_turn(pool, work, ranges, workers)


def _in_turn(pool: ThreadPoolExecutor, work, ranges, workers: int) -> Iterator[int]:
    """`work(members)` for each range, never more than `workers` in flight (a stop waits for
    few); each result as it comes, an error once the batches in flight have finished."""
    running: set[Future] = set()

    def submit() -> None:
        if (members := next(ranges, None)) is not None:
            running.add(pool.submit(work, members))

    for _ in range(workers):
        submit()
    while running:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        running.difference_update(finished)
        for future in finished:
            if future.exception() is not None:
                wait(running)  # the batches in flight finish (and commit) first
                raise future.exception()
            submit()
            yield future.result()


def _batch(app: Flask, engine: Engine, as_of: datetime, now: datetime, members) -> int:
    """One batch in a session of its own, committed here (rolled back on error)."""
    with app.app_context(), Session(bind=engine) as session:
        try:
            lots = expiry.expire(session, as_of, now=now, members=members)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return lots

"""Fire callables at the same moment from real threads, each in its own app context and session."""

import threading
from concurrent.futures import ThreadPoolExecutor

from app.extensions import db
from app.services.mall.errors import RedeemError


def race(app, jobs, workers: int = 50) -> list[str]:
    """Run every job (a callable taking no argument) at once; 'ok' or the RedeemError code each."""
    barrier = threading.Barrier(min(len(jobs), workers))

    def run(job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass  # more jobs than workers: later ones simply start as soon as they can
            try:
                job()
                db.session.commit()
                return "ok"
            except RedeemError as exc:
                db.session.rollback()
                return exc.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=min(len(jobs), workers)) as pool:
        return list(pool.map(run, jobs))

"""One way to finish a request or command that writes: commit once, or roll back everything."""

from contextlib import contextmanager

from app.engine import write_intent
from app.extensions import db


@contextmanager
def committing():
    """Commit once when the block succeeds; on any exception roll back, then let it propagate.

    Views catch the domain error *outside* the block, so the page they render next sees the
    database as it was before the attempt (no half-written order, no stale stock).
    """
    try:
        yield db.session
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@contextmanager
def committing_after_reads(*, keep_loaded: bool = False):
    """`committing()` in a transaction of its own that takes the write lock at BEGIN, for a view
    marked `engine.reads_first` once its reads have decided that it writes.

    `keep_loaded`: what the block loaded and wrote is not expired by the commit, so an answer
    made from it afterwards (a flash win's card) sends no statement to read it back."""
    db.session.commit()  # nothing was written yet: this only ends the reading transaction
    own = db.session()  # the session itself (the scoped proxy does not take attributes)
    expiring = own.expire_on_commit
    own.expire_on_commit = expiring and not keep_loaded
    try:
        with write_intent(), committing() as session:
            yield session
    finally:
        own.expire_on_commit = expiring

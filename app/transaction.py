"""One way to finish a request or command that writes: commit once, or roll back everything."""

from contextlib import contextmanager

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

"""`committing_after_reads(keep_loaded=True)`: the commit keeps what the block loaded, once."""

from app.extensions import db
from app.models import Store
from app.transaction import committing_after_reads
from tests import factories


def test_the_commit_keeps_what_was_loaded_and_the_session_expires_again_after(session):
    store = factories.store(session, "KL001")
    session.commit()
    with committing_after_reads(keep_loaded=True):
        store = db.session.get(Store, store.id)
        store.city = "Hangzhou"
    assert "city" in vars(store)  # still loaded: reading it sends nothing
    assert db.session().expire_on_commit  # restored on the session itself, not its proxy
    with committing_after_reads():
        db.session.get(Store, store.id).city = "Suzhou"
    assert "city" not in vars(store)  # an ordinary commit expires it again

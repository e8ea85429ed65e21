"""The signed-in user as every request loads it: one Core row into read-only objects."""

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Member, Notification, User
from app.services.accounts import sessions, signed_in
from app.services.accounts.signed_in import SignedInMember, SignedInUser
from tests import factories


def _load(session, user, now):
    sid = sessions.open_session(session, user, now=now)
    session.commit()
    return sid, signed_in.load(session, user.id, sid)


def test_a_member_comes_as_plain_objects_with_every_column(session, member_user, now):
    for subject, read_at in (("gift:1", None), ("gift:2", now)):
        session.add(Notification(member_id=member_user.id, kind="on_sale", subject=subject,
                                 occasion="d1", created_at=now, read_at=read_at))  # fmt: skip
    user = member_user.user
    _, loaded = _load(session, user, now)
    assert isinstance(loaded, SignedInUser) and isinstance(loaded.member, SignedInMember)
    for column in User.__table__.columns:
        assert getattr(loaded, column.key) == getattr(user, column.key), column.key
    for column in Member.__table__.columns:
        assert getattr(loaded.member, column.key) == getattr(member_user, column.key), column.key
    assert loaded.member.tier.code == member_user.tier.code
    assert loaded.member.tier.display_name("en") == member_user.tier.display_name("en")
    assert loaded.member.unread_notifications == 1
    assert loaded.member.user is loaded
    assert loaded.get_id() == str(user.id) and loaded.is_authenticated and not loaded.is_staff


def test_it_is_read_only_and_record_is_the_orm_row(session, member_user, now):
    _, loaded = _load(session, member_user.user, now)
    with pytest.raises(AttributeError, match="read-only"):
        loaded.member.name = "someone else"
    with pytest.raises(AttributeError, match="read-only"):
        loaded.role = "operator"
    assert loaded.member.record(session) is session.get(Member, member_user.id)
    assert loaded.record(session) is session.get(User, member_user.user_id)


def test_it_is_one_statement(session, member_user, now):
    user_id = member_user.user_id
    sid = sessions.open_session(session, member_user.user, now=now)
    session.commit()
    session.expunge_all()  # nothing left in the identity map to answer from
    sent = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        signed_in.load(session, user_id, sid)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [s for s in sent if not s.startswith("BEGIN")] == [sent[-1]] and len(sent) <= 2


def test_staff_get_the_orm_user(session, now):
    operator = factories.staff(session)
    _, loaded = _load(session, operator, now)
    assert isinstance(loaded, User) and loaded.id == operator.id and loaded.is_staff


def test_an_ended_or_disabled_session_loads_nobody(session, member_user, now):
    sid, _ = _load(session, member_user.user, now)
    assert signed_in.load(session, member_user.user_id, "not-" + sid) is None
    assert signed_in.load(session, member_user.user_id + 1, sid) is None
    member_user.user.active = False
    session.commit()
    assert signed_in.load(session, member_user.user_id, sid) is None
    member_user.user.active = True
    sessions.close_session(session, sid)
    session.commit()
    assert signed_in.load(session, member_user.user_id, sid) is None

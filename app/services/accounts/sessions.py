"""Signed-in sessions held on the server: the cookie only names one, so ending it is final.

Logging out closes the browser's own session; a new password, a disabled account or "sign out
everywhere" close all of an account's sessions, and a cookie copied before then stops working.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import User, UserSession
from app.services.accounts import signed_in
from app.services.accounts.signed_in import SignedInUser

MAX_PER_USER = 10  # a new sign-in closes the oldest sessions beyond this many


def open_session(session: Session, user: User, *, now: datetime) -> str:
    """A new session for `user`; returns the id the cookie keeps."""
    sid = secrets.token_urlsafe(32)
    session.add(UserSession(id=sid, user_id=user.id, created_at=now))
    session.flush()
    newest = (
        select(UserSession.id)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc(), UserSession.id)
        .limit(MAX_PER_USER)
    )
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id.not_in(newest)),
        execution_options={"synchronize_session": False},
    )
    return sid


def user_for(session: Session, user_id: int, sid: str | None) -> SignedInUser | User | None:
    """The active user whose open session `sid` is, else None (`signed_in.load`)."""
    if not sid:
        return None
    return signed_in.load(session, user_id, sid)


def close_session(session: Session, sid: str) -> None:
    """End one session (logging out)."""
    session.execute(
        delete(UserSession).where(UserSession.id == sid),
        execution_options={"synchronize_session": False},
    )


def end_sessions(session: Session, user: User, *, keep: str | None = None) -> int:
    """End every session of `user` (but `keep`, the caller's own, if given); returns how many."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    return session.execute(stmt, execution_options={"synchronize_session": False}).rowcount


def prune(session: Session, now: datetime, lifetime: timedelta) -> int:
    """Delete sessions opened longer ago than the cookie can live (nobody can use them)."""
    stmt = delete(UserSession).where(UserSession.created_at < now - lifetime)
    return session.execute(stmt, execution_options={"synchronize_session": False}).rowcount

"""POS API keys: created once, stored as SHA-256, checked in constant time by hash lookup."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cache import cached
from app.models import ApiKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, name: str, *, now: datetime, key: str | None = None) -> str:
    """Store a new key (random unless given) and return it; it is never shown again."""
    key = key or "pm_" + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, prefix=key[:8], key_hash=_digest(key), created_at=now))
    session.flush()
    return key


def is_live(session: Session, key: str) -> bool:
    """Whether `key` is a live key: read from the shared cache (a key created or revoked
    through the ORM bumps its stamp), so a POS request costs no query for it."""
    return _digest(key) in cached("api-keys", lambda: _live_digests(session), session)


def _live_digests(session: Session) -> frozenset[str]:
    stmt = select(ApiKey.key_hash).where(ApiKey.revoked_at.is_(None))
    return frozenset(session.scalars(stmt))


def check(session: Session, key: str) -> ApiKey | None:
    """The live key matching `key`, if any."""
    found = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key)))
    return found if found and found.revoked_at is None else None

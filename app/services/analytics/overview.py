"""Points analytics for operators: the member count and the lifetime figures (from the rollups)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Member
from app.services.analytics import figures


@dataclass(frozen=True)
class Totals:
    """Issued, consumed and expired points (the README's definitions), and the member count."""

    members: int
    issued: int
    consumed: int
    expired: int


def totals(session: Session, now: datetime, *, direct: bool = False) -> Totals:
    """Lifetime totals up to now."""
    issued, consumed, expired, _ = figures.total(session, None, now, direct=direct)
    return Totals(session.scalar(select(func.count(Member.id))), issued, consumed, expired)

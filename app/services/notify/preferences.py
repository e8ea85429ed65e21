"""A member's channels: service messages in the app always (SMS optional); offers optional."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import NotificationPreference

SERVICE_CHOICES = ("app_sms", "app")
MARKETING_CHOICES = ("app_sms", "app", "off")
DEFAULTS = {"service": "app_sms", "marketing": "app"}  # offers by SMS only when asked for


class BadChoice(ValueError):
    """A channel that is not one of the choices."""


@dataclass(frozen=True)
class Channels:
    """What a member receives: service messages and offers (app_sms | app | off)."""

    service: str = DEFAULTS["service"]
    marketing: str = DEFAULTS["marketing"]

    def wants(self, marketing: bool) -> bool:
        """Whether a notification of this class is made at all (in the app)."""
        return not marketing or self.marketing != "off"

    def sms(self, marketing: bool) -> bool:
        """Whether it also goes out by SMS."""
        return (self.marketing if marketing else self.service) == "app_sms"


def of(session: Session, member_id: int) -> Channels:
    """The member's channels (the defaults until they save their own)."""
    row = session.get(NotificationPreference, member_id)
    return Channels(row.service, row.marketing) if row else Channels()


def of_many(session: Session, member_ids) -> dict[int, Channels]:
    """Channels of many members in one query (absent: the defaults)."""
    stmt = select(NotificationPreference).where(
        NotificationPreference.member_id.in_(list(member_ids))
    )
    return {p.member_id: Channels(p.service, p.marketing) for p in session.scalars(stmt)}


def save(session: Session, member_id: int, service: str, marketing: str, now: datetime) -> None:
    """Store the member's choices; BadChoice (nothing written) for anything else."""
    if service not in SERVICE_CHOICES or marketing not in MARKETING_CHOICES:
        raise BadChoice(service if service not in SERVICE_CHOICES else marketing)
    row = session.get(NotificationPreference, member_id)
    if row is None:
        row = NotificationPreference(member_id=member_id)
        session.add(row)
    row.service, row.marketing, row.updated_at = service, marketing, now
    session.flush()

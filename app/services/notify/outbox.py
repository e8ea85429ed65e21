"""Making notifications once, and delivering their text messages once.

`enqueue` inserts each notification with ON CONFLICT DO NOTHING on its unique key (member, kind,
subject, occasion): whoever runs it again, or at the same time, makes nothing new, and only the
rows actually inserted get an SMS queued. `deliver` claims due messages with a conditional
UPDATE (a second sender skips what the first claimed), then hands each to the provider of the
phone verification (sandbox by default: /dev/outbox shows them).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import String, cast, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import Member, Notification, OutboxMessage, User
from app.models.notifications import MARKETING
from app.services.accounts import sms
from app.services.notify import preferences, texts
from app.timeutil import brand_tz

CHUNK = 500  # rows per INSERT (SQLite's bound parameters)
SEND_BATCH = 200  # messages claimed at a time
QUIET = (time(21), time(9))  # no text messages between 21:00 and 09:00, brand-local


@dataclass(frozen=True)
class Draft:
    """A notification to make, unless it was made before."""

    member_id: int
    kind: str
    subject: str
    occasion: str
    params: dict = field(default_factory=dict)


def insert_for(session: Session):
    """The dialect's INSERT (for ON CONFLICT)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def unsent(kinds: tuple, prefix: str, member_id, ref_id, occasion: str | None = None):
    """No notification of `kinds` about `prefix` + `ref_id` (on `occasion`) yet: an anti-join
    on its unique key."""
    subject = literal(prefix) + cast(ref_id, String)
    made = exists().where(
        Notification.member_id == member_id,
        Notification.kind.in_(kinds),
        Notification.subject == subject,
    )
    return ~(made.where(Notification.occasion == occasion) if occasion else made)


def not_before(now: datetime) -> datetime:
    """When a text made at `now` may go out: at once by day, 09:00 brand-local by night."""
    local = now.astimezone(brand_tz())
    late, early = QUIET
    if early <= local.time() < late:
        return now
    day = local.date() + timedelta(days=1 if local.time() >= late else 0)
    return datetime.combine(day, early, tzinfo=brand_tz()).astimezone(now.tzinfo)


def enqueue(session: Session, drafts: list[Draft], now: datetime) -> int:
    """Make the drafts not made before (none a member opted out of); returns how many."""
    made = 0
    for start in range(0, len(drafts), CHUNK):
        made += _enqueue(session, drafts[start : start + CHUNK], now)
    return made


def _enqueue(session: Session, drafts: list[Draft], now: datetime) -> int:
    channels = preferences.of_many(session, {d.member_id for d in drafts})
    default = preferences.Channels()
    wanted = [d for d in drafts if channels.get(d.member_id, default).wants(d.kind in MARKETING)]
    if not wanted:
        return 0
    insert = insert_for(session)
    rows = [
        {"member_id": d.member_id, "kind": d.kind, "subject": d.subject,
         "occasion": d.occasion, "params": d.params, "created_at": now}
        for d in wanted
    ]  # fmt: skip
    stmt = (
        insert(Notification)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["member_id", "kind", "subject", "occasion"])
        .returning(
            Notification.id,
            Notification.member_id,
            Notification.kind,
            Notification.subject,
            Notification.occasion,
        )
    )
    made = session.execute(stmt).all()
    by_sms = [m for m in made if channels.get(m.member_id, default).sms(m.kind in MARKETING)]
    if by_sms:
        _queue_sms(session, by_sms, {_key(d): d.params for d in wanted}, now)
    return len(made)


def _key(row) -> tuple:
    return (row.member_id, row.kind, row.subject, row.occasion)


def _queue_sms(session: Session, made: list, params: dict, now: datetime) -> None:
    ids = {m.member_id for m in made}
    phones = dict(
        session.execute(
            select(Member.id, User.phone).join(User, User.id == Member.user_id)
            .where(Member.id.in_(ids), User.phone.is_not(None))
        ).all()
    )  # fmt: skip
    rows = [
        {"notification_id": m.id, "channel": "sms", "to": phones[m.member_id],
         "text": texts.sms(m.kind, params[_key(m)]), "status": "pending",
         "not_before": not_before(now), "created_at": now}
        for m in made
        if m.member_id in phones
    ]  # fmt: skip
    if rows:
        stmt = insert_for(session)(OutboxMessage).values(rows)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["notification_id", "channel"]))


def claim(session: Session, now: datetime, limit: int = SEND_BATCH) -> list[int]:
    """Take up to `limit` due messages for this sender (others skip them)."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status == "pending")
        .values(status="sending")
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(stmt).all())


def deliver(session: Session, now: datetime) -> Iterator[int]:
    """Send what is due, a batch at a time: claim (committed), then send and record each."""
    try:
        provider = sms.provider(current_app.config["SMS_PROVIDER"], session)
    except sms.SmsError:
        return  # no gateway: the messages wait (the provider's own error is logged)
    while ids := claim(session, now):
        yield len(ids)  # the claim is committed before anything leaves
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
            try:
                provider.send(message.to, message.text)
            except sms.SmsError as exc:
                message.status, message.error = "failed", str(exc)[:200] or "refused"
            else:
                message.status, message.sent_at = "sent", now
        yield 0

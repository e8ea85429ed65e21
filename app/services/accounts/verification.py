"""One-time SMS codes: issue within the limits, spend an attempt, then register or reset with it.

A code is 6 ASCII digits from `secrets`, stored only as HMAC-SHA256 (keyed with SECRET_KEY, bound
to phone and purpose), valid for 5 minutes and 5 attempts, replaced by the next code for the same
phone and purpose, which may be asked for 60 s after the last. Every attempt is counted in a write
of its own *before* the code is compared, so parallel guesses cannot get more than 5 tries.

No answer tells whether a number is registered: a code request always replaces the row and sends
one message; it holds a code only when the purpose fits (registration for a new number, reset for
a known one), otherwise a notice ("already a member" / "no account"): only the phone's owner knows.
"""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import User, VerificationCode
from app.models.verification import PURPOSES, SmsMessage
from app.services.accounts import accounts
from app.services.accounts.accounts import AccountError
from app.services.accounts.accounts import _network as network
from app.services.errors import DomainError
from app.services.limits import counters

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class VerificationError(AccountError, DomainError):
    """A code request or check refused; str() is the message key, `detail` has the numbers."""

    @property
    def retry_after(self) -> int | None:
        """Seconds to wait before trying again, for refusals that pass with time."""
        return self.detail.get("retry_after")


@dataclass(frozen=True)
class Policy:
    """Code lifetime, resend pause, tries, and the limits per phone and per address."""

    ttl: timedelta = timedelta(minutes=5)
    resend: timedelta = timedelta(seconds=60)
    max_attempts: int = 5
    phone_hour: int = 5
    phone_day: int = 10
    ip_hour: int = 20
    register_ip_hour: int = 10

    @classmethod
    def from_config(cls, config) -> "Policy":
        """The policy from the SMS_* and REGISTER_* settings."""
        return cls(
            ttl=timedelta(seconds=config["SMS_CODE_TTL_SECONDS"]),
            resend=timedelta(seconds=config["SMS_RESEND_SECONDS"]),
            max_attempts=config["SMS_CODE_MAX_ATTEMPTS"],
            phone_hour=config["SMS_PER_PHONE_HOUR"],
            phone_day=config["SMS_PER_PHONE_DAY"],
            ip_hour=config["SMS_PER_IP_HOUR"],
            register_ip_hour=config["REGISTER_PER_IP_HOUR"],
        )


@dataclass(frozen=True)
class Issued:
    """A code request that went through: `code` is None when the message is a notice."""

    phone: str
    purpose: str
    code: str | None


@dataclass(frozen=True)
class Ticket:
    """One counted attempt: the live row it was counted on (None when there was none) or why not."""

    id: int | None
    code_hash: str = ""
    attempts: int = 0
    refused: str = ""  # code_missing, code_expired, code_dead


def _digest(secret: str, phone: str, purpose: str, code: str) -> str:
    message = f"{purpose}:{phone}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _checked_phone(phone: str, purpose: str) -> str:
    phone = accounts.normalize_phone(phone)
    if purpose not in PURPOSES:
        raise VerificationError("purpose_invalid")
    if not accounts.PHONE_RE.fullmatch(phone):
        raise AccountError("phone_invalid")
    return phone


def _wait(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _replace(session: Session, phone: str, purpose: str, code_hash: str, now: datetime, policy):
    """Upsert the phone's code unless the last one is younger than the resend pause (atomic)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = dict(phone=phone, purpose=purpose, code_hash=code_hash, created_at=now)
    values.update(expires_at=now + policy.ttl, attempts=0, used_at=None)
    stmt = insert(VerificationCode).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[VerificationCode.phone, VerificationCode.purpose],
        set_={name: stmt.excluded[name] for name in values if name not in ("phone", "purpose")},
        where=VerificationCode.created_at <= now - policy.resend,
    ).returning(VerificationCode.id)
    if session.execute(stmt).scalar_one_or_none() is None:
        last = session.scalar(
            select(VerificationCode.created_at).where(
                VerificationCode.phone == phone, VerificationCode.purpose == purpose
            )
        )
        raise VerificationError("sms_too_soon", retry_after=_wait(last + policy.resend, now))


def _count(session: Session, limits: list[tuple[str, int, timedelta]], now: datetime, refusal):
    """Count a hit on every limit; on the first one used up, take the hits back and refuse."""
    counted = []
    for key, limit, window in limits:
        verdict = counters.hit(session, key, limit, window, now)
        counted.append((key, window))
        if not verdict.allowed:
            for done, span in counted:  # Redis cannot roll back: give the hits back
                counters.hit(session, done, 0, span, now, by=-1)
            raise VerificationError(refusal, retry_after=verdict.retry_after)


def issue(
    session: Session, phone: str, purpose: str, ip: str, *, now: datetime, policy: Policy, secret
) -> Issued:
    """Replace the code for phone + purpose, counted per phone and per address (caller commits)."""
    phone = _checked_phone(phone, purpose)
    code = f"{secrets.randbelow(10**6):06d}"
    _replace(session, phone, purpose, _digest(secret, phone, purpose, code), now, policy)
    limits = [
        (f"sms:phone:{phone}:hour", policy.phone_hour, HOUR),
        (f"sms:phone:{phone}:day", policy.phone_day, DAY),
        (f"sms:ip:{network(ip)}:hour", policy.ip_hour, HOUR),
    ]
    _count(session, limits, now, "sms_limited")
    known = session.scalar(select(User.id).where(User.phone == phone)) is not None
    deliver = known if purpose == "reset" else not known
    return Issued(phone, purpose, code if deliver else None)


def spend_attempt(
    session: Session, phone: str, purpose: str, *, now: datetime, policy: Policy
) -> Ticket:
    """Count one try on the live code (commit at once, before `verify`); never raises."""
    phone = accounts.normalize_phone(phone)
    live = (
        VerificationCode.phone == phone,
        VerificationCode.purpose == purpose,
        VerificationCode.used_at.is_(None),
    )
    stmt = (
        update(VerificationCode)
        .where(*live, VerificationCode.expires_at > now)
        .where(VerificationCode.attempts < policy.max_attempts)
        .values(attempts=VerificationCode.attempts + 1)
        .returning(VerificationCode.id, VerificationCode.code_hash, VerificationCode.attempts)
    )
    row = session.execute(stmt, execution_options={"synchronize_session": False}).first()
    if row is not None:
        return Ticket(row.id, row.code_hash, row.attempts)
    dead = session.execute(select(VerificationCode).where(*live)).scalar_one_or_none()
    if dead is None:
        return Ticket(None, refused="code_missing")
    return Ticket(None, refused="code_expired" if dead.expires_at <= now else "code_dead")


def verify(ticket: Ticket, phone: str, purpose: str, code: str, *, policy: Policy, secret) -> None:
    """Raise VerificationError unless the ticket's code is `code`."""
    if ticket.id is None:
        raise VerificationError(ticket.refused)
    expected = _digest(secret, accounts.normalize_phone(phone), purpose, code.strip())
    if not hmac.compare_digest(ticket.code_hash, expected):
        raise VerificationError("code_wrong", left=policy.max_attempts - ticket.attempts)


def consume(session: Session, ticket: Ticket, *, now: datetime) -> None:
    """Mark the code used, once: a parallel use of the same code (or a replaced one) is refused."""
    stmt = (
        update(VerificationCode)
        .where(VerificationCode.id == ticket.id, VerificationCode.code_hash == ticket.code_hash)
        .where(VerificationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if session.execute(stmt, execution_options={"synchronize_session": False}).rowcount != 1:
        raise VerificationError("code_missing")


@dataclass(frozen=True)
class Signup:
    """What the registration form says: phone, the SMS code, password, optional referral code."""

    phone: str
    code: str
    password: str
    referral_code: str = ""


def register(session: Session, ticket: Ticket, signup: Signup, ip: str, *, now, policy, secret):
    """The member for a verified registration, counted per address (the caller commits)."""
    verify(ticket, signup.phone, "register", signup.code, policy=policy, secret=secret)
    key = f"register:ip:{network(ip)}:hour"
    _count(session, [(key, policy.register_ip_hour, HOUR)], now, "register_limited")
    consume(session, ticket, now=now)  # first: a parallel use of the code waits here, then fails
    return accounts.register(session, signup.phone, signup.password, signup.referral_code, now=now)


def reset_password(
    session: Session,
    ticket: Ticket,
    phone: str,
    code: str,
    password_hash: str,
    *,
    now,
    policy,
    secret,
) -> User:
    """Set a new password with a reset code and end every session of the account."""
    verify(ticket, phone, "reset", code, policy=policy, secret=secret)
    phone = accounts.normalize_phone(phone)
    user = session.scalar(select(User).where(User.phone == phone).with_for_update())
    if user is None:  # deleted since the code was sent: say no more than for a wrong code
        raise VerificationError("code_missing")
    consume(session, ticket, now=now)
    user.password_hash = password_hash
    accounts.end_sessions(session, user)
    return user


def prune(session: Session, now: datetime, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete codes expired and sandbox messages sent more than a week ago; returns how many."""
    codes = session.execute(
        delete(VerificationCode).where(VerificationCode.expires_at < now - older_than)
    ).rowcount
    messages = session.execute(delete(SmsMessage).where(SmsMessage.sent_at < now - older_than))
    return codes + messages.rowcount

"""Registration, authentication with throttling, and profile completion."""

import re
import secrets
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.models import LoginAttempt, Member, Tier, User
from app.services.points import earning

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


class AccountError(Exception):
    """A registration, login or profile problem the user can fix; str() is the message key."""


class Throttled(AccountError):
    """Too many failed logins for this identifier or address."""


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True when the password matches the user's hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_referral_code(session: Session) -> str:
    """A fresh, unused, unambiguous 6-character referral code."""
    while True:
        code = "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(6))
        if not session.scalar(select(Member.id).where(Member.referral_code == code)):
            return code


def create_member(
    session: Session,
    phone: str,
    password: str,
    *,
    referrer: Member | None = None,
    now: datetime,
    password_hash: str | None = None,
) -> Member:
    """A member account at the base tier (no bonus; see register)."""
    base = session.scalar(select(Tier).order_by(Tier.rank).limit(1))
    user = User(
        role="member",
        phone=phone,
        created_at=now,
        password_hash=password_hash or hash_password(password),
    )
    member = Member(
        user=user,
        tier=base,
        referral_code=new_referral_code(session),
        referred_by=referrer,
        member_no="",
        created_at=now,
    )
    session.add(member)
    session.flush()
    member.member_no = f"{10_000_000 + member.id}"
    return member


def register(session: Session, phone: str, password: str, referral_code: str, *, now: datetime):
    """Register a member by mainland mobile number and grant the registration bonus."""
    if not PHONE_RE.match(phone):
        raise AccountError("phone_invalid")
    if session.scalar(select(User.id).where(User.phone == phone)):
        raise AccountError("phone_taken")
    referrer = None
    if referral_code:
        referrer = session.scalar(
            select(Member).where(Member.referral_code == referral_code.upper())
        )
        if referrer is None:
            raise AccountError("referral_unknown")
    member = create_member(session, phone, password, referrer=referrer, now=now)
    points = earning.setting(session, "registration_points")
    earning.award_behaviour(
        session, member.id, "registration", points, f"registration:{member.id}", now=now
    )
    return member


def _failures(session: Session, column, value: str, since: datetime) -> int:
    stmt = select(func.count(LoginAttempt.id)).where(column == value, LoginAttempt.at >= since)
    return session.scalar(stmt)


def authenticate(
    session: Session,
    identifier: str,
    password: str,
    ip: str,
    *,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> User:
    """The user for these credentials; Throttled or AccountError('credentials'); writes nothing."""
    since = now - window
    if (
        _failures(session, LoginAttempt.identifier, identifier, since) >= max_failures
        or _failures(session, LoginAttempt.ip, ip, since) >= max_failures
    ):
        raise Throttled("throttled")
    user = session.scalar(
        select(User).where(or_(User.phone == identifier, User.staff_id == identifier))
    )
    if user is None or not user.active or not check_password(user, password):
        raise AccountError("credentials")
    return user


def record_attempt(session: Session, identifier: str, ip: str, *, ok: bool, now: datetime) -> None:
    """A failure counts towards the throttle; a success clears the identifier's failures."""
    if ok:
        session.execute(delete(LoginAttempt).where(LoginAttempt.identifier == identifier))
    else:
        session.add(LoginAttempt(identifier=identifier[:40], ip=ip[:45], at=now))


def update_profile(
    session: Session, member: Member, name: str, birthday: date | None, *, now: datetime
) -> int:
    """Save name and birthday (the birthday can be set once); returns bonus points granted."""
    if member.birthday and birthday and birthday != member.birthday:
        raise AccountError("birthday_locked")
    member.name = name.strip()
    member.birthday = member.birthday or birthday
    if member.profile_completed_at or not (member.name and member.birthday):
        return 0
    member.profile_completed_at = now
    award = earning.award_behaviour(
        session,
        member.id,
        "profile",
        earning.setting(session, "profile_points"),
        f"profile:{member.id}",
        now=now,
    )
    return award.points

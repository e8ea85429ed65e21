"""Registration, authentication with throttling, and profile completion."""

import functools
import hashlib
import ipaddress
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Member, Tier, User
from app.services.accounts.sessions import end_sessions as end_sessions  # re-exported
from app.services.alerts import logins
from app.services.limits import counters
from app.services.points import earning

# ASCII digits and \Z (a `$` would also match before a trailing newline): with .match this is a
# full match, so "13800000000\n" or "１３８…" is never a second spelling of a registered number.
PHONE_RE = re.compile(r"^1[3-9][0-9]{9}\Z")
REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
log = logging.getLogger(__name__)


class AccountError(Exception):
    """A registration, login or profile problem the user can fix; str() is the message key."""


class Throttled(AccountError):
    """Too many failed logins for this identifier or address; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__("throttled")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins allowed per window: per (identifier, address), per address, per identifier."""

    per_pair: int
    per_ip: int
    per_identifier: int
    window: timedelta


@functools.cache
def _hasher_for(time_cost: int | None, memory_kib: int | None) -> PasswordHasher:
    defaults = PasswordHasher()  # argon2id with the library's recommended parameters
    return PasswordHasher(
        time_cost=time_cost or defaults.time_cost, memory_cost=memory_kib or defaults.memory_cost
    )


def _hasher() -> PasswordHasher:
    """Argon2id at the configured cost (the library's recommended one unless a setting says)."""
    if not has_app_context():
        return _hasher_for(None, None)
    config = current_app.config
    return _hasher_for(config.get("ARGON2_TIME_COST"), config.get("ARGON2_MEMORY_KIB"))


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash no password matches, made once per cost, with the same cost as real ones."""
    return hasher.hash(secrets.token_urlsafe(24))


def check_password(user: User, password: str) -> bool:
    """True when the password matches the user's hash."""
    return _verify(user.password_hash, password)


def normalize_phone(phone: str) -> str:
    """The one spelling of a phone number that is stored and looked up: no outer blanks."""
    return phone.strip()


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
    phone = normalize_phone(phone)
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
    phone = normalize_phone(phone)
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
    points = earning.setting(session, "registration_points", at=now)  # the new-member gift
    earning.award_behaviour(
        session, member.id, "registration", points, f"registration:{member.id}", now=now
    )
    return member


def authenticate(session: Session, identifier: str, password: str) -> User:
    """The active user with these credentials, else AccountError('credentials'); writes nothing.

    An unknown identifier costs one password check too (against a dummy hash), so the answer
    takes as long as for a real account and does not tell which identifiers exist.
    """
    user = session.scalar(
        select(User).where(or_(User.phone == identifier, User.staff_id == identifier))
    )
    if user is None:
        _verify(_dummy_hash(_hasher()), password)
        raise AccountError("credentials")
    if not check_password(user, password) or not user.active:
        raise AccountError("credentials")
    return user


def _network(ip: str) -> str:
    """The address a limit counts: IPv4 as is, IPv6 by its /64 (one subscriber's prefix)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def _login_keys(identifier: str, ip: str, limits: LoginLimits) -> list[tuple[str, str, int]]:
    who = hashlib.sha256(identifier.encode()).hexdigest()[:32]  # any length, never in a key raw
    net = _network(ip)
    return [
        ("pair", f"login:pair:{who}:{net}", limits.per_pair),
        ("ip", f"login:ip:{net}", limits.per_ip),
        ("identifier", f"login:id:{who}", limits.per_identifier),
    ]


def _take_back(session: Session, keys: list[str], window: timedelta, now: datetime) -> None:
    for key in keys:
        counters.hit(session, key, 0, window, now, by=-1)


def _warn(kind: str, identifier: str, ip: str, limit: int, window: timedelta) -> None:
    minutes = int(window.total_seconds() // 60)
    if kind == "ip":
        log.warning(
            "login: %d failed logins in %d min from %s across identifiers (credential stuffing?)",
            limit, minutes, _network(ip),
        )  # fmt: skip
    elif kind == "identifier":
        log.warning(
            "login: %d failed logins in %d min for %r from many addresses (distributed attack?)",
            limit, minutes, identifier[:40],
        )  # fmt: skip


def count_attempt(
    session: Session, identifier: str, ip: str, *, now: datetime, limits: LoginLimits
) -> None:
    """Count a login attempt against every limit before its password is checked (commit at once).

    Raises Throttled when a limit is used up. A refused attempt is taken back from every count,
    so guesses refused at one address never fill the wider per-identifier limit. The counts are
    atomic (one upsert or INCR each), so parallel guesses cannot all see room under the limit.
    """
    counted: list[str] = []
    for kind, key, limit in _login_keys(identifier, ip, limits):
        verdict = counters.hit(session, key, limit, limits.window, now)
        counted.append(key)
        if not verdict.allowed:
            _take_back(session, counted, limits.window, now)
            log.info("login: refused %r from %s (%s limit)", identifier[:40], ip, kind)
            raise Throttled(verdict.retry_after)
        if verdict.count == limit:
            _warn(kind, identifier, ip, limit, limits.window)
            if kind in ("ip", "identifier"):
                subject = identifier if kind == "identifier" else _network(ip)
                logins.limit_reached(session, kind, subject, limit, limits.window, now=now)


def forgive_attempt(
    session: Session, identifier: str, ip: str, *, now: datetime, limits: LoginLimits
) -> None:
    """A login that succeeded is not a failure: take its attempt back (same `now` as counted)."""
    keys = [key for _, key, _ in _login_keys(identifier, ip, limits)]
    _take_back(session, keys, limits.window, now)


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
        earning.setting(session, "profile_points", at=now),
        f"profile:{member.id}",
        now=now,
    )
    return award.points

"""Staff accounts: create advisors (bound to a store) and other staff, reset passwords, disable."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.models import Store, User
from app.services.accounts import accounts
from app.services.console import audit
from app.services.errors import DomainError

STAFF_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{1,19}")
STAFF_ROLES = ("advisor", "operator", "finance")


class StaffError(DomainError):
    """A staff change that cannot go ahead; `code` says why."""


@dataclass(frozen=True)
class NewStaff:
    """What the create form asks for."""

    staff_id: str
    display_name: str
    role: str
    store_id: int | None


def query(search: str = "", role: str = "", store_id: int | None = None) -> Select:
    """Staff accounts (not members), narrowed by a search on ID or name, role and store."""
    stmt = select(User).where(User.role != "member")
    if search:
        like = f"%{search}%"
        stmt = stmt.where(or_(User.staff_id.ilike(like), User.display_name.ilike(like)))
    if role in STAFF_ROLES:
        stmt = stmt.where(User.role == role)
    if store_id:
        stmt = stmt.where(User.store_id == store_id)
    return stmt


def temporary_password() -> str:
    """A one-time password to hand over in person; the account must change it at first login."""
    return secrets.token_urlsafe(9)


def create(session: Session, actor: User, new: NewStaff, *, now: datetime) -> tuple[User, str]:
    """A staff account with a temporary password (returned once, stored hashed)."""
    if not STAFF_ID_RE.fullmatch(new.staff_id) or new.role not in STAFF_ROLES:
        raise StaffError("invalid")
    if session.scalar(select(User.id).where(User.staff_id == new.staff_id)):
        raise StaffError("taken")
    if new.role == "advisor" and not (new.store_id and session.get(Store, new.store_id)):
        raise StaffError("store")
    password = temporary_password()
    user = User(
        role=new.role,
        staff_id=new.staff_id,
        display_name=new.display_name,
        store_id=new.store_id if new.role == "advisor" else None,
        password_hash=accounts.hash_password(password),
        must_change_password=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "staff.create", "user", user.staff_id, now=now,
        summary=f"{new.role} {new.staff_id}", after=_state(user),
    )  # fmt: skip
    return user, password


def _state(user: User) -> dict:
    return {
        "role": user.role,
        "display_name": user.display_name,
        "store_id": user.store_id,
        "active": user.active,
    }


def _staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None or user.role == "member":
        raise StaffError("not_found")
    return user


def reset_password(session: Session, actor: User, user_id: int, *, now: datetime) -> str:
    """A new temporary password; the old one and every open session stop working."""
    user = _staff(session, user_id)
    password = temporary_password()
    user.password_hash = accounts.hash_password(password)
    user.must_change_password = True
    accounts.end_sessions(session, user)
    audit.record(session, actor, "staff.reset_password", "user", user.staff_id, now=now)
    return password


def set_active(
    session: Session, actor: User, user_id: int, active: bool, *, now: datetime, reason: str = ""
) -> User:
    """Disable (its sessions end at once) or re-enable a staff account; never your own."""
    user = _staff(session, user_id)
    if user.id == actor.id:
        raise StaffError("self")
    before = _state(user)
    user.active = active
    if not active:
        accounts.end_sessions(session, user)
    old, new = audit.changes(before, _state(user))
    action = "staff.enable" if active else "staff.disable"
    audit.record(
        session, actor, action, "user", user.staff_id, now=now, before=old, after=new,
        reason=reason,
    )  # fmt: skip
    return user

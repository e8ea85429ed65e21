"""The signed-in member as every request sees them: one Core row, no ORM instances.

Every request of a signed-in browser checks that the server still holds its session (so ending
it is final) and loads the user, the member, the tier and the unread badge. Through the ORM that
is a third of a signed-in request's cost; as one Core row read into these plain, read-only
objects it is a fraction. They answer the same attributes as `User`, `Member` and `Tier`;
anything that writes a member, or needs a relationship they do not carry, asks for the ORM
instance with `record(session)` (a primary-key look-up).

Staff get the ORM `User` as before: the console hands `current_user` to services that keep it
as the author of what they write.
"""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import reads
from app.i18n import local_name
from app.models import Member, Tier, User, UserSession

_USER = tuple(c.key for c in User.__table__.columns)
_MEMBER = tuple(c.key for c in Member.__table__.columns)
_TIER = tuple(c.key for c in Tier.__table__.columns)

# every request reads it: built once (the statement is compiled once and cached)
ROW = reads.hot(
    select(
        *User.__table__.columns,
        *(c.label(f"m_{c.key}") for c in Member.__table__.columns),
        *(c.label(f"t_{c.key}") for c in Tier.__table__.columns),
        Member.unread_notifications.expression.label("unread"),
    )
    .select_from(User)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(Member, Member.user_id == User.id)
    .outerjoin(Tier, Tier.id == Member.tier_id)
    .where(User.id == bindparam("user_id"), UserSession.id == bindparam("sid"), User.active)
)


class _ReadOnly:
    """Attributes set once from a row; setting one afterwards is a mistake (use `record`)."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"{type(self).__name__}.{name} is read-only: write record(session)")


class SignedInTier(_ReadOnly):
    """The member's tier row."""

    def display_name(self, locale: str) -> str:
        """The tier's name in a locale, falling back to the default name (as `Tier`)."""
        return local_name(self, locale)


class SignedInMember(_ReadOnly):
    """The signed-in member's row, their tier and unread count (`user` is the signed-in user)."""

    def record(self, session: Session) -> Member:
        """The ORM `Member` (to write it, or to follow a relationship)."""
        return session.get(Member, self.id)


class SignedInUser(_ReadOnly):
    """A signed-in member's user row, as Flask-Login wants it (`member` is theirs)."""

    is_authenticated, is_anonymous = True, False

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot log in (the row was only read if active)."""
        return self.active

    @property
    def is_staff(self) -> bool:
        """False: only members are loaded this way (staff get the ORM `User`)."""
        return False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the cookie."""
        return str(self.id)

    def record(self, session: Session) -> User:
        """The ORM `User`."""
        return session.get(User, self.id)


def load(session: Session, user_id: int, sid: str) -> SignedInUser | User | None:
    """The active user whose open session `sid` is, else None: a member as plain objects from
    one statement, staff as the ORM `User` (a second, primary-key, statement)."""
    row = reads.execute(session, ROW, {"user_id": user_id, "sid": sid}).first()
    if row is None:
        return None
    if row.role != "member" or row.m_id is None:
        return session.get(User, user_id)
    values = row._mapping
    user = SignedInUser(**{k: values[k] for k in _USER})
    tier = SignedInTier(**{k: values[f"t_{k}"] for k in _TIER})
    member = {k: values[f"m_{k}"] for k in _MEMBER}
    member.update(tier=tier, user=user, unread_notifications=values["unread"])
    user.__dict__["member"] = SignedInMember(**member)
    return user

"""Segment targeting: a campaign, benefit or flash event for one segment reaches only its members.

A member's segment is the one the last RFM recompute wrote (`member_segments`); a member it has
not scored yet is in no segment, so only what is for everyone reaches them. The segment is read
in one statement, and only by callers that hold something targeted.
"""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.models import MemberSegment
from app.models.segments import SEGMENTS

__all__ = ["SEGMENTS", "reaches", "segment_for", "segment_of"]

SEGMENT_OF = select(MemberSegment.segment).where(MemberSegment.member_id == bindparam("member_id"))


def segment_of(session: Session, member_id: int | None) -> str | None:
    """The member's current segment (None for visitors and members not scored yet)."""
    if member_id is None:
        return None
    return session.scalar(SEGMENT_OF, {"member_id": member_id})


def segment_for(session: Session, member, items) -> str | None:
    """The member's segment when one of `items` is targeted (else None, and nothing is read):
    what decides which of the items reach them."""
    if member is None or not any(getattr(item, "segment", None) for item in items):
        return None
    return segment_of(session, member.id)


def reaches(target: str | None, segment: str | None) -> bool:
    """Whether something targeted at `target` (None: everyone) reaches a member of `segment`."""
    return target is None or target == segment

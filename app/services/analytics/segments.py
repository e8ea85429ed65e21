"""Member segments: the rule on the RFM scores, their names, and what the console reads.

The scores (1–5, quintiles) are computed set-based by `rfm.recompute`; here is what they mean:
- recent   = R ≥ 3 (the last purchase is in the newer three fifths of the scored members);
- valuable = F + M ≥ 7 (buys often or for much);
loyal = recent and valuable, opportunity = recent only, at risk = valuable only, random = neither;
lapsed = bought before but not in the trailing 12 months; none = no purchase yet.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from app.models import Member, MemberSegment, SegmentTotal, Tier

RECENT_MIN_R = 3
VALUABLE_MIN_FM = 7
SCORED = ("loyal", "opportunity", "at_risk", "random")
CODES = (*SCORED, "lapsed", "none")  # the page's order
NAMES = {
    "loyal": _l("Loyal customers"),
    "opportunity": _l("Opportunity customers"),
    "random": _l("Random customers"),
    "at_risk": _l("At risk"),
    "lapsed": _l("Lapsed"),
    "none": _l("No purchases yet"),
    "all": _l("All members"),
}
RULES = {
    "loyal": _l("Bought recently (R ≥ 3) and often or for much (F + M ≥ 7)."),
    "opportunity": _l("Bought recently (R ≥ 3), not yet often or for much (F + M ≤ 6)."),
    "at_risk": _l("Bought often or for much (F + M ≥ 7), but not recently (R ≤ 2)."),
    "random": _l("Neither recently nor often nor for much (R ≤ 2 and F + M ≤ 6)."),
    "lapsed": _l("Bought before, but nothing in the last 12 months."),
    "none": _l("Has never bought (fully refunded purchases do not count)."),
}


def segment_of(r: int, f: int, m: int) -> str:
    """The segment of a scored member (the same rule as `segment_case`, in Python)."""
    recent, valuable = r >= RECENT_MIN_R, f + m >= VALUABLE_MIN_FM
    if recent:
        return "loyal" if valuable else "opportunity"
    return "at_risk" if valuable else "random"


def segment_case(r, f, m):
    """SQL: the segment of a scored member from its three score expressions."""
    recent, valuable = r >= RECENT_MIN_R, f + m >= VALUABLE_MIN_FM
    return case(
        (recent & valuable, "loyal"),
        (recent, "opportunity"),
        (valuable, "at_risk"),
        else_="random",
    )


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class SegmentRow:
    """One segment's figures when the scores were last computed."""

    code: str
    members: int
    share: Decimal | None  # of all members, per cent
    average_balance: int  # available points per member, rounded
    redemption_rate: Decimal | None  # members with a standing redemption in 12 months, per cent
    held: int  # available + pending − debt: the segments add up to what members held

    @property
    def name(self) -> str:
        """The segment's name in the reader's language."""
        return str(NAMES[self.code])


@dataclass(frozen=True)
class Summary:
    """Every segment (empty ones too), the total and when they were computed (None: never)."""

    rows: list[SegmentRow]
    all: SegmentRow  # every member together
    computed_at: datetime | None

    @property
    def members(self) -> int:
        """Every member with a row (members who joined since the last run have none yet)."""
        return self.all.members


def _row(code: str, members: int, balance: int, held: int, redeemed: int, total: int):
    average = (Decimal(balance) / members).quantize(Decimal(1), ROUND_HALF_UP) if members else 0
    return SegmentRow(
        code, members, percent(members, total), int(average), percent(redeemed, members), held
    )


def summary(session: Session) -> Summary:
    """Sizes, shares, average balance, redemption rate and points held, per segment."""
    found = {t.segment: t for t in session.scalars(select(SegmentTotal))}
    figures = {
        code: (t.members, t.balance, t.held, t.redeemed) if (t := found.get(code)) else (0,) * 4
        for code in CODES
    }
    sums = [sum(f[k] for f in figures.values()) for k in range(4)]
    rows = [_row(code, *figures[code], sums[0]) for code in CODES]
    computed = max((t.computed_at for t in found.values()), default=None)
    return Summary(rows, _row("all", *sums, sums[0]), computed)


def members_query(code: str) -> Select:
    """The members of one segment with their figures (for the list and the CSV)."""
    return (
        select(MemberSegment, Member.member_no, Member.name, Tier.code.label("tier"))
        .join(Member, Member.id == MemberSegment.member_id)
        .join(Tier, Tier.id == Member.tier_id)
        .where(MemberSegment.segment == code)
    )


def of_member_no(session: Session, member_no: str) -> MemberSegment | None:
    """A member's latest scores and segment (None before the first computation)."""
    stmt = select(MemberSegment).join(Member, Member.id == MemberSegment.member_id)
    return session.scalar(stmt.where(Member.member_no == member_no))

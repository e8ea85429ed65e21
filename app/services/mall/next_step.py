"""What a member who cannot redeem a gift yet can do next: the figures the gift page names."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.services.points import tiers


def tier_gap(session: Session, member, gate_code: str, now: datetime) -> int:
    """The purchases (whole yuan, as growth) still needed in the trailing year to reach the
    gate's tier; 0 when the tier is unknown or already within reach of the growth."""
    rung = next((t for t in tiers.ladder(session, now) if t.code == gate_code), None)
    if member is None or rung is None:
        return 0
    return max(rung.threshold - tiers.rolling_growth(session, member.id, now), 0)

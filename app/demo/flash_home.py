"""Demo data of the flash and home console: "for you" placed at the top of the home."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import HomeSection


def load(session: Session) -> None:
    """Place "for you" first on an arranged home that lacks it; running it twice changes nothing."""
    if session.scalar(select(HomeSection.id).where(HomeSection.kind == "for_you")):
        return
    first = session.scalar(select(func.min(HomeSection.sort)))
    if first is None:
        return  # nothing arranged: the home shows "for you" first anyway
    session.add(HomeSection(kind="for_you", sort=first - 1, titles={}))
    session.flush()

"""The mall home's arrangement: add, remove, reorder, show/hide sections, edit a banner.

Members read the arrangement on every request (storefront.home), so a change shows at once.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Gift, HomeSection, Shelf, User
from app.security import safe_next
from app.services.console import audit
from app.services.console.images import SIZES, file_name
from app.services.errors import DomainError

KINDS = ("banner", "flash", "shelf", "for_you")
SINGLE = ("flash", "for_you")  # placed once: a second strip would repeat the first
# A banner's picture: one of the drawn SVGs, or an image already uploaded to the console.
# A banner is an <img>, so it keeps the six standalone files (gift drawings are the sprite's
# <symbol>s, which only an inline <svg><use> can show).
STATIC_IMAGES = (
    "img/banner.svg",
    "img/gifts/bottle.svg",
    "img/gifts/jar.svg",
    "img/gifts/lipstick.svg",
    "img/gifts/spa.svg",
    "img/gifts/coupon.svg",
    "img/gifts/ticket.svg",
)
PHOTOS = "/media/gifts/"  # where the media blueprint serves uploaded gift photos


class LayoutError(DomainError):
    """A layout change that cannot go ahead; `code` says why."""


@dataclass(frozen=True)
class BannerDraft:
    """What the banner form asks for (times in UTC; None: no limit on that side)."""

    title: str
    title_en: str
    title_zh_hant: str
    image: str
    link: str
    starts_at: datetime | None
    ends_at: datetime | None


def image_choices(session: Session) -> list[tuple[str, str]]:
    """(value, gift name) of every picture a banner may use: the drawings, then gift photos."""
    photos = session.execute(
        select(Gift.photo, Gift.name).where(Gift.photo.is_not(None)).order_by(Gift.name)
    )
    uploaded = [(PHOTOS + file_name(digest, SIZES["large"]), name) for digest, name in photos]
    return [(image, "") for image in STATIC_IMAGES] + list(dict(uploaded).items())


def arrangement(session: Session) -> list[HomeSection]:
    """Every section in the order members see them."""
    return list(session.scalars(select(HomeSection).order_by(HomeSection.sort, HomeSection.id)))


def _locked(session: Session) -> list[HomeSection]:
    """The arrangement, locked: two operators reordering at once cannot interleave."""
    stmt = select(HomeSection).order_by(HomeSection.sort, HomeSection.id).with_for_update()
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def _find(sections: list[HomeSection], section_id: int) -> HomeSection:
    for section in sections:
        if section.id == section_id:
            return section
    raise LayoutError("not_found")


def describe(section: HomeSection) -> str:
    """A short name of the section for the audit log."""
    return f"{section.kind}:{section.title or section.shelf_id or section.id}"


def add(
    session: Session, actor: User, kind: str, *, now: datetime, shelf_id: int | None = None
) -> HomeSection:
    """A new section at the end; a new banner starts hidden until it has been edited."""
    sections = _locked(session)
    if kind not in KINDS:
        raise LayoutError("kind")
    if kind in SINGLE and any(s.kind == kind for s in sections):
        raise LayoutError("placed")
    shelf = session.get(Shelf, shelf_id) if kind == "shelf" and shelf_id else None
    if kind == "shelf" and shelf is None:
        raise LayoutError("shelf")
    if shelf and any(s.kind == "shelf" and s.shelf_id == shelf.id for s in sections):
        raise LayoutError("placed")
    last = session.scalar(select(func.max(HomeSection.sort))) or 0
    section = HomeSection(
        kind=kind, sort=last + 1, shelf_id=shelf.id if shelf else None,
        image=STATIC_IMAGES[0] if kind == "banner" else "", visible=kind != "banner",
        titles={},
    )  # fmt: skip
    session.add(section)
    session.flush()
    audit.record(
        session, actor, "layout.add", "home_section", section.id, now=now,
        summary=describe(section), after={"kind": kind, "shelf_id": section.shelf_id},
    )  # fmt: skip
    return section


def remove(session: Session, actor: User, section_id: int, *, now: datetime) -> None:
    """Take a section off the home (a shelf taken off still follows, unplaced, by category)."""
    section = _find(_locked(session), section_id)
    audit.record(
        session, actor, "layout.remove", "home_section", section.id, now=now,
        summary=describe(section), before={"kind": section.kind, "sort": section.sort},
    )  # fmt: skip
    session.delete(section)
    session.flush()


def move(session: Session, actor: User, section_id: int, step: int, *, now: datetime) -> None:
    """Move a section one place up (step −1) or down (+1); the order is renumbered 0, 1, 2 …"""
    sections = _locked(session)
    section = _find(sections, section_id)
    here = sections.index(section)
    there = here + (1 if step > 0 else -1)
    if not 0 <= there < len(sections):
        raise LayoutError("edge")
    before = [s.id for s in sections]
    sections[here], sections[there] = sections[there], sections[here]
    for sort, s in enumerate(sections):
        s.sort = sort
    session.flush()
    audit.record(
        session, actor, "layout.reorder", "home_section", section.id, now=now,
        summary=f"{describe(section)} {'down' if step > 0 else 'up'}",
        before={"order": before}, after={"order": [s.id for s in sections]},
    )  # fmt: skip


def set_visible(
    session: Session, actor: User, section_id: int, visible: bool, *, now: datetime
) -> None:
    """Show or hide a section (a hidden shelf is off the home, not moved to the end)."""
    section = _find(_locked(session), section_id)
    if section.visible == visible:
        return
    section.visible = visible
    audit.record(
        session, actor, "layout.visibility", "home_section", section.id, now=now,
        summary=describe(section), before={"visible": not visible}, after={"visible": visible},
    )  # fmt: skip


def _check_banner(session: Session, draft: BannerDraft) -> None:
    if not draft.title.strip():
        raise LayoutError("title")
    if draft.image not in dict(image_choices(session)):
        raise LayoutError("image")
    link = draft.link.strip()
    if link and (safe_next(link, "") != link or len(link) > 120 or " " in link):
        raise LayoutError("link")
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise LayoutError("window")


def _banner_fields(section: HomeSection) -> dict:
    return {
        "title": section.title,
        "titles": dict(section.titles or {}),
        "image": section.image,
        "link": section.link,
        "starts_at": section.starts_at.isoformat() if section.starts_at else None,
        "ends_at": section.ends_at.isoformat() if section.ends_at else None,
    }


def update_banner(
    session: Session, actor: User, section_id: int, draft: BannerDraft, *, now: datetime
) -> HomeSection:
    """Change a banner's titles, picture, link and display window."""
    section = _find(_locked(session), section_id)
    if section.kind != "banner":
        raise LayoutError("not_banner")
    _check_banner(session, draft)
    before = _banner_fields(section)
    section.title = draft.title.strip()
    titles = {"en": draft.title_en.strip(), "zh_Hant": draft.title_zh_hant.strip()}
    section.titles = {k: v for k, v in titles.items() if v}
    section.image, section.link = draft.image, draft.link.strip()
    section.starts_at, section.ends_at = draft.starts_at, draft.ends_at
    old, new = audit.changes(before, _banner_fields(section))
    audit.record(
        session, actor, "layout.section", "home_section", section.id, now=now,
        summary=describe(section), before=old, after=new,
    )  # fmt: skip
    return section

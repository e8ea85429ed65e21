"""Tier words in the reader's language: a tier's name and the lock of a gated gift ("Gold and
above", or "Diamond only" for the top of the ladder)."""

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.services.points import tiers

__all__ = ["gate_label", "gate_notice", "tier_name"]


def _tier_names() -> dict[str, str]:
    """Code → name in the current locale, lowest tier first; one query a request."""
    names = g.get("tier_names")
    if names is None:
        locale = str(get_locale())
        names = g.tier_names = {t.code: t.display_name(locale) for t in tiers.ladder(db.session)}
    return names


def tier_name(code: str) -> str:
    """A tier's name in the current locale (the code itself if unknown)."""
    return _tier_names().get(code, code)


def _is_top(code: str) -> bool:
    names = _tier_names()
    return bool(names) and code == list(names)[-1]


def gate_label(code: str) -> str:
    """The lock of a gift for `code` and up: "Gold and above", or "Diamond only" at the top."""
    if _is_top(code):
        return _("%(tier)s only", tier=tier_name(code))
    return _("%(tier)s and above", tier=tier_name(code))


def gate_notice(code: str) -> str:
    """Why a member below `code` cannot redeem, as a sentence (the top tier: "… only")."""
    if _is_top(code):
        return _("Only %(tier)s members can redeem this.", tier=tier_name(code))
    return _("Only %(tier)s and above can redeem this.", tier=tier_name(code))

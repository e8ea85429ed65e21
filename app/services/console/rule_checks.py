"""What a rules section must look like before it can become a version (RulesError if not)."""

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PointSource, Tier
from app.models.segments import SEGMENTS
from app.services.errors import DomainError
from app.services.points.rules import LOCALES, SETTING_SECTIONS

# the bounds of every integer setting: (lowest, highest)
RANGES = {
    "signin_points": (0, 10_000),
    "signin_streak_days": (1, 365),
    "signin_streak_bonus": (0, 10_000),
    "profile_points": (0, 100_000),
    "referral_points": (0, 100_000),
    "behaviour_monthly_cap": (0, 1_000_000),
    "registration_points": (0, 100_000),
    "birthday_multiplier_pct": (100, 1_000),
    "booking_cutoff_hours": (0, 168),
    "no_show_returns_points": (0, 1),
    "unpaid_order_minutes": (5, 1_440),
    "monthly_issue_cap": (0, 2_000_000_000),
    "points_cash_cap_pct": (0, 100),
    "category_pct": (0, 1_000),
    "campaign_pct": (100, 1_000),
    "tier_pct": (1, 1_000),
    "threshold": (0, 100_000_000),
    "expiry_value": (0, 3_650),
    "pending_days": (0, 365),
    "points_per_yuan": (1, 10_000),
}
CODE_RE = re.compile(r"[a-z][a-z0-9_]{1,23}")
EXPIRY_KINDS = ("year_end", "days", "never")
VERIFICATIONS = ("system", "offline")
PERIODS = ("month", "quarter", "year")
ICONS = ("bag", "coin", "clock", "user", "bolt", "list", "qr", "lock")
RATE_KINDS = ("default", "range", "weekly")
MAX_ROWS = 50


class RulesError(DomainError):
    """A rules change that cannot be saved; `code` says why, `detail` holds the numbers."""


def _int(value, bound: str, field: str) -> int:
    low, high = RANGES[bound]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RulesError("range", field=field, low=low, high=high)
    return value


def _text(value, field: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise RulesError("text", field=field, limit=limit)
    return value


def _iso_day(value, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RulesError("date", field=field) from None


def _names(names, field: str, limit: int = 40, required: bool = True) -> None:
    if not isinstance(names, dict) or set(names) - set(LOCALES):
        raise RulesError("text", field=field, limit=limit)
    _text(names.get("zh_Hans", ""), field, limit, required)
    for locale in ("en", "zh_Hant"):
        _text(names.get(locale, ""), field, limit, required=False)


def _tier_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Tier.code).order_by(Tier.rank)))


def _settings(session: Session, payload: dict, section: str) -> None:
    if set(payload) - set(SETTING_SECTIONS[section]) - ({"rates"} if section == "cash" else set()):
        raise RulesError("shape")
    for key in SETTING_SECTIONS[section]:
        _int(payload.get(key), key, key)


def _categories(session: Session, payload: dict) -> None:
    categories = payload.get("categories")
    if not isinstance(categories, dict) or len(categories) > MAX_ROWS:
        raise RulesError("shape")
    for name, pct in categories.items():
        if not CODE_RE.fullmatch(name):
            raise RulesError("category", name=name)
        _int(pct, "category_pct", name)


def campaign(session: Session, item: dict) -> None:
    """One campaign: a name, a window in order, a bonus multiplier, known tiers."""
    _text(item.get("name"), "name", 60)
    if _iso_day(item.get("starts_on"), "starts_on") > _iso_day(item.get("ends_on"), "ends_on"):
        raise RulesError("campaign_window")
    _int(item.get("multiplier_pct"), "campaign_pct", "multiplier_pct")
    if not isinstance(item.get("tiers"), list) or set(item["tiers"]) - set(_tier_codes(session)):
        raise RulesError("tier_unknown")
    _segment(item)


def _segment(item: dict) -> None:
    """A target is one segment of the list, or none (everyone)."""
    if item.get("segment") is not None and item["segment"] not in SEGMENTS:
        raise RulesError("segment_unknown")


def _campaigns(session: Session, payload: dict) -> None:
    items = payload.get("campaigns")
    if not isinstance(items, list) or len(items) > MAX_ROWS:
        raise RulesError("shape")
    for item in items:
        campaign(session, item)
    if len({item.get("id") for item in items}) != len(items):
        raise RulesError("shape")


def _tiers(session: Session, payload: dict) -> None:
    items = payload.get("tiers")
    codes = _tier_codes(session)
    if not isinstance(items, list) or [t.get("code") for t in items] != codes:
        raise RulesError("tiers")
    thresholds = [_int(t.get("threshold"), "threshold", f"threshold_{t['code']}") for t in items]
    if thresholds[0] != 0 or any(a >= b for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise RulesError("thresholds")
    for t in items:
        _int(t.get("multiplier_pct"), "tier_pct", f"multiplier_{t['code']}")
        _names(t.get("names"), f"name_{t['code']}")


def _benefits(session: Session, payload: dict) -> None:
    items = payload.get("benefits")
    if not isinstance(items, list) or len(items) > MAX_ROWS:
        raise RulesError("shape")
    for b in items:
        benefit(session, b)
    if len({b["code"] for b in items}) != len(items):
        raise RulesError("benefit_code")


def benefit(session: Session, item: dict) -> None:
    """One benefit: a code, names, tiers, how it is verified and how often it may be used."""
    if not isinstance(item.get("code"), str) or not CODE_RE.fullmatch(item["code"]):
        raise RulesError("benefit_code")
    _names(item.get("names"), "name")
    _names(item.get("descriptions") or {}, "description", 200, required=False)
    if item.get("icon") not in ICONS or item.get("verification") not in VERIFICATIONS:
        raise RulesError("benefit")
    if item.get("period") not in PERIODS:
        raise RulesError("benefit")
    if not isinstance(item.get("tier_codes"), list) or set(item["tier_codes"]) - set(
        _tier_codes(session)
    ):
        raise RulesError("tier_unknown")
    _segment(item)


def _sources(session: Session, payload: dict) -> None:
    sources = payload.get("sources")
    codes = set(session.scalars(select(PointSource.code)))
    if not isinstance(sources, dict) or set(sources) != codes:
        raise RulesError("source")
    for code, policy in sources.items():
        if not isinstance(policy, dict) or policy.get("expiry_kind") not in EXPIRY_KINDS:
            raise RulesError("source", source=code)
        _int(policy.get("expiry_value"), "expiry_value", f"expiry_value_{code}")
        _int(policy.get("pending_days"), "pending_days", f"pending_days_{code}")


def _rate(item: dict) -> None:
    if not isinstance(item, dict) or item.get("kind") not in RATE_KINDS:
        raise RulesError("rate")
    _text(item.get("name"), "rate_name", 40)
    _int(item.get("points_per_yuan"), "points_per_yuan", "points_per_yuan")
    if item["kind"] == "range" and _iso_day(item.get("starts_on"), "starts_on") > _iso_day(
        item.get("ends_on"), "ends_on"
    ):
        raise RulesError("rate_window")
    weekday = item.get("weekday")
    if item["kind"] == "weekly" and (not isinstance(weekday, int) or not 0 <= weekday <= 6):
        raise RulesError("rate")


def _cash(session: Session, payload: dict) -> None:
    _settings(session, payload, "cash")
    rates = payload.get("rates")
    if not isinstance(rates, list) or len(rates) > MAX_ROWS:
        raise RulesError("shape")
    for item in rates:
        _rate(item)
    if [r["kind"] for r in rates].count("default") != 1:
        raise RulesError("default_rate")


CHECKS = {
    "categories": _categories,
    "campaigns": _campaigns,
    "tiers": _tiers,
    "benefits": _benefits,
    "sources": _sources,
    "cash": _cash,
}


def check(session: Session, section: str, payload) -> None:
    """Refuse (RulesError) a payload that is not a valid whole section."""
    if not isinstance(payload, dict):
        raise RulesError("shape")
    if section in CHECKS:
        CHECKS[section](session, payload)
    else:
        _settings(session, payload, section)

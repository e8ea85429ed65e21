"""The sections of the rules, and each section as its tables hold it (the rules before the
section's first version: seeded by migration 0001 and `seed_defaults`)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Benefit,
    Campaign,
    CashRate,
    CategoryMultiplier,
    EarningSetting,
    PointSource,
    Tier,
)

LOCALES = ("zh_Hans", "en", "zh_Hant")
SETTING_SECTIONS = {
    "behaviour": (
        "signin_points",
        "signin_streak_days",
        "signin_streak_bonus",
        "profile_points",
        "referral_points",
        "behaviour_monthly_cap",
    ),
    "gift_pack": ("registration_points",),
    "birthday": ("birthday_multiplier_pct",),
    "bookings": ("booking_cutoff_hours", "no_show_returns_points", "unpaid_order_minutes"),
    "issue_cap": ("monthly_issue_cap",),
    "cash": ("points_cash_cap_pct",),
}
SECTION_OF = {key: section for section, keys in SETTING_SECTIONS.items() for key in keys}
SECTIONS = (
    "categories",
    "campaigns",
    "birthday",
    "behaviour",
    "gift_pack",
    "tiers",
    "benefits",
    "sources",
    "cash",
    "bookings",
    "issue_cap",
)
MISSING_SETTINGS = {"monthly_issue_cap": 0}  # 0 = no cap; for databases seeded before it


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def parse_day(text: str | None) -> date | None:
    """A date written as YYYY-MM-DD (None for none)."""
    return date.fromisoformat(text) if text else None


def table_setting(session: Session, key: str) -> int:
    """An integer setting as `earning_settings` holds it."""
    row = session.get(EarningSetting, key)
    return row.value if row is not None else MISSING_SETTINGS[key]


def _baseline_tiers(session: Session) -> dict:
    rows = session.scalars(select(Tier).order_by(Tier.rank))
    return {
        "tiers": [
            {
                "code": t.code,
                "threshold": t.threshold,
                "multiplier_pct": t.multiplier_pct,
                "names": {"zh_Hans": t.name, **(t.names or {})},
            }
            for t in rows
        ]
    }


def _baseline_campaigns(session: Session) -> dict:
    rows = session.scalars(select(Campaign).order_by(Campaign.id))
    return {
        "campaigns": [
            {
                "id": c.id,
                "name": c.name,
                "starts_on": _iso(c.starts_on),
                "ends_on": _iso(c.ends_on),
                "multiplier_pct": c.multiplier_pct,
                "tiers": [],
                "segment": c.segment,
            }
            for c in rows
        ]
    }


def _baseline_benefits(session: Session) -> dict:
    rows = session.scalars(select(Benefit).order_by(Benefit.id))
    return {
        "benefits": [
            {
                "code": b.code,
                "names": {"zh_Hans": b.name, **(b.names or {})},
                "descriptions": {},
                "icon": "bag",
                "tier_codes": list(b.tier_codes or []),
                "verification": b.verification,
                "period": b.period,
                "segment": b.segment,
            }
            for b in rows
        ]
    }


def baseline_sources(session: Session) -> dict:
    rows = session.scalars(select(PointSource).order_by(PointSource.code))
    return {
        "sources": {
            s.code: {
                "expiry_kind": s.expiry_kind,
                "expiry_value": s.expiry_value,
                "pending_days": s.pending_days,
            }
            for s in rows
        }
    }


def _baseline_cash(session: Session) -> dict:
    rows = session.scalars(select(CashRate).order_by(CashRate.id))
    rates = [
        {
            "kind": r.kind,
            "name": r.name,
            "points_per_yuan": r.points_per_yuan,
            "starts_on": _iso(r.starts_on),
            "ends_on": _iso(r.ends_on),
            "weekday": r.weekday,
        }
        for r in rows
    ]
    return {"points_cash_cap_pct": table_setting(session, "points_cash_cap_pct"), "rates": rates}


def _baseline_categories(session: Session) -> dict:
    rows = session.execute(select(CategoryMultiplier.category, CategoryMultiplier.multiplier_pct))
    return {"categories": dict(rows.all())}


BASELINES = {
    "tiers": _baseline_tiers,
    "campaigns": _baseline_campaigns,
    "benefits": _baseline_benefits,
    "sources": baseline_sources,
    "cash": _baseline_cash,
    "categories": _baseline_categories,
}


def baseline(session: Session, section: str) -> dict:
    """A section as its tables hold it (the rules before its first version)."""
    if section in BASELINES:
        return BASELINES[section](session)
    return {key: table_setting(session, key) for key in SETTING_SECTIONS[section]}

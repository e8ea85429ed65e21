"""The default rules a fresh database starts with (operators edit them later)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CashRate, CategoryMultiplier, EarningSetting, PointSource, Tier

POINT_SOURCES = [
    # code, name, expiry kind, expiry value, pending days, behaviour (monthly cap applies)
    ("purchase", "Purchase", "year_end", 1, 0, False),
    ("referral", "Referral", "year_end", 1, 0, True),
    ("signin", "Daily sign-in", "days", 90, 0, True),
    ("registration", "Registration", "days", 90, 0, True),
    ("profile", "Profile completed", "days", 90, 0, True),
    ("task", "Interaction task", "days", 90, 0, True),
    ("campaign", "Campaign bonus", "days", 90, 0, False),
    ("adjustment", "Adjustment", "year_end", 1, 0, False),
]

TIERS = [
    # code, rank, zh_Hans name, en, zh_Hant, growth threshold, purchase multiplier (percent)
    ("base", 0, "普卡会员", "Member", "普卡會員", 0, 100),
    ("silver", 1, "银卡会员", "Silver", "銀卡會員", 1_000, 120),
    ("gold", 2, "金卡会员", "Gold", "金卡會員", 5_000, 150),
    ("diamond", 3, "钻石会员", "Diamond", "鑽石會員", 20_000, 200),
]

SETTINGS = {
    "signin_points": 5,
    "signin_streak_days": 7,
    "signin_streak_bonus": 20,
    "registration_points": 100,
    "profile_points": 50,
    "referral_points": 200,
    "behaviour_monthly_cap": 300,
    "birthday_multiplier_pct": 200,
    "points_cash_cap_pct": 50,
    "unpaid_order_minutes": 15,
    "booking_cutoff_hours": 2,
    "no_show_returns_points": 0,
    "monthly_issue_cap": 0,  # points the brand may issue per brand-local month; 0 = no cap
    "adjustment_approval_threshold": 1_000,  # manual adjustments above it need a second operator
}

CATEGORIES = {"skincare": 100, "makeup": 100, "fragrance": 100, "gift_card": 0}


def seed_defaults(session: Session) -> None:
    """Insert whatever default rule is missing; never overwrites an operator's edits."""
    _seed_sources(session)
    _seed_tiers(session)
    have = set(session.scalars(select(EarningSetting.key)))
    session.add_all(EarningSetting(key=k, value=v) for k, v in SETTINGS.items() if k not in have)
    have = set(session.scalars(select(CategoryMultiplier.category)))
    session.add_all(
        CategoryMultiplier(category=c, multiplier_pct=p)
        for c, p in CATEGORIES.items()
        if c not in have
    )
    if not session.scalar(select(CashRate.id).where(CashRate.kind == "default")):
        session.add(CashRate(kind="default", name="Standard", points_per_yuan=20))
    from app.services.tasks.defaults import seed_tasks  # tasks seed their own rows

    seed_tasks(session)
    session.flush()


def _seed_sources(session: Session) -> None:
    have = set(session.scalars(select(PointSource.code)))
    for code, name, kind, value, pending, behaviour in POINT_SOURCES:
        if code not in have:
            session.add(
                PointSource(
                    code=code,
                    name=name,
                    expiry_kind=kind,
                    expiry_value=value,
                    pending_days=pending,
                    behaviour=behaviour,
                )
            )


def _seed_tiers(session: Session) -> None:
    have = set(session.scalars(select(Tier.code)))
    for code, rank, name, en, hant, threshold, pct in TIERS:
        if code not in have:
            session.add(
                Tier(
                    code=code,
                    rank=rank,
                    name=name,
                    names={"en": en, "zh_Hant": hant},
                    threshold=threshold,
                    multiplier_pct=pct,
                )
            )

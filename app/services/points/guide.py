"""The rules as members read them (/rules and /me): earning, expiry, points as cash, tiers and
their benefits, the campaigns running and coming — all from the rules in force, no query of its
own once the rule book is cached."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.services.points.ledger import expiry_for
from app.services.points.rules import (
    ANY_SEGMENT,
    BenefitRule,
    CampaignRule,
    RateRule,
    Rules,
    TierRule,
    rules_at,
)
from app.services.points.targets import reaches
from app.timeutil import last_valid_day, local_date

PCT = 100
SETTINGS = (
    "signin_points", "signin_streak_days", "signin_streak_bonus", "registration_points",
    "profile_points", "referral_points", "behaviour_monthly_cap", "birthday_multiplier_pct",
    "points_cash_cap_pct",
)  # fmt: skip
AHEAD_DAYS = 60  # /me lists the campaigns starting within this many days
SOURCE_ORDER = ("purchase", "referral", "signin", "registration", "profile", "task", "campaign")
EXAMPLE_YUAN = 100
RATE_ORDER = {"default": 0, "weekly": 1, "range": 2}
KIND_ORDER = {"year_end": 0, "days": 1, "never": 2}


def times(pct: int) -> str:
    """A percentage multiplier as members say it: 200 → ×2, 150 → ×1.5, 125 → ×1.25."""
    whole, part = divmod(pct, PCT)
    return f"×{whole}" if not part else f"×{whole}.{part:02d}".rstrip("0")


@dataclass(frozen=True)
class Expiry:
    """One expiry policy, the sources under it, and the last day of points earned today."""

    kind: str  # year_end | days | never
    value: int
    sources: tuple  # source codes
    example: date | None  # last usable brand-local day of points earned today


@dataclass(frozen=True)
class Rung:
    """A tier with its benefits (every benefit that names it, or names no tier)."""

    tier: TierRule
    benefits: tuple  # BenefitRule

    @property
    def example_points(self) -> int:
        """Points for a ¥100 purchase at this tier (no campaign): 1 point per ¥1 × the tier."""
        return EXAMPLE_YUAN * self.tier.multiplier_pct // PCT

    @property
    def ratio(self) -> str:
        """The tier's multiplier as members say it: ×1.2."""
        return times(self.tier.multiplier_pct)


@dataclass(frozen=True)
class Occasion:
    """A campaign or a member day ahead (or running today), as /me and /rules list it."""

    kind: str  # campaign | member_day
    name: str
    starts_on: date
    ends_on: date
    multiplier_pct: int = PCT  # campaigns
    points_per_yuan: int = 0  # member days
    tiers: tuple = ()
    segment: str | None = None  # campaigns for one segment's members only

    @property
    def ratio(self) -> str:
        """The multiplier as members say it: ×2, ×1.5."""
        return times(self.multiplier_pct)


@dataclass(frozen=True)
class Guide:
    """Everything the rules page shows, as of one brand-local day."""

    today: date
    settings: dict
    categories: tuple  # (category, pct) that differ from 100 %
    rungs: tuple  # Rung, lowest first
    occasions: tuple  # Occasion running today or later, soonest first
    expiries: tuple  # Expiry
    rate_today: RateRule
    rates: tuple  # RateRule: the calendar

    @property
    def default_rate(self) -> RateRule:
        """The everyday rate (20 points = ¥1)."""
        return next((r for r in self.rates if r.kind == "default"), self.rate_today)


def occasions(
    rules: Rules, today: date, days: int | None = None, tier: str = "", segment=ANY_SEGMENT
) -> tuple:
    """Campaigns and member days running today or starting within `days` (all ahead: None),
    for one tier and one segment when given (None: in no segment), soonest first."""
    until = today + timedelta(days=days) if days is not None else date.max
    found = [
        _campaign(c)
        for c in rules.campaigns()
        if c.ends_on >= today
        and (not tier or not c.tiers or tier in c.tiers)
        and (segment is ANY_SEGMENT or reaches(c.segment, segment))
    ]
    found += [_member_day(r, today) for r in rules.rates() if r.kind == "weekly"]
    found += [_rate_range(r) for r in rules.rates() if r.kind == "range" and r.ends_on >= today]
    seen, unique = set(), []
    for o in sorted((o for o in found if o.starts_on <= until), key=lambda o: o.starts_on):
        same = (o.kind, o.starts_on, o.ends_on, o.multiplier_pct, o.points_per_yuan, o.tiers)
        if o.kind == "campaign" or same not in seen:  # two member-day rules on one day: once
            seen.add(same)
            unique.append(o)
    return tuple(unique)


def _campaign(c: CampaignRule) -> Occasion:
    return Occasion(
        "campaign", c.name, c.starts_on, c.ends_on, c.multiplier_pct, tiers=c.tiers,
        segment=c.segment,
    )  # fmt: skip


def _member_day(rate: RateRule, today: date) -> Occasion:
    day = today + timedelta(days=(rate.weekday - today.weekday()) % 7)
    return Occasion("member_day", rate.name, day, day, points_per_yuan=rate.points_per_yuan)


def _rate_range(rate: RateRule) -> Occasion:
    return Occasion(
        "cash_rate", rate.name, rate.starts_on, rate.ends_on, points_per_yuan=rate.points_per_yuan
    )


def rungs(rules: Rules) -> tuple:
    """The ladder, each rung with its benefits."""
    benefits: list[BenefitRule] = rules.benefits()
    return tuple(
        Rung(t, tuple(b for b in benefits if not b.tier_codes or t.code in b.tier_codes))
        for t in rules.ladder()
    )


def expiries(rules: Rules, now: datetime) -> tuple:
    """The expiry policies in force, grouped, each with the last day of points earned now."""
    codes = sorted(rules.payload("sources")["sources"], key=_source_order)
    groups: dict[tuple, list] = {}
    examples: dict[tuple, date | None] = {}
    for code in codes:
        source = rules.source(code)
        key = (source.expiry_kind, source.expiry_value)
        groups.setdefault(key, []).append(code)
        if key not in examples:
            ends = expiry_for(source, now)
            examples[key] = last_valid_day(ends) if ends else None
    found = [Expiry(k, v, tuple(c), examples[(k, v)]) for (k, v), c in groups.items()]
    return tuple(sorted(found, key=lambda e: (KIND_ORDER.get(e.kind, 3), e.value)))


def _source_order(code: str) -> tuple:
    return (SOURCE_ORDER.index(code) if code in SOURCE_ORDER else len(SOURCE_ORDER), code)


def calendar(rules: Rules) -> tuple:
    """The points-as-cash calendar in reading order (every day, member days, date ranges),
    each rate once even if two rules say the same."""
    found: dict[tuple, RateRule] = {}
    for r in rules.rates():
        found.setdefault((r.kind, r.points_per_yuan, r.starts_on, r.ends_on, r.weekday), r)
    return tuple(sorted(found.values(), key=_rate_order))


def _rate_order(r: RateRule) -> tuple:
    return (RATE_ORDER.get(r.kind, 3), r.starts_on or date.min, r.weekday or 0)


def guide(session: Session, now: datetime) -> Guide:
    """The rules page's figures as of now (brand-local today)."""
    rules, today = rules_at(session, now), local_date(now)
    categories = rules.payload("categories")["categories"]
    return Guide(
        today=today,
        settings={key: rules.setting(key) for key in SETTINGS},
        categories=tuple(sorted((c, int(p)) for c, p in categories.items() if int(p) != PCT)),
        rungs=rungs(rules),
        occasions=occasions(rules, today),
        expiries=expiries(rules, now),
        rate_today=rules.rate_on(today),
        rates=calendar(rules),
    )

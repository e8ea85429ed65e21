"""The rules in force at an instant: one resolver every earning, tier and pricing read asks.

Each section (tiers, campaigns, behaviour …) is versioned as a whole: `rule_versions` holds
snapshots, each in force from its `effective_at` until the next one. Before a section's first
version its tables (seeded by migration 0001 and `seed_defaults`) are the rules; the console's
first change of a section also stores those tables as version 0, so they are never read again
for it. Nothing here writes.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Benefit, PointSource, RuleVersion, Tier
from app.services.points.rule_tables import (
    LOCALES,
    SECTION_OF,
    SECTIONS,
    SETTING_SECTIONS,
    baseline,
    baseline_sources,
    parse_day,
    table_setting,
)

__all__ = ["LOCALES", "SECTIONS", "SETTING_SECTIONS", "Rules", "baseline", "rules_at"]

PCT = 100
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)  # version 0 (the initial tables) is in force from
ANY_SEGMENT = object()  # `applies` without a segment: whoever the member (history, reminders)


@dataclass(frozen=True)
class TierRule:
    """A rung of the ladder as the rules stand (the id is the `tiers` row's)."""

    id: int
    code: str
    rank: int
    threshold: int
    multiplier_pct: int
    names: dict

    @property
    def name(self) -> str:
        """The default (Simplified Chinese) name."""
        return self.names.get("zh_Hans", self.code)

    def display_name(self, locale: str) -> str:
        """The name in a locale, falling back to the default name."""
        return self.names.get(locale) or self.name


@dataclass(frozen=True)
class CampaignRule:
    """Extra points on brand-local days, for every tier or only some."""

    id: int
    name: str
    starts_on: date
    ends_on: date
    multiplier_pct: int
    tiers: tuple = ()
    segment: str | None = None  # None: every member; else only that segment's

    def applies(self, day: date, tier_code: str, segment=ANY_SEGMENT) -> bool:
        """Whether the campaign multiplies a purchase on `day` by a member of `tier_code` (and of
        `segment`, when given: a member in no segment is None)."""
        if segment is not ANY_SEGMENT and self.segment is not None and self.segment != segment:
            return False
        return self.starts_on <= day <= self.ends_on and (not self.tiers or tier_code in self.tiers)


@dataclass(frozen=True)
class SourceRule:
    """A point source's expiry and pending policy (what `ledger.expiry_for` reads)."""

    code: str
    name: str
    expiry_kind: str
    expiry_value: int
    pending_days: int
    behaviour: bool


@dataclass(frozen=True)
class BenefitRule:
    """A tier benefit (the id is the `benefits` row's, which offline uses point to)."""

    id: int
    code: str
    names: dict
    tier_codes: tuple
    verification: str
    period: str
    icon: str = "bag"
    descriptions: dict = field(default_factory=dict)
    segment: str | None = None  # None: every member of its tiers; else only that segment's

    @property
    def name(self) -> str:
        """The default (Simplified Chinese) name."""
        return self.names.get("zh_Hans", self.code)


@dataclass(frozen=True)
class RateRule:
    """One entry of the points-as-cash calendar."""

    kind: str  # default | range | weekly
    name: str
    points_per_yuan: int
    starts_on: date | None = None
    ends_on: date | None = None
    weekday: int | None = None  # Monday = 0, brand-local

    def applies(self, day: date) -> bool:
        """Whether this rate applies on a brand-local day."""
        if self.kind == "range":
            return self.starts_on <= day <= self.ends_on
        if self.kind == "weekly":
            return self.weekday == day.weekday()
        return True


def version_at(session: Session, section: str, at: datetime) -> RuleVersion | None:
    """The version of a section in force at an instant, if the section has versions yet."""
    return session.scalar(
        select(RuleVersion)
        .where(RuleVersion.section == section, RuleVersion.effective_at <= at)
        .order_by(RuleVersion.effective_at.desc(), RuleVersion.id.desc())
        .limit(1)
    )


class Rules:
    """Every rule in force at `at`; `drafts` (section → payload) stand in for sections."""

    def __init__(self, session: Session, at: datetime, drafts: dict | None = None, book=None):
        self.session, self.at = session, at
        self._payloads: dict[str, dict] = dict(drafts or {})
        self._ladder: list[TierRule] | None = None
        self._book = book  # a rule_book.RuleBook: the same answers without a query

    def payload(self, section: str) -> dict:
        """The raw payload of a section (cached for this object's life)."""
        if section not in self._payloads and self._book is not None:
            self._payloads[section] = self._book.payload(section, self.at)
        if section not in self._payloads:
            version = version_at(self.session, section, self.at)
            self._payloads[section] = (
                version.payload if version is not None else baseline(self.session, section)
            )
        return self._payloads[section]

    def setting(self, key: str) -> int:
        """An integer rule (points per sign-in, the monthly cap, the cut-off hours …)."""
        if key not in SECTION_OF:  # a setting that is not a versioned rule: its row as it is
            if self._book is not None and key in self._book.settings:
                return self._book.settings[key]
            return table_setting(self.session, key)
        return int(self.payload(SECTION_OF[key])[key])

    def category_pct(self, category: str) -> int:
        """A category's purchase multiplier (percent); unknown categories count at 100 %."""
        return int(self.payload("categories")["categories"].get(category, PCT))

    def campaigns(self) -> list[CampaignRule]:
        """The campaigns of the rules (whatever their windows)."""
        return [
            CampaignRule(
                c["id"],
                c["name"],
                parse_day(c["starts_on"]),
                parse_day(c["ends_on"]),
                c["multiplier_pct"],
                tuple(c.get("tiers") or ()),
                c.get("segment"),
            )
            for c in self.payload("campaigns")["campaigns"]
        ]

    def campaign_pct(self, day: date, tier_code: str, segment: str | None = None) -> int:
        """The campaign multiplier on a brand-local day for a tier and a segment (None: in no
        segment, so only untargeted campaigns) — the highest that applies."""
        pcts = [c.multiplier_pct for c in self.campaigns() if c.applies(day, tier_code, segment)]
        return max(pcts, default=PCT)

    def targets_on(self, day: date, tier_code: str) -> bool:
        """Whether a campaign targeted at a segment applies on the day to the tier (only then
        is the member's segment worth reading)."""
        return any(c.segment and c.applies(day, tier_code) for c in self.campaigns())

    def ladder(self) -> list[TierRule]:
        """The tiers, lowest first, with their thresholds, multipliers and names."""
        if self._ladder is None:
            rows = (
                self._book.tier_rows
                if self._book is not None
                else self.session.execute(select(Tier.code, Tier.id, Tier.rank))
            )
            known = {code: (tier_id, rank) for code, tier_id, rank in rows}
            rungs = []
            for t in self.payload("tiers")["tiers"]:
                tier_id, rank = known[t["code"]]
                rungs.append(
                    TierRule(
                        tier_id,
                        t["code"],
                        rank,
                        t["threshold"],
                        t["multiplier_pct"],
                        dict(t["names"]),
                    )
                )
            self._ladder = sorted(rungs, key=lambda t: t.rank)
        return self._ladder

    def tier(self, code: str) -> TierRule:
        """One tier by code."""
        return next(t for t in self.ladder() if t.code == code)

    def source(self, code: str) -> SourceRule:
        """A point source's policy; the behaviour flag is fixed per source (not versioned)."""
        known = getattr(self._book, "source_rows", None) or {}
        if code in known:
            name, behaviour = known[code]
        else:
            row = self.session.get(PointSource, code)
            name, behaviour = row.name, row.behaviour
        policy = self.payload("sources")["sources"].get(code)
        if policy is None:  # a source added after the section's last version: its own row
            policy = baseline_sources(self.session)["sources"][code]
        return SourceRule(
            code, name, policy["expiry_kind"], policy["expiry_value"], policy["pending_days"],
            behaviour,
        )  # fmt: skip

    def rates(self) -> list[RateRule]:
        """The points-as-cash calendar."""
        return [
            RateRule(
                r["kind"],
                r["name"],
                r["points_per_yuan"],
                parse_day(r.get("starts_on")),
                parse_day(r.get("ends_on")),
                r.get("weekday"),
            )
            for r in self.payload("cash")["rates"]
        ]

    def rate_on(self, day: date) -> RateRule:
        """The most generous rate that applies on a brand-local day (fewest points per ¥1)."""
        return min((r for r in self.rates() if r.applies(day)), key=lambda r: r.points_per_yuan)

    def benefits(self) -> list[BenefitRule]:
        """The tier benefits (system- and offline-verified)."""
        ids = getattr(self._book, "benefit_ids", None)  # None: no book (or one kept before)
        if ids is None:
            ids = dict(self.session.execute(select(Benefit.code, Benefit.id)).all())
        return [
            BenefitRule(
                ids.get(b["code"], 0),
                b["code"],
                dict(b["names"]),
                tuple(b["tier_codes"]),
                b["verification"],
                b["period"],
                b.get("icon", "bag"),
                dict(b.get("descriptions") or {}),
                b.get("segment"),
            )
            for b in self.payload("benefits")["benefits"]
        ]


def rules_at(session: Session, at: datetime, drafts: dict | None = None) -> Rules:
    """The rules in force at an instant (UTC-aware), optionally with draft sections."""
    from app.services.points import rule_book  # the cached versions (it imports this package)

    return Rules(session, at, drafts, book=rule_book.book(session))

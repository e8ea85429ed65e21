"""What the rules page shows: every rule in force now, grouped, with who set it and when;
the changes scheduled; the monthly issue cap's use; the clearings under way."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PointClearing, RuleVersion
from app.services.points import issuing
from app.services.points.rules import (
    SECTIONS,
    BenefitRule,
    CampaignRule,
    RateRule,
    Rules,
    SourceRule,
    TierRule,
    rules_at,
    version_at,
)
from app.timeutil import local_date


@dataclass(frozen=True)
class CapUse:
    """The brand's monthly issue cap and how much of it this brand-local month has used."""

    cap: int
    used: int

    @property
    def pct(self) -> int:
        """Share of the cap used, in whole percent (0 without a cap)."""
        return min(self.used * 100 // self.cap, 100) if self.cap else 0


@dataclass(frozen=True)
class Overview:
    """Every rule in force now, and what is about to change."""

    rules: Rules
    categories: list[tuple[str, int]]
    campaigns: list[tuple[CampaignRule, str]]  # (campaign, running | upcoming | over)
    tiers: list[TierRule]
    benefits: list[BenefitRule]
    sources: list[SourceRule]
    rates: list[RateRule]
    rate_today: RateRule
    cap: CapUse
    since: dict  # section -> the RuleVersion in force (None: the initial tables)
    scheduled: list[RuleVersion]
    clearings: list[PointClearing]

    def setting(self, key: str) -> int:
        """An integer rule in force now."""
        return self.rules.setting(key)


def _state(campaign: CampaignRule, today) -> str:
    if campaign.ends_on < today:
        return "over"
    return "running" if campaign.starts_on <= today else "upcoming"


def overview(session: Session, now: datetime) -> Overview:
    """The rules page's figures as of now."""
    rules, today = rules_at(session, now), local_date(now)
    codes = sorted(rules.payload("sources")["sources"])
    return Overview(
        rules=rules,
        categories=sorted(rules.payload("categories")["categories"].items()),
        campaigns=[(c, _state(c, today)) for c in rules.campaigns()],
        tiers=rules.ladder(),
        benefits=rules.benefits(),
        sources=[rules.source(code) for code in codes],
        rates=rules.rates(),
        rate_today=rules.rate_on(today),
        cap=CapUse(issuing.cap_at(session, now), issuing.used(session, now)),
        since={s: _by_operator(version_at(session, s, now)) for s in SECTIONS},
        scheduled=list(
            session.scalars(
                select(RuleVersion)
                .where(RuleVersion.effective_at > now)
                .order_by(RuleVersion.effective_at, RuleVersion.id)
            )
        ),
        clearings=list(
            session.scalars(
                select(PointClearing)
                .where(PointClearing.status.in_(("requested", "approved")))
                .order_by(PointClearing.run_on)
            )
        ),
    )


def _by_operator(version: RuleVersion | None) -> RuleVersion | None:
    """Version 0 (the initial tables) has no author: shown as the initial rules."""
    return version if version is not None and version.created_by_id else None

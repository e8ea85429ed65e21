"""Operators change the rules: every change is a new version of a whole section, in force from
now or a later instant, never retroactively; each one is audited (rule.version, rule.campaign)."""

import copy
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Benefit, RuleVersion, User
from app.services.console import audit
from app.services.console.rule_checks import RulesError, campaign, check
from app.services.points.rules import BEGINNING, baseline, rules_at
from app.timeutil import brand_tz, local_date

__all__ = ["RulesError", "add_campaign", "end_campaign", "history", "in_force", "save"]

GRACE = timedelta(minutes=1)  # "now" typed to the minute is a moment ago: still now


def in_force(session: Session, section: str, at: datetime) -> dict:
    """A copy of a section's rules in force at an instant (to edit into a new version)."""
    return copy.deepcopy(rules_at(session, at).payload(section))


def effective(effective_at: datetime | None, now: datetime) -> datetime:
    """When a change takes effect: now when not given; an instant already past is refused."""
    if effective_at is None or now - GRACE <= effective_at <= now:
        return now
    if effective_at < now:
        raise RulesError("past")
    return effective_at


def _keep_initial(session: Session, section: str, now: datetime) -> None:
    """Before a section's first version, store its tables as version 0 (in force till then)."""
    if session.scalar(select(RuleVersion.id).where(RuleVersion.section == section).limit(1)):
        return
    session.add(
        RuleVersion(
            section=section,
            payload=baseline(session, section),
            effective_at=BEGINNING,
            created_at=now,
            note="initial rules",
        )
    )


def _benefit_rows(session: Session, payload: dict) -> None:
    """A benefit new in this version gets its `benefits` row (what counter uses point to)."""
    have = set(session.scalars(select(Benefit.code)))
    for b in payload["benefits"]:
        if b["code"] not in have:
            session.add(
                Benefit(
                    code=b["code"],
                    name=b["names"]["zh_Hans"],
                    names=b["names"],
                    tier_codes=b["tier_codes"],
                    verification=b["verification"],
                    period=b["period"],
                    segment=b.get("segment"),
                )
            )


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(brand_tz()):%Y-%m-%d %H:%M}"


def save(
    session: Session,
    actor: User,
    section: str,
    payload: dict,
    *,
    effective_at: datetime | None,
    now: datetime,
    note: str = "",
    action: str = "rule.version",
    summary: str = "",
) -> RuleVersion:
    """Store a new version of a whole section (checked first; RulesError writes nothing)."""
    when = effective(effective_at, now)
    check(session, section, payload)
    before = in_force(session, section, when)
    _keep_initial(session, section, now)
    version = _new_version(session, actor, section, payload, when, now, note)
    old, new = audit.changes(before, payload)
    summary = summary or f"{section}, in force from {_when(when)}"
    diff = {"now": now, "before": old, "after": new, "reason": note}
    audit.record(session, actor, action, "rule_version", version.id, summary=summary, **diff)
    return version


def _new_version(session: Session, actor: User, section: str, payload: dict, when, now, note: str):
    """The stored version (and, for benefits, the rows the counter reads), flushed."""
    version = RuleVersion(
        section=section,
        payload=payload,
        effective_at=when,
        created_by_id=actor.id,
        created_at=now,
        note=note[:200],
    )
    session.add(version)
    if section == "benefits":
        _benefit_rows(session, payload)
    session.flush()
    return version


def _next_campaign_id(session: Session) -> int:
    """Campaign ids stay unique across every version (ending one names it for good)."""
    ids = [c["id"] for c in baseline(session, "campaigns")["campaigns"]]
    for payload in session.scalars(
        select(RuleVersion.payload).where(RuleVersion.section == "campaigns")
    ):
        ids += [c["id"] for c in payload["campaigns"]]
    return max(ids, default=0) + 1


def draft_campaigns(
    session: Session,
    *,
    name: str,
    multiplier_pct: int,
    starts_on: date,
    ends_on: date,
    tiers: list[str],
    when: datetime,
    segment: str | None = None,
) -> dict:
    """The campaigns section with one more, as it would stand from `when` (not stored);
    `segment`: only that segment's members earn it (None: everyone)."""
    item = {
        "id": _next_campaign_id(session),
        "name": name,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "multiplier_pct": multiplier_pct,
        "tiers": list(tiers),
        "segment": segment,
    }
    campaign(session, item)
    if ends_on < local_date(when):
        raise RulesError("campaign_over")
    payload = in_force(session, "campaigns", when)
    payload["campaigns"].append(item)
    return payload


def add_campaign(
    session: Session,
    actor: User,
    *,
    name: str,
    multiplier_pct: int,
    starts_on: date,
    ends_on: date,
    tiers: list[str],
    now: datetime,
    effective_at: datetime | None = None,
    note: str = "",
    segment: str | None = None,
) -> RuleVersion:
    """A new version of the campaigns with one more: it applies from when it takes effect."""
    when = effective(effective_at, now)
    dates = {"starts_on": starts_on, "ends_on": ends_on, "segment": segment}
    payload = draft_campaigns(
        session, name=name, multiplier_pct=multiplier_pct, tiers=tiers, when=when, **dates
    )
    who = f" for {segment}" if segment else ""
    summary = f"campaign {name} ×{multiplier_pct}%{who} {starts_on}–{ends_on}, from {_when(when)}"
    extra = {"note": note, "action": "rule.campaign", "summary": summary}
    return save(session, actor, "campaigns", payload, effective_at=when, now=now, **extra)


def end_campaign(
    session: Session, actor: User, campaign_id: int, *, now: datetime, note: str = ""
) -> RuleVersion:
    """A new version without the campaign, from now: orders paid before keep its bonus."""
    payload = in_force(session, "campaigns", now)
    kept = [c for c in payload["campaigns"] if c["id"] != campaign_id]
    if len(kept) == len(payload["campaigns"]):
        raise RulesError("campaign_unknown")
    ended = next(c for c in payload["campaigns"] if c["id"] == campaign_id)
    return save(
        session,
        actor,
        "campaigns",
        {"campaigns": kept},
        effective_at=None,
        now=now,
        note=note,
        action="rule.campaign",
        summary=f"campaign {ended['name']} ended {_when(now)}",
    )


def put_benefit(
    session: Session,
    actor: User,
    item: dict,
    *,
    new: bool,
    now: datetime,
    effective_at: datetime | None = None,
    note: str = "",
) -> RuleVersion:
    """A new benefits version with this benefit added (`new`) or changed (same code)."""
    when = effective(effective_at, now)
    payload = in_force(session, "benefits", when)
    codes = [b["code"] for b in payload["benefits"]]
    if new and item["code"] in codes:
        raise RulesError("benefit_code")
    if not new and item["code"] not in codes:
        raise RulesError("benefit_unknown")
    payload["benefits"] = [b for b in payload["benefits"] if b["code"] != item["code"]]
    payload["benefits"].insert(codes.index(item["code"]) if not new else len(codes), item)
    return save(
        session,
        actor,
        "benefits",
        payload,
        effective_at=when,
        now=now,
        note=note,
        summary=f"benefit {item['code']}, from {_when(when)}",
    )


def remove_benefit(session: Session, actor: User, code: str, *, now: datetime) -> RuleVersion:
    """A new benefits version without this benefit, from now (uses so far stay recorded)."""
    payload = in_force(session, "benefits", now)
    kept = [b for b in payload["benefits"] if b["code"] != code]
    if len(kept) == len(payload["benefits"]):
        raise RulesError("benefit_unknown")
    return save(
        session,
        actor,
        "benefits",
        {"benefits": kept},
        effective_at=None,
        now=now,
        summary=f"benefit {code} removed",
    )


def history(section: str = "") -> Select:
    """Every version by operators, newest first (optionally of one section)."""
    stmt = select(RuleVersion).where(RuleVersion.created_by_id.is_not(None))
    if section:
        stmt = stmt.where(RuleVersion.section == section)
    return stmt.order_by(RuleVersion.created_at.desc(), RuleVersion.id.desc())


def scheduled(session: Session, now: datetime) -> list[RuleVersion]:
    """Versions that take effect later, soonest first."""
    return list(
        session.scalars(
            select(RuleVersion)
            .where(RuleVersion.effective_at > now)
            .order_by(RuleVersion.effective_at, RuleVersion.id)
        )
    )

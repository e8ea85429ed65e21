"""The alert rules' thresholds: defaults here, an operator's changes as append-only rows.

Each save stores the whole of one rule's settings; the latest row is in force from then on (an
alert keeps the thresholds it was opened with in its evidence). Every save is audited.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AlertSetting, User
from app.services.console import audit
from app.services.errors import DomainError

RULES = (
    "member_velocity",
    "store_velocity",
    "registrations",
    "referral_ring",
    "referral_tiny",
    "advisor_spike",
    "gift_new_accounts",
    "points_audit",
    "login_attack",
)
DEFAULTS = {
    "member_velocity": {"enabled": 1, "factor_pct": 1_000, "floor": 20_000, "baseline_days": 28},
    "store_velocity": {"enabled": 1, "factor_pct": 300, "floor": 200_000, "baseline_days": 28},
    "registrations": {"enabled": 1, "per_ip": 20, "per_device": 5, "window_hours": 24},
    "referral_ring": {"enabled": 1},
    "referral_tiny": {"enabled": 1, "min_friends": 5, "tiny_fen": 5_000, "window_days": 30},
    "advisor_spike": {"enabled": 1, "factor_pct": 300, "floor": 30, "baseline_days": 28},
    "gift_new_accounts": {
        "enabled": 1,
        "min_orders": 10,
        "share_pct": 60,
        "new_days": 7,
        "window_hours": 24,
    },
    "points_audit": {"enabled": 1},
    "login_attack": {"enabled": 1},  # the limits themselves are LOGIN_MAX_FAILURES_* settings
}
# the bounds of every setting: (lowest, highest)
BOUNDS = {
    "enabled": (0, 1),
    "factor_pct": (100, 100_000),
    "floor": (1, 1_000_000_000),
    "baseline_days": (7, 90),
    "per_ip": (2, 100_000),
    "per_device": (2, 100_000),
    "window_hours": (1, 168),
    "min_friends": (2, 1_000),
    "tiny_fen": (0, 100_000_000),
    "window_days": (1, 90),
    "min_orders": (2, 100_000),
    "share_pct": (1, 100),
    "new_days": (1, 90),
}
KEEP_DAYS = 100  # tallies and observations older than this are pruned (beyond every window)


class SettingsError(DomainError):
    """A settings change that cannot be saved; `code` says why, `detail` holds the bounds."""


def _latest(session: Session, rule: str) -> AlertSetting | None:
    return session.scalar(
        select(AlertSetting).where(AlertSetting.rule == rule).order_by(AlertSetting.id.desc())
    )


def current(session: Session, rule: str) -> dict:
    """A rule's settings in force: the defaults, overlaid with the latest saved row."""
    row = _latest(session, rule)
    return {**DEFAULTS[rule], **(row.payload if row else {})}


def everything(session: Session) -> dict[str, dict]:
    """Every rule's settings in force."""
    return {rule: current(session, rule) for rule in RULES}


def check(rule: str, values: dict) -> dict:
    """The rule's settings, every key present and within bounds; SettingsError if not."""
    if rule not in DEFAULTS:
        raise SettingsError("rule")
    checked = {}
    for key in DEFAULTS[rule]:
        value, (low, high) = values.get(key), BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SettingsError("range", field=key, low=low, high=high)
        checked[key] = value
    return checked


def save(
    session: Session, actor: User, rule: str, values: dict, *, now: datetime, note: str = ""
) -> AlertSetting:
    """Store a rule's new settings, in force from now, and audit the change."""
    payload = check(rule, values)
    before = current(session, rule)
    row = AlertSetting(rule=rule, payload=payload, created_by_id=actor.id, created_at=now)
    row.note = note[:200]
    session.add(row)
    session.flush()
    old, new = audit.changes(before, payload)
    audit.record(
        session,
        actor,
        "alert.settings",
        "alert_setting",
        row.id,
        now=now,
        summary=f"alert rule {rule}",
        before=old,
        after=new,
        reason=note,
    )
    return row


def history(session: Session, limit: int = 20) -> list[AlertSetting]:
    """The latest saved settings of every rule, newest first."""
    stmt = select(AlertSetting).order_by(AlertSetting.id.desc()).limit(limit)
    return list(session.scalars(stmt))

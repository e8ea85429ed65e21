"""Time helpers: store UTC, compute 'today', months and expiry in the brand's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Shanghai"


def utcnow() -> datetime:
    """The current instant, time-zone aware, in UTC."""
    return datetime.now(UTC)


def brand_tz() -> ZoneInfo:
    """The brand's time zone (BRAND_TIMEZONE)."""
    name = current_app.config["BRAND_TIMEZONE"] if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def local_date(moment: datetime) -> date:
    """The brand-local calendar date of an instant."""
    return moment.astimezone(brand_tz()).date()


def to_utc(local: datetime | None) -> datetime | None:
    """A brand-local wall-clock time (naive, as typed in a form) → the UTC instant."""
    return local.replace(tzinfo=brand_tz()).astimezone(UTC) if local else None


def to_local(moment: datetime | None) -> datetime | None:
    """A stored UTC instant → the brand-local wall-clock time (naive) a form shows."""
    return moment.astimezone(brand_tz()).replace(tzinfo=None) if moment else None


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a brand-local day starts."""
    return datetime.combine(day, time.min, tzinfo=brand_tz()).astimezone(UTC)


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of the brand-local month containing moment."""
    day = local_date(moment).replace(day=1)
    following = (day + timedelta(days=32)).replace(day=1)
    return local_midnight(day), local_midnight(following)


def add_months(day: date, months: int) -> date:
    """The same day of month `months` later (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def last_valid_day(expires_at: datetime) -> date:
    """The last brand-local day on which points expiring at `expires_at` can still be used."""
    return local_date(expires_at - timedelta(microseconds=1))

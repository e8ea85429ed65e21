"""Brand-local periods and their keys: a minute, a day, a month (Asia/Shanghai by default)."""

from datetime import datetime, timedelta

from app.timeutil import add_months, brand_tz, local_date, local_midnight

KINDS = ("minute", "daily", "monthly")


def start_of(kind: str, moment: datetime) -> datetime:
    """The UTC instant the brand-local period containing `moment` began."""
    if kind == "minute":
        return moment.replace(second=0, microsecond=0)
    day = local_date(moment)
    return local_midnight(day if kind == "daily" else day.replace(day=1))


def following(kind: str, start: datetime) -> datetime:
    """The start of the next period."""
    if kind == "minute":
        return start + timedelta(minutes=1)
    day = local_date(start)
    if kind == "daily":
        return local_midnight(day + timedelta(days=1))
    return local_midnight(add_months(day.replace(day=1), 1))


def previous(kind: str, start: datetime) -> datetime:
    """The start of the period before."""
    if kind == "minute":
        return start - timedelta(minutes=1)
    day = local_date(start)
    if kind == "daily":
        return local_midnight(day - timedelta(days=1))
    return local_midnight(add_months(day.replace(day=1), -1))


def key(kind: str, start: datetime) -> str:
    """'2026-12-01T10:25', '2026-12-01' or '2026-12' (brand-local)."""
    local = start.astimezone(brand_tz())
    return {"minute": f"{local:%Y-%m-%dT%H:%M}", "daily": f"{local:%Y-%m-%d}"}.get(
        kind, f"{local:%Y-%m}"
    )

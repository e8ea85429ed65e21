"""The days of a load-test history: their UTC starts, and the rules in force on each, read once."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.services.points.ledger import expiry_for
from app.services.points.rules import Rules, TierRule, rules_at
from app.timeutil import add_months, local_midnight

SOURCES = ("adjustment", "purchase", "signin")
SIGNIN_SETTINGS = ("signin_points", "signin_streak_days", "signin_streak_bonus")


@dataclass(frozen=True)
class Day:
    """One brand-local day: when it starts (UTC), and what its rules say."""

    index: int
    day: date
    start: datetime
    rules: Rules
    ladder: tuple[TierRule, ...]
    growth_from: datetime  # the trailing tier window of an instant on this day starts here
    signin: tuple[int, int, int]  # points, streak length, streak bonus
    cap: int  # behaviour points per member per brand-local month
    expires: dict  # source → (expires_at, pending days)
    purchase_pct: dict  # tier code → (tier %, campaign %) on this day
    category_pct: dict  # category → %, for the categories asked about


class Calendar:
    """Brand-local days from `first` to today; a day's rules are resolved on first use (noon)."""

    def __init__(self, session: Session, first: date, now: datetime, today: date, categories=()):
        self.session, self.first, self.now, self.today = session, first, now, today
        self.categories = categories
        self.count = (today - first).days + 1
        self._days: dict[int, Day] = {}
        self.starts = [local_midnight(first + timedelta(days=i)) for i in range(self.count + 1)]
        self.months = []  # (day index, instant) of every brand-local 1st up to now
        day = first.replace(day=1)
        while day <= today:
            if day >= first and local_midnight(day) <= now:
                self.months.append(((day - first).days, local_midnight(day)))
            day = add_months(day, 1)

    def start(self, index: int) -> datetime:
        """The UTC instant day `index` starts (any index, also past today)."""
        if 0 <= index < len(self.starts):
            return self.starts[index]
        return local_midnight(self.first + timedelta(days=index))

    def __getitem__(self, index: int) -> Day:
        found = self._days.get(index)
        if found is None:
            found = self._days[index] = self._day(index)
        return found

    def _day(self, index: int) -> Day:
        day = self.first + timedelta(days=index)
        start = local_midnight(day)
        rules = rules_at(self.session, start + timedelta(hours=12))
        setting = rules.setting
        expires = {}
        for code in SOURCES:
            policy = rules.source(code)
            expires[code] = (expiry_for(policy, start + timedelta(hours=12)), policy.pending_days)
        return Day(
            index, day, start, rules, tuple(rules.ladder()),
            local_midnight(add_months(day, -12)),
            tuple(setting(k) for k in SIGNIN_SETTINGS),
            setting("behaviour_monthly_cap"), expires,
            {t.code: (t.multiplier_pct, rules.campaign_pct(day, t.code)) for t in rules.ladder()},
            {c: rules.category_pct(c) for c in self.categories},
        )  # fmt: skip

    def month_starts(self, after: datetime) -> list[tuple[int, datetime]]:
        """(day index, instant) of every brand-local 1st after `after`, up to now."""
        return [(index, at) for index, at in self.months if at > after]

"""Forms of the console's task page: a task's reward, the member day, a member-day price."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange

from app.blueprints.forms import Form
from app.services.tasks.settings import MAX_COUNT, MAX_POINTS

TIERS = ("base", "silver", "gold", "diamond")


def _number(label, low: int, high: int) -> IntegerField:
    message = _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    return IntegerField(label, validators=[InputRequired(message), NumberRange(low, high, message)])


class TaskForm(Form):
    """One task's reward points, its monthly count (0 = no count limit) and its switch."""

    points = _number(_l("Reward (points)"), 0, MAX_POINTS)
    monthly_max = _number(_l("Rewards per member per month (0 = no limit)"), 0, MAX_COUNT)
    enabled = BooleanField(_l("Task on"))
    # the birthday's only: "" gives the points above, a gift's id gives that gift instead
    gift_id = SelectField(
        _l("Birthday reward"), choices=[], coerce=lambda v: "" if v in (None, "") else str(v),
        validate_choice=False,
    )  # fmt: skip

    @property
    def gift(self) -> int | None:
        """The chosen birthday gift's id (None: the points)."""
        value = self.gift_id.data or ""
        return int(value) if value.isdigit() else None


class MemberDayForm(Form):
    """The member day: weekly (0 = Monday … 6 = Sunday) or monthly (1–28), on or off."""

    kind = SelectField(
        _l("Repeats"),
        choices=[
            SelectChoice("weekly", _l("Every week")),
            SelectChoice("monthly", _l("Every month")),
        ],
        validators=[InputRequired()],
    )
    day = _number(_l("Day (weekly: 0 = Monday … 6 = Sunday; monthly: 1–28)"), 0, 28)
    enabled = BooleanField(_l("Member day on"))


class PriceForm(Form):
    """A gift's member-day price for one tier (0 removes it)."""

    gift_id = _number(_l("Gift ID"), 1, 2**31 - 1)
    tier = SelectField(
        _l("Tier"), choices=[SelectChoice(t, t) for t in TIERS], validators=[InputRequired()]
    )
    points = _number(_l("Member-day price (points; 0 removes it)"), 0, MAX_POINTS)

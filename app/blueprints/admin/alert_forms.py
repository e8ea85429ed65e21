"""Forms of the alerts console: the note every step needs, and one rule's thresholds."""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.blueprints.forms import Form
from app.services.alerts.settings import BOUNDS, DEFAULTS

YUAN_FIELDS = {"tiny_fen"}  # typed in whole yuan, kept in fen
LABELS = {
    "factor_pct": _l("Factor, per cent of the daily average (1000 = ×10)"),
    "floor": _l("Floor: never below (points a day)"),
    "baseline_days": _l("Baseline (days)"),
    "per_ip": _l("Registrations from one network"),
    "per_device": _l("Registrations from one browser"),
    "window_hours": _l("Window (hours)"),
    "min_friends": _l("Friends, at least"),
    "tiny_fen": _l("Tiny first purchase: at most (¥)"),
    "window_days": _l("Window (days)"),
    "min_orders": _l("Redemptions by new accounts, at least"),
    "share_pct": _l("Share of the gift's redemptions, at least (per cent)"),
    "new_days": _l("New account: younger than (days)"),
}
ADVISOR_FLOOR = _l("Floor: never below (purchases a day)")


class NoteForm(Form):
    """Acknowledge or resolve: what the operator found or did (kept with the alert)."""

    note = StringField(
        _l("Note"),
        validators=[InputRequired(_l("Write a note: what you found or did.")), Length(max=200)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


def _bounds(key: str) -> tuple[int, int]:
    low, high = BOUNDS[key]
    return (low // 100, high // 100) if key in YUAN_FIELDS else (low, high)


def _number(rule: str, key: str) -> IntegerField:
    low, high = _bounds(key)
    label = ADVISOR_FLOOR if (rule, key) == ("advisor_spike", "floor") else LABELS[key]
    message = _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    return IntegerField(
        label,
        validators=[InputRequired(message), NumberRange(low, high, message=message)],
    )


@cache
def settings_form(rule: str) -> type[Form]:
    """The form class of one rule's settings: a number per threshold, on/off, a note."""
    fields = {key: _number(rule, key) for key in DEFAULTS[rule] if key != "enabled"}
    fields["enabled"] = BooleanField(_l("Rule on"))
    fields["note"] = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=200)])
    return type(f"AlertSettings_{rule}", (Form,), fields)


def values_of(rule: str, form: Form) -> dict:
    """The settings a valid form says (yuan back to fen)."""
    values = {"enabled": int(bool(form.enabled.data))}
    for key in DEFAULTS[rule]:
        if key != "enabled":
            data = form[key].data
            values[key] = data * 100 if key in YUAN_FIELDS else data
    return values


def form_data(rule: str, current: dict) -> dict:
    """A rule's settings in force, as the form shows them (fen as yuan)."""
    data = {k: (v // 100 if k in YUAN_FIELDS else v) for k, v in current.items()}
    data["enabled"] = bool(current["enabled"])
    return data

"""Forms of the stores console: a store, counter stock movements, service slots in bulk."""

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.admin.member_forms import reason_field
from app.blueprints.forms import Form

TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
WEEKDAYS = [
    SelectChoice("0", _l("Mon")),
    SelectChoice("1", _l("Tue")),
    SelectChoice("2", _l("Wed")),
    SelectChoice("3", _l("Thu")),
    SelectChoice("4", _l("Fri")),
    SelectChoice("5", _l("Sat")),
    SelectChoice("6", _l("Sun")),
]
MAX_TIMES = 16


def parse_times(text: str) -> tuple[time, ...] | None:
    """'10:00, 14:30' → the times, sorted and distinct; None if any part is not HH:MM."""
    parts = [p for p in re.split(r"[\s,，;；]+", text or "") if p]
    if not parts or len(parts) > MAX_TIMES:
        return None
    found = []
    for part in parts:
        match = TIME_RE.fullmatch(part)
        if not match:
            return None
        found.append(time(int(match.group(1)), int(match.group(2))))
    return tuple(sorted(set(found)))


def _times(form, field) -> None:
    if parse_times(field.data) is None:
        raise ValidationError(str(_l("Enter times like 10:00, 14:30 (at most 16).")))


class StoreEditForm(Form):
    """A store's name and city (its code never changes: the POS reports it)."""

    name = StringField(
        _l("Store name"),
        validators=[InputRequired(_l("Enter the store's name.")), Length(max=80)],
    )
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=80)])
    name_zh_hant = StringField(_l("Name (繁體中文)"), validators=[Optional(), Length(max=80)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=40)])

    def names(self) -> dict:
        """The store's names besides zh_Hans (`name`)."""
        return {"en": self.name_en.data or "", "zh_Hant": self.name_zh_hant.data or ""}

    def show(self, store) -> "StoreEditForm":
        """Fill the fields from a store, its translated names included."""
        self.name.data, self.city.data = store.name, store.city
        names = store.names or {}
        self.name_en.data, self.name_zh_hant.data = names.get("en", ""), names.get("zh_Hant", "")
        return self


class StoreForm(StoreEditForm):
    """A new store: its code, name and city."""

    code = StringField(
        _l("Store code"),
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[
            InputRequired(_l("Enter the store code, e.g. SH002.")),
            Regexp(
                r"^[A-Z]{2,4}[0-9]{3}\Z", message=_l("2 to 4 letters and 3 digits, e.g. SH002.")
            ),
        ],
    )


class StockForm(Form):
    """Counter stock in (+N received) or out (−N written off), with a reason."""

    gift_id = SelectField(_l("Gift"), coerce=int, validate_choice=False)
    delta = IntegerField(
        _l("Units (+ received, − written off)"),
        validators=[
            InputRequired(_l("Enter the units, e.g. 10 or -2.")),
            NumberRange(-100_000, 100_000, message=_l("At most 100,000 units at a time.")),
        ],
    )
    reason = reason_field()


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (one `name=` repeated)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SlotsForm(Form):
    """Service slots in bulk: a service, a range of days, weekdays, times, length, capacity."""

    gift_id = SelectField(_l("Service"), coerce=int, validate_choice=False)
    first_day = DateField(_l("From"), validators=[InputRequired(_l("Choose the first day."))])
    last_day = DateField(_l("To"), validators=[InputRequired(_l("Choose the last day."))])
    weekdays = CheckboxesField(
        _l("Weekdays"),
        choices=WEEKDAYS,
        validators=[InputRequired(_l("Tick at least one weekday."))],
    )
    times = StringField(
        _l("Start times"),
        validators=[InputRequired(_l("Enter times like 10:00, 14:30.")), Length(max=120), _times],
    )
    minutes = IntegerField(
        _l("Minutes each"),
        default=60,
        validators=[InputRequired(), NumberRange(15, 480, message=_l("15 to 480 minutes."))],
    )
    capacity = IntegerField(
        _l("Seats each"),
        default=2,
        validators=[InputRequired(), NumberRange(1, 50, message=_l("1 to 50 seats."))],
    )

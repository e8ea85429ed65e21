"""The gift console's forms: a gift (CONTRACT.md field names), stock movements, codes, preview."""

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.forms import AMOUNT_RE, Form, to_fen
from app.drawings import ALIASES, DEFAULT, DRAWINGS
from app.labels import LABELS
from app.models.catalog import GIFT_KINDS
from app.services.console import gifts
from app.services.console.gifts import GiftInput
from app.timeutil import brand_tz

LOCAL_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(:[0-9]{2})?")
YEARS = (2000, 2999)
MONEY = _l("Enter an amount in yuan like 30 or 29.90 (0 for none).")
WHEN = _l("Enter a date and time like 2026-12-24T10:00.")


def local_to_utc(text: str) -> datetime | None:
    """'YYYY-MM-DDTHH:MM' in the brand's time zone → UTC; None for empty; ValueError if bad."""
    text = (text or "").strip()
    if not text:
        return None
    match = LOCAL_RE.fullmatch(text)
    if not match or not YEARS[0] <= int(match.group(1)) <= YEARS[1]:
        raise ValueError(text)
    naive = datetime.fromisoformat(text)
    return naive.replace(tzinfo=brand_tz()).astimezone(UTC)


def utc_to_local(moment: datetime | None) -> str:
    """The value of a datetime-local input for a stored instant."""
    return moment.astimezone(brand_tz()).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _local_time(form, field) -> None:
    try:
        local_to_utc(field.data)
    except ValueError as exc:
        raise ValidationError(str(WHEN)) from exc


class DrawingField(SelectField):
    """The drawing's list; an old name of a drawing (a saved form, a script) is valid too."""

    def pre_validate(self, form):
        """Accept the listed drawings and their old names."""
        if self.data not in ALIASES:
            super().pre_validate(form)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (one `name=` repeated)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _money_field(label):
    return StringField(label, validators=[Optional(), Regexp(AMOUNT_RE, message=MONEY)])


def _name_field(label, required=False):
    first = InputRequired(_l("Enter the gift's name.")) if required else Optional()
    return StringField(label, validators=[first, Length(max=80)])


def _text_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=2000)])


KIND_CHOICES = [SelectChoice(k, LABELS["gift_kind"][k]) for k in GIFT_KINDS]
ICON_CHOICES = [SelectChoice(name, label) for name, label in DRAWINGS.items()]
PERIOD_CHOICES = [
    SelectChoice("", _l("—")),
    SelectChoice("day", _l("per day")),
    SelectChoice("week", _l("per week")),
    SelectChoice("month", _l("per month")),
    SelectChoice("total", _l("in total")),
]


class GiftForm(Form):
    """A new gift. Required: name, kind, points, stock."""

    name = _name_field(_l("Name (简体中文)"), required=True)
    name_en = _name_field(_l("Name (English)"))
    name_zh_hant = _name_field(_l("Name (繁體中文)"))
    description = _text_field(_l("Description (简体中文)"))
    description_en = _text_field(_l("Description (English)"))
    description_zh_hant = _text_field(_l("Description (繁體中文)"))
    kind = SelectField(
        _l("Kind"), choices=KIND_CHOICES, validators=[InputRequired(_l("Choose the kind."))]
    )
    shelf = SelectField(_l("Shelf"), coerce=int, validators=[Optional()], validate_choice=False)
    badges = CheckboxesField(
        _l("Badges"), choices=[SelectChoice(b, LABELS["badge"][b]) for b in gifts.BADGES]
    )
    icon = DrawingField(_l("Drawing"), choices=ICON_CHOICES)
    points = IntegerField(
        _l("Points"),
        validators=[
            InputRequired(_l("Enter the price in points.")),
            NumberRange(1, gifts.MAX_POINTS, _l("Points must be between 1 and 10,000,000.")),
        ],
    )
    cash = _money_field(_l("Cash part (¥, 0 = pure points)"))
    cost = _money_field(_l("Cost to the brand (¥)"))
    stock = IntegerField(
        _l("Opening stock"),
        validators=[
            InputRequired(_l("Enter the stock (0 if none yet).")),
            NumberRange(0, gifts.MAX_STOCK, _l("Stock must be between 0 and 1,000,000.")),
        ],
    )
    listed_at = StringField(_l("On sale from"), validators=[Optional(), _local_time])
    delisted_at = StringField(_l("On sale until"), validators=[Optional(), _local_time])
    tiers = CheckboxesField(_l("Tiers that may redeem (none ticked: every tier)"))
    limit_count = IntegerField(
        _l("Limit per member"),
        validators=[
            Optional(),
            NumberRange(1, gifts.MAX_LIMIT, _l("The limit must be 1 to 10,000.")),
        ],
    )
    limit_period = SelectField(_l("Limit period"), choices=PERIOD_CHOICES, validators=[Optional()])
    per_order_max = IntegerField(
        _l("Most per order"),
        default=5,
        validators=[Optional(), NumberRange(1, gifts.MAX_PER_ORDER, _l("Per order: 1 to 99."))],
    )
    photo = FileField(_l("Photo"))

    def validate_limit_period(self, field) -> None:
        """A limit needs its period."""
        if self.limit_count.data and not field.data:
            raise ValidationError(str(_l("Choose the period of the limit.")))

    def gift_input(self, with_stock: bool = True) -> GiftInput:
        """The parsed values for the service (call after validate)."""
        return GiftInput(
            name=self.name.data.strip(),
            names={"en": self.name_en.data or "", "zh_Hant": self.name_zh_hant.data or ""},
            description=self.description.data or "",
            descriptions={
                "en": self.description_en.data or "",
                "zh_Hant": self.description_zh_hant.data or "",
            },
            kind=self.kind.data,
            shelf_id=self.shelf.data or None,
            badges=tuple(self.badges.data or ()),
            image=self.icon.data or DEFAULT,
            points_price=self.points.data,
            cash_fen=to_fen(self.cash.data) if self.cash.data else 0,
            cost_fen=to_fen(self.cost.data) if self.cost.data else 0,
            stock=self.stock.data if with_stock else None,
            listed_at=local_to_utc(self.listed_at.data),
            delisted_at=local_to_utc(self.delisted_at.data),
            tier_codes=tuple(self.tiers.data or ()),
            limit_count=self.limit_count.data,
            limit_period=self.limit_period.data or None,
            per_order_max=self.per_order_max.data or 5,
        )


class GiftEditForm(GiftForm):
    """An existing gift: stock is shown, and a different `stock` posted becomes a movement."""

    stock = IntegerField(
        _l("Stock"),
        validators=[
            Optional(),
            NumberRange(0, gifts.MAX_STOCK, _l("Stock must be between 0 and 1,000,000.")),
        ],
    )
    stock_seen = IntegerField(validators=[Optional(), NumberRange(0, gifts.MAX_STOCK)])
    remove_photo = BooleanField(_l("Remove the photo (show the drawing)"))


class StockForm(Form):
    """+N received or −N written off, with a reason."""

    direction = SelectField(
        _l("Movement"),
        choices=[
            SelectChoice("in", _l("Received (+)")),
            SelectChoice("out", _l("Written off (−)")),
        ],
    )
    quantity = IntegerField(
        _l("Quantity"),
        validators=[
            InputRequired(_l("Enter how many units.")),
            NumberRange(1, 1_000_000, _l("Enter 1 to 1,000,000 units.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(_l("Say why the stock changes.")), Length(max=200)],
    )

    def delta(self) -> int:
        """The signed change."""
        return self.quantity.data if self.direction.data == "in" else -self.quantity.data


class CodesForm(Form):
    """A CSV file of codes, one a line (the first column is read)."""

    codes = FileField(_l("Codes file (CSV, one code a line)"))
    add_stock = BooleanField(_l("Add as many units to the stock"), default=True)

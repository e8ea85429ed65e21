"""The rules console's fixed forms: a campaign (CONTRACT.md field names), the simulator,
a points clearing, one tier benefit; every change says when it takes effect."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.admin.target_field import WhoField
from app.blueprints.forms import AMOUNT_RE, Form, to_fen
from app.services.console.rule_checks import CODE_RE, ICONS, PERIODS, RANGES, VERIFICATIONS
from app.timeutil import brand_tz, to_utc

LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, brand-local


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


TIER_CHOICES = [
    SelectChoice("base", _l("Member")),
    SelectChoice("silver", _l("Silver")),
    SelectChoice("gold", _l("Gold")),
    SelectChoice("diamond", _l("Diamond")),
]
MONTHS = as_choices(
    [("", _l("No birthday / not this month"))] + [(str(m), str(m)) for m in range(1, 13)]
)
ICON_CHOICES = as_choices((i, i) for i in ICONS)
VERIFICATION_CHOICES = as_choices(
    [
        ("system", _l("Applied by the system")),
        ("offline", _l("By staff, marked as used")),
    ]
)
PERIOD_CHOICES = as_choices(
    [
        ("month", _l("Once a month")),
        ("quarter", _l("Once a quarter")),
        ("year", _l("Once a year")),
    ]
)
assert [c.value for c in VERIFICATION_CHOICES] == list(VERIFICATIONS)
assert [c.value for c in PERIOD_CHOICES] == list(PERIODS)


def to_local(moment: datetime) -> str:
    """The datetime-local value of an instant."""
    return moment.astimezone(brand_tz()).strftime(LOCAL)


def bounded(label, bound: str, required: bool = True):
    """An integer field within the bounds the rules allow for it."""
    low, high = RANGES[bound]
    first = InputRequired(_l("Enter a whole number.")) if required else Optional()
    message = _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    return IntegerField(label, validators=[first, NumberRange(low, high, message=message)])


class Checkboxes(SelectMultipleField):
    """Several choices as checkboxes (one `name=` repeated)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WhenForm(Form):
    """When a change takes effect (empty: now; brand-local), and why."""

    effective_at = DateTimeLocalField(
        _l("Takes effect (brand-local; empty = now)"), format=LOCAL, validators=[Optional()]
    )
    note = StringField(_l("Note (why)"), validators=[Optional(), Length(max=200)])

    def when(self) -> datetime | None:
        """The UTC instant typed, or None for now."""
        return to_utc(self.effective_at.data)


class CampaignForm(WhenForm):
    """A campaign: `name`, `multiplier_pct`, `starts_on`, `ends_on` (brand-local), `tiers`."""

    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Name the campaign.")), Length(max=60)]
    )
    multiplier_pct = bounded(_l("Multiplier (100 = normal, 300 = triple points)"), "campaign_pct")
    starts_on = DateField(
        _l("First day"), validators=[InputRequired(_l("Enter the first day, e.g. 2026-12-24."))]
    )
    ends_on = DateField(
        _l("Last day"), validators=[InputRequired(_l("Enter the last day, e.g. 2026-12-25."))]
    )
    tiers = Checkboxes(_l("Only for these tiers (none = every tier)"), choices=TIER_CHOICES)
    segment = WhoField()


class SimulatorForm(Form):
    """What would a purchase earn: a member by number, or a tier and a birthday month."""

    class Meta:
        csrf = False  # the in-force simulator is a GET form; it writes nothing

    sim_member = StringField(
        _l("Member number (optional)"),
        validators=[Optional(), Regexp(r"^[A-Za-z0-9]{1,12}\Z", message=_l("Check the number."))],
    )
    sim_tier = SelectField(_l("Or a member of tier"), choices=TIER_CHOICES, default="base")
    sim_month = SelectField(_l("Birthday month"), choices=MONTHS, default="")
    sim_amount = StringField(
        _l("Paid (¥)"),
        default="100",
        validators=[
            InputRequired(_l("Enter the amount paid.")),
            Regexp(AMOUNT_RE, message=_l("Enter an amount like 1280 or 1280.50.")),
        ],
    )
    sim_paid_at = DateTimeLocalField(
        _l("Paid at (brand-local; empty = now)"), format=LOCAL, validators=[Optional()]
    )
    sim_category = SelectField(_l("Category"), choices=[], validate_choice=True, default="")

    def fen(self) -> int:
        """The amount in fen."""
        return to_fen(self.sim_amount.data)


class ClearingForm(Form):
    """A one-off clearing of the points earned before a day, run on a later day."""

    earned_before = DateField(
        _l("Clear points earned before"),
        validators=[InputRequired(_l("Enter the day, e.g. 2026-01-01."))],
    )
    run_on = DateField(
        _l("Clear on (members are told until then)"),
        validators=[InputRequired(_l("Enter the day it runs, e.g. 2027-01-01."))],
    )
    note = StringField(_l("Note (why)"), validators=[Optional(), Length(max=200)])


def _name(label, required=False, limit=40):
    first = InputRequired(_l("Enter the name.")) if required else Optional()
    return StringField(label, validators=[first, Length(max=limit)])


class BenefitForm(WhenForm):
    """One tier benefit: names and descriptions in three languages, icon, tiers, how verified."""

    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter a code, e.g. gold_care.")),
            Regexp(f"^{CODE_RE.pattern}\\Z", message=_l("Lower-case letters, digits and _.")),
        ],
    )
    name = _name(_l("Name (简体中文)"), required=True)
    name_en = _name(_l("Name (English)"))
    name_zh_hant = _name(_l("Name (繁體中文)"))
    description = TextAreaField(_l("Description (简体中文)"), validators=[Length(max=200)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=200)])
    description_zh_hant = TextAreaField(_l("Description (繁體中文)"), validators=[Length(max=200)])
    icon = SelectField(_l("Icon"), choices=ICON_CHOICES)
    tier_codes = Checkboxes(_l("Tiers that have it (none = every tier)"), choices=TIER_CHOICES)
    verification = SelectField(_l("Verified"), choices=VERIFICATION_CHOICES)
    period = SelectField(_l("How often"), choices=PERIOD_CHOICES)
    segment = WhoField()
    base = HiddenField()

    def item(self) -> dict:
        """The benefit as a rules payload entry."""
        names = {
            "zh_Hans": self.name.data.strip(),
            "en": (self.name_en.data or "").strip(),
            "zh_Hant": (self.name_zh_hant.data or "").strip(),
        }
        descriptions = {
            "zh_Hans": self.description.data or "",
            "en": self.description_en.data or "",
            "zh_Hant": self.description_zh_hant.data or "",
        }
        return {
            "code": self.code.data.strip(),
            "names": names,
            "descriptions": descriptions,
            "icon": self.icon.data,
            "tier_codes": list(self.tier_codes.data or []),
            "verification": self.verification.data,
            "period": self.period.data,
            "segment": self.segment.target(),
        }

    def fill(self, item: dict) -> None:
        """Show an existing benefit."""
        self.code.data = item["code"]
        self.name.data = item["names"].get("zh_Hans", "")
        self.name_en.data = item["names"].get("en", "")
        self.name_zh_hant.data = item["names"].get("zh_Hant", "")
        descriptions = item.get("descriptions") or {}
        self.description.data = descriptions.get("zh_Hans", "")
        self.description_en.data = descriptions.get("en", "")
        self.description_zh_hant.data = descriptions.get("zh_Hant", "")
        self.icon.data, self.tier_codes.data = item.get("icon", "bag"), item["tier_codes"]
        self.verification.data, self.period.data = item["verification"], item["period"]
        self.segment.data = item.get("segment") or ""

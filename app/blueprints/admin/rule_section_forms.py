"""One form per rules section, built from the section as it stands (a row per tier, category,
source or rate); the draft payload a posted form makes is in `rule_drafts`."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.blueprints.admin.rule_forms import WhenForm, as_choices, bounded
from app.services.console.rule_checks import CODE_RE, EXPIRY_KINDS
from app.services.points.rules import SETTING_SECTIONS, parse_day

SETTINGS = {
    # key: label, hint
    "signin_points": (_l("Points per daily sign-in"), None),
    "signin_streak_days": (
        _l("Streak length (days)"),
        _l("Every Nth day in a row earns the bonus."),
    ),
    "signin_streak_bonus": (_l("Streak bonus (points)"), None),
    "profile_points": (_l("Profile completed (points, once)"), None),
    "referral_points": (
        _l("Referral (points to the referrer)"),
        _l("When the friend's first purchase is recorded."),
    ),
    "behaviour_monthly_cap": (
        _l("Monthly cap on activity points per member"),
        _l("Sign-in, registration, profile and referral together."),
    ),
    "registration_points": (
        _l("Points in the new-member gift pack"),
        _l("Granted at registration (counts towards the activity cap)."),
    ),
    "birthday_multiplier_pct": (
        _l("Birthday month, first order (multiplier, 100 = normal)"),
        _l("200 = double points."),
    ),
    "booking_cutoff_hours": (
        _l("Booking cut-off (hours before the time)"),
        _l("Until then members may move or cancel."),
    ),
    "no_show_returns_points": (_l("No-show policy"), None),
    "unpaid_order_minutes": (_l("Unpaid orders are cancelled after (minutes)"), None),
    "monthly_issue_cap": (
        _l("Points the brand may issue per month"),
        _l("0 = no cap. Earning beyond it is refused with a clear message."),
    ),
    "points_cash_cap_pct": (_l("Points may pay at most (per cent of the cash part)"), None),
}
NO_SHOW = [(0, _l("Keep the points")), (1, _l("Return the points"))]
WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]
KINDS = [
    ("year_end", _l("End of year (+N years)")),
    ("days", _l("N days after earning")),
    ("never", _l("Never")),
]
assert [k for k, _ in KINDS] == list(EXPIRY_KINDS)
CODE = Regexp(f"^{CODE_RE.pattern}\\Z", message=_l("Lower-case letters, digits and _."))


class SectionForm(WhenForm):
    """A whole section; `base` is the version it was opened on (a newer one makes it stale)."""

    base = HiddenField()


def _setting(key: str):
    text = SETTINGS[key][0]
    if key == "no_show_returns_points":
        return SelectField(text, choices=as_choices(NO_SHOW), coerce=int)
    return bounded(text, key)


def _text(text, limit=40, required=False):
    validators = [Length(max=limit)] if required else [Optional(), Length(max=limit)]
    return StringField(text, validators=validators)


def _rate_fields(attrs: dict, index: int, rate: dict) -> None:
    attrs[f"rate_name_{index}"] = _text(_l("Name"), required=True)
    attrs[f"rate_ppy_{index}"] = bounded(_l("Points per ¥1"), "points_per_yuan")
    if rate["kind"] == "range":
        attrs[f"rate_from_{index}"] = DateField(_l("From"))
        attrs[f"rate_to_{index}"] = DateField(_l("To"))
    if rate["kind"] == "weekly":
        attrs[f"rate_weekday_{index}"] = SelectField(
            _l("Weekday"), choices=as_choices(WEEKDAYS), coerce=int
        )
    if rate["kind"] != "default":
        attrs[f"rate_remove_{index}"] = BooleanField(_l("Remove"))


def _category_fields(attrs: dict, current: dict) -> None:
    for name in current["categories"]:
        attrs[f"pct_{name}"] = bounded(name, "category_pct")
        attrs[f"remove_{name}"] = BooleanField(_l("Remove"))
    attrs["new_category"] = StringField(_l("New category code"), validators=[Optional(), CODE])
    attrs["new_pct"] = bounded(_l("Its multiplier (100 = normal)"), "category_pct", required=False)


def _tier_fields(attrs: dict, current: dict) -> None:
    for t in current["tiers"]:
        code = t["code"]
        attrs[f"threshold_{code}"] = bounded(_l("Growth threshold"), "threshold")
        attrs[f"multiplier_{code}"] = bounded(_l("Purchase multiplier (100 = normal)"), "tier_pct")
        attrs[f"name_{code}"] = _text(_l("Name (简体中文)"), required=True)
        attrs[f"name_en_{code}"] = _text(_l("Name (English)"))
        attrs[f"name_zh_hant_{code}"] = _text(_l("Name (繁體中文)"))


def _source_fields(attrs: dict, current: dict) -> None:
    for code in current["sources"]:
        attrs[f"kind_{code}"] = SelectField(_l("Expiry"), choices=as_choices(KINDS))
        attrs[f"value_{code}"] = bounded(_l("N"), "expiry_value")
        attrs[f"pending_{code}"] = bounded(_l("Pending days"), "pending_days")


def _cash_fields(attrs: dict, current: dict) -> None:
    for index, rate in enumerate(current["rates"]):
        _rate_fields(attrs, index, rate)
    new_kinds = [("", "—"), ("range", _l("Date range")), ("weekly", _l("Weekly member day"))]
    attrs["new_kind"] = SelectField(_l("Add a rate"), choices=as_choices(new_kinds))
    attrs["new_name"] = _text(_l("Its name"))
    attrs["new_ppy"] = bounded(_l("Points per ¥1"), "points_per_yuan", required=False)
    attrs["new_from"] = DateField(_l("From"), validators=[Optional()])
    attrs["new_to"] = DateField(_l("To"), validators=[Optional()])
    attrs["new_weekday"] = SelectField(
        _l("Weekday"), choices=as_choices(WEEKDAYS), coerce=int, default=2
    )


ROW_FIELDS = {
    "categories": _category_fields,
    "tiers": _tier_fields,
    "sources": _source_fields,
    "cash": _cash_fields,
}


def _attrs(section: str, current: dict) -> dict:
    attrs = {key: _setting(key) for key in SETTING_SECTIONS.get(section, ())}
    if section in ROW_FIELDS:
        ROW_FIELDS[section](attrs, current)
    return attrs


def initial(section: str, current: dict) -> dict:
    """The form's values for the section as it stands."""
    values = {key: current[key] for key in SETTING_SECTIONS.get(section, ())}
    if section in ROW_VALUES:
        values.update(ROW_VALUES[section](current))
    return values


def _category_values(current: dict) -> dict:
    return {f"pct_{n}": p for n, p in current["categories"].items()}


def _tier_values(current: dict) -> dict:
    values = {}
    for t in current["tiers"]:
        code, names = t["code"], t["names"]
        values.update(
            {
                f"threshold_{code}": t["threshold"],
                f"multiplier_{code}": t["multiplier_pct"],
                f"name_{code}": names.get("zh_Hans", ""),
                f"name_en_{code}": names.get("en", ""),
                f"name_zh_hant_{code}": names.get("zh_Hant", ""),
            }
        )
    return values


def _source_values(current: dict) -> dict:
    values = {}
    for code, p in current["sources"].items():
        values.update(
            {
                f"kind_{code}": p["expiry_kind"],
                f"value_{code}": p["expiry_value"],
                f"pending_{code}": p["pending_days"],
            }
        )
    return values


def _rate_values(current: dict) -> dict:
    values = {}
    for i, r in enumerate(current["rates"]):
        values.update(
            {
                f"rate_name_{i}": r["name"],
                f"rate_ppy_{i}": r["points_per_yuan"],
                f"rate_from_{i}": parse_day(r.get("starts_on")),
                f"rate_to_{i}": parse_day(r.get("ends_on")),
                f"rate_weekday_{i}": r.get("weekday"),
            }
        )
    return values


ROW_VALUES = {
    "categories": _category_values,
    "tiers": _tier_values,
    "sources": _source_values,
    "cash": _rate_values,
}


def section_form(section: str, current: dict, base: int, *, posted: bool) -> SectionForm:
    """The section's form: the posted values, or the section as it stands."""
    cls = type(f"{section.title()}Form", (SectionForm,), _attrs(section, current))
    if posted:
        return cls()
    return cls(data={**initial(section, current), "base": str(base)})

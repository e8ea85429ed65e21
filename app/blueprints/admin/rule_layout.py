"""Where each field of a rules section form goes on its page: plain fields, a table with a
row per tier, category, source or rate, and the row that adds one."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.blueprints.admin.rule_section_forms import SETTINGS, SectionForm
from app.labels import label
from app.services.points.rules import SETTING_SECTIONS


@dataclass
class Layout:
    """How the template lays a section form out: plain fields, a table of rows, a new row."""

    fields: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row label, [field or None, …])
    extra: list = field(default_factory=list)


def _categories(result: Layout, form: SectionForm, current: dict, tier_names: dict) -> None:
    result.columns = [_l("Multiplier (100 = normal)"), _l("Remove")]
    result.rows = [(n, [form[f"pct_{n}"], form[f"remove_{n}"]]) for n in current["categories"]]
    result.extra = [form.new_category, form.new_pct]


def _tiers(result: Layout, form: SectionForm, current: dict, tier_names: dict) -> None:
    result.columns = [
        _l("Growth threshold"), _l("Purchase multiplier (100 = normal)"),
        _l("Name (简体中文)"), _l("Name (English)"), _l("Name (繁體中文)"),
    ]  # fmt: skip
    fields = ("threshold", "multiplier", "name", "name_en", "name_zh_hant")
    result.rows = [
        (tier_names.get(t["code"], t["code"]), [form[f"{p}_{t['code']}"] for p in fields])
        for t in current["tiers"]
    ]


def _sources(result: Layout, form: SectionForm, current: dict, tier_names: dict) -> None:
    result.columns = [_l("Expiry"), _l("N (years or days)"), _l("Pending days")]
    result.rows = [
        (label("source", code), [form[f"{p}_{code}"] for p in ("kind", "value", "pending")])
        for code in current["sources"]
    ]


def _cash(result: Layout, form: SectionForm, current: dict, tier_names: dict) -> None:
    result.columns = [
        _l("Name"), _l("Points per ¥1"), _l("From"), _l("To"), _l("Weekday"), _l("Remove"),
    ]  # fmt: skip
    fields = ("name", "ppy", "from", "to", "weekday", "remove")
    result.rows = [
        (label("rate", r["kind"]), [form._fields.get(f"rate_{p}_{i}") for p in fields])
        for i, r in enumerate(current["rates"])
    ]
    new = ("kind", "name", "ppy", "from", "to", "weekday")
    result.extra = [form[f"new_{p}"] for p in new]


TABLES = {"categories": _categories, "tiers": _tiers, "sources": _sources, "cash": _cash}


def layout(section: str, form: SectionForm, current: dict, tier_names: dict) -> Layout:
    """Where each field of the section form goes."""
    result = Layout(fields=[(form[k], SETTINGS[k][1]) for k in SETTING_SECTIONS.get(section, ())])
    if section in TABLES:
        TABLES[section](result, form, current, tier_names)
    return result

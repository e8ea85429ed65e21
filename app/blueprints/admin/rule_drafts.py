"""The draft payload a posted rules section form makes (checked again by the service)."""

from app.blueprints.admin.rule_section_forms import SectionForm
from app.services.points.rules import SETTING_SECTIONS


def draft(section: str, form: SectionForm, current: dict) -> dict:
    """The whole section as the posted form has it (never stored by itself)."""
    payload = {key: form[key].data for key in SETTING_SECTIONS.get(section, ())}
    if section in ROW_DRAFTS:
        key, rows = ROW_DRAFTS[section]
        payload[key] = rows(form, current)
    return payload


def _category_rows(form, current: dict) -> dict:
    kept = {n: form[f"pct_{n}"].data for n in current["categories"] if not form[f"remove_{n}"].data}
    if form.new_category.data:
        kept[form.new_category.data] = form.new_pct.data
    return kept


def _tier_rows(form, current: dict) -> list:
    return [
        {
            "code": t["code"],
            "threshold": form[f"threshold_{t['code']}"].data,
            "multiplier_pct": form[f"multiplier_{t['code']}"].data,
            "names": {
                "zh_Hans": form[f"name_{t['code']}"].data.strip(),
                "en": (form[f"name_en_{t['code']}"].data or "").strip(),
                "zh_Hant": (form[f"name_zh_hant_{t['code']}"].data or "").strip(),
            },
        }
        for t in current["tiers"]
    ]


def _source_rows(form, current: dict) -> dict:
    return {
        code: {
            "expiry_kind": form[f"kind_{code}"].data,
            "expiry_value": form[f"value_{code}"].data,
            "pending_days": form[f"pending_{code}"].data,
        }
        for code in current["sources"]
    }


def _rates(form, current: dict) -> list:
    rates = []
    for i, r in enumerate(current["rates"]):
        if r["kind"] != "default" and form[f"rate_remove_{i}"].data:
            continue
        rate = {
            "kind": r["kind"],
            "name": form[f"rate_name_{i}"].data.strip(),
            "points_per_yuan": form[f"rate_ppy_{i}"].data,
            "starts_on": None,
            "ends_on": None,
            "weekday": None,
        }
        if r["kind"] == "range":
            rate["starts_on"] = form[f"rate_from_{i}"].data.isoformat()
            rate["ends_on"] = form[f"rate_to_{i}"].data.isoformat()
        if r["kind"] == "weekly":
            rate["weekday"] = form[f"rate_weekday_{i}"].data
        rates.append(rate)
    if form.new_kind.data:
        rates.append(_new_rate(form))
    return rates


def _new_rate(form) -> dict:
    kind = form.new_kind.data
    return {
        "kind": kind,
        "name": (form.new_name.data or "").strip(),
        "points_per_yuan": form.new_ppy.data,
        "starts_on": form.new_from.data.isoformat() if form.new_from.data else None,
        "ends_on": form.new_to.data.isoformat() if form.new_to.data else None,
        "weekday": form.new_weekday.data if kind == "weekly" else None,
    }


# section -> (the payload's key for its rows, the rows as posted)
ROW_DRAFTS = {
    "categories": ("categories", _category_rows),
    "tiers": ("tiers", _tier_rows),
    "sources": ("sources", _source_rows),
    "cash": ("rates", _rates),
}

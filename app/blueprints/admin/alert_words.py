"""What the console says about an alert: the rule's name, one line of what was found, the
numbers behind it, and links to the members, store, advisor, gift and orders it concerns."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from app.models import Alert
from app.web import points, yuan

RULE_NAMES = {
    "member_velocity": _l("Member earning far above usual"),
    "store_velocity": _l("Store issuing far above usual"),
    "registrations": _l("Many registrations from one network or browser"),
    "referral_ring": _l("Referral ring"),
    "referral_tiny": _l("Referrals with tiny first purchases"),
    "advisor_spike": _l("Advisor's counter purchases spiking"),
    "gift_new_accounts": _l("New accounts draining a gift"),
    "points_audit": _l("Points audit failed"),
    "login_attack": _l("Login attack"),
}
SEVERITY_NAMES = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
STATUS_NAMES = {  # with a context: "Open" alone is already a store's state (开放)
    "open": lambda: pgettext("alert status", "Open"),
    "acknowledged": lambda: pgettext("alert status", "Acknowledged"),
    "resolved": lambda: pgettext("alert status", "Resolved"),
}


@dataclass(frozen=True)
class Link:
    """Someone or something an alert concerns, with the console page about it."""

    text: str
    href: str | None
    note: str = ""


def _get(alert: Alert, key: str, default=0):
    return (alert.evidence or {}).get(key, default)


def _setting(alert: Alert, key: str, default=0):
    return (_get(alert, "settings", {}) or {}).get(key, default)


def _velocity(alert: Alert) -> str:
    words = {
        "today": points(_get(alert, "today")),
        "average": points(_get(alert, "daily_average")),
        "limit": points(_get(alert, "limit")),
    }
    if alert.rule == "member_velocity":
        return _(
            "Member %(member)s earned %(today)s points today; usually %(average)s a day "
            "(limit %(limit)s).",
            member=_get(alert, "member_no", alert.subject),
            **words,
        )
    if alert.rule == "store_velocity":
        return _(
            "Store %(store)s issued %(today)s points today; usually %(average)s a day "
            "(limit %(limit)s).",
            store=alert.subject,
            **words,
        )
    return _(
        "Advisor %(staff)s recorded %(today)s counter purchases today (¥%(amount)s); usually "
        "%(average)s a day (limit %(limit)s).",
        staff=_get(alert, "staff_id", alert.subject),
        amount=yuan(_get(alert, "amount_fen")),
        **words,
    )


def _counted(alert: Alert) -> str:
    if alert.rule == "registrations":
        words = {
            "count": _get(alert, "count"),
            "hours": _setting(alert, "window_hours"),
            "limit": _get(alert, "limit"),
        }
        if alert.subject_type == "ip":
            return _(
                "%(count)s registrations from network %(ip)s in %(hours)s hours (limit %(limit)s).",
                ip=alert.subject,
                **words,
            )
        return _(
            "%(count)s registrations from one browser in %(hours)s hours (limit %(limit)s).",
            **words,
        )
    return _(
        "Gift %(gift)s: %(new)s of its %(total)s redemptions in %(hours)s hours were by "
        "accounts less than %(days)s days old.",
        gift=_get(alert, "gift_name", alert.subject),
        new=_get(alert, "new"),
        total=_get(alert, "total"),
        hours=_setting(alert, "window_hours"),
        days=_setting(alert, "new_days"),
    )


def summary(alert: Alert) -> str:
    """One line: what the rule found."""
    if alert.rule in ("member_velocity", "store_velocity", "advisor_spike"):
        return _velocity(alert)
    if alert.rule in ("registrations", "gift_new_accounts"):
        return _counted(alert)
    if alert.rule == "referral_ring":
        ring = " → ".join(_get(alert, "ring", []))
        return _("Referral ring of %(n)s members: %(ring)s.", n=_get(alert, "members"), ring=ring)
    if alert.rule == "referral_tiny":
        return _(
            "Member %(member)s referred %(count)s friends whose first purchase was ¥%(tiny)s or "
            "less, within %(days)s days.",
            member=_get(alert, "member_no", alert.subject),
            count=_get(alert, "count"),
            tiny=yuan(_setting(alert, "tiny_fen")),
            days=_setting(alert, "window_days"),
        )
    if alert.rule == "login_attack":
        return _login_attack(alert)
    return _("The points audit found %(count)s problem(s).", count=_get(alert, "count"))


def _login_attack(alert: Alert) -> str:
    words = {"count": _get(alert, "count"), "minutes": _get(alert, "minutes"), "who": alert.subject}
    if _get(alert, "kind") == "identifier":
        return _(
            "%(count)s failed logins in %(minutes)s minutes for %(who)s from many addresses "
            "(a distributed attack?); further attempts are refused.",
            **words,
        )
    return _(
        "%(count)s failed logins in %(minutes)s minutes from %(who)s across accounts "
        "(credential stuffing?); further attempts from there are refused.",
        **words,
    )


def status_name(status: str) -> str:
    """An alert status in the reader's language."""
    return STATUS_NAMES[status]() if status in STATUS_NAMES else status


def rule_name(rule: str) -> str:
    """The rule's name in the reader's language."""
    return str(RULE_NAMES.get(rule, rule))


def _member(number: str | None, note: str = "") -> Link:
    href = url_for("admin.member_detail", member_no=number) if number else None
    return Link(_("Member %(no)s", no=number or "—"), href, note)


def links(alert: Alert) -> list[Link]:
    """The members, store, advisor, gift and orders behind the alert, with their pages."""
    e, found = alert.evidence or {}, []
    if alert.rule in ("member_velocity", "referral_tiny") and e.get("member_no"):
        found.append(_member(e["member_no"]))
    if alert.rule == "store_velocity":
        href = url_for("admin.store_detail", store_id=e["store_id"]) if e.get("store_id") else None
        found.append(Link(_("Store %(code)s", code=alert.subject), href))
    if alert.rule == "advisor_spike":
        href = url_for("admin.audit_log", log="counter", actor=e.get("staff_id", ""))
        found.append(Link(_("Advisor %(staff)s: counter log", staff=e.get("staff_id", "")), href))
    if alert.rule == "gift_new_accounts":
        href = url_for("admin.gift_edit", gift_id=e["gift_id"]) if e.get("gift_id") else None
        found.append(Link(_("Gift %(name)s", name=e.get("gift_name", alert.subject)), href))
    return found + _listed(alert, e)


def _top(alert: Alert, e: dict) -> list[Link]:
    """The members behind a store's points or an advisor's purchases today."""
    if alert.rule == "store_velocity":
        notes = [_("%(points)s points", points=points(t["value"])) for t in e.get("top", [])]
    else:
        notes = [
            _("%(n)s purchases, ¥%(amount)s", n=t["count"], amount=yuan(t["value"]))
            for t in e.get("top", [])
        ]
    return [_member(t["member_no"], note) for t, note in zip(e.get("top", []), notes, strict=True)]


def _orders(e: dict) -> list[Link]:
    return [
        Link(
            _("Order %(id)s", id=o["order_id"]),
            url_for("admin.order_detail", order_id=o["order_id"]),
            _("member %(no)s, account %(days)s days old", no=o["member_no"], days=o["age_days"]),
        )
        for o in e.get("orders", [])
    ]


def _listed(alert: Alert, e: dict) -> list[Link]:
    """The evidence's lists: top members, registered members, friends, the ring, orders."""
    if alert.rule in ("store_velocity", "advisor_spike"):
        return _top(alert, e)
    if alert.rule == "registrations":
        return [_member(no) for no in e.get("members", [])]
    if alert.rule == "referral_ring":
        return [_member(no) for no in e.get("ring", [])]
    if alert.rule == "referral_tiny":
        return [_member(f["member_no"], f"¥{yuan(f['paid_fen'])}") for f in e.get("friends", [])]
    if alert.rule == "gift_new_accounts":
        return _orders(e)
    return []


def _velocity_facts(e: dict, s: dict) -> list[tuple[str, str]]:
    return [
        (_("Today"), points(e.get("today", 0))),
        (_("Daily average, last %(n)s days", n=s.get("baseline_days", 0)),
         points(e.get("daily_average", 0))),
        (_("Limit: the floor, or the average × the factor if higher"), points(e.get("limit", 0))),
        (_("Factor"), f"×{s.get('factor_pct', 0) / 100:g}"),
        (_("Floor"), points(s.get("floor", 0))),
    ]  # fmt: skip


def _counted_facts(rule: str, e: dict, s: dict) -> list[tuple[str, str]]:
    if rule == "registrations":
        return [
            (_("Registrations"), points(e.get("count", 0))),
            (_("Limit"), points(e.get("limit", 0))),
            (_("Window (hours)"), str(s.get("window_hours", ""))),
        ]
    if rule == "referral_tiny":
        return [
            (_("Friends"), points(e.get("count", 0))),
            (_("At least"), points(s.get("min_friends", 0))),
            (_("Tiny: up to"), f"¥{yuan(s.get('tiny_fen', 0))}"),
            (_("Window (days)"), str(s.get("window_days", ""))),
        ]
    return [
        (_("By new accounts"), points(e.get("new", 0))),
        (_("All redemptions"), points(e.get("total", 0))),
        (_("New: younger than (days)"), str(s.get("new_days", ""))),
        (_("Window (hours)"), str(s.get("window_hours", ""))),
    ]


def facts(alert: Alert) -> list[tuple[str, str]]:
    """The numbers behind the alert, as (label, value) pairs."""
    e = alert.evidence or {}
    s = e.get("settings", {})
    if alert.rule in ("member_velocity", "store_velocity", "advisor_spike"):
        return _velocity_facts(e, s)
    if alert.rule in ("registrations", "referral_tiny", "gift_new_accounts"):
        return _counted_facts(alert.rule, e, s)
    if alert.rule == "referral_ring":
        return [(_("Members in the ring"), points(e.get("members", 0)))]
    return [(_("Problems"), points(e.get("count", 0)))]

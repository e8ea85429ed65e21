"""The console's left navigation: the sections that exist, the current one marked."""

from flask import current_app, request
from flask_babel import lazy_gettext as _l

SECTIONS = [
    # endpoint, the endpoint prefix of the section's pages, label
    ("admin.home", "admin.home", _l("Overview")),
    ("admin.gifts", "admin.gift", _l("Gifts")),
    ("admin.library", "admin.library", _l("Gift library")),
    ("admin.flash", "admin.flash", _l("Flash events")),
    ("admin.home_layout", "admin.layout", _l("Home layout")),
    ("admin.rules", "admin.rule", _l("Rules")),
    ("admin.tasks", "admin.task", _l("Tasks")),
    ("admin.members", "admin.member", _l("Members")),
    ("admin.orders", "admin.order", _l("Orders")),
    ("admin.stores", "admin.store", _l("Stores & slots")),
    ("admin.analytics", "admin.analytics", _l("Analytics")),
    ("admin.alerts", "admin.alert", _l("Alerts")),
    ("admin.segments_page", "admin.segment", _l("Segments")),
    ("admin.audit", "admin.audit", _l("Audit log")),
    ("admin.staff_list", "admin.staff", _l("Staff")),
]


def navigation() -> list[dict]:
    """The sections whose pages exist, with `current` on the one being viewed."""
    here = request.endpoint or ""
    items = []
    for endpoint, prefix, label in SECTIONS:
        if endpoint not in current_app.view_functions:
            continue
        current = here == endpoint or (prefix != "admin.home" and here.startswith(prefix))
        items.append({"endpoint": endpoint, "label": label, "current": current})
    return items

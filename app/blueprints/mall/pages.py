"""The mall's pages as kept for every visitor or member of a tier (`app.holes`), and their holes.

Visitors' pages are kept whole (only the CSRF token and the clock are filled in); a member's
page is kept per tier with holes for the badge, each card's flag, "for you" and each flash
card's button and pickup counter, which are filled from the member's balance and orders (two
queries; the counter is the member row's, named from the kept catalogue).
"""

from flask import current_app
from flask_babel import get_locale
from flask_login import current_user

from app import holes
from app.blueprints.mall import for_you, hero
from app.blueprints.mall.fragments import gift_flag
from app.extensions import db
from app.flask_app import csrf_token
from app.holes import Hole
from app.services.mall import (
    catalog,
    member_home,
    pickup,
    recommend,
    redemption,
    snapshot,
    storefront,
)
from app.services.points import balances, targets
from app.web import points

KINDS = ("physical", "coupon", "virtual", "service")


def signed_in_member():
    """The member behind this request, or None for visitors and staff."""
    if current_user.is_authenticated and current_user.role == "member":
        return current_user.member
    return None


def kept(member) -> bool:
    """Whether this viewer's pages are kept: visitors and members (staff see them as rendered)."""
    return member is not None or not current_user.is_authenticated


def _macros():
    return current_app.jinja_env.get_template("macros/gift.html").module


def common(member, now) -> dict:
    """The holes of every kept page: the CSRF token, the server clock, the member's badges."""
    values = {"csrf": csrf_token(), "now": now.isoformat()}
    if member is not None:
        values["balance"] = points(balances.current(db.session, member.id, now).balance)
        values["unread"] = unread_badge(member)
    return values


def unread_badge(member) -> str:
    """The bell's unread count (loaded with the signed-in member: no statement of its own)."""
    module = current_app.jinja_env.get_template("macros/notify.html").module
    return str(module.unread_badge(member.unread_notifications))


def member_holes(member) -> dict:
    """The header's holes of a page kept for every member of a tier (nothing for visitors)."""
    if member is None:
        return {"header_balance": None, "header_unread": None}
    return {"header_balance": Hole("balance"), "header_unread": Hole("unread")}


# ---------------------------------------------------------------- the home and its shelves


def flash_segment(member, now) -> str | None:
    """The member's segment when a flash event on show is for one (else None, nothing read):
    the pages are kept per segment only then, and a visitor's never hold a targeted event."""
    return targets.segment_for(db.session, member, storefront.shown_events(db.session, now))


def home(member, now, kind: str):
    """The home (or one kind of gift) for a visitor or a member of a tier (and segment)."""
    locale, segment = str(get_locale()), flash_segment(member, now)
    key = ("home", kind, member.tier.code if member else None, segment, locale)
    return holes.render(
        "mall/home.html",
        "content",
        key,
        now,
        lambda: _home_holed(member, now, kind, segment),
        lambda names: _home_values(member, now, kind, names, locale),
    )


def _home_holed(member, now, kind: str, segment: str | None):
    # what every visitor sees (and the flash strip of the member's segment)
    sections = storefront.home(db.session, None, now, kind=kind, segment=segment)
    if member is not None:
        for s in sections:
            if s.kind == "shelf":
                s.cards = [catalog.Card(c.gift, Hole(f"flag:{c.gift.id}")) for c in s.cards]
            elif s.kind == "for_you":
                s.cards = Hole(f"for_you:{s.section.id}")
        if not kind and all(s.kind != "for_you" for s in snapshot.catalogue(db.session).sections):
            sections.insert(0, storefront.Section("for_you", None, cards=Hole("for_you:0")))
    context = {
        "kind": kind,
        "affordable": False,
        "kinds": KINDS,
        "member_tier": member.tier.code if member else None,
        "sections": sections,
        "tab": "mall",
        **member_holes(member),
        "hero": Hole("hero") if member is not None and not kind else None,
        "tally": for_you.tally_hole(sections),
    }
    return context, storefront.next_change(db.session, now)


def _home_values(member, now, kind, names, locale) -> dict:
    if member is None:
        values = common(member, now)
        _tally(names, values, now, picks=False)
        return values
    if "hero" in names or any(n.startswith("for_you:") for n in names):  # the home: one query
        bits = member_home.read(db.session, member, now)
        who, figures, signals = bits.viewer, bits.figures, bits.signals
    else:  # a shelf: the lots and the orders (before the badge: one query for both)
        who, figures, signals = catalog.viewer(db.session, member, now), None, None
    values = common(member, now)
    gifts, arranged = snapshot.catalogue(db.session).gifts, {}
    for s in snapshot.catalogue(db.session).sections:
        arranged[f"for_you:{s.id}"] = s
    picks = []
    for name in names:
        if name.startswith("flag:"):
            gift = gifts[int(name[5:])]
            state = who.state(db.session, gift, now)
            values[name] = gift_flag(state, locale)
        elif name.startswith("for_you:"):
            picks = picks or recommend.recommend(
                db.session, member, now, who=who, signals_read=signals
            )
            values[name] = for_you.shelf(arranged.get(name), picks, locale, now)
        elif name == "hero":
            values[name] = hero.html(member, now, values["csrf"], figures)
    _tally(names, values, now, picks=bool(picks))
    return values


def _tally(names, values: dict, now, picks: bool) -> None:
    """Fill the page's tally hole (it shows nothing) and count the page's impressions."""
    for name in names:
        if name.startswith("tally:"):
            values[name] = ""
            for_you.count_impressions(int(name[6:]), picks, now)


# ---------------------------------------------------------------- the flash board


def flash_board(member, now):
    """The flash board for a visitor or a member (of a segment, when an event is for one)."""
    segment = flash_segment(member, now)
    key = ("flash", member is not None, segment, str(get_locale()))
    return holes.render(
        "mall/flash.html",
        "content",
        key,
        now,
        lambda: _flash_holed(member, now, segment),
        lambda names: _flash_values(member, now, names, segment),
    )


def _flash_holed(member, now, segment: str | None):
    cards = storefront.flash_board(db.session, None, now, segment=segment)
    context = {
        "now": Hole("now"),
        "tab": "flash",
        "cards": cards,
        **member_holes(member),
        "action_holes": {c.event.id: Hole(f"action:{c.event.id}") for c in cards}
        if member is not None
        else None,
        "pickup_holes": {e: Hole(f"pickup:{e}") for e in _pickup_cards(cards)}
        if member is not None
        else None,
    }
    return context, storefront.next_change(db.session, now)


def _flash_values(member, now, names, segment: str | None) -> dict:
    board = []
    if member is not None:
        board = storefront.flash_board(db.session, member, now, segment=segment)
    values = common(member, now)  # after the board: the badge reads the balance it read
    if member is not None:
        cards = {c.event.id: c for c in board}
        locale = str(get_locale())
        for name in names:
            if name.startswith("action:"):
                values[name] = _action(cards[int(name[7:])], locale, now).fill(values)
            elif name.startswith("pickup:"):
                values[name] = _pickup_line(member, int(name[7:]), locale, now).fill(values)
    return values


PICKUP_PHASES = ("live", "upcoming")  # a card that can still be redeemed names its counter


def _pickup_cards(cards) -> list[int]:
    """The events whose card names a pickup counter: gifts collected at the counter."""
    return [
        c.event.id
        for c in cards
        if c.phase in PICKUP_PHASES and c.event.gift.kind not in redemption.WALLET_KINDS
    ]


def _pickup_line(member, event_id: int, locale: str, now):
    """A card's "Pick up at …" with its change control, kept per card, counter and locale."""
    stores = snapshot.catalogue(db.session).stores
    store = pickup.shown(member, stores)

    def html():
        macros = current_app.jinja_env.get_template("macros/flash_pickup.html").module
        return str(macros.pickup_line(event_id, store, stores, Hole("csrf"))), None

    return holes.kept(("pickup", event_id, locale, store.id if store else None), now, html)


def pickup_context(member, cards) -> dict:
    """What a flash board rendered for one viewer needs to name each card's counter."""
    if member is None:
        return {"pickup_here": None}
    stores = snapshot.catalogue(db.session).stores
    return {
        "pickup_here": pickup.shown(member, stores),
        "pickup_stores": stores,
        "pickup_events": _pickup_cards(cards),
    }


def _action(card, locale: str, now):
    """A flash card's button for a member, kept per what decides it."""
    key = ("action", card.event.id, locale, card.phase, card.reason, card.shortfall, card.tier)
    html = lambda: (_macros().flash_action(card, True, Hole("csrf")), None)  # noqa: E731
    return holes.kept(key, now, html)

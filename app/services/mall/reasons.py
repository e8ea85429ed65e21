"""The one line each 'for you' card says about itself: a reason code in, translated words out."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.mall import recommend, snapshot
from app.tier_labels import tier_name

SEGMENT_WORDS = {  # whose favourite a gift is, by RFM segment
    "loyal": _l("A favourite of loyal customers"),
    "opportunity": _l("Popular with members like you"),
    "random": _l("Popular with members like you"),
    "at_risk": _l("Popular with members like you"),
    "lapsed": _l("Popular with members like you"),
}


def words(pick, session, locale: str) -> str:
    """Why `pick` is on the member's shelf, in the current locale."""
    reason = pick.reason
    if reason == recommend.ALSO_CHOSE:
        gift = snapshot.catalogue(session).gifts.get(pick.because)
        if gift is not None:
            return _("Members who redeemed %(gift)s also chose this", gift=gift.label(locale))
    if reason == recommend.TIER_POPULAR:
        return _("Popular with %(tier)s members", tier=tier_name(pick.tier))
    if reason == recommend.SEGMENT_FAVOURITE and pick.segment in SEGMENT_WORDS:
        return str(SEGMENT_WORDS[pick.segment])
    if reason == recommend.POINTS_TO_GO:
        return _("%(n)s more points to go", n=f"{pick.state.shortfall:,}")
    return _("You can afford this")

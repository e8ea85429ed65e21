"""Domain errors of redemption; views turn them into the member's language."""

from app.services.errors import DomainError


class RedeemError(DomainError):
    """A redemption that cannot go ahead: `code` says why, `detail` holds numbers to show."""


class NotInWindow(RedeemError):
    """Not on sale yet, or no longer."""

    code = "not_in_window"


class SoldOut(RedeemError):
    """No stock left."""

    code = "sold_out"


class TierTooLow(RedeemError):
    """The member's tier may not redeem this."""

    code = "tier"


class NotForYou(RedeemError):
    """A flash event for one segment, and the member is not in it."""

    code = "segment"


class LimitReached(RedeemError):
    """The member has redeemed as many as allowed in the period."""

    code = "limit"


class NotEnoughPoints(RedeemError):
    """The balance is short; detail has `shortfall`."""

    code = "points"


class BadRequest(RedeemError):
    """Quantity, delivery or address not acceptable; detail has `field`."""

    code = "bad_request"


class RateChanged(RedeemError):
    """The points-as-cash rate changed between the page and the confirmation."""

    code = "rate_changed"


class PriceChanged(RedeemError):
    """The gift's points price changed (the member day began or ended) since the page."""

    code = "price_changed"


class CannotCancel(RedeemError):
    """The order is past the point where it can be cancelled."""

    code = "cannot_cancel"


class AccountFrozen(RedeemError):
    """The member is frozen for review: no redemptions until an operator lifts it."""

    code = "frozen"

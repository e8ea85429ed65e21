"""What the counter screen confirms after an action (refusals: blueprints.messages)."""

from flask_babel import get_locale
from flask_babel import gettext as _

from app.web import yuan


def success(action: str, result) -> str:
    """The confirmation of a completed action."""
    if action == "purchase":
        return _purchase(result)
    if action == "pickup":
        return _(
            "Handed over: %(gift)s × %(qty)s. Order completed.",
            gift=result.gift.label(str(get_locale())),
            qty=result.qty,
        )
    if action == "redeem":
        return _redeemed(result)
    if action == "benefit":
        return _("Benefit handed out and marked as used.")
    if action == "check_in":
        return _("Checked in. Enjoy the treatment!")
    return _("No-show recorded.")


def _purchase(result) -> str:
    if result.replay:
        return _(
            "Receipt already recorded: %(points)s points were awarded then.",
            points=f"{result.order.points_awarded:,}",
        )
    return _("Purchase recorded: +%(points)s points.", points=f"{result.order.points_awarded:,}")


def _redeemed(result) -> str:
    if result.cash_fen:
        return _(
            "Redeemed: %(gift)s × %(qty)s for %(points)s points and ¥%(cash)s in cash.",
            gift=result.gift.label(str(get_locale())),
            qty=result.qty,
            points=f"{result.total_points:,}",
            cash=yuan(result.cash_due_fen),
        )
    return _(
        "Redeemed: %(gift)s × %(qty)s for %(points)s points.",
        gift=result.gift.label(str(get_locale())),
        qty=result.qty,
        points=f"{result.total_points:,}",
    )

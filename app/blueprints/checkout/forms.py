"""Checkout forms and the member-facing wording of redemption errors."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp

from app.services.accounts.accounts import PHONE_RE
from app.services.mall.errors import RedeemError


class CheckoutForm(FlaskForm):
    """Quantity, delivery, store or address, and how many yuan of the cash part points pay."""

    qty = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[
            InputRequired(_l("Choose a quantity.")),
            NumberRange(min=1, max=99, message=_l("Choose a quantity.")),
        ],
    )
    delivery = StringField(
        _l("Delivery"),
        default="pickup",
        validators=[AnyOf(["pickup", "ship"], message=_l("Choose pickup or shipping."))],
    )
    store_id = IntegerField(_l("Counter"), validators=[Optional()])
    address_id = IntegerField(_l("Address"), validators=[Optional()])
    yuan_by_points = IntegerField(
        _l("Pay with points (¥)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number of yuan.")),
        ],
    )
    expected_rate = HiddenField()
    request_key = HiddenField(validators=[InputRequired(), Length(max=64)])
    slot_id = IntegerField(_l("Time"), validators=[Optional()])


class AddressForm(FlaskForm):
    """A new address for the address book."""

    recipient = StringField(
        _l("Recipient"), validators=[InputRequired(_l("Who receives the parcel?")), Length(max=40)]
    )
    phone = StringField(
        _l("Mobile number"),
        validators=[
            Regexp(
                PHONE_RE, message=_l("Enter an 11-digit mainland mobile number, e.g. 13800000000.")
            )
        ],
    )
    region = StringField(
        _l("City and district"),
        validators=[InputRequired(_l("Enter the city and district.")), Length(max=60)],
    )
    detail = StringField(
        _l("Street address"),
        validators=[InputRequired(_l("Enter the street address.")), Length(max=120)],
    )


def redeem_message(exc: RedeemError, tier_name=lambda code: code) -> str:
    """What to tell the member, with the numbers that let them act."""
    d = exc.detail
    messages = {
        "points": lambda: _("You need %(n)s more points.", n=f"{d.get('shortfall', 0):,}"),
        "tier": lambda: _(
            "Only %(tier)s and above can redeem this.", tier=tier_name(d.get("tier"))
        ),
        "sold_out": lambda: _("Sold out. Check back for a restock."),
        "limit": lambda: _("You have reached the redemption limit for this gift."),
        "not_in_window": lambda: _("This gift is not on sale right now."),
        "rate_changed": lambda: _(
            "The points rate has just changed to %(rate)s points per ¥1. "
            "Check the new amount and confirm again.",
            rate=d.get("rate"),
        ),
        "cannot_cancel": lambda: _("This order can no longer be cancelled."),
        "bad_request": lambda: _("Check the quantity, counter and address, then try again."),
    }
    return messages.get(exc.code, lambda: _("Something went wrong. Please try again."))()

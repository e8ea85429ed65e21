"""Counter forms: look-up, purchase, pickup, redeem for the member."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from app.blueprints.forms import Form, amount_field

CATEGORIES = ("skincare", "makeup", "fragrance")


class LookupForm(Form):
    """A phone number or the member's current code."""

    query = StringField(
        _l("Phone number or member code"),
        validators=[InputRequired(_l("Enter the member's phone number or code.")), Length(max=40)],
    )


class PurchaseForm(Form):
    """An in-store purchase: the receipt number is the idempotency key."""

    receipt_no = StringField(
        _l("Receipt number"),
        validators=[
            InputRequired(_l("Enter the receipt number.")),
            Regexp(r"^[A-Za-z0-9-]{1,32}\Z", message=_l("Letters, digits and - only, at most 32.")),
        ],
    )
    amount = amount_field(_l("Amount paid (¥)"))
    categories = SelectMultipleField(_l("Categories"), choices=CATEGORIES, validate_choice=True)


class PickupForm(Form):
    """A pickup code; the box confirms the cash part was collected."""

    pickup_code = StringField(
        _l("Pickup code"),
        validators=[
            InputRequired(_l("Enter the pickup code.")),
            Regexp(r"^[0-9]{8}\Z", message=_l("A pickup code has 8 digits.")),
        ],
    )
    cash_collected = BooleanField(_l("Cash part collected"))


class RedeemHereForm(Form):
    """Redeem for the member present: their current code proves it; the box confirms the cash
    part of a points + cash gift was collected."""

    member_code = StringField(
        _l("Member's current code"),
        validators=[InputRequired(_l("Ask the member to show their code.")), Length(max=40)],
    )
    gift_id = IntegerField(_l("Gift"), validators=[InputRequired()])
    qty = IntegerField(_l("Quantity"), default=1, validators=[NumberRange(min=1, max=20)])
    cash_collected = BooleanField(_l("Cash part collected"))
    request_key = HiddenField(validators=[InputRequired(), Length(max=64)])

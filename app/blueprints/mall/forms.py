"""Mall forms: the checkout on the gift page."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from app.blueprints.forms import Form


class CheckoutForm(Form):
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
    expected_points = HiddenField()
    request_key = HiddenField(validators=[InputRequired(), Length(max=64)])
    via = HiddenField()  # the shelf the member came from (for_you | shelf), for the shelf figures
    slot_id = IntegerField(_l("Time"), validators=[Optional()])

"""Checkout forms: the address book."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.blueprints.forms import Form, phone_field


class AddressForm(Form):
    """A new address for the address book."""

    recipient = StringField(
        _l("Recipient"), validators=[InputRequired(_l("Who receives the parcel?")), Length(max=40)]
    )
    phone = phone_field()
    region = StringField(
        _l("City and district"),
        validators=[InputRequired(_l("Enter the city and district.")), Length(max=60)],
    )
    detail = StringField(
        _l("Street address"),
        validators=[InputRequired(_l("Enter the street address.")), Length(max=120)],
    )

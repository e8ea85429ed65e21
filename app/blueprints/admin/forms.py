"""Console forms (staff; the feature pages add theirs in their own modules)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from app.blueprints.forms import Form


class StaffForm(Form):
    """A new staff account: ID, name, role, and the store for an advisor."""

    staff_id = StringField(
        _l("Staff ID"),
        validators=[
            InputRequired(_l("Enter a staff ID, e.g. A0002.")),
            Regexp(
                r"^[A-Za-z][A-Za-z0-9]{1,19}\Z",
                message=_l("A letter, then letters or digits (2 to 20 in all), e.g. A0002."),
            ),
        ],
    )
    display_name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=40)]
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("advisor", _l("Beauty advisor")),
            SelectChoice("operator", _l("Operator")),
            SelectChoice("finance", _l("Finance (read-only)")),
        ],
    )
    store_id = SelectField(_l("Store"), coerce=int, validators=[Optional()], validate_choice=False)


class ReasonForm(Form):
    """A write that only needs the CSRF token and an optional reason."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

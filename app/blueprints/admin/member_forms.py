"""Forms of the members and orders console: adjustment (CONTRACT.md names), decisions, freeze,
ship, cancel and refund."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.blueprints.forms import Form
from app.labels import LABELS
from app.services.console.adjustments import MAX_POINTS

REASONS = [SelectChoice(code, text) for code, text in LABELS["adjustment_reason"].items()]
CARRIERS = [SelectChoice(code, text) for code, text in LABELS["carrier"].items()]
REASON_REQUIRED = _l("Say why (the audit log keeps it).")


def _not_zero(form, field) -> None:
    if field.data == 0:
        raise ValidationError(str(_l("Enter a number of points other than 0.")))


def reason_field(label=None) -> StringField:
    """A required one-line reason (kept in the audit log)."""
    return StringField(
        label or _l("Reason"),
        validators=[InputRequired(REASON_REQUIRED), Length(max=200)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class AdjustmentForm(Form):
    """A manual credit (positive) or debit (negative) of points."""

    points = IntegerField(
        _l("Points (+ credit, − debit)"),
        validators=[
            InputRequired(_l("Enter the points to credit (e.g. 200) or debit (e.g. -200).")),
            NumberRange(
                -MAX_POINTS,
                MAX_POINTS,
                message=_l("At most %(max)s points either way.", max=f"{MAX_POINTS:,}"),
            ),
            _not_zero,
        ],
    )
    reason_code = SelectField(_l("Reason code"), choices=REASONS, default="other")
    reason = reason_field()
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=200)])
    # the form's one-time key (a double submit is one adjustment); scripts may leave it out
    request_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9-]{8,40}\Z")])


class DecisionForm(Form):
    """Approve (no reason needed) or reject (with a reason) a pending adjustment."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class ReasonRequiredForm(Form):
    """A write that needs a reason: freeze, unfreeze, cancel, refund, close."""

    reason = reason_field()


class ShipForm(Form):
    """Carrier and tracking number of a shipping order."""

    carrier = SelectField(_l("Carrier"), choices=CARRIERS)
    tracking_no = StringField(
        _l("Tracking number"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            InputRequired(_l("Enter the tracking number.")),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}\Z",
                message=_l("A tracking number is 6 to 40 letters, digits or dashes."),
            ),
        ],
    )

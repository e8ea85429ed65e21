"""Flash event forms: create/edit (CONTRACT.md field names), bring the end forward, cancel."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.blueprints.admin.target_field import WhoField
from app.blueprints.forms import AMOUNT_RE, Form, to_fen
from app.inputs import parse_int
from app.services.console.flash import MAX_LIMIT, MAX_STOCK, FlashDraft
from app.timeutil import to_local, to_utc  # noqa: F401  (re-exported to the layout forms)

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, brand-local


def local_field(label, required: bool):
    """A brand-local `YYYY-MM-DDTHH:MM` field."""
    first = InputRequired(_l("Enter the end time.")) if required else Optional()
    return DateTimeLocalField(
        label, format=LOCAL_FORMAT, validators=[first],
        render_kw={"step": "60"},
    )  # fmt: skip


def _gift_id(value) -> int:
    """The chosen gift's id; anything else is 0, which the service refuses as 'no such gift'."""
    return parse_int(value, low=0) or 0


class FlashForm(Form):
    """A flash event: gift, title, special price, stock, per-member limit, window."""

    gift_id = SelectField(_l("Gift"), coerce=_gift_id, validate_choice=False)
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Give the event a title.")), Length(max=80)]
    )
    points = IntegerField(
        _l("Points price"),
        validators=[
            InputRequired(_l("Enter the points price.")),
            NumberRange(min=1, message=_l("The points price is at least 1.")),
        ],
    )
    cash = StringField(
        _l("Cash part (¥, 0 for pure points)"),
        default="0",
        validators=[
            Optional(),
            Regexp(AMOUNT_RE, message=_l("Enter an amount like 0, 30 or 29.90.")),
        ],
    )
    stock = IntegerField(
        _l("Stock for the event"),
        validators=[
            InputRequired(_l("Enter the stock.")),
            NumberRange(1, MAX_STOCK, _l("The stock is between 1 and %(max)s.", max=MAX_STOCK)),
        ],
    )
    per_member_limit = IntegerField(
        _l("Per member"),
        default=1,
        validators=[
            InputRequired(_l("Enter how many one member may redeem.")),
            NumberRange(1, MAX_LIMIT, _l("Each member may take 1 to %(max)s.", max=MAX_LIMIT)),
        ],
    )
    starts_at = local_field(_l("Starts (empty: now)"), required=False)
    ends_at = local_field(_l("Ends"), required=True)
    segment = WhoField()

    def draft(self) -> FlashDraft:
        """The form as the service's draft (yuan → fen, brand-local → UTC)."""
        return FlashDraft(
            gift_id=self.gift_id.data or 0,
            title=self.title.data.strip(),
            points=self.points.data,
            cash_fen=to_fen(self.cash.data.strip() or "0"),
            stock=self.stock.data,
            per_member_limit=self.per_member_limit.data,
            starts_at=to_utc(self.starts_at.data),
            ends_at=to_utc(self.ends_at.data),
            segment=self.segment.target(),
        )

    def fill(self, event) -> None:
        """Show an existing event's settings."""
        self.gift_id.data, self.title.data = event.gift_id, event.title
        self.points.data, self.cash.data = event.points_price, _yuan(event.cash_fen)
        self.stock.data, self.per_member_limit.data = event.initial_stock, event.per_member_limit
        self.starts_at.data, self.ends_at.data = to_local(event.starts_at), to_local(event.ends_at)
        self.segment.data = event.segment or ""


def _yuan(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


class EndForm(Form):
    """A running event: only its end can move, and only earlier."""

    ends_at = local_field(_l("New end"), required=True)

    def ends(self) -> datetime:
        """The new end as a UTC instant."""
        return to_utc(self.ends_at.data)


class CancelForm(Form):
    """Cancelling an event, with an optional reason for the audit log."""

    reason = StringField(_l("Reason (for the audit log)"), validators=[Optional(), Length(max=200)])

"""The notification centre, its settings, and "notify me" on a gift: thin views over notify."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _

from app.blueprints.forms import first_error
from app.blueprints.member import bp
from app.blueprints.member.forms import ActionForm, NotificationPreferencesForm
from app.engine import reads_first
from app.extensions import db
from app.htmx import render, wants_fragment
from app.security import current_member, role_required
from app.services.mall import catalog, snapshot
from app.services.notify import centre, preferences, subscriptions
from app.timeutil import utcnow
from app.transaction import committing, committing_after_reads

SETTINGS = "member/notification_settings.html"


@bp.get("/me/notifications")
@reads_first
@role_required("member")
def notifications():
    """The latest notifications, each linking to what it is about; opening marks them read."""
    member = current_member()
    items = centre.latest(db.session, member.id)
    if member.unread_notifications:  # loaded with the member: no statement to find out
        with committing_after_reads():
            centre.mark_read(db.session, member.id, utcnow())
    return render("member/notifications.html", "content", items=items, header_unread=0)


@bp.get("/me/notifications/settings")
@role_required("member")
def notification_settings():
    """Which channels each kind of message uses."""
    channels = preferences.of(db.session, current_member().id)
    form = NotificationPreferencesForm(data=vars(channels))
    return render(SETTINGS, "content", form=form, error=None, saved=False)


@bp.post("/me/notifications/settings")
@role_required("member")
def save_notification_settings():
    """Save the channels; a bad choice is refused with a message and changes nothing."""
    form = NotificationPreferencesForm()
    if not form.validate_on_submit():
        return render(SETTINGS, "prefs", form=form, error=first_error(form), saved=False), 422
    with committing():
        preferences.save(
            db.session, current_member().id, form.service.data, form.marketing.data, utcnow()
        )
    if not wants_fragment():
        return redirect(url_for("member.notification_settings"), 303)
    return render(SETTINGS, "prefs", form=form, error=None, saved=True)


def _gift(gift_id: int):
    found = snapshot.catalogue(db.session).gifts.get(gift_id)
    if found is None:
        abort(404)
    return found


@bp.post("/gifts/<int:gift_id>/notify-me")
@role_required("member")
def notify_me(gift_id: int):
    """One tap on a sold-out or not-yet-listed gift: a reminder when it can be redeemed."""
    gift, member, now = _gift(gift_id), current_member(), utcnow()
    back = url_for("mall.gift", gift_id=gift_id)
    if not ActionForm().validate_on_submit():
        return redirect(back, 303)
    state = catalog.state(db.session, gift, member, now)
    try:
        with committing():
            subscriptions.subscribe(db.session, member.id, gift, state.status, now)
    except subscriptions.NotSubscribable:
        error, waiting = _("This gift can be redeemed now."), False
    else:
        error, waiting = None, True
    if not wants_fragment():
        return redirect(back, 303)
    body = render_template("mall/_notify_me.html", gift=gift, state=state, waiting=waiting,
                           notify_error=error)  # fmt: skip
    return body, 422 if error else 200, {"Vary": "HX-Request"}

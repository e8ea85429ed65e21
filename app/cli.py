"""Flask CLI: demo data, points expiry and audit, API keys, the monthly tier review."""

from datetime import date, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.services.accounts import apikeys
from app.services.mall import orders
from app.services.points import audit, expiry, tiers
from app.timeutil import local_midnight, utcnow
from app.transaction import committing

points_cli = AppGroup("points", help="The points ledger.")
demo_cli = AppGroup("demo", help="Demo data.")
apikeys_cli = AppGroup("apikeys", help="POS API keys.")
tiers_cli = AppGroup("tiers", help="Tiers.")
orders_cli = AppGroup("orders", help="Redemption orders.")


def _end_of(day: date | None) -> datetime:
    """The instant a brand-local day ends (now, when no day is given)."""
    if day is None:
        return utcnow()
    return local_midnight(date.fromordinal(day.toordinal() + 1))


@points_cli.command("expire")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="brand-local date")
def expire_command(as_of: datetime | None) -> None:
    """Write expiry entries for every lot expired by the end of that date (default: now)."""
    with committing():
        count = expiry.expire(db.session, _end_of(as_of.date() if as_of else None), now=utcnow())
    click.echo(f"expired {count} lot(s)")


@points_cli.command("audit")
def audit_command() -> None:
    """Check balance = sum of entries = sum of lot remainders; exit 1 if anything is wrong."""
    problems = audit.audit(db.session)
    for line in problems:
        click.echo(line)
    if problems:
        raise SystemExit(1)
    click.echo("ledger ok")


@demo_cli.command("load")
@click.option("--reset", is_flag=True, help="empty the database first")
@click.option("--members", default=0, help="add N load-test members 13900000001…")
def demo_load(reset: bool, members: int) -> None:
    """Load the demo brand, tiers, accounts and history (idempotent)."""
    from app.demo import loader as demo  # demo data stays out of the app's own imports

    if reset:
        demo.reset(db.session)
    with committing():
        demo.load(db.session, now=utcnow())
        if members:
            demo.load_members(db.session, members, now=utcnow())
    click.echo("demo data loaded")


@apikeys_cli.command("create")
@click.option("--name", required=True)
def apikeys_create(name: str) -> None:
    """Create a POS API key and print it once."""
    with committing():
        key = apikeys.create(db.session, name, now=utcnow())
    click.echo(key)


@tiers_cli.command("review")
def tiers_review() -> None:
    """Monthly review: members below their tier's threshold drop one rung."""
    with committing():
        count = tiers.review(db.session, utcnow())
    click.echo(f"{count} member(s) moved down one tier")


@orders_cli.command("expire")
def orders_expire() -> None:
    """Cancel orders still unpaid after their deadline (points, stock back); safe to re-run."""
    with committing():
        count = orders.expire_unpaid(db.session, utcnow())
    click.echo(f"cancelled {count} unpaid order(s)")


@orders_cli.command("refund")
@click.argument("order_no")
def orders_refund(order_no: str) -> None:
    """Refund a fulfilled order whose gift came back: points (exact lots), stock and cash."""
    try:
        with committing():
            order = orders.refund(db.session, order_no, now=utcnow())
    except (orders.OrderNotFound, orders.CannotCancel) as exc:
        raise click.ClickException(f"cannot refund {order_no}: {exc}") from exc
    click.echo(f"refunded {order.order_no}: {order.total_points} points returned")


def register(app: Flask) -> None:
    """Attach the command groups."""
    for group in (points_cli, demo_cli, apikeys_cli, tiers_cli, orders_cli):
        app.cli.add_command(group)

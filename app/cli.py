"""Flask CLI: demo data, points expiry and audit, API keys, the monthly tier review."""

import os
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.jobs import parallel
from app.services.accounts import apikeys
from app.services.mall import orders
from app.services.points import audit, expiry, tiers
from app.timeutil import brand_tz, utcnow
from app.transaction import committing

points_cli = AppGroup("points", help="The points ledger.")
demo_cli = AppGroup("demo", help="Demo data.")
apikeys_cli = AppGroup("apikeys", help="POS API keys.")
tiers_cli = AppGroup("tiers", help="Tiers.")
orders_cli = AppGroup("orders", help="Redemption orders.")


@points_cli.command("expire")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="brand-local date")
def expire_command(as_of: datetime | None) -> None:
    """Write expiry entries for every lot expired by the end of that past date (default and
    today: now); a date after today is refused (exit 1) and nothing is written."""
    now, count = utcnow(), 0
    try:
        cutoff = expiry.cutoff(as_of.date() if as_of else None, now)
        with committing():  # and a commit per batch of members, as the job does
            for lots in parallel.expire_points(db.session, cutoff, now=now):
                db.session.commit()
                count += lots
    except expiry.ExpiryAhead as exc:
        raise click.ClickException(f"cannot expire: {exc}") from exc
    click.echo(f"expired {count} lot(s)")


@points_cli.command("clear")
@click.option("--due", is_flag=True, help="run every approved clearing whose day has come")
@click.option("--id", "clearing_id", type=int, help="run this clearing (refused before its day)")
def clear_command(due: bool, clearing_id: int | None) -> None:
    """Points clearing (积分清零): run approved clearings on or after their brand-local day,
    through the ledger; before its day (or unapproved) a clearing is refused (exit 1)."""
    from app.services.console import clearing

    if due == (clearing_id is not None):
        raise click.UsageError("give either --due or --id N")
    now = utcnow()
    try:
        with committing():
            done = (
                clearing.run_due(db.session, now)
                if due
                else [(clearing_id, clearing.run(db.session, clearing_id, now=now))]
            )
            lines = [
                f"clearing #{getattr(c, 'id', c)}: {t.points} points of {t.members} member(s)"
                for c, t in done
            ]
    except clearing.ClearingError as exc:
        raise click.ClickException(f"cannot run clearing #{clearing_id}: {exc.code}") from exc
    click.echo("\n".join(lines) if lines else "no clearing due")


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
@click.option("--history", "months", default=0, help="give them a past over that many months")
@click.option("--workers", default=0, help="processes loading members (PostgreSQL; 0: one a core)")
def demo_load(reset: bool, members: int, months: int, workers: int) -> None:
    """Load the demo brand, tiers, accounts and history (idempotent); load-test members are
    bulk-loaded, a transaction per 10,000."""
    from app.demo import loader as demo  # demo data stays out of the app's own imports
    from app.demo import loadtest

    if members < 0 or months < 0:
        raise click.UsageError("--members and --history take a number ≥ 0")
    if reset:
        demo.reset(db.session)
    with committing():
        demo.load(db.session, now=utcnow())
    created, workers = 0, workers or min(os.cpu_count() or 1, 4)
    if db.engine.dialect.name == "postgresql" and workers > 1 and members > loadtest.CHUNK:
        app = current_app._get_current_object()
        created = loadtest.load_parallel(app, members, now=utcnow(), months=months, workers=workers)
    else:
        with committing():  # the last chunk and the statistics; each earlier chunk commits itself
            for count in loadtest.batches(db.session, members, now=utcnow(), months=months):
                db.session.commit()
                created += count
    click.echo("demo data loaded" + (f"; {created} new load-test member(s)" if members else ""))


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
    """Refund a fulfilled order whose gift came back: points (exact lots), stock and cash.
    Again for a refunded order: says so, writes nothing and exits 0 (the order is refunded)."""
    try:
        with committing():
            done = orders.refund(db.session, order_no, now=utcnow())
    except (orders.OrderNotFound, orders.CannotCancel) as exc:
        raise click.ClickException(f"cannot refund {order_no}: {exc}") from exc
    if done.replay:
        when = done.order.closed_at.astimezone(brand_tz())
        click.echo(
            f"{done.order.order_no} was already refunded on {when:%Y-%m-%d %H:%M} (brand-local); "
            "nothing returned this time"
        )
        return
    click.echo(f"refunded {done.order.order_no}: {done.order.total_points} points returned")


def register(app: Flask) -> None:
    """Attach the command groups."""
    from app import backup  # noqa: F401  (adds db backup / db restore to Flask-Migrate's group)
    from app.jobs.cli import jobs_cli

    for group in (points_cli, demo_cli, apikeys_cli, tiers_cli, orders_cli, jobs_cli):
        app.cli.add_command(group)

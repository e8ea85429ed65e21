"""`flask jobs run`: the long-lived scheduler, or one job now with --once; `flask jobs status`."""

import signal

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.jobs import periods, scheduler
from app.jobs.registry import JOBS
from app.models import JobRun
from app.timeutil import utcnow

jobs_cli = AppGroup("jobs", help="Periodic jobs (brand-local periods, each run once).")


@jobs_cli.command("run")
@click.option("--once", "once", type=click.Choice(sorted(JOBS)), help="run this job's period now")
def run_command(once: str | None) -> None:
    """Run the scheduler until SIGTERM/Ctrl-C, or one job's current period with --once."""
    if once:
        job = JOBS[once]
        start = periods.start_of(job.period, utcnow())
        run = scheduler.run_period(db.session, job, start, utcnow)
        key = periods.key(job.period, start)
        if run is None:
            click.echo(f"{once} {key}: already done (or running elsewhere)")
        elif run.error:
            raise click.ClickException(f"{once} {key} failed: {run.error}")
        else:
            click.echo(f"{once} {key}: {run.rows} row(s)")
        return
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    scheduler.loop(db.engine, db.session, utcnow, lambda: bool(stopping))


@jobs_cli.command("status")
def status_command() -> None:
    """Each job's last run: period, when it finished, rows, error."""
    for name in JOBS:
        run = db.session.scalar(
            select(JobRun).where(JobRun.job == name).order_by(JobRun.started_at.desc()).limit(1)
        )
        if run is None:
            click.echo(f"{name}: never ran")
        else:
            state = f"error: {run.error}" if run.error else f"{run.rows} row(s)"
            click.echo(f"{name}: {run.period_key} finished {run.finished_at or '—'} {state}")

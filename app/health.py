"""Readiness: the database, Redis when configured, and each periodic job's last success."""

from datetime import datetime

from flask import current_app, jsonify
from sqlalchemy import func, select, text

from app.extensions import db
from app.jobs import periods
from app.jobs.registry import JOBS
from app.models import JobRun
from app.timeutil import brand_tz, utcnow


def job_health(session, now: datetime) -> dict[str, dict]:
    """Per job: its last finished period and when, and whether it is overdue."""
    last = dict(
        session.execute(
            select(JobRun.job, func.max(JobRun.finished_at))
            .where(JobRun.finished_at.is_not(None))
            .group_by(JobRun.job)
        ).all()
    )
    out = {}
    for name, job in JOBS.items():
        finished = last.get(name)
        limit = periods.start_of(job.period, now)
        for _ in range(job.overdue_after_periods - 1):
            limit = periods.previous(job.period, limit)
        out[name] = {
            "last_success": finished.isoformat() if finished else None,
            "overdue": finished is None or finished < limit,
            "shown": f"{finished.astimezone(brand_tz()):%Y-%m-%d %H:%M}" if finished else "—",
        }
    return out


def _redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError as exc:
        return f"down: {type(exc).__name__}"


def ready():
    """JSON: database, redis, jobs; 503 when something is down or a job is overdue."""
    report, healthy = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = "ok"
        report["jobs"] = job_health(db.session, utcnow())
        healthy = not any(j["overdue"] for j in report["jobs"].values())
    except Exception as exc:  # readiness must answer, not fail
        db.session.rollback()
        report["database"], healthy = f"down: {type(exc).__name__}", False
    redis_state = _redis()
    if redis_state is not None:
        report["redis"] = redis_state
        healthy = healthy and redis_state == "ok"
    report["status"] = "ok" if healthy else "unavailable"
    return jsonify(report), 200 if healthy else 503


def init_app(app) -> None:
    """The /healthz/ready route (the cheap /healthz liveness check lives in web.py)."""
    app.add_url_rule("/healthz/ready", "healthz_ready", ready)

"""Operations: request ids and request logs, the 500 page, readiness with the jobs' last success."""

import json
import logging

from app.jobs import periods, scheduler
from app.jobs.registry import JOBS
from app.timeutil import utcnow


def test_every_response_carries_a_request_id_and_a_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="pointsmall.request")
    response = client.get("/login?next=/me&token=secret")
    rid = response.headers["X-Request-ID"]
    assert len(rid) == 32
    line = next(r for r in caplog.records if r.name == "pointsmall.request")
    assert line.request_id == rid and line.status == 200 and line.path == "/login"
    assert "secret" not in line.getMessage()
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})
    assert kept.headers["X-Request-ID"] == "proxy-abc-12345"
    bad = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(bad.headers["X-Request-ID"]) == 32


def test_a_500_is_logged_with_its_traceback_and_shows_the_request_id(app, client, caplog):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    caplog.set_level(logging.ERROR, logger="pointsmall.error")
    response = client.get("/boom-for-test")
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500 and rid in response.get_data(as_text=True)
    record = next(r for r in caplog.records if r.name == "pointsmall.error")
    assert record.request_id == rid and record.exc_info[0] is RuntimeError


def test_json_log_lines(app):
    from app.logs import JsonFormatter

    record = logging.LogRecord("pointsmall.request", logging.INFO, "", 0, "GET / 200", (), None)
    record.request_id, record.status = "abc", 200
    data = json.loads(JsonFormatter().format(record))
    assert data["request_id"] == "abc" and data["status"] == 200 and data["level"] == "INFO"


def test_ready_is_503_until_every_job_has_run_then_200(client, session):
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json["database"] == "ok"
    assert response.json["jobs"]["expire-points"]["overdue"] is True
    now = utcnow()
    for job in JOBS.values():
        scheduler.run_period(session, job, periods.start_of(job.period, now), utcnow)
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200, ready.json
    assert ready.json["jobs"]["review-tiers"]["last_success"]


def test_ready_reports_redis_when_configured(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        body = client.get("/healthz/ready").json
        assert body["redis"].startswith("down")
    finally:
        app.config["REDIS_URL"] = ""


def test_production_refuses_the_sandbox_sms_provider():
    import pytest

    from app import create_app
    from app.config import TestConfig

    with pytest.raises(RuntimeError, match="SMS_PROVIDER"):
        create_app(TestConfig, APP_ENV="production", SMS_PROVIDER="sandbox")

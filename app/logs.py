"""Logging configured in one place: a line per request, every 5xx with its traceback, a request id.

Text lines by default, JSON lines with LOG_FORMAT=json. The request id comes from a sane incoming
X-Request-ID (a proxy's) or is made here; it is sent back as X-Request-ID and shown on the 500 page.
Nothing secret is logged: the path without its query string, never form fields or headers.
"""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, render_template, request
from flask_login import current_user

LONGEST_PATH = 256  # a log line stays one readable line whatever URL was asked for
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
access = logging.getLogger("pointsmall.request")
errors = logging.getLogger("pointsmall.error")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request fields if any."""

    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure(app: Flask) -> None:
    """Install the handler on the `pointsmall` loggers (once per process) and the request hooks."""
    root = logging.getLogger("pointsmall")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        if app.config.get("LOG_FORMAT") == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
            )
        root.addHandler(handler)
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # the records need neither the caller's file and line nor thread and process names (the
    # logging HOWTO's "Optimization"): a fifth of what a request line costs
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    app.before_request(_start)
    app.after_request(_finish)
    app.register_error_handler(500, _server_error)


def request_id() -> str:
    """This request's id."""
    return g.get("request_id") or "-"


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user_id() -> str:
    if "_login_user" not in g:  # not loaded by this request (a public poll): not worth a query
        return "-"
    try:
        return str(current_user.id) if current_user.is_authenticated else "-"
    except Exception:  # the user could not be loaded (e.g. the database is down)
        return "-"


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    started = g.get("request_started")
    duration = int((time.perf_counter() - started) * 1000) if started else 0
    fields = {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path[:LONGEST_PATH],
        "status": response.status_code,
        "duration_ms": duration,
        "user_id": _user_id(),
    }
    access.info(
        "%(method)s %(path)s %(status)s %(duration_ms)sms id=%(request_id)s user=%(user_id)s",
        fields,
        extra=fields,
    )
    return response


def _server_error(exc):
    original = getattr(exc, "original_exception", None) or exc
    errors.error(
        "unhandled error on %s %s id=%s",
        request.method,
        request.path,
        request_id(),
        exc_info=(type(original), original, original.__traceback__),
        extra={"request_id": request_id(), "method": request.method, "path": request.path},
    )
    try:
        from app.extensions import db

        db.session.rollback()
    except Exception:  # the database may be what failed
        pass
    if request.path.startswith("/api/"):
        body = {"error": {"code": "internal_error", "message": f"request id {request_id()}"}}
        return body, 500
    return render_template("errors/error.html", error=exc, request_id=request_id()), 500

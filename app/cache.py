"""Shared read caches: what is the same for every member, invalidated by one version stamp.

Every commit that wrote a catalogue table (gifts, stock, flash events, the home layout, stores,
rules …) bumps the stamp, from one session hook installed here — no write path calls it itself.
A cached value is kept under the stamp it was built at, so a bump makes every worker rebuild on
its next read. Values must not depend on the clock: they hold the rows, and callers decide what
is listed or live at their `now`.

Without REDIS_URL (the embedded default, one machine) the stamp is a file beside the database
and values live in each process. With REDIS_URL the stamp and the values live in Redis (each
process also keeps the value of the current stamp, so a hit costs one GET). Short-lived values
(`brief`: the flash stock figure) expire on their own.
"""

import os
import pickle
import secrets
import tempfile
import time
from contextvars import ContextVar, Token
from functools import lru_cache
from hashlib import sha1
from pathlib import Path

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.config import INSTANCE_DIR

CATALOGUE_TABLES = frozenset(
    {
        "gifts", "shelves", "flash_events", "flash_cancellations", "home_sections", "stores",
        "cash_rates", "tiers", "rule_versions", "point_clearings", "benefits", "campaigns",
        "earning_settings", "category_multipliers", "point_sources",
        "member_days", "member_day_prices", "gift_reviews", "api_keys",
    }
)  # fmt: skip
DIRTY = "pointsmall.catalogue_dirty"  # session.info flag: catalogue rows written, not committed
SHARED_TTL = 3600  # seconds a value stays in Redis (a stamp's values are dead after a bump)
STAMP_TTL = 86400  # a stamp unchanged for a day may go: the next read makes a fresh one
SAFETY_TTL = 600  # seconds a process trusts a value, whatever the stamp (writes outside the ORM)
_redis_clients: dict[str, object] = {}


# ---------------------------------------------------------------- where the stamp lives


def _config() -> tuple[str, str]:
    """The Redis URL and this database's namespace in it: REDIS_PREFIX and a digest of the
    database URL, so two databases sharing one Redis (and one prefix) never share a cache."""
    cfg = current_app.config
    namespace = _namespace(cfg.get("REDIS_PREFIX") or "pointsmall:", cfg["SQLALCHEMY_DATABASE_URI"])
    return cfg.get("REDIS_URL") or "", namespace


@lru_cache(maxsize=64)
def _namespace(prefix: str, database_url: str) -> str:
    return f"{prefix}{sha1(database_url.encode()).hexdigest()[:10]}:"


def key(name: str) -> str:
    """The Redis key of `name` (e.g. `brief:flash-stock:7`) for this app and database."""
    return _config()[1] + name


def redis_client():
    """The Redis client when REDIS_URL is set (one per URL and process), else None."""
    url, _ = _config()
    if not url:
        return None
    if url not in _redis_clients:
        import redis  # only when configured

        _redis_clients[url] = redis.Redis.from_url(url)
    return _redis_clients[url]


def _stamp_file() -> Path:
    """Beside the SQLite file; for another database without Redis, under instance/."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Path(url[len("sqlite:///") :] + "-stamp")
    return INSTANCE_DIR / f"cache-stamp-{sha1(url.encode()).hexdigest()[:12]}"


def _local() -> dict:
    return current_app.extensions.setdefault("pointsmall.cache", {})


MEMO_KEY = "pointsmall.memo"  # the request's memo, in its WSGI environ
# The memo of the request being served, set around it by `app.flask_app.PointsMall.wsgi_app`:
# a ContextVar read is a fraction of `request.environ` through Flask's proxies, and a member
# page asks for the memo some 30 times (3.5 % of the home's instructions).
_serving: ContextVar[dict | None] = ContextVar("pointsmall_request_memo", default=None)


def serve(environ: dict) -> Token:
    """Make `environ`'s memo the current one (until `served(token)`)."""
    return _serving.set(environ.setdefault(MEMO_KEY, {}))


def served(token: Token) -> None:
    """The request is over: its memo is no longer the current one."""
    _serving.reset(token)


def request_memo() -> dict | None:
    """A dict that lives as long as the current request (None outside one)."""
    memo = _serving.get()
    if memo is not None:
        return memo
    return request.environ.setdefault(MEMO_KEY, {}) if has_request_context() else None


def stamp() -> str:
    """The catalogue's current version (read once per request)."""
    memo = request_memo()
    if memo is not None and "stamp" in memo:
        return memo["stamp"]
    value = _read_stamp()
    if value is None:  # never bumped (or lost): a fresh stamp no value was ever kept under
        bump()
        value = _read_stamp() or ""
    if memo is not None:
        memo["stamp"] = value
    return value


def _read_stamp() -> str | None:
    client = redis_client()
    if client is not None:
        raw = client.get(key("stamp"))
        return raw.decode() if raw else None
    local = _local()
    path = local.get("stamp-file") or local.setdefault("stamp-file", _stamp_file())
    try:  # a bump replaces the file: while its inode and mtime hold, so does what it says
        seen = os.stat(path)
        if (found := local.get("stamp-read")) and found[0] == (seen.st_ino, seen.st_mtime_ns):
            return found[1]
        value = path.read_text() or None
    except FileNotFoundError:
        return None
    local["stamp-read"] = ((seen.st_ino, seen.st_mtime_ns), value)
    return value


def bump() -> None:
    """A new version: every cached value built before is stale."""
    client = redis_client()
    if client is not None:
        client.set(key("stamp"), secrets.token_hex(8), ex=STAMP_TTL)
    else:
        path = _stamp_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(8))
        os.replace(tmp, path)  # atomic: a reader sees the old stamp or the new one
    if (memo := request_memo()) is not None:
        memo.pop("stamp", None)


# ---------------------------------------------------------------- values


def dirty(session: Session) -> bool:
    """Whether the session holds catalogue writes it has not committed."""
    return bool(session.info.get(DIRTY))


def cached(name: str, build, session: Session):
    """The value `name` of the current stamp, built by `build()` when missing.

    A session holding uncommitted catalogue writes gets a fresh build and stores nothing."""
    if dirty(session):
        return build()
    version, store = stamp(), _local()
    found = store.get(name)
    if found and found[0] == version and found[1] > time.monotonic():
        return found[2]
    value = _shared_get(name, version)
    if value is None:
        value = build()
        _shared_set(name, version, value)
    store[name] = (version, time.monotonic() + SAFETY_TTL, value)
    return value


def _shared_get(name: str, version: str):
    client = redis_client()
    if client is None:
        return None
    raw = client.get(key(f"cache:{name}:{version}"))
    return pickle.loads(raw) if raw is not None else None


def _shared_set(name: str, version: str, value) -> None:
    client = redis_client()
    if client is not None:
        client.set(key(f"cache:{name}:{version}"), pickle.dumps(value), ex=SHARED_TTL)


def brief(name: str, build, seconds: float):
    """A value at most `seconds` old (not tied to the stamp): shared on Redis, else per process."""
    client = redis_client()
    if client is not None:
        name_key = key(f"brief:{name}")
        raw = client.get(name_key)
        if raw is not None:
            return pickle.loads(raw)
        value = build()
        client.set(name_key, pickle.dumps(value), px=int(seconds * 1000))
        return value
    store, now = _local(), time.monotonic()
    found = store.get(("brief", name))
    if found and found[0] > now:
        return found[1]
    value = build()
    store[("brief", name)] = (now + seconds, value)
    return value


# ---------------------------------------------------------------- the one hook


def _touches_catalogue(mappers) -> bool:
    return any(m.local_table.name in CATALOGUE_TABLES for m in mappers if m is not None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(type(obj), "__tablename__", None) in CATALOGUE_TABLES for obj in changed):
        session.info[DIRTY] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and _touches_catalogue(
        state.all_mappers
    ):
        state.session.info[DIRTY] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(DIRTY, False) and has_app_context():
        bump()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(DIRTY, None)

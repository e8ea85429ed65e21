"""Flash-redemption load test: N members storm one flash event under gunicorn, per backend.

For PostgreSQL (database `bench_flash`, recreated) and SQLite (a temp file): migrate, load the demo
with N load-test members, add a flash event live now, serve with `gunicorn -w 4` on 127.0.0.1, log
every member in over HTTP (one cookie session each), then fire one redemption per member, released
together through a bounded thread pool. The same sessions then time an authenticated POST that
writes nothing (`POST /lang`) so the redemption cost can be read as a ratio.

    .venv/bin/python bench/flash.py [--members 1000] [--stock 100] [--only sqlite|postgres]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "bench_flash"
PASSWORD = "demo1234"
SECRET_KEY = "bench-secret-key-not-for-production"
REQUEST_TIMEOUT = 60.0  # seconds per HTTP request
PHASE_TIMEOUT = 600.0  # seconds for one phase (all logins, all redemptions, all no-ops)
START_TIMEOUT = 30.0  # seconds for gunicorn to answer /healthz
ERROR_LINE = re.compile(r"ERROR in app: Exception on (\S+) \[(\w+)\]")  # Flask's 500 log line

CREATE_EVENT = """
import sys
from datetime import timedelta
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import FlashEvent, Gift
from app.timeutil import utcnow
stock = int(sys.argv[1])
with create_app().app_context():
    gift = next(g for g in db.session.scalars(select(Gift).order_by(Gift.id))
                if g.kind == "physical" and not g.tier_codes and not g.listed_at)
    now = utcnow()
    event = FlashEvent(gift=gift, title="bench", points_price=500, stock=stock,
                       initial_stock=stock, per_member_limit=1,
                       starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=2))
    db.session.add(event)
    db.session.commit()
    print(event.id)
"""

COUNT_ORDERS = """
import json, sys
from sqlalchemy import func, select
from app import create_app
from app.extensions import db
from app.models import FlashEvent, Order
event_id = int(sys.argv[1])
with create_app().app_context():
    orders = db.session.scalar(select(func.count(Order.id)).where(Order.flash_event_id == event_id))
    event = db.session.get(FlashEvent, event_id)
    print(json.dumps({"orders": orders, "stock_left": event.stock,
                      "initial_stock": event.initial_stock}))
"""


# ---------------------------------------------------------------- databases and the server


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def recreate_pg_database() -> str:
    """Drop and create the bench database; returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def app_env(database_url: str) -> dict:
    """The environment every flask/gunicorn/python child runs with."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "PYTHONDONTWRITEBYTECODE": "1",
        # with REDIS_URL: keys of this run only (the stamp, the caches, the counters)
        "REDIS_PREFIX": f"pointsmall-bench-{os.getpid()}-{abs(hash(database_url)) % 10**6}:",
    }
    env.pop("FLASK_DEBUG", None)
    return env


def run(env: dict, *args: str, timeout: float = 600) -> str:
    """Run a child process from the repo root; its stdout, or exit with its output."""
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        sys.exit(f"{' '.join(args[:4])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(env: dict, members: int, stock: int) -> int:
    """Migrate, load the demo plus load-test members, add the flash event; returns its id."""
    flask = str(BIN / "flask")
    run(env, flask, "--app", "wsgi", "db", "upgrade")
    run(env, flask, "--app", "wsgi", "demo", "load", "--members", str(members))
    return int(run(env, sys.executable, "-c", CREATE_EVENT, str(stock)).strip())


def count_orders(env: dict, event_id: int) -> dict:
    """Orders and stock of the event, read from the database after the run."""
    return json.loads(run(env, sys.executable, "-c", COUNT_ORDERS, str(event_id)))


class Server:
    """`gunicorn -w N wsgi:app` on a free local port; stopped on exit."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        args = [
            str(BIN / "gunicorn"),
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{self.port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "wsgi:app",
        ]
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        sys.exit(f"gunicorn did not come up:\n{self.log.read_text()}")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- HTTP, one cookie jar a member


@dataclass
class Reply:
    """One HTTP exchange: status, headers we care about, body, seconds taken, when it ended."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float
    ended: float


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Reply:
    """One request on its own connection (gunicorn's sync workers close after each anyway)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    ended = time.perf_counter()
    return Reply(response.status, response.headers, data, ended - started, ended)


@dataclass
class Member:
    """A browser-like client: its own cookies and CSRF token."""

    phone: str
    port: int
    cookies: dict = field(default_factory=dict)
    csrf: str = ""

    def send(self, method: str, path: str, form: dict | None = None, **headers) -> Reply:
        """A request carrying this member's cookies; remembers the cookies set in reply."""
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reply = request(self.port, method, path, body=body, headers=headers)
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if "Max-Age=0" in cookie or "1970" in cookie:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return reply

    def log_in(self) -> bool:
        """GET /login for a token, POST the form, read the CSRF meta tag of /flash."""
        token = meta_csrf(self.send("GET", "/login").body)
        form = {"identifier": self.phone, "password": PASSWORD, "csrf_token": token}
        if self.send("POST", "/login", form).status != 303:
            return False
        page = self.send("GET", "/flash")
        self.csrf = meta_csrf(page.body)
        return page.status == 200 and b'data-testid="points-balance"' in page.body

    def redeem(self, event_id: int) -> Reply:
        """The one-tap flash redemption, as htmx sends it."""
        return self.send(
            "POST", f"/flash/{event_id}/redeem", {}, X_CSRFToken=self.csrf, HX_Request="true"
        )

    def no_op(self) -> Reply:
        """An authenticated, CSRF-checked POST that writes nothing to the database."""
        return self.send(
            "POST",
            "/lang",
            {"lang": "zh_Hans", "next": "/"},
            X_CSRFToken=self.csrf,
            HX_Request="true",
        )


def meta_csrf(html: bytes) -> str:
    """The token of <meta name="csrf-token" content="…">."""
    marker = b'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index(b'"', start)].decode()


# ---------------------------------------------------------------- the storm


@dataclass
class Phase:
    """What one burst of requests produced."""

    replies: list  # Reply, or the exception a request raised
    wall: float  # seconds from the release until every request was answered
    released: float

    @property
    def answered(self) -> list[Reply]:
        """Requests that got an HTTP answer."""
        return [r for r in self.replies if isinstance(r, Reply)]

    def count(self, predicate) -> int:
        """How many answers satisfy predicate."""
        return sum(1 for r in self.answered if predicate(r))

    def percentile(self, q: float) -> float:
        """Latency percentile in milliseconds over every answered request."""
        latencies = sorted(r.seconds for r in self.answered)
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    @property
    def rate(self) -> float:
        """Answered requests per second of wall time."""
        return len(self.answered) / self.wall if self.wall else float("nan")


def burst(members: list[Member], action, concurrency: int) -> Phase:
    """Call action(member) once per member; all queued first, then released together."""
    go, parked = threading.Event(), threading.Semaphore(0)

    def task(member: Member):
        parked.release()
        go.wait(PHASE_TIMEOUT)
        try:
            return action(member)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(task, m) for m in members]
        for _ in range(min(concurrency, len(members))):  # every thread of the pool is waiting
            parked.acquire(timeout=START_TIMEOUT)
        released = time.perf_counter()
        go.set()
        done, pending = wait(futures, timeout=PHASE_TIMEOUT)
        finished = time.perf_counter()
        for future in pending:
            future.cancel()
    replies = [f.result() if f in done else TimeoutError("phase timed out") for f in futures]
    return Phase(replies, finished - released, released)


def bench_backend(name: str, database_url: str, args, workdir: Path) -> dict:
    """Prepare one backend, serve it, log in, storm the event, count what was sold."""
    env = app_env(database_url)
    print(f"[{name}] migrating and loading {args.members} members …", flush=True)
    event_id = prepare(env, args.members, args.stock)
    log = workdir / f"gunicorn-{name}.log"
    with Server(env, args.workers, log) as server:
        members = [Member(f"139{n:08d}", server.port) for n in range(1, args.members + 1)]
        print(f"[{name}] gunicorn -w {args.workers} on :{server.port}; logging in …", flush=True)
        login = burst(members, Member.log_in, args.login_concurrency)
        ready = [m for m, ok in zip(members, login.replies, strict=False) if ok is True]
        print(
            f"[{name}] {len(ready)}/{len(members)} logged in in {login.wall:.1f}s; no-op round …",
            flush=True,
        )
        no_op = burst(ready, Member.no_op, args.concurrency)
        print(f"[{name}] redemption round …", flush=True)
        redeem = burst(ready, lambda m: m.redeem(event_id), args.concurrency)
    counts = count_orders(env, event_id)
    return summarise(name, args, login, ready, no_op, redeem, counts, log)


def summarise(name, args, login, ready, no_op, redeem, counts, log: Path) -> dict:
    """The figures of one backend."""

    def won(r: Reply) -> bool:  # the card turns into "You got it!" in place
        return r.status == 200 and b'data-testid="flash-won"' in r.body

    sold = [r for r in redeem.answered if won(r)]
    text = log.read_text(errors="replace")
    return {
        "backend": name,
        "members": args.members,
        "stock": args.stock,
        "logged_in": len(ready),
        "login_s": login.wall,
        "successes": len(sold),
        "orders_in_db": counts["orders"],
        "oversold": counts["orders"] - counts["initial_stock"],
        "stock_left": counts["stock_left"],
        "sold_out_409": redeem.count(lambda r: r.status == 409),
        "redeem_5xx": redeem.count(lambda r: r.status >= 500),
        "redeem_errors": len(redeem.replies) - len(redeem.answered),
        "other": redeem.count(lambda r: r.status not in (200, 409) and r.status < 500),
        "p50_ms": redeem.percentile(0.50),
        "p95_ms": redeem.percentile(0.95),
        "redeem_rps": redeem.rate,
        "sold_out_after_s": (max(r.ended for r in sold) - redeem.released) if sold else 0.0,
        "noop_rps": no_op.rate,
        "noop_p50_ms": no_op.percentile(0.50),
        "noop_p95_ms": no_op.percentile(0.95),
        "noop_5xx": no_op.count(lambda r: r.status >= 500),
        "noop_bad": no_op.count(lambda r: r.status != 303),
        "locked_in_log": text.count("OperationalError) database is locked"),
        "errors_in_log": Counter(f"{m} {p}" for p, m in ERROR_LINE.findall(text)),
    }


def print_table(row: dict) -> None:
    """A compact table for one backend."""
    ok = row["successes"] == row["stock"] and row["oversold"] == 0
    errors = row["errors_in_log"]

    def verdict(good: bool) -> str:
        return "OK" if good else "FAIL"

    lines = [
        ("members logged in", f"{row['logged_in']}/{row['members']} in {row['login_s']:.1f}s"),
        (
            "successes / stock",
            f"{row['successes']} / {row['stock']}  ({verdict(row['successes'] == row['stock'])})",
        ),
        ("orders in DB, stock left", f"{row['orders_in_db']}, {row['stock_left']}"),
        ("oversold (orders - stock)", f"{row['oversold']}  ({verdict(row['oversold'] == 0)})"),
        ("409 sold out / other 4xx", f"{row['sold_out_409']} / {row['other']}"),
        ("5xx / transport errors", f"{row['redeem_5xx']} / {row['redeem_errors']}"),
        ("redeem p50 / p95", f"{row['p50_ms']:.0f} ms / {row['p95_ms']:.0f} ms"),
        (
            "redeem req/s",
            f"{row['redeem_rps']:.1f}  (stock gone after {row['sold_out_after_s']:.2f}s)",
        ),
        (
            "no-op POST req/s",
            f"{row['noop_rps']:.1f}  (p50 {row['noop_p50_ms']:.0f} ms, "
            f"p95 {row['noop_p95_ms']:.0f} ms, 5xx {row['noop_5xx']}, "
            f"not-303 {row['noop_bad']})",
        ),
        ("redeem / no-op", f"{row['redeem_rps'] / row['noop_rps']:.2f}"),
        ("500s in the server log", ", ".join(f"{k} ×{v}" for k, v in errors.items()) or "none"),
        ("  of which 'database locked'", f"{row['locked_in_log']}"),
    ]
    print(f"\n== {row['backend']} == {'PASS' if ok else 'FAIL'}")
    for label, value in lines:
        print(f"  {label:<28} {value}")


def main() -> int:
    """Run the selected backends and print a table for each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=100)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=200, help="client threads per burst")
    parser.add_argument(
        "--login-concurrency",
        type=int,
        default=32,
        help="client threads while logging in (argon2 is slow on purpose)",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-flash-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "postgres"):
            rows.append(bench_backend("postgres", recreate_pg_database(), args, workdir))
        if args.only in (None, "sqlite"):
            rows.append(bench_backend("sqlite", f"sqlite:///{workdir / 'bench.db'}", args, workdir))
        for row in rows:
            print_table(row)
        for row in rows:
            if row["errors_in_log"]:
                keep = ROOT / "bench" / "results" / f"gunicorn-{row['backend']}.log"
                keep.parent.mkdir(exist_ok=True)
                shutil.copyfile(workdir / f"gunicorn-{row['backend']}.log", keep)
                print(f"\n{row['backend']}: gunicorn log with the tracebacks kept at {keep}")
    good = all(
        r["successes"] == r["stock"] and r["oversold"] == 0 and r["redeem_5xx"] == 0 for r in rows
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

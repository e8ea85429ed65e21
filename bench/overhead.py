"""Where a request's CPU goes, layer by layer, in-process against a Flask hello-world.

No server and no load generator: each path is requested through Flask's test client in this
one process (SQLite in a temp file, the demo loaded) and timed with `time.process_time`, so the
figures are CPU per request and hardly move with the machine's load. Every row is printed as
the ratio to a bare Flask hello-world measured in the same run, through the same test client:

- hello-world: Flask alone (the floor);
- visitor /healthz: the app's hooks on every request (request id, log line, headers, session)
  and the health check's one `SELECT 1`;
- signed-in /healthz: plus loading the signed-in user (cookie, session row, member and tier);
- each member page: plus the page itself.

The differences between rows are what each layer costs; `bench/pages.py` gives the same
pages' requests/s under gunicorn and wrk.

    .venv/bin/python bench/overhead.py [--requests N] [--profile PATH] [--postgres] [--statements]
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flash import PASSWORD, app_env, meta_csrf, run  # noqa: E402
from pages import BIN, GIFT_ID, MEMBER_PHONE, recreate_pg_database  # noqa: E402

WARM_UP = 50
MEMBER_NAMES = ("member home", "a shelf", "a gift page", "/me", "/flash")
MEMBER_PATHS = ("/", "/?kind=physical", "/gifts/{gift}", "/me", "/flash")


def hello_client():
    """A test client of a bare Flask hello-world."""
    from flask import Flask

    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, World!")
    return hello.test_client()


def cpu_ms(client, path: str, requests: int) -> float:
    """CPU milliseconds per GET of `path` (after a warm-up), failing loudly on a non-200."""
    for _ in range(WARM_UP):
        reply = client.get(path)
        if reply.status_code != 200:
            sys.exit(f"GET {path} answered {reply.status_code}")
    start = time.process_time()
    for _ in range(requests):
        client.get(path)
    return 1000 * (time.process_time() - start) / requests


def signed_in_client(app):
    """A test client of the app with the demo's Silver member signed in."""
    client = app.test_client()
    token = meta_csrf(client.get("/login").data)
    form = {"identifier": MEMBER_PHONE, "password": PASSWORD, "csrf_token": token}
    if client.post("/login", data=form).status_code != 303:
        sys.exit(f"could not log {MEMBER_PHONE} in")
    return client


def print_statements(app, client, gift_id: int) -> None:
    """The SQL each member page sends once warm (the second GET of each)."""
    from sqlalchemy import event

    from app.extensions import db

    sent: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    for path in MEMBER_PATHS:
        path = path.format(gift=gift_id)
        client.get(path)
        sent.clear()
        client.get(path)
        print(f"\n-- {path}: {len(sent)} statements")
        for statement in sent:
            print("  ", " ".join(statement.split())[:300])


def quiet_stderr() -> None:
    """The app's request log goes nowhere (it is still formatted and written, as in a server)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def main() -> int:
    """Load the demo into a temp SQLite, then time each layer and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per path")
    parser.add_argument("--profile", help="also print a cProfile of this (signed-in) path")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (bench_pages)")
    parser.add_argument("--statements", action="store_true", help="print each page's SQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        url = recreate_pg_database() if args.postgres else f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = app_env(url)
        print("migrating and loading the demo …", flush=True)
        run(env, str(BIN / "flask"), "--app", "wsgi", "db", "upgrade")
        run(env, str(BIN / "flask"), "--app", "wsgi", "demo", "load")
        gift_id = int(run(env, sys.executable, "-c", GIFT_ID).strip())
        os.environ.update(env)
        from app import create_app

        app = create_app()
        visitor, member = app.test_client(), signed_in_client(app)
        if args.statements:
            print_statements(app, member, gift_id)
        quiet_stderr()
        rows = [("hello-world", cpu_ms(hello_client(), "/", args.requests))]
        rows.append(("visitor /healthz", cpu_ms(visitor, "/healthz", args.requests)))
        rows.append(("visitor home", cpu_ms(visitor, "/", args.requests)))
        rows.append(("signed-in /healthz", cpu_ms(member, "/healthz", args.requests)))
        for name, path in zip(MEMBER_NAMES, MEMBER_PATHS, strict=True):
            rows.append((name, cpu_ms(member, path.format(gift=gift_id), args.requests)))
        hello = rows[0][1]
        print(f"\n== CPU per request through Flask's test client, {args.requests} requests each ==")
        print(f"  {'path':<20} {'ms':>6} {'× hello':>8}")
        for name, ms in rows:
            print(f"  {name:<20} {ms:>6.2f} {ms / hello:>8.1f}")
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(lambda: [member.get(args.profile) for _ in range(args.requests)])
            pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Member pages against a Flask hello-world: requests/s, the ratio, and latency at a fixed rate.

For each backend (SQLite in a temp file; PostgreSQL in the database `bench_pages`, recreated):
migrate, load the demo, then serve a Flask hello-world and the app side by side under the same
gunicorn settings (`-w 2`, the repository's gunicorn.conf.py). Each page is loaded with wrk
(closed loop, `-t2 -c16`) in short slices alternating with the hello-world, and the best slice of
each is compared (on a shared machine the best is the least disturbed); then a small open-loop
client issues requests on a fixed schedule (100/s by default) for p50/p95 — latency counted from
when each request was due, so a server that falls behind shows it. wrk comes from Debian:
`apt-get install -y wrk` (this script installs it when it runs as root and it is missing).

    .venv/bin/python bench/pages.py [--only sqlite|postgres] [--rounds 5] [--slice 2] [--rate 100]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flash import HOST, Member, app_env, free_port, request, run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "bench_pages"
MEMBER_PHONE = "13800000001"  # the demo's Silver member
START_TIMEOUT = 30.0
TARGET_RATIO, TARGET_P95_MS = 0.20, 25.0
GRACE = 5.0  # seconds past the schedule after which an unanswered request counts as failed

HELLO = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""

GIFT_ID = """
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import Gift
with create_app().app_context():
    gifts = db.session.scalars(select(Gift).where(Gift.stock > 0).order_by(Gift.id))
    print(next(g.id for g in gifts if g.kind == "physical" and not (g.tier_codes or g.listed_at)))
"""


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian when missing and we may, else a clear exit."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk from Debian …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
        if found := shutil.which("wrk"):
            return found
    sys.exit("wrk is needed: sudo apt-get install -y wrk")


def recreate_pg_database() -> str:
    """Drop and create the bench database; returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py -w N APP` on a free port, from `chdir`; stopped on exit."""

    def __init__(self, env: dict, app: str, chdir: Path, workers: int, log: Path):
        self.env, self.app, self.chdir, self.workers, self.log = env, app, chdir, workers, log
        self.port, self.proc = free_port(), None

    def __enter__(self) -> "Gunicorn":
        args = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        args += ["-w", str(self.workers), "-b", f"{HOST}:{self.port}", "--chdir", str(self.chdir)]
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [*args, self.app], cwd=self.chdir, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                request(self.port, "GET", "/", timeout=2)
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        sys.exit(f"gunicorn {self.app} did not come up:\n{self.log.read_text()}")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Figures:
    """One page's figures."""

    page: str
    hello_rps: float  # the hello-world, measured just before this page
    rps: float
    errors: int
    p50_ms: float
    p95_ms: float
    late: int  # requests the client could not even send on time (a slow client, not the server)


def wrk(binary: str, port: int, path: str, cookie: str, seconds: int) -> tuple[float, int]:
    """Closed-loop requests/s (wrk -t2 -c16) and how many answers were not 2xx/3xx or failed."""
    args = [binary, "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*args, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in failed.groups()) if failed else 0
    return rps, errors


def fixed_rate(
    port: int, path: str, cookie: str, rate: int, seconds: int, targets: list | None = None
) -> tuple[list, int]:
    """Latencies (s) of rate×seconds requests issued on a fixed schedule, counted from when due.

    A request not answered (or not even sent) within GRACE seconds of the schedule's end counts
    as infinitely slow, so a server that cannot keep the rate fails instead of stalling.
    `targets` — (path, cookie) pairs taken in turn — stands in for one path and cookie."""
    total, targets = rate * seconds, targets or [(path, cookie)]
    latencies, late, lock, counter = [], [0], threading.Lock(), iter(range(total))
    start = time.perf_counter() + 0.2
    deadline = start + seconds + GRACE

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            due = start + i / rate
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            elif wait < -0.005:
                late[0] += 1
            ok, (where, crumbs) = False, targets[i % len(targets)]
            headers = {"Cookie": crumbs} if crumbs else {}
            if time.perf_counter() < deadline:
                try:
                    reply = request(port, "GET", where, headers=headers, timeout=GRACE)
                    ok = reply.status == 200
                except OSError:
                    pass
            with lock:
                latencies.append(time.perf_counter() - due if ok else float("inf"))

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies), late[0]


def percentile(values: list, q: float) -> float:
    """The q-quantile in milliseconds (inf when a request failed)."""
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


def measure(binary: str, ports: tuple, page: str, path: str, cookie: str, args) -> Figures:
    """Requests/s of the hello-world and of this page in alternating slices (the best slice of
    each counts: on a shared machine it is the one least disturbed), then the page's latency at
    the fixed rate."""
    hello_port, port = ports
    wrk(binary, hello_port, "/", "", 1)
    wrk(binary, port, path, cookie, 1)
    hello_best, page_best, errors = 0.0, 0.0, 0
    for _ in range(args.rounds):
        hello_best = max(hello_best, wrk(binary, hello_port, "/", "", args.slice)[0])
        rps, bad = wrk(binary, port, path, cookie, args.slice)
        page_best, errors = max(page_best, rps), errors + bad
    latencies, late = fixed_rate(port, path, cookie, args.rate, args.seconds)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    return Figures(page, hello_best, page_best, errors, p50, p95, late)


def member_cookie(port: int) -> str:
    """Log the demo member in over HTTP; the Cookie header its requests carry."""
    member = Member(MEMBER_PHONE, port)
    if not member.log_in():
        sys.exit(f"could not log {MEMBER_PHONE} in")
    return "; ".join(f"{k}={v}" for k, v in member.cookies.items())


PAGES = (
    ("visitor home", "/", False),
    ("member home", "/", True),
    ("shelf", "/?kind=physical", True),
    ("gift page", "/gifts/{gift_id}", True),
    ("/me", "/me", True),
    ("/flash", "/flash", True),
)


def bench_backend(name: str, database_url: str, args, binary: str, workdir: Path) -> list:
    """Prepare the database, serve the hello-world and the app, measure every page."""
    env = app_env(database_url)
    print(f"[{name}] migrating and loading the demo …", flush=True)
    run(env, str(BIN / "flask"), "--app", "wsgi", "db", "upgrade")
    run(env, str(BIN / "flask"), "--app", "wsgi", "demo", "load")
    gift_id = int(run(env, sys.executable, "-c", GIFT_ID).strip())
    (workdir / "hello.py").write_text(HELLO)
    rows = []
    with (
        Gunicorn(env, "hello:app", workdir, args.workers, workdir / "hello.log") as hello,
        Gunicorn(env, "wsgi:app", ROOT, args.workers, workdir / f"app-{name}.log") as app,
    ):
        cookie = member_cookie(app.port)
        for page, template, signed_in in PAGES:
            path = template.format(gift_id=gift_id)
            reply = request(app.port, "GET", path, headers={"Cookie": cookie} if signed_in else {})
            if reply.status != 200 or signed_in != (b'data-testid="points-balance"' in reply.body):
                sys.exit(f"{page} ({path}) answered {reply.status} (signed in: {signed_in})")
            ports = (hello.port, app.port)
            rows.append(measure(binary, ports, page, path, cookie if signed_in else "", args))
            row = rows[-1]
            print(f"[{name}] {page}: {row.rps:.0f} req/s (hello {row.hello_rps:.0f})", flush=True)
    return rows


def print_table(name: str, rows: list, args) -> bool:
    """The per-page table of one backend; whether every page met the targets."""
    good = True
    print(f"\n== {name}: gunicorn -w {args.workers}; wrk -t2 -c16, best of {args.rounds} ", end="")
    print(f"alternating {args.slice}s slices; latency at {args.rate} req/s for {args.seconds}s ==")
    heads = ("hello/s", 8), ("req/s", 7), ("ratio", 6), ("p50 ms", 7), ("p95 ms", 7)
    print(f"  {'page':<13} " + " ".join(f"{h:>{w}}" for h, w in heads) + "  errors  verdict")
    for row in rows:
        ratio = row.rps / row.hello_rps
        ok = ratio >= TARGET_RATIO and row.p95_ms <= TARGET_P95_MS and not row.errors
        good = good and ok
        verdict = ("OK" if ok else "MISS") + (f" (client late {row.late})" if row.late else "")
        print(
            f"  {row.page:<13} {row.hello_rps:>8.0f} {row.rps:>7.0f} {ratio:>6.2f}"
            f" {row.p50_ms:>7.1f} {row.p95_ms:>7.1f}  {row.errors:>6}  {verdict}"
        )
    return good


def main() -> int:
    """Run the selected backends and print a table for each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=5, help="alternating wrk slices per page")
    parser.add_argument("--slice", type=int, default=2, help="seconds of one wrk slice")
    parser.add_argument("--seconds", type=int, default=10, help="of the fixed-rate latency run")
    parser.add_argument("--rate", type=int, default=100, help="requests/s for the latency run")
    args = parser.parse_args()
    binary = ensure_wrk()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "sqlite"):
            url = f"sqlite:///{workdir / 'bench.db'}"
            results.append(("sqlite", bench_backend("sqlite", url, args, binary, workdir)))
        if args.only in (None, "postgres"):
            url = recreate_pg_database()
            results.append(("postgres", bench_backend("postgres", url, args, binary, workdir)))
    verdicts = [print_table(name, rows, args) for name, rows in results]
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

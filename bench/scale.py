"""A million members on PostgreSQL: load them with a year's past, then time what runs at that size.

Recreates the database `bench_scale` (or uses --db), migrates, loads the demo and N load-test
members with --history months (`flask demo load`, timed), then measures, each against its target:
`tiers review`, the POS order endpoint (`gunicorn -w 4`, wrk with a Lua script posting a new
order each time for random members) against a hello-world under the same gunicorn, member pages
(/ and /me of random signed-in members at a fixed 100 requests/s, bench/pages.py's client), the
expiry job over one due lot per member (batch by batch: the slowest batch and its member locks),
and `points audit`. One line per figure: figure, value, target, ok / MISS.

    .venv/bin/python bench/scale.py [--members 1000000] [--history 12] [--workers 0]
                                    [--server URL] [--db bench_scale] [--skip-load]
                                    [--only load,sizes,review,pos,pages,expire,audit]

--server names the PostgreSQL server (default: the local one on 5432, as CI's tests use);
bench/pg_cluster.sh makes a second one on 5433 configured for this machine's memory.
"""

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages as page_bench  # noqa: E402
from flash import BIN, ROOT, Member, app_env, run  # noqa: E402
from pages import HELLO, Gunicorn, ensure_wrk, fixed_rate, percentile, wrk  # noqa: E402

page_bench.START_TIMEOUT = 180.0  # four workers importing the app on a busy machine

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
MILLION = 1_000_000
FIGURES = ("load", "sizes", "review", "pos", "pages", "expire", "audit")
POS_LUA = """
local counter, run, members = 0, "%(run)s", %(members)d
function setup(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
request = function()
  counter = counter + 1
  local phone = string.format("139%%08d", math.random(1, members))
  local body = string.format('{"order_no":"B%%s-%%s-%%d","phone":"%%s","store_code":"SH001",'
    .. '"paid_fen":29900,"paid_at":"%(paid_at)s","lines":[{"sku":"YL-SERUM-50",'
    .. '"category":"skincare","qty":1,"paid_fen":29900}]}', run, tid, counter, phone)
  return wrk.format("POST", "/api/v1/orders", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer demo-pos-key"}, body)
end
"""
DUE_LOTS = """
WITH lots AS (
  INSERT INTO point_lots (member_id, source, points, remaining, earned_at, available_at,
                          expires_at, ref)
  SELECT id, 'signin', 5, 5, :earned, :earned, :expires, 'bench-due' FROM members WHERE debt = 0
  RETURNING id, member_id),
txns AS (
  INSERT INTO point_txns (member_id, kind, source, points, debt_delta, idem_key, ref, memo,
                          created_at)
  SELECT member_id, 'earn', 'signin', 5, 0, 'bench-due:' || id, '', '', :earned FROM lots
  RETURNING id, member_id, idem_key)
INSERT INTO ledger_entries (txn_id, member_id, lot_id, points, idem_key, created_at)
SELECT t.id, t.member_id, l.id, 5, t.idem_key || '#0', :earned
FROM txns t JOIN lots l ON t.idem_key = 'bench-due:' || l.id
"""


def line(figure: str, value: str, target: str, ok: bool | None) -> None:
    """One figure."""
    verdict = "" if ok is None else ("ok" if ok else "MISS")
    print(f"{figure:<46} {value:>16}   target {target:<14} {verdict}", flush=True)


def timed(env: dict, *args: str) -> tuple[float, str]:
    """Run a flask command; (seconds, its output)."""
    started = time.perf_counter()
    out = run(env, str(BIN / "flask"), "--app", "wsgi", *args, timeout=7200)
    return time.perf_counter() - started, out.strip()


def load(env: dict, opts) -> None:
    """Migrate and load; the load's time and size."""
    run(env, str(BIN / "flask"), "--app", "wsgi", "db", "upgrade")
    run(env, str(BIN / "flask"), "--app", "wsgi", "demo", "load")
    args = ["demo", "load", "--members", str(opts.members), "--history", str(opts.history)]
    seconds, _ = timed(env, *args, "--workers", str(opts.workers))
    limit = 600 * opts.members / MILLION
    line(f"load {opts.members:,} members, {opts.history} months", f"{seconds:.0f} s",
         f"≤ {limit:.0f} s", seconds <= limit)  # fmt: skip


def in_app(env: dict, code: str) -> str:
    """Run Python against the bench database inside an app context; its stdout."""
    prelude = (
        "from app import create_app\nfrom app.extensions import db\nfrom sqlalchemy import text\n"
        "app = create_app()\nctx = app.app_context(); ctx.push()\n"
    )
    return run(env, sys.executable, "-c", prelude + code, timeout=7200).strip()


def sizes(env: dict, members: int) -> None:
    """Rows loaded, ledger entries per member."""
    out = in_app(env, (
        "for t in ('members', 'point_txns', 'ledger_entries', 'point_lots', 'pos_orders'):\n"
        "    print(t, db.session.scalar(text(f'SELECT count(*) FROM {t}')))"
    ))  # fmt: skip
    counts = dict(row.split() for row in out.splitlines())
    for table, count in counts.items():
        line(f"rows: {table}", f"{int(count):,}", "", None)
    per = int(counts["ledger_entries"]) / max(members, 1)
    line("ledger entries per member", f"{per:.1f}", "≈ 10", 7 <= per <= 13)


def batch_figures(env: dict, code: str, label: str, target: float) -> None:
    """A batched job run in-process: total seconds, the slowest batch, members per batch."""
    out = in_app(env, code)
    total, slowest, count, batches, batch = out.split()
    line(label, f"{float(total):.1f} s", f"≤ {target:.0f} s", float(total) <= target)
    line(f"{label}: rows", f"{int(count):,}", "", None)
    if not int(batches):
        line(f"{label}: batches", "none (no work)", "", None)
        return
    line(f"{label}: slowest of {batches} batches", f"{float(slowest) * 1000:.0f} ms", "≤ 1000 ms",
         float(slowest) <= 1.0)  # fmt: skip
    line(f"{label}: member locks per batch (max)", batch, "≤ a few 1,000", int(batch) <= 5000)


BATCHED = """
import time
from app.timeutil import utcnow
from app.services.points import expiry, tiers
now = utcnow()
durations = []  # of each batch's own transaction, where the job runs them in threads
%(setup)s
started, slowest, count, batches = time.perf_counter(), 0.0, 0, 0
mark = time.perf_counter()
for rows in %(call)s:
    db.session.commit()
    count, batches = count + rows, batches + 1
    slowest, mark = max(slowest, time.perf_counter() - mark), time.perf_counter()
print(time.perf_counter() - started, max([slowest, *durations]), count, batches, %(batch)s)
"""


def expire(env: dict, members: int) -> None:
    """One due lot per member (as if the job had missed a day), then the job's batches (on its
    EXPIRY_WORKERS connections, as the job runs them)."""
    workers = int(in_app(env, "print(app.config['EXPIRY_WORKERS'])"))
    setup = (
        "from app.jobs import parallel\n"
        "def timed(*args, real=parallel._batch):\n"
        "    mark = time.perf_counter(); lots = real(*args)\n"
        "    durations.append(time.perf_counter() - mark); return lots\n"
        "parallel._batch = timed\n"
        "earned = now - __import__('datetime').timedelta(days=100)\n"
        f"db.session.execute(text({DUE_LOTS!r}), {{'earned': earned, "
        "'expires': now - __import__('datetime').timedelta(days=9)})\n"
        "db.session.commit(); db.session.execute(text('ANALYZE point_lots')); db.session.commit()"
    )
    code = BATCHED % {"setup": setup, "batch": "expiry.BATCH",
                      "call": "parallel.expire_points(db.session, now, now=now)"}  # fmt: skip
    label = f"points expire ({members:,} due lots, {workers} worker{'s' * (workers != 1)})"
    batch_figures(env, code, label, 60)


def review(env: dict) -> None:
    """The monthly tier review as the job runs it (a commit per batch)."""
    code = BATCHED % {"setup": "", "batch": "tiers.BATCH",
                      "call": "tiers.review_in_batches(db.session, now)"}  # fmt: skip
    batch_figures(env, code, "tiers review", 60)


def pos(env: dict, members: int, workdir: Path, binary: str, seconds: int) -> None:
    """POST /api/v1/orders, a new order for a random member each time, against a hello-world."""
    paid_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    script = workdir / "pos.lua"
    script.write_text(POS_LUA % {"run": f"{time.time():.0f}", "members": members,
                                 "paid_at": paid_at})  # fmt: skip
    (workdir / "hello.py").write_text(HELLO)
    with (
        Gunicorn(env, "hello:app", workdir, 4, workdir / "hello.log") as hello,
        Gunicorn(env, "wsgi:app", ROOT, 4, workdir / "pos.log") as app,
    ):
        hello_rps = wrk(binary, hello.port, "/", "", seconds)[0]
        args = [binary, "-t2", "-c16", f"-d{seconds}s", "-s", str(script)]
        out = subprocess.run([*args, f"http://127.0.0.1:{app.port}/"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    rps = float(out.split("Requests/sec:")[1].split()[0])
    bad = int(out.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in out else 0
    line("POS orders/s (gunicorn -w 4)", f"{rps:.0f}", "≥ 300", rps >= 300 and not bad)
    line("POS orders: non-2xx answers", f"{bad}", "0", bad == 0)
    line("POS orders/s ÷ hello-world req/s", f"{rps / hello_rps:.2f}", "", None)


def pages(env: dict, members: int, workdir: Path, rate: int, seconds: int) -> None:
    """/ and /me of random signed-in load-test members at a fixed rate (gunicorn -w 2)."""
    with Gunicorn(env, "wsgi:app", ROOT, 2, workdir / "pages.log") as app:
        chosen = random.sample(range(1, members + 1), min(members, 40))
        cookies = []
        for n in chosen:
            member = Member(f"139{n:08d}", app.port)
            if not member.log_in():
                sys.exit(f"could not log 139{n:08d} in")
            cookies.append("; ".join(f"{k}={v}" for k, v in member.cookies.items()))
        targets = [(path, cookie) for cookie in cookies for path in ("/", "/me")]
        latencies, late = fixed_rate(app.port, "", "", rate, seconds, targets=targets)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    line(f"member pages p50 at {rate} req/s (random members)", f"{p50:.1f} ms", "", None)
    line(f"member pages p95 at {rate} req/s (random members)", f"{p95:.1f} ms", "≤ 30 ms",
         p95 <= 30)  # fmt: skip


def audit(env: dict) -> None:
    """`points audit` over everything."""
    seconds, out = timed(env, "points", "audit")
    line("points audit", f"{seconds:.1f} s", "≤ 60 s", seconds <= 60 and out == "ledger ok")


def main() -> int:
    """Load (unless --skip-load) and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=MILLION)
    parser.add_argument("--history", type=int, default=12, help="months of history")
    parser.add_argument("--workers", type=int, default=0, help="loader processes (0: a core)")
    parser.add_argument("--db", default="bench_scale")
    parser.add_argument("--server", default=PG, help="PostgreSQL server URL, ending in /")
    parser.add_argument("--skip-load", action="store_true", help="measure an earlier load")
    parser.add_argument("--only", default=",".join(FIGURES), help="figures to measure")
    parser.add_argument("--seconds", type=int, default=10, help="of each wrk / fixed-rate run")
    parser.add_argument("--rate", type=int, default=100)
    opts = parser.parse_args()
    binary = ensure_wrk()
    only = set(opts.only.split(","))
    env = app_env(opts.server + opts.db)
    print(f"bench/scale.py on PostgreSQL database {opts.db}, {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
    if "load" in only and not opts.skip_load:
        import psycopg

        admin = opts.server.replace("+psycopg", "") + "postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {opts.db} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {opts.db}")
        load(env, opts)
    if "sizes" in only:
        sizes(env, opts.members)
    if "review" in only:
        review(env)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        if "pos" in only:
            pos(env, opts.members, Path(tmp), binary, opts.seconds)
        if "pages" in only:
            pages(env, opts.members, Path(tmp), opts.rate, opts.seconds)
    if "expire" in only:
        expire(env, opts.members)
    if "audit" in only:
        audit(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())

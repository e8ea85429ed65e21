"""End-to-end fixtures: a live gunicorn on a fresh demo database, Chromium as a Pixel 7 in zh-CN."""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"
BIN = Path(sys.executable).parent  # the virtual environment running pytest
SECRET_KEY = "e2e-secret-key-not-for-production"
POS_KEY = "demo-pos-key"
DEMO_PASSWORD = "demo1234"
DEVICE = "Pixel 7"
TABLETS = ("Galaxy Tab S4 landscape", "iPad (gen 7) landscape")  # the first Playwright knows
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABBAR_POSITION = (
    "(p) => document.querySelectorAll('.tabbar, .gift-bar').forEach((e) => (e.style.position = p))"
)
# Before a full-page shot: from the top (so the sticky header is where it belongs), with every
# lazy image loaded and decoded (the shot shows the whole page, not only what was scrolled to).
SETTLE_FOR_SHOT = """async () => {
  window.scrollTo(0, 0);
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
}"""
GUNICORN_ARGS = ["-w", "2", "--access-logfile", "-"]
START_TIMEOUT = 30.0  # seconds for gunicorn to answer /healthz
BRAND_TZ = ZoneInfo("Asia/Shanghai")  # the brand's time zone: "today" for the rate calendar

_axe = Axe()


def pytest_configure(config: pytest.Config) -> None:
    """Keep a Playwright trace of every failed test under e2e/artifacts/ (git-ignored)."""
    if config.getoption("--tracing") == "off":
        config.option.tracing = "retain-on-failure"
    if config.getoption("--output") == "test-results":  # pytest-playwright's default
        config.option.output = str(ARTIFACTS / "traces")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    """Run a `flask --app wsgi …` command; show its output if it fails."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        pytest.fail(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll /healthz until it answers 200, the server dies, or the deadline passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:  # doubles as the poll interval: returns at once if gunicorn died
            server.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()}", pytrace=False)
    pytest.fail(
        f"gunicorn did not answer /healthz in {START_TIMEOUT}s:\n{log.read_text()}", pytrace=False
    )


def _member_day_today(database: Path) -> None:
    """Make today (brand-local) a 10-points-per-yuan member day: the demo's is on Wednesdays."""
    weekday = datetime.now(BRAND_TZ).weekday()  # Monday = 0, as CashRate.weekday
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO cash_rates (kind, name, points_per_yuan, weekday) VALUES (?, ?, ?, ?)",
            ("weekly", "会员日 Member day", 10, weekday),
        )
    db.close()


@pytest.fixture(scope="session")
def live_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file the live server uses (tests may write setup rows into it directly)."""
    return tmp_path_factory.mktemp("live") / "e2e.db"


@pytest.fixture(scope="session")
def live_server(live_db: Path):
    """The app under gunicorn on 127.0.0.1, on a fresh migrated SQLite database with demo data."""
    tmp = live_db.parent
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{live_db}",
        "SECRET_KEY": SECRET_KEY,
        "PYTHONDONTWRITEBYTECODE": "1",
        # every journey joins from 127.0.0.1: the per-network limits (10 joins and 20 codes an hour)
        # would refuse the suite's later members; their tests are in tests/integration/
        # (test_sms_registration.py)
        "REGISTER_PER_IP_HOUR": "1000",
        "SMS_PER_IP_HOUR": "1000",
    }
    env.pop("FLASK_DEBUG", None)
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    _member_day_today(live_db)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), *GUNICORN_ARGS, "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / "server.log")  # the access log and any traceback


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Every relative page.goto() goes to the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium: Playwright's own browser download cannot work offline."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, playwright) -> dict:
    """A Pixel 7 in Shanghai with a Simplified Chinese browser."""
    return {
        **browser_context_args,
        **playwright.devices[DEVICE],
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"       * {check['message']}")
    return "\n".join(lines)


def _check_page(page, name: str) -> None:
    """Save a full-page screenshot to e2e/artifacts/<name>.png and assert zero axe violations."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # A full-page shot paints fixed bars where the viewport was: put the tab bar in the flow
    # for the shot (through the CSSOM, which the page's CSP allows, unlike an injected <style>).
    page.evaluate(SETTLE_FOR_SHOT)
    page.evaluate(TABBAR_POSITION, "static")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        page.evaluate(TABBAR_POSITION, "")
    violations = _axe.run(page).response["violations"]
    if violations:
        pytest.fail(
            f"axe found {len(violations)} problem(s) on {name} ({page.url}):\n{_report(violations)}"
        )


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots() -> None:
    """Drop the previous run's screenshots so e2e/artifacts/ shows this run only."""
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()


@pytest.fixture(scope="session")
def check_page():
    """check_page(page, name): screenshot to e2e/artifacts/<name>.png, then zero axe violations."""
    return _check_page


def _log_in(page, identifier: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form and wait until the role's home page has loaded."""
    page.goto("/login")
    form = page.locator("#login-form")
    form.locator("[name=identifier]").fill(identifier)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def log_in():
    """log_in(page, identifier, password=demo1234): log in by the form, wait for the home page."""
    return _log_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item: the tablet fixture saves the traces of failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@contextmanager
def _traced_context(browser, request: pytest.FixtureRequest, suffix: str, **options):
    """A browser context of its own (own cookies), traced; the trace is kept if the test fails."""
    context = browser.new_context(**options, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.tracing.start(screenshots=True, snapshots=True, sources=True)
    try:
        yield context
    finally:
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            traces = ARTIFACTS / "traces"
            traces.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^\w.-]+", "-", request.node.name)
            context.tracing.stop(path=str(traces / f"{safe}-{suffix}.zip"))
        else:
            context.tracing.stop()
        context.close()


@pytest.fixture
def tablet(browser, playwright, base_url: str, request: pytest.FixtureRequest):
    """A second browser context: a counter tablet in landscape, zh-CN, in Shanghai.

    Separate from the Pixel 7 `page` (its own cookies), traced and kept under
    e2e/artifacts/traces/ when the test fails, like pytest-playwright's own contexts.
    """
    name = next(n for n in TABLETS if n in playwright.devices)
    device = {k: v for k, v in playwright.devices[name].items() if k != "default_browser_type"}
    with _traced_context(browser, request, "tablet", **device, base_url=base_url) as context:
        yield context


@pytest.fixture
def desktop(browser, base_url: str, request: pytest.FixtureRequest):
    """A console desktop: 1366 × 768, zh-CN, in Shanghai, its own cookies, traced on failure."""
    viewport = {"width": 1366, "height": 768}
    with _traced_context(browser, request, "desktop", viewport=viewport, base_url=base_url) as ctx:
        yield ctx


@pytest.fixture
def pos(playwright, base_url: str):
    """An API client as a store's POS system sees it: the demo key, no browser cookies."""
    client = playwright.request.new_context(
        base_url=base_url, extra_http_headers={"Authorization": f"Bearer {POS_KEY}"}
    )
    yield client
    client.dispose()

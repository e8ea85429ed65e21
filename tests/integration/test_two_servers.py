"""Two gunicorn servers on one PostgreSQL database and one Redis: a member signed in on one keeps
working on the other and is signed out on both, a login throttle counted on one holds on the
other, a page kept by one is fresh on it the moment the other changes the catalogue, and two
schedulers asked for one period run it once."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app.config import database_url
from app.models import Gift, JobRun
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/12"
MEMBER, PASSWORD = "13800000001", "demo1234"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, server: subprocess.Popen, log: Path) -> None:
    for _ in range(300):  # up to 60 s on a loaded machine
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()}", pytrace=False)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A fresh database with the demo, and two servers sharing it and one Redis."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # this module's own Redis database: no old windows
    name = f"two_servers_{secrets.token_hex(4)}"
    admin = create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = database_url(PG_URL).rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "two-servers"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*flask, *args], cwd=ROOT, env=env, check=True, capture_output=True)
    tmp, servers, urls = tmp_path_factory.mktemp("two"), [], []
    try:
        for n in range(2):
            port, log = _port(), tmp / f"server{n}.log"
            with log.open("w") as out:
                cmd = [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"]
                servers.append(
                    subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
            urls.append(f"http://127.0.0.1:{port}")
            _wait(urls[-1], servers[-1], log)
        yield {"urls": urls, "env": env, "flask": flask, "db": url}
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Browser:
    """One cookie jar sent to either server (both sit behind one host name in production)."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))

    def token(self, url: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.get(url)[1]).group(1)

    def _open(self, request) -> tuple[int, str]:
        # the jar is keyed by host: both servers are 127.0.0.1, so one jar serves both ports
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(browser: Browser, url: str, password: str = PASSWORD) -> int:
    token = browser.token(url + "/login")
    form = {"identifier": MEMBER, "password": password, "csrf_token": token}
    return browser.post(url + "/login", form)[0]


def test_signed_in_on_one_server_working_on_the_other_signed_out_on_both(cluster):
    first, second = cluster["urls"]
    member = Browser()
    assert log_in(member, first) == 303
    status, page = member.get(second + "/me")
    assert status == 200 and 'data-testid="points-balance"' in page
    token = member.token(second + "/me")
    assert member.post(first + "/logout", {"csrf_token": token})[0] == 303
    assert member.get(second + "/me")[0] == 302  # to the login page


def test_a_login_throttle_counted_on_one_server_holds_on_the_other(cluster):
    first, second = cluster["urls"]
    attacker = Browser()
    statuses = [log_in(attacker, (first, second)[n % 2], "wrong-password") for n in range(10)]
    assert statuses == [422] * 10
    assert log_in(attacker, second) == 429  # the right password, refused: the pair is used up
    assert log_in(attacker, first) == 429


def _left(page: str) -> int:
    """The "only N left" figure of a gift page."""
    return int(re.search(r'class="low">[^<0-9]*([0-9]+)', page).group(1))


def test_a_catalogue_change_on_one_server_is_seen_at_once_on_the_other(cluster):
    first, second = cluster["urls"]
    engine = create_engine(cluster["db"])
    with engine.connect() as conn:  # a gift low in stock, open to visitors
        gift_id, stock = conn.execute(
            select(Gift.id, Gift.stock)
            .where(Gift.stock.between(2, 5), Gift.listed_at.is_(None))
            .order_by(Gift.id)
        ).first()
    engine.dispose()
    visitor, operator = Browser(), Browser()
    for _ in range(2):  # the second read is served from the page kept by the first
        status, page = visitor.get(f"{second}/gifts/{gift_id}")
        assert status == 200 and _left(page) == stock
    token = operator.token(first + "/login")
    form = {"identifier": "admin", "password": PASSWORD, "csrf_token": token}
    assert operator.post(first + "/login", form)[0] == 303
    token = operator.token(f"{first}/admin/gifts/{gift_id}")
    form = {"direction": "out", "quantity": "1", "reason": "damaged", "csrf_token": token}
    assert operator.post(f"{first}/admin/gifts/{gift_id}/stock", form)[0] == 303
    assert _left(visitor.get(f"{second}/gifts/{gift_id}")[1]) == stock - 1


def test_two_schedulers_asked_for_one_period_run_it_once(cluster):
    cmd = [*cluster["flask"], "jobs", "run", "--once", "review-tiers"]
    runs = [
        subprocess.Popen(cmd, cwd=ROOT, env=cluster["env"], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert sum("already done" in out for out in outputs) == 1, outputs
    engine = create_engine(cluster["db"])
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count(JobRun.id)).where(JobRun.job == "review-tiers")
        ).scalar_one()
    engine.dispose()
    assert count == 1

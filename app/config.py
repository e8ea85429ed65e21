"""Configuration read from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def database_url(raw: str | None) -> str:
    """Normalise a DATABASE_URL: default SQLite under instance/, psycopg 3 for PostgreSQL."""
    if not raw:
        INSTANCE_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'pointsmall.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Production defaults; every value can be overridden from the environment."""

    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # a network database's connections are checked before use once idle (app.engine), not on
    # every checkout; a file's cannot go stale
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    SECRET_KEY = secret_key()
    BRAND_TIMEZONE = os.environ.get("BRAND_TIMEZONE", "Asia/Shanghai")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "pointsmall:")  # of every key the app writes
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    # the cookie is sent again when the session changes (its idle stamp moves once a minute),
    # not re-signed on every response
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_HTTPONLY = True
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    STAFF_ABSOLUTE_HOURS = int(os.environ.get("STAFF_ABSOLUTE_HOURS", "12"))
    MEMBER_IDLE_DAYS = int(os.environ.get("MEMBER_IDLE_DAYS", "30"))
    # the session cookie lasts as long as a member may stay idle (Flask's own default is 31 days)
    PERMANENT_SESSION_LIFETIME = timedelta(days=MEMBER_IDLE_DAYS)
    # Login throttle: failed logins per fixed window, per (identifier, address), per address
    # (credential stuffing) and per identifier from everywhere (a distributed attack).
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "50"))
    LOGIN_MAX_FAILURES_PER_IDENTIFIER = int(
        os.environ.get("LOGIN_MAX_FAILURES_PER_IDENTIFIER", "100")
    )
    ARGON2_TIME_COST: int | None = None  # None: argon2-cffi's recommended cost (RFC 9106's)
    ARGON2_MEMORY_KIB: int | None = None
    LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", "15"))
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none,
    # the client is the socket's address; 1: one proxy such as nginx; …).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # SMS codes for registration and password reset. `sandbox` sends nothing: it logs the text
    # and shows it at /dev/outbox (404 with any other provider) — name a real gateway in production.
    APP_ENV = os.environ.get("APP_ENV", "development")  # production: no sandbox, secure cookies
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "" if APP_ENV == "production" else "sandbox")
    # The payment provider's name as members read it on the payment page (empty: the brand's
    # own "Yunlan Pay", translated).
    PAYMENT_PROVIDER_NAME = os.environ.get("PAYMENT_PROVIDER_NAME", "")
    SMS_CODE_TTL_SECONDS = int(os.environ.get("SMS_CODE_TTL_SECONDS", "300"))
    SMS_CODE_MAX_ATTEMPTS = int(os.environ.get("SMS_CODE_MAX_ATTEMPTS", "5"))
    SMS_RESEND_SECONDS = int(os.environ.get("SMS_RESEND_SECONDS", "60"))
    SMS_PER_PHONE_HOUR = int(os.environ.get("SMS_PER_PHONE_HOUR", "5"))
    SMS_PER_PHONE_DAY = int(os.environ.get("SMS_PER_PHONE_DAY", "10"))
    SMS_PER_IP_HOUR = int(os.environ.get("SMS_PER_IP_HOUR", "20"))
    REGISTER_PER_IP_HOUR = int(os.environ.get("REGISTER_PER_IP_HOUR", "10"))
    # without Redis, a process writes its flash refusal tallies at most this often (0: each at once)
    FLASH_TALLY_SECONDS = float(os.environ.get("FLASH_TALLY_SECONDS", "1"))
    # the nightly expiry's batches run on this many connections at once (PostgreSQL; SQLite: one)
    EXPIRY_WORKERS = int(os.environ.get("EXPIRY_WORKERS", "2"))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text | json
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = BRAND_TIMEZONE  # dates and times are shown in the brand's zone
    LANGUAGES = ("zh_Hans", "en", "zh_Hant")
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Gift images and code files (console only): where they are kept, the largest file accepted
    # (a form error above it), and the larger request limit the two upload forms get (above it:
    # 413). Every other form keeps MAX_CONTENT_LENGTH.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
    UPLOAD_REQUEST_MAX_BYTES = int(os.environ.get("UPLOAD_REQUEST_MAX_BYTES", str(8 * 1024 * 1024)))


class TestConfig(Config):
    """Tests: a database of the suite's choosing, CSRF still on."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    # argon2 at its lowest sensible cost: a suite hashes and verifies thousands of passwords; the
    # production cost (the library's recommended one, Config leaves these unset) is not under test
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 256
    JINJA_BYTECODE_CACHE = True  # an app per test: compile each template once, not per test
    FLASH_TALLY_SECONDS = 0.0  # each refusal counted at once (tests of the held tally set it)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}


class E2EConfig(Config):
    """The live server the Playwright suite drives."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "e2e-secret-key-not-for-production")
    FLASH_TALLY_SECONDS = 0.0  # the monitor journey reads a refusal the moment it happened

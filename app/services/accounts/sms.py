"""Text messages: one provider interface, the sandbox provider, and the sandbox's outbox.

`SMS_PROVIDER` names the provider. The sandbox (the default outside production) sends nothing:
it logs each message and keeps it in `sms_messages`, which `/dev/outbox` shows, so every worker
sees what any worker "sent". A real gateway is a class with `send(to, text)` registered under its
name with `register_provider`; with any provider but the sandbox there is no outbox at all.
"""

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SmsMessage
from app.timeutil import utcnow

SANDBOX = "sandbox"
OUTBOX_SIZE = 50
CODE_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
log = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the provider (or none is configured)."""


class SmsProvider(Protocol):
    """Anything that can deliver a text message to a mainland mobile number."""

    def send(self, to: str, text: str) -> None:
        """Deliver `text` to `to`; raise SmsError when the gateway refuses or is down."""


class SandboxSms:
    """Delivers nothing: writes the message to the log and to the outbox table."""

    warned = False  # once per process: a sandbox delivers nothing

    def __init__(self, session: Session, now: Callable[[], datetime] = utcnow):
        self.session, self.now = session, now
        if not SandboxSms.warned:
            SandboxSms.warned = True
            log.warning("SMS_PROVIDER=sandbox: no text is delivered, codes show at /dev/outbox")

    def send(self, to: str, text: str) -> None:
        """Log the message and keep it for /dev/outbox (the caller commits)."""
        log.info("sms sandbox to=%s text=%s", to, text)
        self.session.add(SmsMessage(to=to, text=text[:500], sent_at=self.now()))
        self.session.flush()


_PROVIDERS: dict[str, Callable[[Session], SmsProvider]] = {SANDBOX: SandboxSms}


def register_provider(name: str, factory: Callable[[Session], SmsProvider]) -> None:
    """Make a gateway available as SMS_PROVIDER=name (factory(session) -> provider)."""
    _PROVIDERS[name] = factory


def provider(name: str, session: Session) -> SmsProvider:
    """The configured provider; SmsError when no provider of that name is registered."""
    factory = _PROVIDERS.get(name)
    if factory is None:
        log.error("sms provider %r is not registered; no message can be sent", name)
        raise SmsError(name)
    return factory(session)


def is_sandbox(name: str) -> bool:
    """True when messages stay in the sandbox outbox (and /dev/outbox may show them)."""
    return name == SANDBOX


def outbox(session: Session, phone: str | None = None) -> list[dict]:
    """The sandbox's latest messages (to one phone, if given), newest first."""
    stmt = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(OUTBOX_SIZE)
    if phone is not None:
        stmt = stmt.where(SmsMessage.to == phone)
    return [
        {
            "to": message.to,
            "text": message.text,
            "code": _code_in(message.text),
            "sent_at": message.sent_at.isoformat(timespec="seconds"),
        }
        for message in session.scalars(stmt)
    ]


def _code_in(text: str) -> str | None:
    found = CODE_IN_TEXT.search(text)
    return found.group(0) if found else None

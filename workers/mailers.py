"""Where e-mail goes: an SMTP server, or (development default) the log."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlsplit

log = logging.getLogger("campaignevents.mail")


class Mailer(Protocol):
    def connection(self) -> AbstractContextManager[Callable[[EmailMessage], None]]:
        """A ``send(message)`` function for the duration of a ``with`` block (one SMTP session)."""
        ...


class SmtpMailer:
    """SMTP to ``smtp://host:port`` (``smtp://user:password@host:port?starttls=1`` for auth/TLS)."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 25
        self.user, self.password = parts.username, parts.password
        self.starttls = "starttls=1" in parts.query
        self.timeout = timeout

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")

            def send(message: EmailMessage) -> None:
                smtp.send_message(message)

            yield send


class LogMailer:
    """Development default: the message goes to the log instead of a mail server."""

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        def send(message: EmailMessage) -> None:
            log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

        yield send

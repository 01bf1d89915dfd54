"""Where e-mail goes: an SMTP server, or (development default) the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlsplit

log = logging.getLogger("campaignevents.mail")


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """SMTP to ``smtp://host:port`` (``smtp://user:password@host:port?starttls=1`` for auth/TLS)."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 25
        self.user, self.password = parts.username, parts.password
        self.starttls = "starttls=1" in parts.query
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class LogMailer:
    """Development default: the message goes to the log instead of a mail server."""

    def send(self, message: EmailMessage) -> None:
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

"""Where e-mail goes: an SMTP server, or (development default) the log.

Addresses with non-ASCII local parts (``zoë@example.org``) go out with SMTPUTF8 (RFC 6531) when
the server offers it; when it does not, the message is ``Undeliverable``: a permanent failure the
jobs record and skip, never one they retry.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTPUTF8
from typing import Protocol
from urllib.parse import urlsplit

log = logging.getLogger("campaignevents.mail")
ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")


class Undeliverable(Exception):
    """This message can never be delivered as it is (the server refuses its recipient for good,
    or cannot take an internationalized address): retrying will not help."""


def needs_smtputf8(message: EmailMessage, headers: tuple[str, ...] = ADDRESS_HEADERS) -> bool:
    """Whether an address in these headers has a non-ASCII local part (domains are IDNA-encoded)."""
    addresses: list[Address] = [
        a for name in headers for h in message.get_all(name, []) for a in getattr(h, "addresses", ())
    ]
    return not all(a.addr_spec.isascii() for a in addresses)


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
                _send(smtp, message)

            yield send


def _send(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    options: tuple[str, ...] = ()
    if needs_smtputf8(message):
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("smtputf8"):
            raise Undeliverable(f"{message['To']}: the SMTP server does not take internationalized addresses")
        if not needs_smtputf8(message, ("From", "To")):  # smtplib switches only for the envelope
            message.policy = SMTPUTF8  # the default policy (compose's), with UTF-8 headers
            options = ("SMTPUTF8", "BODY=8BITMIME")
    try:
        smtp.send_message(message, mail_options=options)
    except smtplib.SMTPRecipientsRefused as error:
        if all(500 <= code < 600 for code, _ in error.recipients.values()):
            raise Undeliverable(f"{message['To']}: refused: {error.recipients}") from error
        raise


class LogMailer:
    """Development default: the message goes to the log instead of a mail server."""

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        def send(message: EmailMessage) -> None:
            log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

        yield send

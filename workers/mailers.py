"""Where e-mail goes: an SMTP server, or (development default) the log.

Addresses with non-ASCII local parts (``zoë@example.org``) go out with SMTPUTF8 (RFC 6531) when
the server offers it; when it does not, the message is ``Undeliverable``: a permanent failure the
jobs record and skip, never one they retry.

A mailing's job sends drafts (``draft_sender``): over SMTP, each message's envelope and data go out
while the previous delivery is being recorded, and the server is asked to accept it (the final
".") only once that record is committed (``transmit``).
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTPUTF8
from typing import Protocol
from urllib.parse import urlsplit

from workers.drafts import Draft, Wire, flatten, wire

log = logging.getLogger("campaignevents.mail")
ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")
DOT_LINE = re.compile(rb"(?m)^\.")  # dot-stuffing (RFC 5321 4.5.2), as smtplib does
SendDraft = Callable[[Draft, Callable[[], None]], None]


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
    def session(self) -> Iterator[smtplib.SMTP]:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if smtp.sock is not None:  # the data and its final "." go in two writes (``transmit``):
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # not 40 ms apart
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            yield smtp

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        with self.session() as smtp:

            def send(message: EmailMessage) -> None:
                _send(smtp, message)

            yield send

    @contextmanager
    def drafts(self) -> Iterator[SendDraft]:
        """``send(draft, before_accept)`` over one SMTP session (see ``transmit``): the bytes of a
        plain draft made without the ``email`` package (workers/drafts.py), others flattened."""
        with self.session() as smtp:

            def send(draft: Draft, before_accept: Callable[[], None]) -> None:
                prepared = wire(draft)
                if prepared is None:
                    message = draft.message()
                    prepared = flatten(message, _smtputf8_options(smtp, message))
                transmit(smtp, prepared, before_accept)

            yield send


def _send(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    options = _smtputf8_options(smtp, message)
    try:
        smtp.send_message(message, mail_options=options)
    except smtplib.SMTPRecipientsRefused as error:
        _refused(message["To"], error)


def _smtputf8_options(smtp: smtplib.SMTP, message: EmailMessage) -> tuple[str, ...]:
    """The MAIL options a message needs beyond smtplib's own; Undeliverable when the server cannot
    take its internationalized addresses."""
    if not needs_smtputf8(message):
        return ()
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("smtputf8"):
        raise Undeliverable(f"{message['To']}: the SMTP server does not take internationalized addresses")
    if not needs_smtputf8(message, ("From", "To")):  # smtplib switches only for the envelope
        message.policy = SMTPUTF8  # the default policy (compose's), with UTF-8 headers
        return ("SMTPUTF8", "BODY=8BITMIME")
    return ()


def _refused(to: object, error: smtplib.SMTPRecipientsRefused) -> None:
    if all(500 <= code < 600 for code, _ in error.recipients.values()):
        raise Undeliverable(f"{to}: refused: {error.recipients}") from error
    raise error


def _reset(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as smtplib's sendmail does: close on 421, else RSET (if still connected)."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def transmit(smtp: smtplib.SMTP, message: Wire, before_accept: Callable[[], None]) -> None:
    """``smtplib.SMTP.sendmail`` in its low-level steps, with ``before_accept()`` called once the
    envelope and the data are sent, before the final "." that asks the server to accept the
    message. If it raises, the connection is closed without that ".", and the server drops the
    message. So whatever ``before_accept`` waits for (the previous delivery's record) is done
    before this message can be delivered, while the sending itself overlaps it."""
    smtp.ehlo_or_helo_if_needed()
    options: list[str] = []
    if smtp.does_esmtp:
        if smtp.has_extn("size"):
            options.append(f"size={len(message.data)}")
        options.extend(message.options)
    code, reply = smtp.mail(message.from_addr, options)
    if code != 250:
        _reset(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, message.from_addr)
    refused: dict[str, tuple[int, bytes]] = {}
    for address in message.to_addrs:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(message.to_addrs):
        _reset(smtp, 0)
        _refused(", ".join(message.to_addrs), smtplib.SMTPRecipientsRefused(refused))
    code, reply = smtp.docmd("data")
    if code != 354:
        _reset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    data = DOT_LINE.sub(b"..", message.data)
    smtp.send(data if data.endswith(b"\r\n") else data + b"\r\n")
    try:
        before_accept()
    except BaseException:
        smtp.close()
        raise
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _reset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def draft_sender(mailer: Mailer) -> AbstractContextManager[SendDraft]:
    """``send(draft, before_accept)`` for any mailer: SMTP's own (``before_accept`` before the final
    "."), else ``before_accept()`` and then the draft's message to ``connection()``'s send."""
    if isinstance(mailer, SmtpMailer):
        return mailer.drafts()
    return _as_messages(mailer)


@contextmanager
def _as_messages(mailer: Mailer) -> Iterator[SendDraft]:
    with mailer.connection() as send_message:

        def send(draft: Draft, before_accept: Callable[[], None]) -> None:
            message = draft.message()
            before_accept()
            send_message(message)

        yield send


class LogMailer:
    """Development default: the message goes to the log instead of a mail server."""

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        def send(message: EmailMessage) -> None:
            log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

        yield send

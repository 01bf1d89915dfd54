"""An e-mail as the jobs write it (``Draft``), and the bytes that go on the wire for it.

``Draft.message()`` is the ``EmailMessage`` the jobs have always composed. Building that object
costs more than an SMTP round trip on one connection (the ``email`` package parses every header
it is given and folds it again when flattening), so a mailing of thousands pays it thousands of
times. ``wire(draft)`` gives, for the plain case — a recipient name of ASCII words, a dot-atom
address, an ASCII body of short lines — the very bytes ``smtplib.SMTP.send_message`` would send for
``draft.message()``, without building it: the headers that are the same for every recipient of a
mailing (From, Reply-To, Subject) are folded once by the ``email`` package itself and kept. For
anything else it answers ``None`` and the caller flattens the message as smtplib does
(``flatten``). tests/integration/test_mail_wire.py checks the two byte for byte through a real
SMTP server, over generated names, addresses and bodies.
"""

from __future__ import annotations

import re
from binascii import b2a_base64
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from email.quoprimime import body_encode
from email.utils import getaddresses, make_msgid
from functools import lru_cache
from io import BytesIO
from typing import cast

WIRE = default.clone(linesep="\r\n")  # what smtplib's flatten uses (the message's policy, CRLF)
MAX_LINE = WIRE.max_line_length or 78
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_NAME = re.compile(rf"{_ATEXT}(?: {_ATEXT})*")  # needs neither quoting nor encoding
PLAIN_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
PLAIN_MESSAGE_ID = re.compile(r"<[A-Za-z0-9.]+@[A-Za-z0-9.-]+>")
FROM_LINE = re.compile(rb"^From ", re.MULTILINE)  # smtplib's generator mangles these (">From ")
NEWLINE = re.compile(rb"\r\n|\r|\n")  # the generator writes every line break as CRLF
TEXT_7BIT = (
    b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\nMIME-Version: 1.0\r\n'
)


@dataclass(frozen=True)
class Draft:
    mail_from: str  # a header value: "Name <address>"
    to: Address
    subject: str
    body: str
    reply_to: Address | None = None
    message_id: str = field(default_factory=lambda: make_msgid(domain="campaignevents"))

    def message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = self.to
        if self.reply_to is not None:
            message["Reply-To"] = self.reply_to
        message["Subject"] = self.subject
        message["Message-ID"] = self.message_id
        message.set_content(self.body)
        return message


@dataclass(frozen=True)
class Wire:
    """What one message is on the wire: the envelope and the data (before dot-stuffing)."""

    from_addr: str
    to_addrs: list[str]
    data: bytes
    options: tuple[str, ...] = ()


@lru_cache(maxsize=256)
def _folded(name: str, value: str) -> bytes | None:
    """One header line as the ``email`` package folds it on the wire; None when not ASCII, or
    when the value has a line break (the message then refuses it: ``ValueError``, no injection)."""
    if len(value.splitlines()) > 1:
        return None
    line = WIRE.fold_binary(name, WIRE.header_factory(name, value))
    return line if line.isascii() else None


@lru_cache(maxsize=64)
def _envelope_from(mail_from: str) -> str:
    return getaddresses([mail_from])[0][1]


def _plain_to(to: Address) -> bytes | None:
    name, local, domain = to.display_name, to.username, to.domain
    if not (PLAIN_NAME.fullmatch(name) and PLAIN_LOCAL.fullmatch(local) and PLAIN_DOMAIN.fullmatch(domain)):
        return None
    line = f"To: {name} <{local}@{domain}>"
    return f"{line}\r\n".encode("ascii") if len(line) <= MAX_LINE else None


def _plain_body(body: str) -> tuple[bytes, bytes] | None:
    """(Content-Transfer-Encoding, data) as ``set_content`` and smtplib's generator make them for
    an ASCII body: 7bit when every line fits, else quoted-printable (unless base64 would be
    shorter: not plain)."""
    if not body.isascii():
        return None
    lines = body.encode("ascii").splitlines()
    if not lines:
        return None
    if max(len(line) for line in lines) <= MAX_LINE:
        cte, text = b"7bit", b"\n".join(lines) + b"\n"
    else:
        sniff = b"\n".join(lines[:10]) + b"\n"
        text = body_encode(sniff.decode("ascii"), MAX_LINE).encode("ascii")
        if len(text) > len(b2a_base64(sniff)):
            return None
        if len(lines) > 10:
            text = body_encode((b"\n".join(lines) + b"\n").decode("ascii"), MAX_LINE).encode("ascii")
        cte = b"quoted-printable"
    data = b"\r\n".join(NEWLINE.split(FROM_LINE.sub(b">From ", text)))
    return cte, data


def wire(draft: Draft) -> Wire | None:
    """The bytes ``smtplib`` would send for ``draft.message()``, or None when it is not plain."""
    to, encoded = _plain_to(draft.to), _plain_body(draft.body)
    if to is None or encoded is None or not PLAIN_MESSAGE_ID.fullmatch(draft.message_id):
        return None
    cte, body = encoded
    sender = _folded("From", draft.mail_from)
    subject = _folded("Subject", draft.subject)
    reply_to = _folded("Reply-To", str(draft.reply_to)) if draft.reply_to is not None else b""
    from_addr = _envelope_from(draft.mail_from)
    if sender is None or subject is None or reply_to is None or not from_addr.isascii():
        return None
    message_id = f"Message-ID: {draft.message_id}\r\n".encode("ascii")
    content = b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\n' % cte
    head = b"".join((sender, to, reply_to, subject, message_id, content, b"MIME-Version: 1.0\r\n"))
    return Wire(from_addr, [draft.to.addr_spec], head + b"\r\n" + body)


def flatten(message: EmailMessage, options: tuple[str, ...] = ()) -> Wire:
    """What ``smtplib.SMTP.send_message(message, mail_options=options)`` sends (no Sender, Bcc or
    Resent-* headers: the jobs write none): the envelope from the headers, the data flattened by
    the ``email`` package, with UTF-8 headers when an envelope address needs SMTPUTF8."""
    from_addr = getaddresses([str(message["From"])])[0][1]
    fields = [str(f) for name in ("To", "Cc", "Bcc") for f in message.get_all(name, [])]
    to_addrs = [a[1] for a in getaddresses(fields)]
    international = not all(a.isascii() for a in [from_addr, *to_addrs])
    with BytesIO() as out:
        if international:
            BytesGenerator(out, policy=cast(EmailPolicy, message.policy).clone(utf8=True)).flatten(
                message, linesep="\r\n"
            )
            options = (*options, "SMTPUTF8", "BODY=8BITMIME")
        else:
            BytesGenerator(out).flatten(message, linesep="\r\n")  # (no policy: smtplib's, mangles "From ")
        return Wire(from_addr, to_addrs, out.getvalue(), options)

"""The English texts of the e-mails the jobs send, keyed like the rest of the message catalogue
(``api/messages.py`` includes them, so the API's documents list them too). ``$1``, ``$2``... are
parameters."""

from __future__ import annotations

import re

MAIL_TEXTS: dict[str, str] = {
    "campaignevents-email-footer": (
        "This email was sent by $1 to $2, a registered participant of the following event: $3. "
        "If you reply, your reply will go to $1."
    ),
    "campaignevents-email-copy-subject": "Copy of your message to participants of $1",
    "campaignevents-email-copy-footer": (
        "This is a copy of the email you sent to the participants of the following event: $1."
    ),
    "campaignevents-email-confirmation-subject": "You are registered for $1",
    "campaignevents-email-confirmation-body": (
        "Hello $1,\n\nyou are now registered for the event $2 ($3).\n\nTo cancel your registration, "
        "use the event's page or the API."
    ),
}

_PARAM = re.compile(r"\$(\d+)")


def mail_text(key: str, *params: object) -> str:
    """The text of ``key`` with its parameters filled in (a missing one stays ``$n``)."""
    return _PARAM.sub(
        lambda m: str(params[int(m.group(1)) - 1]) if 0 < int(m.group(1)) <= len(params) else m.group(0),
        MAIL_TEXTS[key],
    )

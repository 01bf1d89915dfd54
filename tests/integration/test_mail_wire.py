"""A mailing's messages on the wire, through a real SMTP server on 127.0.0.1 (aiosmtpd):

* a draft sent by the mailing path (``SmtpMailer.drafts``: plain drafts written without the
  ``email`` package, ``workers/drafts.py``) reaches the server byte for byte as
  ``smtplib.SMTP.send_message(draft.message())`` delivers it: envelope and data, over generated
  names, addresses and bodies;
* the order ``send_mailing`` relies on: a message is accepted (its final "." answered) only once
  the previous delivery's record is committed in the event store.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from dataclasses import replace
from email.headerregistry import Address
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Services
from api.config import Settings
from domain import commands
from domain.details import DetailsInput
from domain.mailings import Mailing
from domain.ports import FakeClock
from domain.validation import parse_title
from projections.runner import CatalogProjection, Projector
from tests.conftest import make_services
from tests.integration.smtp_sink import free_port
from workers.drafts import Draft, wire
from workers.mail import send_mailing
from workers.mailers import SmtpMailer

pytestmark = pytest.mark.integration


class Recorder:
    """Keeps each accepted message's envelope and data as received; ``on_data`` runs when a
    message's final "." has arrived, before the server answers it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()
        self.on_data: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.on_data is not None:
            self.on_data()
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
NAMES = st.text(alphabet=ATEXT + ' .,"()<>@:;[]\\\tzoëÅ漢', min_size=1, max_size=40)
PLAIN_NAMES = st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=12), min_size=1, max_size=4).map(" ".join)
LOCALS = st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=12), min_size=1, max_size=3).map(".".join)
DOMAINS = st.sampled_from(["example.org", "mail.example-one.org", "x.y", "a" * 60 + ".org"])
ANY = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))  # header text has no line breaks
LINES = st.one_of(
    st.text(alphabet="abc XYZ.,-:/\t=", max_size=90),
    st.sampled_from(["", ".", "..", ".hidden", "From here on", "From", " From x", "-- ", "zoë", "a" * 79]),
    st.text(ANY, max_size=20),
)
BODIES = st.lists(LINES, min_size=1, max_size=14).map("\n".join)


def drafts(names: st.SearchStrategy[str]) -> st.SearchStrategy[Draft]:
    return st.builds(
        Draft,
        mail_from=st.sampled_from(["CampaignEvents <campaignevents@localhost>", "events@example.org"]),
        to=st.builds(Address, names, LOCALS, DOMAINS),
        subject=st.one_of(st.text(alphabet="abc XYZ:!?", min_size=1, max_size=90), st.text(ANY, min_size=1)),
        body=BODIES,
        reply_to=st.one_of(st.none(), st.builds(Address, names, LOCALS, DOMAINS)),
        message_id=st.integers(0, 10**30).map(lambda n: f"<{n}.{n % 977}.{n % 13}@campaignevents>"),
    )


def sent_both_ways(url: str, handler: Recorder, draft: Draft) -> None:
    handler.received.clear()
    port = int(url.rsplit(":", 1)[1])
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(draft.message())
    with SmtpMailer(url).drafts() as send:
        send(draft, lambda: None)
    (reference, ours) = handler.received
    assert ours == reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draft=st.one_of(drafts(NAMES), drafts(PLAIN_NAMES)))
def test_a_draft_reaches_the_server_as_smtplib_sends_its_message(
    recorder: tuple[Recorder, str], draft: Draft
) -> None:
    handler, url = recorder
    sent_both_ways(url, handler, draft)


def test_plain_drafts_are_written_without_the_email_package_and_arrive_the_same(
    recorder: tuple[Recorder, str],
) -> None:
    handler, url = recorder
    plain = [
        Draft(
            "CampaignEvents <campaignevents@localhost>",
            Address(f"Bench participant {n}", f"Bench.participant.{n}", "example.org"),
            "Snacks",
            f"Bring snacks.\n.\nFrom the organizers\n\n-- \nThis email was sent by Admin to participant {n}, "
            "a registered participant of the following event: http://events.example.org/e/1."
            + "\nline"
            * 10
            * n,  # a long line: quoted-printable (its first 10 lines sniffed, or all)
            Address("Admin", "admin", "example.org"),
        )
        for n in range(3)
    ]
    for draft in plain:
        assert wire(draft) is not None
        sent_both_ways(url, handler, draft)
    not_plain = [
        replace(plain[0], to=Address("Zoë", "zoe", "example.org")),
        replace(plain[0], body="=" * 100),  # base64 is shorter than quoted-printable
        replace(plain[0], to=Address("J. Doe", "jd", "example.org")),
    ]
    for draft in not_plain:
        assert wire(draft) is None
        sent_both_ways(url, handler, draft)
    for subject in ("Hi\nBcc: someone@example.org", "Hi\rthere", "Hi\u2028there"):  # no header injection
        draft = replace(plain[0], subject=subject)
        assert wire(draft) is None
        with pytest.raises(ValueError), SmtpMailer(url).drafts() as send:
            send(draft, lambda: None)
    for length in (77, 78, 79, 80):  # "To: Name <address>" folds past 78 characters
        name = "N" * (length - len("To: Ab  <p@example.org>"))
        draft = replace(plain[0], to=Address(f"Ab {name}", "p", "example.org"))
        assert (wire(draft) is not None) == (length <= 78)
        sent_both_ways(url, handler, draft)


def test_each_message_is_accepted_only_after_the_previous_delivery_is_recorded(
    sqlite_settings: Settings, clock: FakeClock, recorder: tuple[Recorder, str]
) -> None:
    handler, url = recorder
    services: Services = make_services(replace(sqlite_settings, smtp_url=url), clock)
    try:
        app = services.app
        organizer = app.create_user(commands.CreateUser("Admin", "admin@example.org", ("event-organizer",)))
        title = parse_title("Event:Wire test")
        assert title is not None
        details = DetailsInput(
            page=title, timezone="UTC", start="20300101100000", end="20300101180000", wikis=[], online=True
        )
        event_id = app.enable_registration(commands.EnableRegistration(organizer.user_id, details)).event_id
        people = [
            app.create_user(commands.CreateUser(f"Person{n}", f"person{n}@example.org", ()))
            for n in range(12)
        ]
        for person in people:
            app.register_participant(commands.RegisterParticipant(person.user_id, event_id, False))
        Projector(app, services.store, projections=[CatalogProjection()]).catch_up()
        emailed = app.email_participants(
            commands.EmailParticipants(organizer.user_id, event_id, "Order", "Hello", ccme=True)
        )
        assert emailed.mailing_id is not None
        mailing_id: UUID = emailed.mailing_id
        seen: list[int] = []

        def recorded_so_far() -> None:  # on the server's thread, at each final "."
            found = app.find(Mailing, mailing_id)
            seen.append(len(found.delivered) + int(found.copy_delivered) if found is not None else -1)

        handler.on_data = recorded_so_far
        assert send_mailing(services.jobs, str(mailing_id)) == 12
        assert seen == list(range(13))  # the 12 participants, then the sender's copy
        final = app.find(Mailing, mailing_id)
        assert final is not None and len(final.delivered) == 12 and final.copy_delivered
        assert len(handler.received) == 13
    finally:
        services.close()

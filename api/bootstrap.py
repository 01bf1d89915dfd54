"""The composition root: builds every service from settings and passes each its ports at
construction; the job context goes to whatever runs jobs in the process (the in-process queue
here, the RQ worker in ``campaignevents worker``). Imports no Flask; connects nothing at import."""

from __future__ import annotations

import fcntl
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from api import links
from api.config import Settings
from api.invision import index as invision_index
from api.keystore import SqlKeyStore
from api.wildapricot import index as wa_index
from domain.application import CampaignEvents
from domain.details import Policy
from domain.ports import Clock, SystemClock
from projections import catalog, content
from projections import feeds as feed_model
from projections import polls as poll_model
from projections.content import ContentProjection
from projections.content_views import ContentViews
from projections.dispatcher import NAME as DISPATCHER
from projections.dispatcher import Dispatcher, JobQueue
from projections.places import NAME as PLACES
from projections.places import PlacesProjection, PlacesViews
from projections.places import create_tables as create_places_tables
from projections.poll_views import PollViews
from projections.runner import CatalogProjection, Projection, Projector
from projections.schema import define_content
from projections.store import ReadStore
from projections.views import CatalogViews, HistoryViews
from projections.visibility import VisibilityViews
from workers.context import JobContext, MailSettings
from workers.mailers import LogMailer, Mailer, SmtpMailer
from workers.queues import InProcessQueue, RqQueue

log = logging.getLogger("campaignevents")


@dataclass
class Services:
    settings: Settings
    app: CampaignEvents
    clock: Clock
    store: ReadStore
    views: CatalogViews
    projector: Projector
    keys: SqlKeyStore
    queue: JobQueue
    mailer: Mailer
    history: HistoryViews
    jobs: JobContext
    content: ContentViews  # calendars, rich content, moderation flags (projections/content.py)
    polls: PollViews | None = None  # groups, audiences, decisions, votes (projections/polls.py)
    feeds: feed_model.FeedViews | None = None  # calendar feeds (projections/feeds.py)

    def written(self, position: int) -> None:
        """Read-your-writes: return once the read models include ``position`` (bounded wait; a
        stalled projector is logged, and the write, which is safe in the log, still succeeds)."""
        try:
            names: tuple[str, ...] = (catalog.NAME, PLACES, content.NAME, poll_model.NAME, feed_model.NAME)
            names += (invision_index.NAME, wa_index.NAME)
            caught_up = self.store.wait_for_all(position, names)  # one wait for them all
        except Exception as error:  # the write is safe in the log; a read-model hiccup must not fail it
            log.warning("could not wait for the read models (position %d): %s", position, error)
            return
        if not caught_up:
            log.warning("read models did not reach position %d in time: is the projector running?", position)

    def close(self) -> None:
        self.projector.stop()
        self.queue.close()
        self.store.close()
        self.keys.close()
        self.app.close()


def policy_for(settings: Settings) -> Policy:
    return Policy(
        allowed_namespaces=settings.allowed_namespaces,
        known_wikis=settings.known_wikis,
        tracking_tools=settings.tracking_tools,
    )


def build_services(
    settings: Settings, clock: Clock | None = None, *, mailer: Mailer | None = None
) -> Services:
    """Open the event store (tables must exist: see ``init_store``) and build the application
    (a test may pass its own clock and mailer)."""
    clock = clock or SystemClock()
    env = settings.event_store_env() | {"CREATE_TABLE": "n"}
    store = ReadStore.open(settings.database_url)
    views = CatalogViews(store)
    keys = SqlKeyStore.open(settings.database_url)
    app = CampaignEvents(
        env, clock=clock, policy=policy_for(settings), directory=views, keys=keys, wiki_id=settings.wiki_id
    )
    intervals = settings.job_retry_intervals
    queue: JobQueue = (
        RqQueue(settings.redis_url, intervals, settings.queue_name)
        if settings.redis_url
        else InProcessQueue(intervals)
    )
    mailer = mailer or (SmtpMailer(settings.smtp_url) if settings.smtp_url else LogMailer())
    content_tables = define_content()
    app.hidden_flags = content_views = ContentViews(store, content_tables, settings.default_calendar)
    app.default_calendar_title = settings.default_calendar
    poll_projection = poll_model.PollsProjection()
    # Every projection, in one list: replay rebuilds (and verify compares) each one that declares a
    # read model, and writes wait for them all (projections/readmodel.py; DESIGN.md "Replay").
    projections: list[Projection] = [
        CatalogProjection(),
        ContentProjection(content_tables),
        PlacesProjection(queue),
        Dispatcher(queue),
        poll_projection,
        feed_model.FeedsProjection(feed_renderer(settings)),
    ]
    projections.append(invision_index.InvisionProjection())  # Invision's list index (api/invision/)
    projections.append(wa_index.WildApricotProjection())  # Wild Apricot's $filter index (api/wildapricot/)
    poll_views = PollViews(store.engine, poll_projection.tables, store.tables)
    app.visibility = VisibilityViews(store.engine, content_tables, poll_projection.tables)
    projector = Projector(app, store, projections=projections)
    places_reads = PlacesViews(store.engine, store.tables.users)  # the registration e-mails ask it
    jobs = JobContext(app, projector, mailer, mail_settings(settings), places_reads)
    if isinstance(queue, InProcessQueue):
        queue.start(jobs)  # jobs run in this process, on these stores
    services = Services(
        settings, app, clock, store, views, projector, keys, queue, mailer, HistoryViews(store), jobs,
        content_views,
    )
    services.polls = poll_views
    services.feeds = feed_model.FeedViews(store.engine)
    return services


def mail_settings(settings: Settings) -> MailSettings:
    base_url = settings.base_url or "http://127.0.0.1:8000"

    def event_link(event_id: int, event_page: str) -> str:
        """The event's link in e-mails: ``CAMPAIGNEVENTS_EVENT_URL``, a path under the base URL."""
        return links.event_url(settings.event_url, base_url, event_id, event_page)

    return MailSettings(settings.mail_from, event_link)


def feed_renderer(settings: Settings) -> feed_model.Renderer:
    """Feeds: UIDs at a fixed domain per wiki; ``URL`` is the event's link when it is absolute
    (a path template needs ``CAMPAIGNEVENTS_BASE_URL``)."""

    def event_link(event_id: int, event_page: str) -> str | None:
        link = links.event_url(settings.event_url, settings.base_url or "", event_id, event_page)
        return link if "://" in link else None

    return feed_model.Renderer(f"{settings.wiki_id}.campaignevents", event_link)


def init_store(settings: Settings) -> None:
    """Create the event store's tables once; safe when several processes start together.

    Event store and read models. SQLite: under an exclusive lock on a file beside the database.
    PostgreSQL: it
    runs under a session advisory lock, so concurrent starts take turns instead of racing on the
    catalog.
    """
    env = settings.event_store_env() | {"CREATE_TABLE": "y"}
    if not settings.is_postgres:
        db = Path(env["SQLITE_DBNAME"])
        db.parent.mkdir(parents=True, exist_ok=True)
        with (db.parent / ".init.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _create_tables(settings, env)
        return
    import psycopg

    lock_key = int.from_bytes(hashlib.sha256(b"campaignevents:init").digest()[:8], "big", signed=True)
    with psycopg.connect(_libpq_url(settings.database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (lock_key,))
        try:
            schema = env.get("POSTGRES_SCHEMA")
            if schema:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            _create_tables(settings, env)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key,))


def _create_tables(settings: Settings, env: dict[str, str]) -> None:
    store = ReadStore.open(settings.database_url)
    keys = SqlKeyStore.open(settings.database_url)
    try:
        CampaignEvents(  # its tables: the event store creates them when it opens
            env, clock=SystemClock(), policy=policy_for(settings), directory=CatalogViews(store), keys=keys
        ).close()
        store.create((catalog.NAME, DISPATCHER, PLACES))
        create_places_tables(store.engine)
        content.create(store)
        poll_model.create(store)
        feed_model.create(store)
        invision_index.create(store)
        wa_index.create(store)
        keys.create_table()
    finally:
        store.close()
        keys.close()


def _libpq_url(url: str) -> str:
    """Drop our own ``?schema=`` option, which libpq does not know."""
    return url.split("?", 1)[0]

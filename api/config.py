"""Settings from the environment (no Flask here). Every variable is documented in the README."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from api import links

DEFAULT_DATA_DIR = "var"
DIALECTS = ("v0", "wildapricot", "datepoll", "invision")  # CAMPAIGNEVENTS_DIALECTS default: all


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None = None
    smtp_url: str | None = None
    base_url: str | None = None
    wiki_id: str = "local"
    known_wikis: tuple[str, ...] = ("local",)
    secret_key: str = field(default="", repr=False)
    allowed_namespaces: tuple[str, ...] = ("Event",)
    tracking_tools: tuple[str, ...] = ()
    aggregation_interval: int = 3600
    mail_from: str = "CampaignEvents <campaignevents@localhost>"
    job_retry_intervals: tuple[int, ...] = (5, 30, 120, 600, 1800)
    queue_name: str = "campaignevents"
    max_projector_lag: int = 5000  # /readyz answers 503 beyond this many unapplied log positions
    cors_origins: tuple[str, ...] = ()
    login_failures_per_account: tuple[int, int] = (5, 300)
    login_failures_per_address: tuple[int, int] = (150, 172800)
    default_calendar: str = "Events"  # CAMPAIGNEVENTS_DEFAULT_CALENDAR: the default calendar's title
    user_url: str = links.DEFAULT_USER_URL  # CAMPAIGNEVENTS_USER_URL, placeholders: see api/links.py
    event_url: str = links.DEFAULT_EVENT_URL  # CAMPAIGNEVENTS_EVENT_URL
    dialects: tuple[str, ...] = DIALECTS  # CAMPAIGNEVENTS_DIALECTS: the APIs served besides v0's
    default_timezone: str = "UTC"  # CAMPAIGNEVENTS_DEFAULT_TIMEZONE: zone of times given without one
    jitsi_instance_url: str = ""  # CAMPAIGNEVENTS_JITSI_INSTANCE_URL: DatePoll's settings/jitsiInstanceUrl
    wa_account_id: int = 1  # CAMPAIGNEVENTS_WA_ACCOUNT_ID: the one Wild Apricot account
    trusted_proxies: int = 0  # CAMPAIGNEVENTS_TRUSTED_PROXIES: proxies whose X-Forwarded-For counts
    # CAMPAIGNEVENTS_POSTGRES_PRE_PING: test each pooled event-store connection with a round trip
    # before use (off: a connection a restart broke fails its statement, which is retried)
    postgres_pre_ping: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("CAMPAIGNEVENTS_DATA_DIR", DEFAULT_DATA_DIR))
        database_url = _database_url(env)
        wiki_id = env.get("CAMPAIGNEVENTS_WIKI_ID") or "local"
        return cls(
            database_url=database_url,
            redis_url=env.get("CAMPAIGNEVENTS_REDIS_URL") or None,
            smtp_url=env.get("CAMPAIGNEVENTS_SMTP_URL") or None,
            base_url=(env.get("CAMPAIGNEVENTS_BASE_URL") or "").rstrip("/") or None,
            wiki_id=wiki_id,
            known_wikis=_csv(env.get("CAMPAIGNEVENTS_KNOWN_WIKIS")) or (wiki_id,),
            secret_key=env.get("CAMPAIGNEVENTS_SECRET_KEY") or _local_secret(data_dir),
            allowed_namespaces=_csv(env.get("CAMPAIGNEVENTS_EVENT_NAMESPACES")) or ("Event",),
            tracking_tools=_csv(env.get("CAMPAIGNEVENTS_TRACKING_TOOLS")),
            aggregation_interval=int(env.get("CAMPAIGNEVENTS_AGGREGATION_INTERVAL") or 3600),
            mail_from=env.get("CAMPAIGNEVENTS_MAIL_FROM") or "CampaignEvents <campaignevents@localhost>",
            job_retry_intervals=tuple(int(x) for x in _csv(env.get("CAMPAIGNEVENTS_JOB_RETRY_INTERVALS")))
            or (5, 30, 120, 600, 1800),
            queue_name=env.get("CAMPAIGNEVENTS_QUEUE_NAME") or "campaignevents",
            max_projector_lag=int(env.get("CAMPAIGNEVENTS_MAX_PROJECTOR_LAG") or 5000),
            cors_origins=tuple(o.rstrip("/") for o in _csv(env.get("CAMPAIGNEVENTS_CORS_ORIGINS"))),
            login_failures_per_account=_failures(env, "CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ACCOUNT", (5, 300)),
            login_failures_per_address=_failures(
                env, "CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ADDRESS", (150, 172800)
            ),
            default_calendar=(env.get("CAMPAIGNEVENTS_DEFAULT_CALENDAR") or "").strip() or "Events",
            user_url=links.checked(
                "CAMPAIGNEVENTS_USER_URL",
                env.get("CAMPAIGNEVENTS_USER_URL") or links.DEFAULT_USER_URL,
                links.USER_PLACEHOLDERS,
            ),
            event_url=links.checked(
                "CAMPAIGNEVENTS_EVENT_URL",
                env.get("CAMPAIGNEVENTS_EVENT_URL") or links.DEFAULT_EVENT_URL,
                links.EVENT_PLACEHOLDERS,
            ),
            dialects=tuple(d.lower() for d in _csv(env.get("CAMPAIGNEVENTS_DIALECTS"))) or DIALECTS,
            default_timezone=(env.get("CAMPAIGNEVENTS_DEFAULT_TIMEZONE") or "").strip() or "UTC",
            jitsi_instance_url=(env.get("CAMPAIGNEVENTS_JITSI_INSTANCE_URL") or "").strip(),
            wa_account_id=int(env.get("CAMPAIGNEVENTS_WA_ACCOUNT_ID") or 1),
            trusted_proxies=int(env.get("CAMPAIGNEVENTS_TRUSTED_PROXIES") or 0),
            postgres_pre_ping=flag(env.get("CAMPAIGNEVENTS_POSTGRES_PRE_PING"), default=False),
        )

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for this database URL."""
        parts = urlsplit(self.database_url)
        if self.is_postgres:
            query = parse_qs(parts.query)
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": parts.username or "postgres",
                "POSTGRES_PASSWORD": parts.password or "",
                "POSTGRES_CONNECT_TIMEOUT": "5",
                "POSTGRES_POOL_SIZE": "5",
                "POSTGRES_MAX_OVERFLOW": "20",
                "POSTGRES_PRE_PING": "y" if self.postgres_pre_ping else "n",
            }
            if "schema" in query:
                env["POSTGRES_SCHEMA"] = query["schema"][0]
            return env
        if parts.scheme != "sqlite":
            raise ValueError(f"unsupported CAMPAIGNEVENTS_DATABASE_URL: {self.database_url!r}")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": sqlite_path(self.database_url),
            "SQLITE_LOCK_TIMEOUT": "10",
        }


def describe_backends(environ: dict[str, str] | None = None) -> str:
    """One line naming the database and the Redis the settings point at, passwords masked (read
    from the environment only: no file is created, nothing connects)."""
    env = dict(os.environ if environ is None else environ)
    redis_url = env.get("CAMPAIGNEVENTS_REDIS_URL")
    queue = env.get("CAMPAIGNEVENTS_QUEUE_NAME") or "campaignevents"
    redis = f"redis {mask_password(redis_url)} (queue {queue})" if redis_url else "no redis (jobs in-process)"
    return f"database {mask_password(_database_url(env))}, {redis}"


def mask_password(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def _database_url(env: dict[str, str]) -> str:
    data_dir = Path(env.get("CAMPAIGNEVENTS_DATA_DIR", DEFAULT_DATA_DIR))
    return env.get("CAMPAIGNEVENTS_DATABASE_URL") or f"sqlite:///{data_dir}/events.db"


def sqlite_path(url: str) -> str:
    """``sqlite:///var/events.db`` → ``var/events.db``; ``sqlite:////abs/x.db`` → ``/abs/x.db``."""
    path = url[len("sqlite:///") :]
    return path or ":memory:"


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _failures(env: dict[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """``COUNT/SECONDS`` (``5/300``: five failed logins in five minutes); a count of 0 turns it off."""
    value = (env.get(name) or "").strip()
    if not value:
        return default
    count, _, seconds = value.partition("/")
    try:
        parsed = int(count), int(seconds)
    except ValueError:
        parsed = (-1, 0)
    if parsed[0] < 0 or parsed[1] < 1:
        raise ValueError(f"{name} must be COUNT/SECONDS (e.g. {default[0]}/{default[1]}), not {value!r}")
    return parsed


def flag(value: str | None, *, default: bool) -> bool:
    """``y``, ``yes``, ``1``, ``true`` or ``n``, ``no``, ``0``, ``false`` (any case); unset: ``default``."""
    text = (value or "").strip().lower()
    if not text:
        return default
    if text in ("y", "yes", "1", "true"):
        return True
    if text in ("n", "no", "0", "false"):
        return False
    raise ValueError(f"expected y or n, not {value!r}")


def _local_secret(data_dir: Path) -> str:
    """The embedded default keeps a random secret under ./var so sessions survive restarts."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(32)
        try:
            with path.open("x") as fh:
                fh.write(secret)
        except FileExistsError:
            return path.read_text().strip()
        path.chmod(0o600)
        return secret

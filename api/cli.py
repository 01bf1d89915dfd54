"""The ``campaignevents`` command: serve, init-db, users."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from api.bootstrap import build_services, init_store
from api.config import Settings
from api.messages import text
from domain import commands
from domain.errors import DomainError

T = TypeVar("T")


@click.group()
def main() -> None:
    """CampaignEvents: the /campaignevents/v0 REST API as an event-sourced service."""


@main.command("init-db")
def init_db() -> None:
    """Create the event store's tables (safe to run again, and concurrently)."""
    init_store(Settings.from_env())
    click.echo("event store ready")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Run the API on the embedded default (SQLite under ./var, jobs in-process)."""
    import waitress

    from api.app import create_app

    settings = Settings.from_env()
    app = create_app(settings, init=True)
    click.echo(f"campaignevents listening on http://{host}:{port} ({settings.database_url})")
    waitress.serve(app, host=host, port=port, threads=threads, ident="campaignevents")


@main.group()
def users() -> None:
    """Provision accounts."""


@users.command("create")
@click.argument("name")
@click.option("--email", default=None)
@click.option("--group", "groups", multiple=True, help="event-organizer or sysop (repeatable)")
@click.option("--password", default=None)
def users_create(name: str, email: str | None, groups: tuple[str, ...], password: str | None) -> None:
    """Create a user; prints its id, normalised name and personal API token (shown once)."""
    with _services() as app:
        new = _run(lambda: app.create_user(commands.CreateUser(name, email, groups, password)))
    click.echo(json.dumps({"user_id": new.user_id, "user_name": new.user_name, "token": new.token}))


@users.command("block")
@click.argument("name")
def users_block(name: str) -> None:
    """Block a user sitewide."""
    with _services() as app:
        changed = _run(lambda: app.block_user(commands.BlockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": True, "changed": changed}))


@users.command("unblock")
@click.argument("name")
def users_unblock(name: str) -> None:
    """Lift a user's block."""
    with _services() as app:
        changed = _run(lambda: app.unblock_user(commands.UnblockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": False, "changed": changed}))


class _services:
    """Open the store for one command and close it after."""

    def __enter__(self) -> Any:
        settings = Settings.from_env()
        init_store(settings)
        self.services = build_services(settings)
        return self.services.app

    def __exit__(self, *exc: object) -> None:
        self.services.close()


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except DomainError as error:
        click.echo(f"error: {text(error.key, *error.params)}", err=True)
        sys.exit(1)

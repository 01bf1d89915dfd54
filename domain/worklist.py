"""The Worklist aggregate: the articles an event works on, keyed by wiki id, in the order added.

Kept apart from the EventRegistration so a worklist of 100,000 articles never weighs on the
registration's commands.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors
from domain.indexes import ROOT
from domain.validation import parse_title

if TYPE_CHECKING:
    from domain.accounts import Account
    from domain.registration import EventRegistration


class AddedArticle(TypedDict):
    article_id: int
    wiki_id: str
    title: str  # database-key form, ``Main_Page``


def worklist_id(event_id: int) -> UUID:
    return uuid5(ROOT, f"worklist:{event_id}")


class Worklist(Aggregate):
    event_id: int
    articles: dict[str, int]  # "wiki|Title" -> article id
    last_article_id: int

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class WorklistStarted(Aggregate.Created):
        event_id: int

        def apply(self, aggregate: Worklist) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.articles = {}
            aggregate.last_article_id = 0

    class WorklistChanged(Aggregate.Event):
        """Articles added (with their new ids) and removed (by id). Version 1 stored ``added`` as
        ``[[article_id, wiki_id, title], ...]``."""

        class_version = 2
        event_id: int
        added: list[AddedArticle]
        removed: list[int]
        performed_by: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["added"] = [{"article_id": a, "wiki_id": w, "title": t} for a, w, t in state["added"]]

        def apply(self, aggregate: Worklist) -> None:  # type: ignore[override]
            for article in self.added:
                aggregate.articles[f"{article['wiki_id']}|{article['title']}"] = article["article_id"]
                aggregate.last_article_id = max(aggregate.last_article_id, article["article_id"])
            gone = set(self.removed)
            if gone:
                aggregate.articles = {k: v for k, v in aggregate.articles.items() if v not in gone}

    @classmethod
    def start(cls, event_id: int, at: datetime) -> Worklist:
        return cls._create(cls.WorklistStarted, id=worklist_id(event_id), event_id=event_id, timestamp=at)

    def change(
        self,
        add: dict[str, list[str]],
        remove: dict[str, list[str]],
        *,
        registration: EventRegistration,
        editor: Account | None,
        known_wikis: Collection[str],
        at: datetime,
    ) -> bool:
        """Titles by wiki id: valid titles of known wikis, changed by an organizer of a registration
        that is not deleted. Adds first, then removes (a title added and removed in one change ends
        up absent); a title already present is not added twice. False when nothing changes."""
        adding, removing = parse_titles(add, known_wikis), parse_titles(remove, known_wikis)
        performer = registration.check_may_change(editor)
        return self._change(adding, removing, performer.user_id, at)

    def _change(
        self, add: list[tuple[str, str]], remove: list[tuple[str, str]], performed_by: int, at: datetime
    ) -> bool:
        present = dict(self.articles)
        added: list[AddedArticle] = []
        next_id = self.last_article_id
        for wiki, title in add:
            key = f"{wiki}|{title}"
            if key not in present:
                next_id += 1
                present[key] = next_id
                added.append(AddedArticle(article_id=next_id, wiki_id=wiki, title=title))
        removed = [present.pop(f"{w}|{t}") for w, t in dict.fromkeys(remove) if f"{w}|{t}" in present]
        added = [a for a in added if a["article_id"] not in removed]
        removed = [r for r in removed if r <= self.last_article_id]
        if not added and not removed:
            return False
        self.trigger_event(
            self.WorklistChanged,
            event_id=self.event_id,
            added=added,
            removed=removed,
            performed_by=performed_by,
            timestamp=at,
        )
        return True


def parse_titles(by_wiki: dict[str, list[str]], known_wikis: Collection[str]) -> list[tuple[str, str]]:
    """Titles in database-key form (``Main_Page``), in the order given; the first unknown wiki or
    invalid title is the error."""
    found: list[tuple[str, str]] = []
    for wiki, titles in by_wiki.items():
        if wiki not in known_wikis:
            raise errors.WorklistInvalidWiki(wiki)
        for raw in titles:
            title = parse_title(raw)
            if title is None or title.namespace in ("Special", "Media"):
                raise errors.WorklistInvalidTitle(raw)
            found.append((wiki, title.dbkey))
    return found

"""The inputs of the visibility rule (``policies.can_see_event``) for one event, as the read side
holds them: the content model's moderation flag and the polls model's audience (who the event is
for: ``rm_poll_audiences``, ``rm_poll_event_sets``). Every read of an event for a viewer asks it
(``Queries.registration_for_reading``), so it is one statement of constant text on a pooled driver
connection (no SQLAlchemy statement or result), as the feeds' revision is; a list asks it for its
events in one statement (``among``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, bindparam, false, literal, select, union_all

from domain import moderation
from domain.audiences import Audience
from projections.polls import PollTables
from projections.schema import ContentTables
from projections.store import driver_rows

FOR_EVERYONE = Audience()


class VisibilityViews:
    def __init__(self, engine: Engine, content: ContentTables, polls: PollTables) -> None:
        self.engine = engine
        c, a, s = content.content, polls.audiences, polls.event_sets
        ids: Any = bindparam("ids", expanding=True)
        self._among = union_all(
            select(literal("h"), c.c.event_id, c.c.hidden).where(
                c.c.event_id.in_(ids), c.c.hidden != moderation.VISIBLE
            ),
            select(literal("a"), a.c.event_id, literal(0)).where(
                a.c.event_id.in_(ids), a.c.for_everyone == false()
            ),
            select(s.c.kind, s.c.event_id, s.c.set_id).where(s.c.event_id.in_(ids)),
        )
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        q = engine.dialect.identifier_preparer.quote
        # rows (kind, number): ``h`` the hidden flag, ``a`` not for everyone, ``g``/``s`` a set
        self._sql = (
            f"SELECT 'h', hidden FROM {q(content.content.name)} WHERE event_id = {mark}"
            f" UNION ALL SELECT 'a', 0 FROM {q(polls.audiences.name)}"
            f" WHERE event_id = {mark} AND NOT for_everyone"
            f" UNION ALL SELECT kind, set_id FROM {q(polls.event_sets.name)} WHERE event_id = {mark}"
        )

    def visibility(self, event_id: int) -> tuple[int, Audience]:
        """The event's hidden flag (0 without a row) and its audience (for everyone without one)."""
        hidden, restricted = moderation.VISIBLE, False
        sets: dict[str, list[int]] = {"g": [], "s": []}
        for kind, number in driver_rows(self.engine, self._sql, (event_id, event_id, event_id)):
            if kind == "h":
                hidden = int(number)
            elif kind == "a":
                restricted = True
            else:
                sets[str(kind)].append(int(number))
        if not restricted:
            return hidden, FOR_EVERYONE
        return hidden, Audience(False, tuple(sorted(sets["g"])), tuple(sorted(sets["s"])))

    def among(self, event_ids: list[int]) -> dict[int, tuple[int, Audience]]:
        """Those of ``event_ids`` not every viewer may see (hidden, or not for everyone), with
        their hidden flag and audience (as ``visibility``)."""
        if not event_ids:
            return {}
        hidden: dict[int, int] = {}
        restricted: set[int] = set()
        sets: dict[tuple[int, str], list[int]] = {}
        with self.engine.connect() as conn:
            for kind, event_id, number in conn.execute(self._among, {"ids": event_ids}):
                if kind == "h":
                    hidden[event_id] = int(number)
                elif kind == "a":
                    restricted.add(event_id)
                else:
                    sets.setdefault((event_id, str(kind)), []).append(int(number))

        def audience(event_id: int) -> Audience:
            if event_id not in restricted:
                return FOR_EVERYONE
            groups, subgroups = (sorted(sets.get((event_id, k), [])) for k in ("g", "s"))
            return Audience(False, tuple(groups), tuple(subgroups))

        return {e: (hidden.get(e, moderation.VISIBLE), audience(e)) for e in hidden.keys() | restricted}

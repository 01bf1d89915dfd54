"""Property: ``$filter`` through the API (parser → parameterised SQL over the index read model)
selects exactly the events ``query.matches`` (the plain in-memory reading) selects, over random
events created through the API (names, dates, tags, registration enabled, descriptions, places)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.wildapricot.query import (
    And,
    BoolField,
    BoolIs,
    Contains,
    DateField,
    DateIs,
    EventFacts,
    Filter,
    IdIn,
    NameIs,
    Op,
    Or,
    TagsIn,
    TextField,
    matches,
    to_filter_text,
)
from domain.content import plain_text
from tests.api.wildapricot.conftest import BASE, Wa, token_for
from tests.unit.wildapricot.test_query import ALPHABET, tag_words

TODAY = date(2026, 11, 22)  # the test clock's day (tests/conftest.py)
# events start in the future (the domain's rule); the clock then moves 0-7 days, so IsUpcoming
# splits them
event_days = st.dates(min_value=TODAY + timedelta(days=1), max_value=TODAY + timedelta(days=5))
filter_days = st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=8))
PLAIN = ALPHABET.replace("'", "")  # descriptions: text that HTML sanitizing keeps as it is
names = st.text(ALPHABET, min_size=1, max_size=6).filter(lambda s: s.strip() != "")
SLOTS = 6  # IdIn leaves name events by their place in the example's list (0..SLOTS-1), or none

leaves: st.SearchStrategy[Filter] = st.one_of(
    st.builds(IdIn, st.lists(st.integers(0, SLOTS + 1), max_size=3).map(tuple)),
    st.builds(TagsIn, st.lists(tag_words, max_size=3).map(tuple)),
    st.builds(NameIs, st.sampled_from([Op.EQ, Op.NE]), names),
    st.builds(Contains, st.sampled_from(list(TextField)), st.text(ALPHABET, max_size=3), st.booleans()),
    st.builds(BoolIs, st.sampled_from(list(BoolField)), st.sampled_from([Op.EQ, Op.NE]), st.booleans()),
    st.builds(DateIs, st.sampled_from(list(DateField)), st.sampled_from(list(Op)), filter_days),
)
filters: st.SearchStrategy[Filter] = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda terms: And(tuple(terms))),
        st.lists(children, min_size=2, max_size=3).map(lambda terms: Or(tuple(terms))),
    ),
    max_leaves=6,
)


@st.composite
def event_bodies(draw: Any) -> list[dict[str, Any]]:
    bodies = []
    for _ in range(draw(st.integers(1, SLOTS))):
        start = draw(event_days)
        end = draw(st.dates(min_value=start, max_value=start + timedelta(days=2)))
        bodies.append(
            {
                "Name": draw(names),
                "StartDate": f"{start.isoformat()}T10:00:00+00:00",
                "EndDate": f"{end.isoformat()}T18:00:00+00:00",
                "Location": draw(st.text(PLAIN, max_size=4)).strip(),
                "RegistrationEnabled": draw(st.booleans()),
                "RegistrationsLimit": draw(st.none() | st.integers(1, 5)),
                "Tags": draw(st.lists(tag_words, max_size=3, unique=True)),
                "Details": {"DescriptionHtml": draw(st.text(PLAIN, max_size=5))},
            }
        )
    return bodies


def with_ids(node: Filter, ids: list[int]) -> Filter:
    """The filter with IdIn's slots replaced by the created events' ids (a missing slot: no event)."""
    if isinstance(node, IdIn):
        return IdIn(tuple(ids[i] if i < len(ids) else 10**6 + i for i in node.ids))
    if isinstance(node, And):
        return And(tuple(with_ids(term, ids) for term in node.terms))
    if isinstance(node, Or):
        return Or(tuple(with_ids(term, ids) for term in node.terms))
    return node


def facts(event: dict[str, Any], description: str, today: date) -> EventFacts:
    """What the evaluator reads, taken from the event as Wild Apricot shows it."""
    start, end = date.fromisoformat(event["StartDate"][:10]), date.fromisoformat(event["EndDate"][:10])
    return {
        "id": event["Id"],
        "name": event["Name"],
        "description": description,
        "location": event["Location"] or "",
        "start_date": start,
        "end_date": end,
        "is_upcoming": end >= today,
        "registration_enabled": event["RegistrationEnabled"],
        "tags": event["Tags"],
    }


def test_filter_through_the_api_agrees_with_the_evaluator(wa: Any, flask_app: Any, clock: Any) -> None:
    boss, start = wa("Boss", "event-organizer"), clock.current

    @given(bodies=event_bodies(), trees=st.lists(filters, min_size=1, max_size=6), shift=st.integers(0, 7))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(bodies: list[dict[str, Any]], trees: list[Filter], shift: int) -> None:
        nonlocal boss
        clock.current = start
        boss = Wa(boss.client, token_for(flask_app, boss.user.token)["access_token"], boss.user)
        ids = []
        for body in bodies:
            created = boss.post(BASE + "/Events", body)
            assert created.status_code == 200, (body, created.get_json())
            ids.append(created.get_json())
        shown = [boss.get(BASE + f"/Events/{i}").get_json() for i in ids]
        clock.current = start + timedelta(days=shift)
        boss = Wa(boss.client, token_for(flask_app, boss.user.token)["access_token"], boss.user)
        today = TODAY + timedelta(days=shift)
        # the description as the service keeps it: sanitized and stripped, searched as its plain
        # text (runs of spaces as one) -- " " is kept as "", "a  b" searched as "a b"
        events = [facts(e, plain_text(e["Details"]["DescriptionHtml"]), today) for e in shown]
        for tree in trees:
            tree = with_ids(tree, ids)
            text = to_filter_text(tree)
            answer = boss.get(BASE + "/Events", query_string={"$filter": text, "idsOnly": "true"})
            assert answer.status_code == 200, (text, answer.get_json())
            found = set(answer.get_json()["EventIdentifiers"]) & set(ids)
            assert found == {e["id"] for e in events if matches(tree, e)}, (text, events)
        for i in ids:  # the next example starts from its own events only
            assert boss.delete(BASE + f"/Events/{i}").status_code == 200

    check()


def test_a_name_no_page_title_can_carry_is_created_again(wa: Any) -> None:
    """Found by the property: "./" makes no page title (nor "./ (n)"), so a second event of that
    name after the first was deleted answered 400 (page registration deleted)."""
    boss = wa("Boss", "event-organizer")
    body = {"Name": "./", "StartDate": "2026-11-23T10:00:00+00:00", "EndDate": "2026-11-23T18:00:00+00:00"}
    first = boss.post(BASE + "/Events", body).get_json()
    assert boss.delete(BASE + f"/Events/{first}").status_code == 200
    again = boss.post(BASE + "/Events", body)
    assert again.status_code == 200, again.get_json()
    # the name is the page title's text: one no title can carry becomes "Event", then "Event (n)"
    assert boss.get(BASE + f"/Events/{again.get_json()}").get_json()["Name"].startswith("Event (")

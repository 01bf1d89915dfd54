"""Participant answers through the API: submitting and reading one's own (reference §1.7, §1.9),
the organizers' ``non_pii_answers`` (§1.13), aggregation and its crash safety (§3.7, issue 4),
the aggregated results route and the date protection of ended events (§1.2 step 9).

Events that must end in a test run tomorrow from 10:00 to 12:00 UTC (the fake clock says 22
November 2026, 12:00 UTC) and end with ``clock.advance(days=2)``; the others are in 2030.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from domain import commands
from domain.answers import ALL_QUESTION_IDS, Answer, unseal
from domain.participants import Participant, participant_id
from tests.api.answers.conftest import SOON
from tests.api.helpers import assert_json, create, error, registration_body, stop_projector

BASE = "/campaignevents/v0/event_registration"
FUTURE_END = "20301231120000"
ABSENT = "<absent>"
AGGREGATED = "This participant's responses have been aggregated and deleted"
TOO_FEW = "This question has received less than 10 total responses."
CONFIDENCE = {
    1: "I have never contributed to a Wikimedia project before",
    2: "I have some experience, but don't feel confident",
    3: "I have some experience, and feel confident contributing, but would like to learn more",
    4: "I am confident that I can contribute without any support",
}
PII_ANSWERS = {"gender": {"value": 4}, "age": {"value": 8}, "profession": {"value": 5}}
PII_TEXTS = ("Non-binary", "85+", "Museum or archive professional", '"gender"', '"age"', '"profession"')


def invalid_answer(name: str) -> dict[str, Any]:
    return error("campaignevents-rest-register-invalid-answer", f"Invalid answer to the question {name}", 400)


ANSWERS_AGGREGATED = error(
    "campaignevents-register-answers-aggregated-error",
    "You cannot provide answers because the ones you already provided have already been aggregated "
    "and deleted.",
    400,
)
NOT_PARTICIPANT = error(
    "campaignevents-rest-get-registration-info-notparticipant",
    "You are not participating in this event.",
    404,
)
EVENT_NOT_FOUND = error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404)
RESULTS_DENIED = error(
    "campaignevents-rest-aggregated-answers-permission-denied",
    "You are not allowed to see the aggregated responses of this event.",
    403,
)
RESULTS_NOT_AVAILABLE = error(
    "campaignevents-rest-aggregated-answers-not-available",
    "The aggregated responses are available once the event has ended and every response has been aggregated.",
    400,
)
DATES_PROTECTED = error(
    "campaignevents-event-dates-cannot-be-changed",
    "The event has ended, so you cannot change the event dates to future dates. This restriction "
    "protects participant data.",
    400,
)


# --- helpers ---------------------------------------------------------------------------------------
def me(event_id: object) -> str:
    return f"{BASE}/{event_id}/participants/self"


def listing(event_id: object, include_private: bool = True) -> str:
    return f"{BASE}/{event_id}/participants?include_private={'true' if include_private else 'false'}"


def results(event_id: object) -> str:
    return f"{BASE}/{event_id}/aggregated_answers"


def register(client: Any, event_id: int, answers: Any = ABSENT, private: bool = False) -> Any:
    body: dict[str, Any] = {"is_private": private}
    if answers is not ABSENT:
        body["answers"] = answers
    return client.put(me(event_id), body)


def registered(client: Any, event_id: int, answers: Any = ABSENT, private: bool = False) -> None:
    resp = register(client, event_id, answers, private)
    assert resp.status_code == 200, resp.get_json()


def own_answers(client: Any, event_id: int) -> Any:
    resp = client.get(me(event_id))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["answers"]


def edit(client: Any, event_id: int, page: str, **overrides: Any) -> Any:
    return client.put(f"{BASE}/{event_id}", registration_body(page, status="open", **overrides))


def non_pii(client: Any, event_id: int, include_private: bool = True) -> dict[str, Any]:
    """``user_name -> non_pii_answers`` (``ABSENT`` when the key is not there)."""
    resp = client.get(listing(event_id, include_private))
    assert resp.status_code == 200, resp.get_json()
    return {e["user_name"]: e.get("non_pii_answers", ABSENT) for e in resp.get_json()}


def shown(confidence: str = "No response", affiliate: str = "No response") -> list[dict[str, Any]]:
    return [{"message": confidence, "questionID": 4}, {"message": affiliate, "questionID": 5}]


def sync(services: Any) -> None:
    """Let the read models reach the head of the log (the aggregation job writes outside a request)."""
    services.written(services.app.recorder.max_notification_id())


def aggregate(services: Any) -> Any:
    report = services.app.aggregate_answers()
    sync(services)
    return report


def counts(services: Any, event_id: int) -> dict[str, int]:
    found: dict[str, int] = dict(services.app.registration(event_id).answer_counts)
    return found


def sealed_history(services: Any, event_id: int, user_id: int) -> list[str]:
    """Every sealed answer set of the participant the event log holds, oldest first."""
    aggregate_id = participant_id(event_id, user_id)
    notifications = services.app.recorder.select_notifications(start=1, limit=100_000)
    facts = [services.app.mapper.to_domain_event(n) for n in notifications]
    return [
        f.sealed
        for f in facts
        if isinstance(f, Participant.AnswersReplaced) and f.originator_id == aggregate_id and f.sealed
    ]


# --- PUT / GET participants/self ------------------------------------------------------------------
def test_new_registration_with_answers_then_identical_resubmissions(bob: Any, far: int) -> None:
    answers = {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "WMDE"}}
    assert_json(register(bob, far, answers), 200, {"modified": True}, ordered=False)
    assert_json(register(bob, far, answers), 200, {"modified": False}, ordered=False)
    # the same set written differently: other key order, placeholders, unknown names
    same = {
        "affiliate": {"value": 1, "other": "WMDE"},
        "age": {"value": 0},
        "nosuch": {"value": 3},
        "gender": {"value": 2},
    }
    assert_json(register(bob, far, same), 200, {"modified": False}, ordered=False)
    assert own_answers(bob, far) == {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "WMDE"}}


@pytest.mark.parametrize(
    "changed",
    [
        {"gender": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}},  # another option
        {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "WMIT"}},  # another text
        {"gender": {"value": 2}, "affiliate": {"value": 1}},  # text dropped
        {"gender": {"value": 2}},  # one answer dropped
        {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "WMDE"}, "age": {"value": 1}},
        {"gender": {"value": 0}, "affiliate": {"value": 1, "other": "WMDE"}},  # withdrawn with 0
    ],
)
def test_changed_answers_are_a_modification_and_replace_the_whole_set(
    bob: Any, far: int, changed: dict[str, Any]
) -> None:
    registered(bob, far, {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "WMDE"}})
    assert_json(register(bob, far, changed), 200, {"modified": True}, ordered=False)
    expected = {name: answer for name, answer in changed.items() if answer["value"] != 0}
    assert own_answers(bob, far) == expected
    assert_json(register(bob, far, changed), 200, {"modified": False}, ordered=False)


@pytest.mark.parametrize("emptied", [ABSENT, None, {}, []])
def test_omitting_answers_deletes_them(bob: Any, far: int, emptied: Any) -> None:
    """Full replacement: no ``answers`` (or null, or an empty object/array) deletes the stored ones."""
    registered(bob, far, {"confidence": {"value": 2}, "age": {"value": 3}})
    assert_json(register(bob, far, emptied), 200, {"modified": True}, ordered=False)
    assert_json(bob.get(me(far)), 200, {"private": False, "answers": []}, ordered=False)
    assert_json(register(bob, far, emptied), 200, {"modified": False}, ordered=False)


def test_no_answers_reads_as_an_empty_array(bob: Any, carol: Any, far: int) -> None:
    """Row #78: ``"answers": []`` (PHP's empty array), also after placeholder-only answers."""
    registered(carol, far, private=True)
    assert_json(carol.get(me(far)), 200, {"private": True, "answers": []}, ordered=False)
    assert_json(
        register(bob, far, {"gender": {"value": 0}, "affiliate": {"value": 0}}),
        200,
        {"modified": True},
        ordered=False,
    )
    assert_json(bob.get(me(far)), 200, {"private": False, "answers": []}, ordered=False)


def test_answers_are_read_back_with_other_text_only_when_given(bob: Any, far: int) -> None:
    registered(bob, far, {"affiliate": {"value": 1, "other": ""}, "profession": {"value": 10}})
    assert_json(
        bob.get(me(far)),
        200,
        {"private": False, "answers": {"profession": {"value": 10}, "affiliate": {"value": 1}}},
        ordered=False,
    )


@pytest.mark.parametrize(
    ("answers", "name"),
    [
        ({"age": {"value": "1"}}, "age"),
        ({"gender": {"value": 1.0}}, "gender"),
        ({"confidence": 3}, "confidence"),
        ({"confidence": "3"}, "confidence"),
        ({"profession": {}}, "profession"),
        ({"affiliate": {"value": 1, "other": 5}}, "affiliate"),
        ({"gender": {"value": 1}, "affiliate": {"value": 7}}, "affiliate"),
    ],
)
def test_an_invalid_answer_changes_nothing(bob: Any, far: int, answers: Any, name: str) -> None:
    registered(bob, far, {"confidence": {"value": 4}})
    assert_json(register(bob, far, answers, private=True), 400, invalid_answer(name), ordered=False)
    assert_json(
        bob.get(me(far)), 200, {"private": False, "answers": {"confidence": {"value": 4}}}, ordered=False
    )


def test_other_text_is_ignored_where_the_option_has_none(bob: Any, far: int) -> None:
    answers = {"affiliate": {"value": 2, "other": 5}, "gender": {"value": 1, "other": "x"}}
    assert_json(register(bob, far, answers), 200, {"modified": True}, ordered=False)
    assert own_answers(bob, far) == {"gender": {"value": 1}, "affiliate": {"value": 2}}


def test_cancelling_and_removal_delete_answers_and_their_keys(
    services: Any, olga: Any, bob: Any, carol: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 1}})
    registered(carol, far, {"confidence": {"value": 2}})
    assert services.keys.get(far, bob.user.user_id) is not None
    assert services.keys.get(far, carol.user.user_id) is not None
    assert_json(bob.delete(me(far)), 200, {"modified": True}, ordered=False)
    resp = olga.delete(f"{BASE}/{far}/participants", {"user_ids": [carol.user.user_id]})
    assert_json(resp, 200, {"public": 1, "private": 0}, ordered=False)
    assert services.keys.get(far, bob.user.user_id) is None
    assert services.keys.get(far, carol.user.user_id) is None
    registered(bob, far)
    registered(carol, far)
    assert own_answers(bob, far) == own_answers(carol, far) == []
    assert non_pii(olga, far) == {"Bob": shown(), "Carol": shown()}
    assert aggregate(services).participants == 0


# --- non_pii_answers ---------------------------------------------------------------------------------
def test_non_pii_answers_for_the_organizer(olga: Any, people: Any, far: int) -> None:
    registered(people("Bob"), far, {"confidence": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}})
    registered(people("Carol"), far, {"affiliate": {"value": 1}}, private=True)
    registered(people("Dora"), far, {"affiliate": {"value": 2}, "confidence": {"value": 0}})
    registered(people("Evan"), far, PII_ANSWERS)
    registered(people("Finn"), far)
    assert non_pii(olga, far) == {
        "Bob": shown(CONFIDENCE[3], "Yes: WMDE"),
        "Carol": shown(affiliate="Yes"),
        "Dora": shown(affiliate="No"),
        "Evan": shown(),
        "Finn": shown(),
    }
    assert non_pii(olga, far, include_private=False) == {
        "Bob": shown(CONFIDENCE[3], "Yes: WMDE"),
        "Dora": shown(affiliate="No"),
        "Evan": shown(),
        "Finn": shown(),
    }


def test_non_pii_answers_follow_changes(olga: Any, bob: Any, far: int) -> None:
    registered(bob, far, {"confidence": {"value": 1}})
    assert non_pii(olga, far) == {"Bob": shown(CONFIDENCE[1])}
    registered(bob, far, {"affiliate": {"value": 1, "other": "Wikimedia Italia"}})
    assert non_pii(olga, far) == {"Bob": shown(affiliate="Yes: Wikimedia Italia")}
    registered(bob, far)
    assert non_pii(olga, far) == {"Bob": shown()}


def test_non_pii_answers_are_for_organizers_only(
    api: Any, people: Any, olga: Any, bob: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}})
    sysop = people("Sam", "sysop")  # sees private participants, but is no organizer of this event
    other_organizer = people("Otto", "event-organizer")
    for viewer in (api(), bob, sysop, other_organizer):
        assert non_pii(viewer, far, include_private=viewer is sysop) == {"Bob": ABSENT}
    assert non_pii(olga, far, include_private=False) == {"Bob": shown(CONFIDENCE[3], "Yes: WMDE")}


def test_non_pii_answers_are_not_shown_once_the_event_has_ended(
    clock: Any, olga: Any, bob: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 3}})
    assert non_pii(olga, soon) == {"Bob": shown(CONFIDENCE[3])}
    clock.advance(days=2)
    assert non_pii(olga, soon) == {"Bob": ABSENT}


def test_pii_answers_are_never_shown_to_anyone_but_their_author(
    api: Any, services: Any, people: Any, olga: Any, bob: Any, carol: Any, far: int, soon: int
) -> None:
    registered(bob, far, PII_ANSWERS | {"affiliate": {"value": 1, "other": "WMDE"}})
    registered(bob, soon, PII_ANSWERS)
    registered(carol, far, PII_ANSWERS, private=True)
    assert own_answers(bob, far)["gender"] == {"value": 4}
    sysop = people("Sam", "sysop")
    paths = [
        listing(far),
        listing(far, include_private=False),
        listing(soon),
        f"{BASE}/{far}",
        f"{BASE}/{far}/history",
        f"{BASE}/{far}/organizers",
        f"/campaignevents/v0/participant/{bob.user.user_id}/event_registrations",
    ]
    for viewer in (olga, sysop, carol, api()):
        for path in paths:
            body = viewer.get(path).get_data(as_text=True)
            for secret in PII_TEXTS:
                assert secret not in body, (viewer.user, path, secret)
    assert non_pii(olga, far)["Bob"] == shown(affiliate="Yes: WMDE")  # answers are in the listing
    assert carol.get(me(far)).get_json()["answers"] == PII_ANSWERS


# --- aggregation -----------------------------------------------------------------------------------
def test_aggregation_when_the_event_has_ended(
    services: Any, clock: Any, olga: Any, bob: Any, carol: Any, soon: int
) -> None:
    registered(bob, soon, {"gender": {"value": 2}, "confidence": {"value": 3}, "affiliate": {"value": 1}})
    registered(carol, soon, {"confidence": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}})
    clock.advance(hours=23)  # started, not ended: nothing is due yet (answers are a day old)
    assert aggregate(services).participants == 0
    assert own_answers(bob, soon) != []
    clock.advance(hours=25)
    report = aggregate(services)
    assert (report.participants, report.events, report.keys_destroyed) == (2, 1, 0)
    assert counts(services, soon) == {"1:2": 1, "4:3": 2, "5:1": 2}
    for client in (bob, carol):
        assert_json(client.get(me(soon)), 200, {"private": False, "answers": []}, ordered=False)
        assert services.keys.get(soon, client.user.user_id) is None
        assert_json(
            register(client, soon, {"confidence": {"value": 1}}), 400, ANSWERS_AGGREGATED, ordered=False
        )
        assert_json(
            register(client, soon), 200, {"modified": False}, ordered=False
        )  # without answers it still works


def test_aggregation_after_ninety_days(
    services: Any, clock: Any, olga: Any, bob: Any, carol: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 2}, "age": {"value": 1}})
    clock.advance(days=50)
    registered(carol, far, {"confidence": {"value": 2}})
    clock.advance(days=39)  # Bob's answers are 89 days old
    assert aggregate(services).participants == 0
    assert own_answers(bob, far) == {"age": {"value": 1}, "confidence": {"value": 2}}
    clock.advance(days=2)  # 91 days for Bob, 41 for Carol
    assert aggregate(services).participants == 1
    assert counts(services, far) == {"2:1": 1, "4:2": 1}
    assert own_answers(bob, far) == []
    assert own_answers(carol, far) == {"confidence": {"value": 2}}
    assert services.keys.get(far, bob.user.user_id) is None
    assert services.keys.get(far, carol.user.user_id) is not None
    assert non_pii(olga, far) == {"Bob": AGGREGATED, "Carol": shown(CONFIDENCE[2])}
    assert_json(register(bob, far, {"confidence": {"value": 1}}), 400, ANSWERS_AGGREGATED, ordered=False)
    assert_json(register(carol, far, {"confidence": {"value": 1}}), 200, {"modified": True}, ordered=False)
    clock.advance(days=50)  # Carol's first answer is now 91 days old, though she edited it since
    assert aggregate(services).participants == 1
    assert counts(services, far) == {"2:1": 1, "4:1": 1, "4:2": 1}
    assert non_pii(olga, far) == {"Bob": AGGREGATED, "Carol": AGGREGATED}


def test_the_first_answer_time_is_that_of_the_first_answer_not_of_the_registration(
    services: Any, clock: Any, bob: Any, far: int
) -> None:
    registered(bob, far)
    clock.advance(days=30)
    registered(bob, far, {"confidence": {"value": 2}})
    clock.advance(days=61)  # 91 days registered, 61 since the first answer
    assert aggregate(services).participants == 0
    clock.advance(days=30)
    assert aggregate(services).participants == 1


def test_cancelling_resets_the_first_answer_time(services: Any, clock: Any, bob: Any, far: int) -> None:
    registered(bob, far, {"confidence": {"value": 2}})
    clock.advance(days=10)
    assert_json(bob.delete(me(far)), 200, {"modified": True}, ordered=False)
    clock.advance(days=10)
    registered(bob, far, {"confidence": {"value": 3}})
    clock.advance(days=71)  # 91 days since the first answer ever, 71 since the current one
    assert aggregate(services).participants == 0
    clock.advance(days=20)
    assert aggregate(services).participants == 1
    assert counts(services, far) == {"4:3": 1}


def test_totals_are_per_event(
    services: Any, clock: Any, olga: Any, bob: Any, carol: Any, far: int, soon: int
) -> None:
    registered(bob, far, {"confidence": {"value": 1}})
    registered(bob, soon, {"confidence": {"value": 4}, "affiliate": {"value": 2}})
    registered(carol, soon, {"confidence": {"value": 4}})
    clock.advance(days=2)
    report = aggregate(services)
    assert (report.participants, report.events) == (2, 1)
    assert counts(services, soon) == {"4:4": 2, "5:2": 1}
    assert counts(services, far) == {}
    assert own_answers(bob, far) == {"confidence": {"value": 1}}


def test_aggregating_twice_changes_nothing(
    services: Any, clock: Any, bob: Any, carol: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}, "gender": {"value": 2}})
    registered(carol, soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    first = aggregate(services)
    totals = counts(services, soon)
    assert (first.participants, totals) == (2, {"1:2": 1, "4:1": 2})
    second = aggregate(services)
    assert (second.participants, second.events, second.keys_destroyed) == (0, 0, 0)
    assert counts(services, soon) == totals
    clock.advance(days=100)
    assert aggregate(services).participants == 0
    assert counts(services, soon) == totals


def test_aggregating_twice_while_the_read_models_lag(
    services: Any, clock: Any, bob: Any, carol: Any, soon: int
) -> None:
    """The second run reads a stale due list that still names both participants: it must count and
    stamp nobody again."""
    registered(bob, soon, {"confidence": {"value": 1}})
    registered(carol, soon, {"confidence": {"value": 1}, "affiliate": {"value": 2}})
    clock.advance(days=2)
    stop_projector(services)
    first = services.app.aggregate_answers()
    second = services.app.aggregate_answers()
    assert (first.participants, second.participants) == (2, 0)
    assert counts(services, soon) == {"4:1": 2, "5:2": 1}
    registration = services.app.registration(soon)  # one batch fact stamped both: no fact of their own
    participants = [services.app.participant(soon, c.user.user_id) for c in (bob, carol)]
    assert [p.aggregated_at for p in participants] == [None, None]
    assert [p.answers_aggregated(registration) for p in participants] == [True, True]
    assert services.keys.get(soon, bob.user.user_id) is None


def test_a_crash_between_the_save_and_the_key_destruction(
    services: Any, clock: Any, monkeypatch: pytest.MonkeyPatch, bob: Any, carol: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}, "affiliate": {"value": 1, "other": "WMDE"}})
    registered(carol, soon, {"confidence": {"value": 2}})
    clock.advance(days=2)
    spend = services.keys.spend_keys
    calls: list[tuple[int, list[int]]] = []

    def crash_once(event_id: int, user_ids: list[int], use: Any) -> None:
        calls.append((event_id, user_ids))

        def use_then_die(held: Any) -> Any:
            spent = use(held)  # the fact is committed here; the keys' deletion is not
            if len(calls) == 1:
                raise RuntimeError("worker killed")
            return spent

        spend(event_id, user_ids, use_then_die)

    monkeypatch.setattr(services.keys, "spend_keys", crash_once)
    with pytest.raises(RuntimeError, match="worker killed"):
        services.app.aggregate_answers()
    sync(services)
    expected = {"4:1": 1, "4:2": 1, "5:1": 1}
    assert counts(services, soon) == expected  # counted and stamped in the same save
    assert services.keys.get(soon, bob.user.user_id) is not None  # the keys were not destroyed yet
    assert services.keys.get(soon, carol.user.user_id) is not None
    report = aggregate(services)
    assert (report.participants, report.keys_destroyed) == (0, 2)
    assert counts(services, soon) == expected
    assert services.keys.get(soon, bob.user.user_id) is None
    assert services.keys.get(soon, carol.user.user_id) is None
    assert own_answers(bob, soon) == own_answers(carol, soon) == []
    assert_json(register(bob, soon, {"confidence": {"value": 1}}), 400, ANSWERS_AGGREGATED, ordered=False)


def test_one_run_aggregates_every_due_participant_beyond_one_batch(
    services: Any, clock: Any, people: Any, soon: int
) -> None:
    for i in range(3):
        registered(people(f"P{i}"), soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    # as in production: the projector is another process, behind the worker's own writes
    stop_projector(services)
    report = services.app.aggregate_answers(batch=1)
    assert (report.participants, report.events) == (3, 1)
    assert counts(services, soon) == {"4:1": 3}


def test_a_spent_key_is_destroyed_but_a_live_one_is_kept(
    services: Any, clock: Any, bob: Any, carol: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 1}})
    clock.advance(days=60)
    registered(carol, far, {"confidence": {"value": 2}})
    clock.advance(days=31)
    assert services.app.destroy_spent_keys() == 0
    assert aggregate(services).participants == 1
    assert services.app.destroy_spent_keys() == 0
    assert services.keys.get(far, bob.user.user_id) is None
    assert services.keys.get(far, carol.user.user_id) is not None
    assert own_answers(carol, far) == {"confidence": {"value": 2}}


def test_the_end_is_exclusive(services: Any, clock: Any, olga: Any, bob: Any, soon: int) -> None:
    """§0.7: past means end_utc < now; at the very end instant the event has not ended yet."""
    registered(bob, soon, {"confidence": {"value": 3}})
    clock.advance(hours=24)  # 23 November 2026, 12:00:00 UTC: the end itself
    assert non_pii(olga, soon) == {"Bob": shown(CONFIDENCE[3])}
    assert aggregate(services).participants == 0
    assert_json(olga.get(results(soon)), 400, RESULTS_NOT_AVAILABLE, ordered=False)
    clock.advance(seconds=1)
    assert non_pii(olga, soon) == {"Bob": ABSENT}
    assert aggregate(services).participants == 1
    assert olga.get(results(soon)).status_code == 200


def test_the_end_is_read_in_utc(services: Any, clock: Any, olga: Any, bob: Any) -> None:
    """An event ending at 15:00 local time in +05:30 ends at 09:30 UTC."""
    event = create(
        olga, "Event:Kolkata", timezone="+05:30", start_time="20261123100000", end_time="20261123150000"
    )
    registered(bob, event, {"confidence": {"value": 2}})
    clock.advance(hours=21, minutes=29)  # 09:29 UTC
    assert non_pii(olga, event) == {"Bob": shown(CONFIDENCE[2])}
    assert aggregate(services).participants == 0
    clock.advance(minutes=2)  # 09:31 UTC, 15:01 local
    assert non_pii(olga, event) == {"Bob": ABSENT}
    assert aggregate(services).participants == 1


def test_answers_after_aggregation_and_the_cancel_and_reregister_quirk(
    services: Any, clock: Any, olga: Any, bob: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 3}})
    clock.advance(days=91)
    aggregate(services)
    assert_json(register(bob, far, {"confidence": {"value": 3}}), 400, ANSWERS_AGGREGATED, ordered=False)
    assert_json(
        register(bob, far, {"confidence": {"value": 3}}, private=True), 400, ANSWERS_AGGREGATED, ordered=False
    )
    assert_json(
        bob.get(me(far)), 200, {"private": False, "answers": []}, ordered=False
    )  # the refused PUT changed nothing
    # the malformed-answer check comes first; placeholders and unknown names are no answers
    assert_json(
        register(bob, far, {"confidence": {"value": "3"}}), 400, invalid_answer("confidence"), ordered=False
    )
    assert_json(
        register(bob, far, {"confidence": {"value": 0}, "nosuch": {"value": 1}}),
        200,
        {"modified": False},
        ordered=False,
    )
    # cancelling alone does not clear the stamp: coming back *with* answers is refused
    assert_json(bob.delete(me(far)), 200, {"modified": True}, ordered=False)
    assert_json(register(bob, far, {"confidence": {"value": 1}}), 400, ANSWERS_AGGREGATED, ordered=False)
    assert_json(bob.get(me(far)), 404, NOT_PARTICIPANT, ordered=False)
    # coming back without answers clears it; then answers are accepted again
    assert_json(register(bob, far), 200, {"modified": True}, ordered=False)
    assert non_pii(olga, far) == {"Bob": shown()}
    assert_json(register(bob, far, {"confidence": {"value": 1}}), 200, {"modified": True}, ordered=False)
    assert own_answers(bob, far) == {"confidence": {"value": 1}}
    assert non_pii(olga, far) == {"Bob": shown(CONFIDENCE[1])}
    clock.advance(days=91)
    assert aggregate(services).participants == 1
    assert counts(services, far) == {"4:1": 1, "4:3": 1}


# --- the deleted stays deleted -------------------------------------------------------------------------
def test_withdrawn_answers_cannot_be_recovered_from_the_log(services: Any, bob: Any, far: int) -> None:
    registered(bob, far, {"gender": {"value": 4}})
    registered(bob, far)
    (withdrawn,) = sealed_history(services, far, bob.user.user_id)
    key = services.keys.get(far, bob.user.user_id)
    if key is not None:
        with pytest.raises(InvalidTag):
            unseal(withdrawn, key)
    assert key is None


def test_replaced_answers_cannot_be_recovered_from_the_log(services: Any, bob: Any, far: int) -> None:
    """Every answer set has its own key; replacing the set destroys the old key."""
    registered(bob, far, {"gender": {"value": 4}})
    registered(bob, far, {"gender": {"value": 2}})
    replaced, current = sealed_history(services, far, bob.user.user_id)
    replaced_key_id, _, replaced_ciphertext = replaced.partition(".")
    assert services.keys.get(far, bob.user.user_id, replaced_key_id) is None
    assert services.app.unseal_for(far, bob.user.user_id, replaced) == {}
    assert services.app.unseal_for(far, bob.user.user_id, current) == {1: Answer(1, 2)}
    with pytest.raises(InvalidTag):  # nor does the live key open it
        unseal(replaced_ciphertext, services.keys.get(far, bob.user.user_id))


def test_answers_submitted_during_the_key_sweep_are_not_lost(
    services: Any, monkeypatch: pytest.MonkeyPatch, clock: Any, bob: Any, far: int
) -> None:
    registered(bob, far, {"confidence": {"value": 1}})
    destroy = services.keys.destroy
    monkeypatch.setattr(services.keys, "destroy", lambda *a, **k: None)  # crash before the key went
    registered(bob, far)  # withdrawn: Bob holds a stale key and no answers
    monkeypatch.setattr(services.keys, "destroy", destroy)
    clock.advance(minutes=11)  # the stale key is now older than the sweep's grace period
    destroy_key = services.keys.destroy_key

    def answers_arrive_first(event_id: int, user_id: int, key_id: str) -> None:
        if (event_id, user_id) == (far, bob.user.user_id):  # Bob's PUT lands between check and delete
            cmd = commands.RegisterParticipant(user_id, far, False, {"confidence": {"value": 3}})
            services.app.register_participant(cmd)
        destroy_key(event_id, user_id, key_id)

    monkeypatch.setattr(services.keys, "destroy_key", answers_arrive_first)
    assert services.app.destroy_spent_keys() == 1  # the stale key, not the new one
    sync(services)
    assert own_answers(bob, far) == {"confidence": {"value": 3}}


# --- GET aggregated_answers ----------------------------------------------------------------------------
GENDER = ["Man", "Woman", "Agender", "Non-binary", "Gender not listed"]
PROFESSIONS = [
    "Artist/creative professional",
    "Educator",
    "Librarian",
    "Mass media professional",
    "Museum or archive professional",
    "Non-profit professional",
    "Researcher",
    "Software engineer",
    "Student",
    "Profession not listed",
]
LABELS = {
    1: ("gender", "What is your gender identity? (optional)"),
    2: ("age", "What is your age? (optional)"),
    3: ("profession", "What is your profession? (optional)"),
    4: (
        "confidence",
        "How confident do you feel contributing to the Wikimedia projects involved in this event? (optional)",
    ),
    5: (
        "affiliate",
        "Do you belong to any Wikimedia affiliates (chapters, user groups, thematic organizations)? "
        "(optional)",
    ),
}


def question(
    question_id: int, total: int | None = None, option_counts: list[tuple[str, int | str]] | None = None
) -> dict[str, Any]:
    """One question of the results: the "too few" message, or the exact total and shown counts."""
    name, label = LABELS[question_id]
    entry: dict[str, Any] = {"questionID": question_id, "name": name, "label": label}
    if option_counts is None:
        entry["message"] = TOO_FEW
        return entry
    entry["total"] = total
    entry["options"] = [
        {"value": value, "label": text, "count": n} for value, (text, n) in enumerate(option_counts, start=1)
    ]
    return entry


def twelve_answer_sets() -> list[dict[str, Any]]:
    """12 participants. confidence: 6×1, 5×2, 1×3 (12); gender: 5×2, 4×1, 1×3, 2 placeholders (10);
    profession: 11×9, 1 placeholder (11); affiliate: 9 answers (too few); age: none."""
    confidence = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]
    gender = [2, 2, 2, 2, 2, 1, 1, 1, 1, 3, 0, 0]
    sets: list[dict[str, Any]] = []
    for i in range(12):
        answers: dict[str, Any] = {
            "confidence": {"value": confidence[i]},
            "gender": {"value": gender[i]},
            "profession": {"value": 9 if i < 11 else 0},
        }
        if i < 9:
            answers["affiliate"] = {"value": 1, "other": f"Chapter {i}"} if i < 3 else {"value": 2}
        sets.append(answers)
    return sets


def test_aggregated_answers_with_small_counts_hidden(
    services: Any, clock: Any, olga: Any, people: Any, soon: int
) -> None:
    for i, answers in enumerate(twelve_answer_sets()):
        registered(people(f"P{i:02d}"), soon, answers, private=i % 4 == 0)
    clock.advance(days=2)
    assert aggregate(services).participants == 12
    expected = {
        "event_id": soon,
        "questions": [
            question(
                1, 10, [("Man", "1-4"), ("Woman", 5), ("Agender", "1-4"), (GENDER[3], 0), (GENDER[4], 0)]
            ),
            question(2),
            question(3, 11, [(p, 11 if p == "Student" else 0) for p in PROFESSIONS]),
            question(
                4, 12, [(CONFIDENCE[1], 6), (CONFIDENCE[2], 5), (CONFIDENCE[3], "1-4"), (CONFIDENCE[4], 0)]
            ),
            question(5),
        ],
    }
    assert_json(olga.get(results(soon)), 200, expected, ordered=False)
    assert counts(services, soon) == {
        "1:1": 4,
        "1:2": 5,
        "1:3": 1,
        "3:9": 11,
        "4:1": 6,
        "4:2": 5,
        "4:3": 1,
        "5:1": 3,
        "5:2": 6,
    }


def test_aggregated_answers_boundaries(services: Any, clock: Any, olga: Any, people: Any, soon: int) -> None:
    """A question with 9 answers is hidden, with 10 shown; an option with 4 is a range, 5 a number."""
    for i in range(10):
        answers = {"confidence": {"value": 1 if i < 5 else 2}}
        if i < 9:
            answers["affiliate"] = {"value": 1 if i < 4 else 2}
        registered(people(f"P{i:02d}"), soon, answers)
    clock.advance(days=2)
    aggregate(services)
    body = olga.get(results(soon)).get_json()
    by_id = {q["questionID"]: q for q in body["questions"]}
    assert by_id[5] == question(5)
    assert by_id[4]["total"] == 10
    assert [o["count"] for o in by_id[4]["options"]] == [5, 5, 0, 0]
    assert [by_id[q].get("message") for q in (1, 2, 3)] == [TOO_FEW] * 3


def test_aggregated_answers_of_an_event_without_answers(clock: Any, olga: Any, bob: Any, soon: int) -> None:
    registered(bob, soon)
    clock.advance(days=2)
    assert_json(
        olga.get(results(soon)),
        200,
        {"event_id": soon, "questions": [question(q) for q in ALL_QUESTION_IDS]},
        ordered=False,
    )


def test_aggregated_answers_availability(
    services: Any, clock: Any, olga: Any, bob: Any, soon: int, far: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    registered(bob, far, {"confidence": {"value": 1}})
    assert_json(olga.get(results(soon)), 400, RESULTS_NOT_AVAILABLE, ordered=False)  # not ended
    clock.advance(days=2)
    assert_json(
        olga.get(results(soon)), 400, RESULTS_NOT_AVAILABLE, ordered=False
    )  # ended, answers not aggregated yet
    aggregate(services)
    assert olga.get(results(soon)).status_code == 200
    clock.advance(days=90)
    aggregate(services)
    assert own_answers(bob, far) == []
    assert_json(
        olga.get(results(far)), 400, RESULTS_NOT_AVAILABLE, ordered=False
    )  # all aggregated, but not ended


def test_aggregated_answers_permissions(
    api: Any, services: Any, clock: Any, people: Any, olga: Any, bob: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    viewers = [api(), bob, people("Sam", "sysop"), people("Otto", "event-organizer")]
    for viewer in viewers:  # permission comes before availability
        assert_json(viewer.get(results(soon)), 403, RESULTS_DENIED, ordered=False)
    clock.advance(days=2)
    aggregate(services)
    for viewer in viewers:
        assert_json(viewer.get(results(soon)), 403, RESULTS_DENIED, ordered=False)
    assert olga.get(results(soon)).status_code == 200
    assert_json(olga.get(results(999999)), 404, EVENT_NOT_FOUND, ordered=False)
    # a second organizer may read them too
    otto = people("Otto", "event-organizer")
    resp = olga.put(f"{BASE}/{soon}/organizers", {"organizer_usernames": ["Olga", "Otto"]})
    assert resp.status_code == 204, resp.get_json()
    assert otto.get(results(soon)).status_code == 200


# --- date protection (§1.2 step 9) ------------------------------------------------------------------
def test_ended_event_with_stored_answers_cannot_move_its_end_into_the_future(
    clock: Any, olga: Any, bob: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    assert_json(
        edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END})),
        400,
        DATES_PROTECTED,
        ordered=False,
    )
    assert olga.get(f"{BASE}/{soon}").get_json()["end_time"] == SOON["end_time"]
    resp = edit(olga, soon, "Event:Soon", **(SOON | {"end_time": "20261123150000"}))  # still past
    assert resp.status_code == 204, resp.get_json()
    resp = edit(olga, soon, "Event:Soon", **SOON)  # same dates
    assert resp.status_code == 204, resp.get_json()


def test_ended_event_with_aggregated_answers_cannot_move_its_end_into_the_future(
    services: Any, clock: Any, olga: Any, bob: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    aggregate(services)
    assert own_answers(bob, soon) == []
    assert_json(
        edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END})),
        400,
        DATES_PROTECTED,
        ordered=False,
    )
    assert_json(
        edit(olga, soon, "Event:Soon", timezone="UTC", start_time=FUTURE_END, end_time=FUTURE_END),
        400,
        DATES_PROTECTED,
        ordered=False,
    )
    resp = edit(olga, soon, "Event:Soon", **(SOON | {"start_time": "20261122100000"}))
    assert resp.status_code == 204, resp.get_json()


@pytest.mark.parametrize("history", ["never-answered", "answers-withdrawn", "cancelled", "removed"])
def test_ended_event_without_answers_may_move_its_end_into_the_future(
    clock: Any, olga: Any, bob: Any, soon: int, history: str
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}} if history != "never-answered" else ABSENT)
    if history == "answers-withdrawn":
        registered(bob, soon)
    elif history == "cancelled":
        assert_json(bob.delete(me(soon)), 200, {"modified": True}, ordered=False)
    elif history == "removed":
        assert_json(
            olga.delete(f"{BASE}/{soon}/participants", {"user_ids": None}),
            200,
            {"public": 1, "private": 0},
            ordered=False,
        )
    clock.advance(days=2)
    resp = edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END}))
    assert resp.status_code == 204, resp.get_json()
    assert olga.get(f"{BASE}/{soon}").get_json()["end_time"] == FUTURE_END


def test_an_event_that_has_not_ended_may_move_its_end_despite_answers(olga: Any, bob: Any, soon: int) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    resp = edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END}))
    assert resp.status_code == 204, resp.get_json()


def test_date_protection_comes_after_the_permission_and_deleted_checks(
    clock: Any, olga: Any, bob: Any, soon: int
) -> None:
    """§1.2: permission (step 5) and deleted (step 7) are checked before the dates (step 9)."""
    registered(bob, soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    denied = error(
        "campaignevents-edit-not-allowed-registration",
        "You are not allowed to edit this event registration.",
        403,
    )
    assert_json(
        edit(bob, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END})), 403, denied, ordered=False
    )
    resp = olga.delete(f"{BASE}/{soon}")
    assert resp.status_code == 204, resp.get_json()
    deleted = error("campaignevents-edit-registration-deleted", "This event registration was deleted.", 400)
    assert_json(
        edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END})), 400, deleted, ordered=False
    )


def test_date_protection_counts_answers_of_any_participant(
    services: Any, clock: Any, olga: Any, bob: Any, carol: Any, soon: int
) -> None:
    """Bob's answers were aggregated and Bob left; the event's totals still protect its dates."""
    registered(bob, soon, {"confidence": {"value": 1}})
    registered(carol, soon)
    clock.advance(days=2)
    aggregate(services)
    assert_json(bob.delete(me(soon)), 200, {"modified": True}, ordered=False)
    assert_json(
        edit(olga, soon, "Event:Soon", **(SOON | {"end_time": FUTURE_END})),
        400,
        DATES_PROTECTED,
        ordered=False,
    )

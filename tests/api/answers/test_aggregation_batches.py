"""Aggregation in batches (issue 12 item 7): one fact on the registration per batch of participants,
the answers read in bulk from the read side, the keys destroyed after the fact is committed. Against
real SQLite and PostgreSQL stores; the helpers are test_answers_api's, the fixtures this package's
conftest."""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands, errors
from domain.aggregation import AnswersAggregated
from domain.participants import Participant, participant_id
from domain.registration import EventRegistration, registration_id
from projections.replay import verify
from tests.api.answers.test_answers_api import (
    AGGREGATED,
    ANSWERS_AGGREGATED,
    aggregate,
    counts,
    non_pii,
    own_answers,
    register,
    registered,
    results,
    sync,
)
from tests.api.helpers import assert_json, stop_projector


@pytest.fixture
def services(services_on_both: Any) -> Any:
    """Each test on SQLite and on PostgreSQL: the key store's batch reads, deletes and lock differ."""
    return services_on_both


def facts_of(services: Any, aggregate_id: Any) -> list[Any]:
    return list(services.app.events.get(aggregate_id))


def batches(services: Any, event_id: int) -> list[Any]:
    return [f for f in facts_of(services, registration_id(event_id)) if isinstance(f, AnswersAggregated)]


def rows(services: Any, event_id: int) -> dict[str, tuple[bool, bool]]:
    """The read side's participants: user name -> (aggregated, answers still sealed there)."""
    listed = services.views.participants(event_id, include_private=True, include_inactive=True)
    return {r.user_name: (r.aggregated, r.answers_sealed is not None) for r in listed}


def user(client: Any) -> int:
    return int(client.user.user_id)


def crash_once(services: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The worker dies after the batch's fact is committed, before its keys are destroyed (the key
    store's transaction is rolled back)."""
    spend = services.keys.spend_keys
    calls: list[Any] = []

    def dying(event_id: int, user_ids: list[int], use: Any) -> None:
        calls.append((event_id, list(user_ids)))

        def use_then_die(held: Any) -> Any:
            spent = use(held)
            if len(calls) == 1:
                raise RuntimeError("worker killed")
            return spent

        spend(event_id, user_ids, use_then_die)

    monkeypatch.setattr(services.keys, "spend_keys", dying)
    return calls


def test_one_fact_per_batch_counts_right_and_destroys_the_keys(
    services: Any, clock: Any, people: Any, olga: Any, soon: int
) -> None:
    answers = [
        {"confidence": {"value": 1}, "gender": {"value": 2}},
        {"confidence": {"value": 1}, "affiliate": {"value": 1, "other": "WMDE"}},
        {"confidence": {"value": 3}},
    ]
    clients = [people(f"P{n}") for n in range(3)]
    for client, given in zip(clients, answers, strict=True):
        registered(client, soon, given)
    registered(people("Quiet"), soon)  # no answers: nothing to count
    clock.advance(days=2)
    report = services.app.aggregate_answers(batch=2)
    sync(services)
    assert (report.participants, report.events) == (3, 1)
    assert counts(services, soon) == {"1:2": 1, "4:1": 2, "4:3": 1, "5:1": 1}
    found = batches(services, soon)
    stamped = [[p["user_id"] for p in f.participants] for f in found]
    assert stamped == [[user(c) for c in clients[:2]], [user(clients[2])]]
    assert [f.performed_by for f in found] == [None, None]
    kinds = {type(f) for f in facts_of(services, registration_id(soon))}
    assert EventRegistration.AnswersCounted not in kinds
    for client in clients:  # no fact of the participant's own
        facts = facts_of(services, participant_id(soon, user(client)))
        assert Participant.AnswersAggregated not in {type(f) for f in facts}
        assert own_answers(client, soon) == []
    assert services.keys.holders(None, 100) == []
    done = (True, False)
    assert rows(services, soon) == {"P0": done, "P1": done, "P2": done, "Quiet": (False, False)}
    assert not services.app.participant_directory().has_answers(soon)
    assert olga.get(results(soon)).status_code == 200  # every answer aggregated: the totals are out
    assert services.app.aggregate_answers().participants == 0


def test_a_crash_between_the_fact_and_the_key_deletion_then_a_retry_on_a_lagging_read_side(
    services: Any, clock: Any, monkeypatch: pytest.MonkeyPatch, bob: Any, carol: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}, "affiliate": {"value": 1, "other": "WMDE"}})
    registered(carol, soon, {"confidence": {"value": 2}})
    clock.advance(days=2)
    calls = crash_once(services, monkeypatch)
    stop_projector(services)  # the retry reads the same due list: both still listed with answers
    with pytest.raises(RuntimeError, match="worker killed"):
        services.app.aggregate_answers()
    expected = {"4:1": 1, "4:2": 1, "5:1": 1}
    assert counts(services, soon) == expected
    assert services.keys.get(soon, user(bob)) is not None  # the keys were not destroyed yet
    # the stamp alone protects the answers now: none to read, none to change
    app = services.app
    assert app.answers_of(app.participant(soon, user(bob))) == {}
    with pytest.raises(errors.AnswersAggregated):
        app.register_participant(
            commands.RegisterParticipant(user(bob), soon, False, {"confidence": {"value": 3}})
        )
    report = app.aggregate_answers()
    assert report.participants == 0  # counted nobody twice
    assert counts(services, soon) == expected and len(batches(services, soon)) == 1
    assert services.keys.get(soon, user(bob)) is None and services.keys.get(soon, user(carol)) is None
    assert len(calls) == 2 and len(batches(services, soon)) == 1  # the retry wrote no second fact


def test_a_crash_then_a_retry_on_a_caught_up_read_side_leaves_the_keys_to_the_sweep(
    services: Any, clock: Any, monkeypatch: pytest.MonkeyPatch, bob: Any, carol: Any, olga: Any, soon: int
) -> None:
    registered(bob, soon, {"confidence": {"value": 1}})
    registered(carol, soon, {"confidence": {"value": 2}})
    clock.advance(days=2)
    crash_once(services, monkeypatch)
    with pytest.raises(RuntimeError, match="worker killed"):
        services.app.aggregate_answers()
    sync(services)
    assert rows(services, soon) == {"Bob": (True, False), "Carol": (True, False)}
    report = aggregate(services)
    assert (report.participants, report.keys_destroyed) == (0, 2)
    assert services.keys.holders(None, 100) == []
    assert counts(services, soon) == {"4:1": 1, "4:2": 1}


@pytest.mark.parametrize(
    "path",
    ["v0 with answers", "v0 without answers", "v0 withdrawing answers", "Wild Apricot", "Invision"],
)
def test_no_path_changes_answers_once_a_batch_stamped_them(
    services: Any, clock: Any, monkeypatch: pytest.MonkeyPatch, bob: Any, olga: Any, far: int, path: str
) -> None:
    """Between the fact and the key deletion (here: forever, the worker died) the answers are still
    sealed in the participant's log and their key is still there: only the stamp protects them.
    Wild Apricot's and Invision's registrations send no answers (``None``): as v0 without any, they
    would withdraw a participant's answers."""
    registered(bob, far, {"confidence": {"value": 2}})
    clock.advance(days=91)
    crash_once(services, monkeypatch)
    with pytest.raises(RuntimeError):
        services.app.aggregate_answers()
    sync(services)
    app, uid = services.app, user(bob)
    version = app.participant(far, uid).version
    given: Any = {
        "v0 with answers": {"confidence": {"value": 3}},
        "v0 without answers": {},
        "v0 withdrawing answers": {"confidence": {"value": 0}},
        "Wild Apricot": None,
        "Invision": None,
    }[path]
    caller = app.account(uid) if path == "Wild Apricot" else None
    cmd = commands.RegisterParticipant(uid, far, False, given, caller=caller)
    if path == "v0 with answers":
        with pytest.raises(errors.AnswersAggregated):
            app.register_participant(cmd)
        assert_json(register(bob, far, given), 400, ANSWERS_AGGREGATED, ordered=False)
    else:
        assert app.register_participant(cmd).modified is False
    assert app.participant(far, uid).version == version  # no fact recorded
    assert counts(services, far) == {"4:2": 1}
    assert own_answers(bob, far) == []
    assert non_pii(olga, far) == {"Bob": AGGREGATED}


def test_an_answer_edit_racing_a_batch_is_refused_after_all(
    services: Any, clock: Any, monkeypatch: pytest.MonkeyPatch, bob: Any, olga: Any, soon: int
) -> None:
    """The edit checked the registration before the batch's fact was committed and saves after it
    (the batch ran between the edit's check and its save, having read Bob's keys before the edit made
    its new one): the edit finds the stamp once it is committed, withdraws its answers and is refused,
    so nothing is left that no run would aggregate."""
    registered(bob, soon, {"confidence": {"value": 1}})
    clock.advance(days=1, hours=1)  # the event has ended; Bob's answers are due
    create = services.keys.create
    raced: list[Any] = []

    def batch_first(event_id: int, user_id: int, at: Any) -> Any:
        if not raced:
            raced.append(services.app.aggregate_answers())
        return create(event_id, user_id, at)

    monkeypatch.setattr(services.keys, "create", batch_first)
    assert_json(register(bob, soon, {"confidence": {"value": 4}}), 400, ANSWERS_AGGREGATED, ordered=False)
    assert raced[0].participants == 1
    assert counts(services, soon) == {"4:1": 1}  # what was there when the batch read it
    kinds = [type(f).__name__ for f in facts_of(services, participant_id(soon, user(bob)))]
    assert kinds[-2:] == ["AnswersReplaced", "AnswersReplaced"]  # the edit, then its withdrawal
    assert services.app.participant(soon, user(bob)).sealed_answers is None
    assert services.keys.holders(None, 100) == []
    sync(services)
    assert not services.app.participant_directory().has_answers(soon)
    assert olga.get(results(soon)).status_code == 200
    assert services.app.aggregate_answers().participants == 0
    assert counts(services, soon) == {"4:1": 1}


def test_an_edit_whose_key_appears_before_the_batch_reads_keys_is_left_for_a_later_run(
    services: Any, clock: Any, bob: Any, soon: int
) -> None:
    """A participant holding a key besides the one their listed answers are sealed under is being
    edited (or the read side is behind): the batch leaves them for a later run."""
    registered(bob, soon, {"confidence": {"value": 1}})
    clock.advance(days=2)
    services.keys.create(soon, user(bob), clock.now())  # an edit's new key, its answers not saved yet
    assert aggregate(services).participants == 0
    assert counts(services, soon) == {} and batches(services, soon) == []
    clock.advance(minutes=11)  # the sweep takes the key a failed command left behind
    assert services.app.destroy_spent_keys() == 1
    assert aggregate(services).participants == 1
    assert counts(services, soon) == {"4:1": 1}


def test_old_per_participant_facts_still_load_and_mean_what_they_meant(
    services: Any, clock: Any, bob: Any, carol: Any, olga: Any, soon: int
) -> None:
    """Logs written before batches hold a ``Participant.AnswersAggregated`` per participant and an
    ``AnswersCounted`` per batch: written here as that code did, beside a batch of today's."""
    registered(bob, soon, {"confidence": {"value": 1}})
    registered(carol, soon, {"confidence": {"value": 2}})
    clock.advance(days=2)
    app = services.app
    old = app.participant(soon, user(bob))
    assert old is not None
    registration = app.registration(soon)
    old.stamp_aggregated(clock.now())
    registration.count_answers([{"question_id": 4, "option": 1, "count": 1}], clock.now())
    app.save_all(old, registration)
    services.keys.destroy_participants(soon, [user(bob)])
    sync(services)
    assert aggregate(services).participants == 1  # Carol only: Bob is not due any more
    assert counts(services, soon) == {"4:1": 1, "4:2": 1}
    assert rows(services, soon) == {"Bob": (True, False), "Carol": (True, False)}
    assert_json(register(bob, soon, {"confidence": {"value": 3}}), 400, ANSWERS_AGGREGATED, ordered=False)
    assert isinstance(app.participant(soon, user(bob)), Participant)
    history = olga.get(f"/campaignevents/v0/event_registration/{soon}/history").get_json()
    kinds = [(h["kind"], (h.get("participant") or {}).get("user_name")) for h in history]
    assert kinds[-4:] == [
        ("answers-aggregated", "Bob"),
        ("answers-counted", None),
        ("answers-aggregated", "Carol"),
        ("answers-counted", None),
    ], kinds
    assert verify(services.projector, progress=False) == []  # a replay from 0 rebuilds the same rows

"""The escalation store and the forwarder, on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import MetaData, insert, inspect, text

from bot.store import schema
from bot.delivery import Forwarder
from bot.testkit.sinks import JsonlFileSink, StreamSink
from bot.store.schema import MIGRATIONS, Migration
from bot.store import (
    SqlStore,
    InvalidTransition,
    StoreError,
    UnknownCase,
    default_db_url,
    idempotency_key_for,
)
from faq.model import Candidate, Reply

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store, postgres_server

T0 = datetime(2025, 3, 1, 9, 30, 15, tzinfo=timezone.utc)


def reply(question: str = "How much are FBA fees?", lang: str = "en", **fields) -> Reply:
    """An escalated Reply as the engine would give it."""
    values = dict(
        question=question,
        lang=lang,
        action="escalate",
        text="Passed on to Seller Support.",
        entry_id=None,
        score=12.5,
        candidates=(Candidate("fees", 12.5), Candidate("payment", 7.25)),
    )
    values.update(fields)
    return Reply(**values)


def count_rows(url: str, table: str = "escalations") -> int:
    checker = SqlStore.from_url(url)
    try:
        with checker._engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        checker.close()


# --- opening, reading, idempotency ------------------------------------------------------------


def test_open_escalation_commits_a_case_another_process_can_read(store, open_store):
    case, created = store.open_escalation(
        reply("我的账户什么时候关闭?", lang="zh"), source="slack", asker="U123",
        channel="C9", thread="1700000000.000100", message_id="1700000000.000100", now=T0,
    )
    assert created is True and case.case >= 1
    other = open_store()  # a second engine: sees only what was committed
    again = other.get(case.case)
    assert again == case
    assert again.question == "我的账户什么时候关闭?" and again.lang == "zh"
    assert again.status == "open" and again.agent is None and not again.forwarded
    assert again.created_at == T0 and again.created_at.tzinfo is not None
    assert [(c.entry_id, c.score) for c in again.candidates] == [("fees", 12.5), ("payment", 7.25)]
    assert again.best_score == 12.5 and again.best_entry_id is None
    assert (again.asker, again.channel, again.message_id) == ("U123", "C9", "1700000000.000100")
    assert store.get(case.case + 1000) is None


def test_the_same_key_twice_is_one_case(store, db_url):
    first, created = store.open_escalation(reply(), source="console", idempotency_key="k-1")
    second, created_again = store.open_escalation(reply("other text"), source="console",
                                                  idempotency_key="k-1")
    assert created and not created_again
    assert second == first and second.question == "How much are FBA fees?"
    assert count_rows(db_url) == 1


def test_default_keys_dedupe_a_console_repeat_within_the_minute_and_a_slack_redelivery(store):
    a, _ = store.open_escalation(reply(), source="console", asker="ana", now=T0)
    b, created = store.open_escalation(reply(), source="console", asker="ana",
                                       now=T0 + timedelta(seconds=20))
    assert b.case == a.case and not created
    c, created = store.open_escalation(reply(), source="console", asker="ana",
                                       now=T0 + timedelta(minutes=1))
    assert created and c.case != a.case
    d, created = store.open_escalation(reply(), source="console", asker="bo", now=T0)
    assert created and d.case not in (a.case, c.case)

    slack = dict(source="slack", channel="C1", message_id="1700000000.000100")
    e, created = store.open_escalation(reply(), now=T0, **slack)
    f, created_again = store.open_escalation(reply(), now=T0 + timedelta(hours=1), **slack)
    assert created and not created_again and f.case == e.case
    g, created = store.open_escalation(reply(), source="slack", channel="C2",
                                       message_id="1700000000.000100", now=T0)
    assert created and g.case != e.case  # a ts is unique only within its channel


def test_the_same_key_from_two_writers_at_once_is_still_one_case(open_store, db_url):
    writers = [open_store(), open_store()]
    writers[0].migrate()
    keys = [f"redelivered-{i}" for i in range(30)]
    outcomes: dict[str, list[tuple[int, bool]]] = {key: [] for key in keys}
    start = threading.Barrier(len(writers))
    errors: list[BaseException] = []

    def write(store: SqlStore) -> None:
        try:
            start.wait()
            for key in keys:
                case, created = store.open_escalation(reply(), source="slack", idempotency_key=key)
                outcomes[key].append((case.case, created))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    for key, results in outcomes.items():
        assert len({case for case, _ in results}) == 1, key
        assert sorted(created for _, created in results) == [False, True], key
    assert count_rows(db_url) == len(keys)


def test_idempotency_key_for():
    key = idempotency_key_for("console", "How much  are fees?", "ana", None, T0)
    assert key.startswith("console:")
    assert key == idempotency_key_for("console", " How much are fees? ", "ana", None,
                                      T0 + timedelta(seconds=44))
    assert key != idempotency_key_for("console", "How much are fees?", "ana", None,
                                      T0 + timedelta(seconds=45))
    assert key != idempotency_key_for("console", "How much are fees?", "bo", None, T0)
    by_message = idempotency_key_for("slack", "x", "U1", "171.1", T0, channel="C1")
    assert by_message == idempotency_key_for("slack", "y", "U2", "171.1", T0 + timedelta(days=1),
                                             channel="C1")
    assert len(by_message) <= 128


def test_arguments_are_checked(open_store):
    store = open_store(sources=("console", "slack"))  # the channels a deployment runs
    with pytest.raises(ValueError, match="source"):
        store.open_escalation(reply(), source="email")
    with pytest.raises(ValueError, match="status"):
        store.list(status="closed")
    with pytest.raises(ValueError, match="question_id"):
        store.record_feedback(helpful=True, source="slack")


# --- queue and transitions ------------------------------------------------------------------


def test_queue_is_open_and_taken_cases_oldest_first(store):
    later, _ = store.open_escalation(reply("later"), source="console", now=T0 + timedelta(minutes=5))
    first, _ = store.open_escalation(reply("first"), source="console", now=T0)
    middle, _ = store.open_escalation(reply("middle"), source="console", now=T0 + timedelta(minutes=2))
    done, _ = store.open_escalation(reply("done"), source="console", now=T0 - timedelta(minutes=1))
    store.take(middle.case, "agent-1")
    store.resolve(done.case, "agent-1", "answered")
    assert [c.case for c in store.queue()] == [first.case, middle.case, later.case]
    assert [c.status for c in store.queue()] == ["open", "taken", "open"]
    assert [c.case for c in store.list()] == [done.case, first.case, middle.case, later.case]
    assert [c.case for c in store.list(status="resolved")] == [done.case]
    assert [c.case for c in store.list(since=T0 + timedelta(minutes=1))] == [middle.case, later.case]
    assert [c.case for c in store.list(status="open", since=T0)] == [first.case, later.case]


def test_take_resolve_reopen_and_invalid_transitions(store):
    case, _ = store.open_escalation(reply(), source="console")
    n = case.case
    assert store.take(n, "ana") is True
    assert store.take(n, "ana") is True  # taking your own case again is harmless
    assert store.take(n, "bo") is False
    assert store.get(n).agent == "ana" and store.get(n).status == "taken"

    resolved = store.resolve(n, "ana", "Explained the fee table.", now=T0)
    assert (resolved.status, resolved.agent, resolved.resolution) == ("resolved", "ana",
                                                                      "Explained the fee table.")
    assert resolved.resolved_at == T0
    with pytest.raises(InvalidTransition, match="already resolved"):
        store.resolve(n, "bo", "again")
    with pytest.raises(InvalidTransition, match="reopen"):
        store.take(n, "bo")

    reopened = store.reopen(n)
    assert (reopened.status, reopened.agent, reopened.resolved_at, reopened.resolution) == (
        "open", None, None, None)
    with pytest.raises(InvalidTransition, match="already open"):
        store.reopen(n)
    assert store.resolve(n, "bo", "").status == "resolved"  # an open case can be resolved directly

    for action in (lambda: store.take(9999, "x"), lambda: store.resolve(9999, "x", ""),
                   lambda: store.reopen(9999)):
        with pytest.raises(UnknownCase, match="no case 9999"):
            action()


def test_two_agents_racing_for_the_same_cases_each_case_has_exactly_one_winner(store, open_store):
    cases = [store.open_escalation(reply(f"q{i}"), source="console")[0].case for i in range(25)]
    agents = {"ana": open_store(), "bo": open_store()}  # one engine (connection pool) per agent
    start = threading.Barrier(len(agents))
    wins: dict[str, list[int]] = {name: [] for name in agents}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            for case in cases:
                if agents[name].take(case, name):
                    wins[name].append(case)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(wins["ana"] + wins["bo"]) == sorted(cases)
    assert not set(wins["ana"]) & set(wins["bo"])
    for name, won in wins.items():
        assert all(store.get(case).agent == name for case in won)


# --- question log and feedback ----------------------------------------------------------------


def test_question_log_and_feedback(store, db_url):
    answered = reply("can i still get paid", action="answer", entry_id="payment", score=85.9)
    q1 = store.log_question(answered, "slack", asker="U1", now=T0)
    q2 = store.log_question(reply("关闭账户", lang="zh", action="answer", entry_id="close-account",
                                  score=99.0), "console", now=T0 + timedelta(hours=1))
    assert q2 > q1
    logged = store.questions_since(T0 + timedelta(minutes=1))
    assert [(q.id, q.question, q.lang, q.action, q.entry_id, q.score, q.source) for q in logged] == [
        (q2, "关闭账户", "zh", "answer", "close-account", 99.0, "console")]
    assert [q.id for q in store.questions_since(None)] == [q1, q2]
    assert store.questions_since(T0)[0].asker == "U1"

    case, _ = store.open_escalation(reply(), source="slack", message_id="1.1", channel="C")
    f1 = store.record_feedback(helpful=True, source="slack", question_id=q1, entry_id="payment",
                               asker="U1", now=T0)
    f2 = store.record_feedback(helpful=False, source="console", case=case.case,
                               now=T0 + timedelta(days=1))
    f3 = store.record_feedback(helpful=False, source="slack", message_id="1700.2",
                               now=T0 + timedelta(days=2))
    votes = store.feedback_since(T0)
    assert [(f.id, f.helpful, f.question_id, f.case, f.message_id, f.entry_id) for f in votes] == [
        (f1, True, q1, None, None, "payment"),
        (f2, False, None, case.case, None, None),
        (f3, False, None, None, "1700.2", None),
    ]
    assert [f.id for f in store.feedback_since(T0 + timedelta(hours=30))] == [f3]

    with pytest.raises(StoreError, match="could not record the feedback"):
        store.record_feedback(helpful=True, source="slack", question_id=424242)  # no such question
    assert count_rows(db_url, "feedback") == 3

    exported = store.export(since=T0)
    assert [e["case"] for e in exported["escalations"]] == [case.case]
    assert [q["id"] for q in exported["questions"]] == [q1, q2]
    assert len(exported["feedback"]) == 3
    json.dumps(exported)  # JSON-ready


# --- schema and migrations --------------------------------------------------------------------


LATEST = schema.latest_version()


def test_a_fresh_database_gets_the_latest_schema_matching_the_query_tables(store):
    assert store.schema_version() == 0  # nothing happens before first use
    assert store.migrate() == LATEST >= 2
    assert store.schema_version() == LATEST
    described = store.describe()
    for table in schema.metadata.sorted_tables:
        reflected = described[table.name]["columns"]
        assert reflected == {column.name for column in table.columns}, table.name
    assert "ix_escalations_status_created" in described["escalations"]["indexes"]
    assert "ix_questions_asked" in described["questions"]["indexes"]
    assert store.migrate() == LATEST  # idempotent


def test_a_version_1_database_gets_every_later_table_and_column_keeping_its_rows(open_store):
    old = open_store(migrations=MIGRATIONS[:1])
    assert old.migrate() == 1
    # a row as faqbot 1 wrote it, through the version 1 table (today's has more columns)
    version_1 = schema._define_v1(MetaData())[0]
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with old._engine.begin() as conn:
        conn.execute(insert(version_1).values(
            created_at=moment, updated_at=moment, lang="en", question="How much are FBA fees?", source="console",
            idempotency_key="v1-row", candidates="[]", best_score=12.5, status="open", next_attempt_at=moment,
        ))
    assert not inspect(old._engine).has_table("pending_replies")

    new = open_store()
    kept = new.get(1)  # first use migrates
    assert kept is not None and kept.question == "How much are FBA fees?" and kept.created_at == moment
    assert new.schema_version() == LATEST
    assert inspect(new._engine).has_table("pending_replies") and inspect(new._engine).has_table("slack_inbox")
    assert "card_synced_at" in {c["name"] for c in inspect(new._engine).get_columns("escalations")}


def test_migration_8_drops_the_retired_slack_event_claims_keeping_everything_else(open_store):
    old = open_store(migrations=MIGRATIONS[:7])
    assert old.migrate() == 7
    kept, _ = old.open_escalation(reply(), source="slack")
    moment = datetime(2026, 1, 2, tzinfo=timezone.utc)
    with old._engine.begin() as conn:  # a claim as versions 2 to 4 wrote them
        conn.execute(text("INSERT INTO slack_events (key, claimed_at) VALUES ('evt:1', :at)"), {"at": moment})
    assert inspect(old._engine).has_table("slack_events")

    new = open_store()
    assert new.migrate() == LATEST
    assert not inspect(new._engine).has_table("slack_events")
    assert new.get(kept.case) == kept


def add_priority(conn) -> None:
    conn.execute(text("ALTER TABLE escalations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"))


TEST_NEXT = Migration(LATEST + 1, "test only: escalations.priority", add_priority)


def test_a_database_is_migrated_forward_by_a_newer_release_keeping_its_rows(open_store):
    old = open_store()
    kept, _ = old.open_escalation(reply(), source="console")
    assert old.schema_version() == LATEST

    new = open_store(migrations=(*MIGRATIONS, TEST_NEXT))
    assert new.get(kept.case) == kept  # first use migrates
    assert new.schema_version() == LATEST + 1
    assert "priority" in {c["name"] for c in inspect(new._engine).get_columns("escalations")}
    with new._engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars(
        ).all() == list(range(1, LATEST + 2))
        assert conn.execute(text("SELECT priority FROM escalations")).scalar() == 0
    assert new.migrate() == LATEST + 1

    with pytest.raises(StoreError, match="newer than this faqbot"):
        open_store().migrate()  # an older faqbot refuses a newer database


def test_a_failing_migration_leaves_the_database_as_it_was(open_store):
    open_store().migrate()

    def broken(conn) -> None:
        add_priority(conn)
        conn.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(StoreError, match="could not prepare the database"):
        open_store(migrations=(*MIGRATIONS, Migration(LATEST + 1, "broken", broken))).migrate()
    check = open_store()
    assert check.schema_version() == LATEST
    assert "priority" not in {c["name"] for c in inspect(check._engine).get_columns("escalations")}


def test_two_stores_migrating_at_once_apply_each_step_once(open_store):
    stores = [open_store(migrations=(*MIGRATIONS, TEST_NEXT)) for _ in range(3)]
    start = threading.Barrier(len(stores))
    results: list[object] = []

    def go(s: SqlStore) -> None:
        start.wait()
        try:
            results.append(s.migrate())
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=go, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [LATEST + 1] * 3
    with stores[0]._engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == LATEST + 1


# --- forwarding ----------------------------------------------------------------------------------


class Clock:
    """A settable clock in epoch seconds."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FlakySink:
    """Fails the first ``failures`` calls, then delivers; records every call."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[int] = []
        self.delivered: list[int] = []

    def forward(self, escalation):
        self.calls.append(escalation.case)
        if len(self.calls) <= self.failures:
            raise ConnectionError("support channel unreachable")
        self.delivered.append(escalation.case)
        return f"ts-{escalation.case}"


def test_forwarder_delivers_stored_cases_once_oldest_first(store, open_store, tmp_path):
    writer = open_store()  # the cases are written by another store: the forwarder reads the rows
    cases = [writer.open_escalation(reply(f"q{i}"), source="console", now=T0 + timedelta(seconds=i))[0]
             for i in range(3)]
    sink_path = tmp_path / "support.jsonl"
    forwarder = Forwarder(store, JsonlFileSink(sink_path), clock=Clock(T0 + timedelta(minutes=1)))
    assert forwarder.deliver_due() == 3
    assert forwarder.deliver_due() == 0
    records = JsonlFileSink.read(sink_path)
    assert [r["case"] for r in records] == [c.case for c in cases]
    assert records[0]["question"] == "q0" and records[0]["candidates"][0]["entry_id"] == "fees"
    for case in cases:
        stored = store.get(case.case)
        assert stored.forwarded and stored.forward_ref == f"support.jsonl#{case.case}"
        assert stored.forwarded_at == T0 + timedelta(minutes=1)
        assert stored.forward_attempts == 1 and stored.last_error is None
    assert store.undelivered() == []


def test_a_card_is_out_of_date_after_a_change_made_elsewhere_until_marked_synced(store):
    case, _ = store.open_escalation(reply(), source="slack", channel="C", message_id="1.1", now=T0)
    unforwarded, _ = store.open_escalation(reply("another"), source="console", now=T0)
    Forwarder(store, FlakySink(), clock=Clock(T0 + timedelta(minutes=1))).deliver_due(limit=1)
    assert store.stale_cards() == []  # the card was just posted with the current state
    store.take(case.case, "ana", now=T0 + timedelta(minutes=2))
    store.take(unforwarded.case, "ana", now=T0 + timedelta(minutes=2))  # no card yet: nothing to refresh
    (stale,) = store.stale_cards()
    assert stale.case == case.case and stale.status == "taken"
    store.mark_card_synced(case.case, stale.updated_at)
    assert store.stale_cards() == []
    store.resolve(case.case, "ana", now=T0 + timedelta(minutes=3))
    assert [c.status for c in store.stale_cards()] == ["resolved"]
    store.mark_card_synced(case.case, stale.updated_at)  # an older rendering never hides the newer change
    assert [c.case for c in store.stale_cards()] == [case.case]


def test_a_failing_sink_is_retried_with_capped_backoff_then_delivers_exactly_once(store):
    case, _ = store.open_escalation(reply(), source="slack", message_id="9.9", channel="C", now=T0)
    clock = Clock(T0)
    sink = FlakySink(failures=3)
    forwarder = Forwarder(store, sink, clock=clock, backoff=(10.0, 25.0))

    expected_delays = [10.0, 20.0, 25.0]  # base, doubled, capped
    for attempt, delay in enumerate(expected_delays, start=1):
        assert forwarder.deliver_due() == 0
        stored = store.get(case.case)
        assert stored.forward_attempts == attempt
        assert stored.last_error == "ConnectionError: support channel unreachable"
        assert stored.next_attempt_at == datetime.fromtimestamp(clock(), timezone.utc) + timedelta(
            seconds=delay)
        assert not stored.forwarded
        clock.advance(delay - 1)
        assert forwarder.deliver_due() == 0  # not due yet: the sink is not called
        assert len(sink.calls) == attempt
        clock.advance(1)

    restarted = Forwarder(store, sink, clock=clock, backoff=(10.0, 25.0))  # state is in the DB
    assert restarted.deliver_due() == 1
    assert restarted.deliver_due() == 0
    clock.advance(3600)
    assert restarted.deliver_due() == 0
    assert sink.delivered == [case.case] and len(sink.calls) == 4
    stored = store.get(case.case)
    assert stored.forwarded and stored.forward_ref == f"ts-{case.case}" and stored.forward_attempts == 4


def test_a_failing_case_does_not_hold_up_the_others(store):
    cases = [store.open_escalation(reply(f"q{i}"), source="console", now=T0)[0].case for i in range(3)]

    class FirstFails(FlakySink):
        def forward(self, escalation):
            if escalation.case == cases[0]:
                raise TimeoutError("slow")
            return super().forward(escalation)

    sink = FirstFails()
    assert Forwarder(store, sink, clock=Clock(T0), backoff=(0.0, 0.0)).deliver_due() == 2
    assert sink.delivered == cases[1:]
    assert [c.case for c in store.undelivered()] == [cases[0]]


def test_a_leased_case_is_not_forwarded_by_a_second_forwarder(store, open_store):
    case, _ = store.open_escalation(reply(), source="console", now=T0)
    clock = Clock(T0)
    other_sink = FlakySink()
    other = Forwarder(open_store(), other_sink, clock=clock)
    seen_by_other: list[int] = []

    class Reentrant(FlakySink):
        def forward(self, escalation):
            seen_by_other.append(other.deliver_due())  # while we hold the lease
            return super().forward(escalation)

    sink = Reentrant()
    assert Forwarder(store, sink, clock=clock).deliver_due() == 1
    assert seen_by_other == [0] and other_sink.calls == []
    assert sink.delivered == [case.case]


def test_two_forwarders_running_at_once_send_each_case_once(store, open_store):
    cases = [store.open_escalation(reply(f"q{i}"), source="console", now=T0)[0].case for i in range(40)]
    sent: list[int] = []
    lock = threading.Lock()

    class Recording:
        def forward(self, escalation):
            with lock:
                sent.append(escalation.case)
            return None

    forwarders = [Forwarder(open_store(), Recording(), clock=Clock(T0), batch=5) for _ in range(2)]
    start = threading.Barrier(len(forwarders))
    errors: list[BaseException] = []

    def run(forwarder: Forwarder) -> None:
        try:
            start.wait()
            forwarder.deliver_due(limit=None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in forwarders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(sent) == cases  # every case once: none twice, none missed
    assert store.undelivered() == []


def test_an_abandoned_lease_expires_and_the_late_mark_is_refused(store):
    case, _ = store.open_escalation(reply(), source="console", now=T0)
    # A forwarder claims the case, then dies before marking it.
    claimed = store.claim_due(now=T0, token="dead", lease_seconds=60, limit=10)
    assert [c.case for c in claimed] == [case.case]
    clock = Clock(T0 + timedelta(seconds=30))
    sink = FlakySink()
    forwarder = Forwarder(store, sink, clock=clock)
    assert forwarder.deliver_due() == 0 and sink.calls == []  # lease still held
    clock.advance(31)
    assert forwarder.deliver_due() == 1 and sink.delivered == [case.case]
    assert store.mark_forwarded(case.case, token="dead", ref="late", now=T0) is False
    assert store.get(case.case).forward_ref == f"ts-{case.case}"


def test_a_crash_between_sending_and_marking_resends_once_and_the_jsonl_sink_dedupes(store, tmp_path):
    case, _ = store.open_escalation(reply(), source="console", now=T0)
    path = tmp_path / "support.jsonl"

    class DiesAfterSending:
        def forward(self, escalation):
            JsonlFileSink(path).forward(escalation)
            raise KeyboardInterrupt  # the process dies before the delivery is recorded

    clock = Clock(T0)
    with pytest.raises(KeyboardInterrupt):
        Forwarder(store, DiesAfterSending(), clock=clock, lease=60).deliver_due()
    assert not store.get(case.case).forwarded
    clock.advance(61)  # the dead forwarder's lease runs out; a new one sends the case again
    assert Forwarder(store, JsonlFileSink(path), clock=clock).deliver_due() == 1
    assert [r["case"] for r in JsonlFileSink.read(path)] == [case.case]
    assert store.get(case.case).forwarded


def test_after_a_crash_between_sending_and_marking_the_worker_looks_before_sending_again(store, tmp_path):
    case, _ = store.open_escalation(reply(), source="console", now=T0)
    path = tmp_path / "support.jsonl"

    class DiesAfterSending:
        def forward(self, escalation):
            JsonlFileSink(path, dedupe=False).forward(escalation)
            raise KeyboardInterrupt  # the process dies before the delivery is recorded

    clock = Clock(T0)
    with pytest.raises(KeyboardInterrupt):
        Forwarder(store, DiesAfterSending(), clock=clock, lease=60).deliver_due()
    clock.advance(61)
    # The sink counts every delivery; the new worker finds the unconfirmed one instead of sending again.
    assert Forwarder(store, JsonlFileSink(path, dedupe=False), clock=clock).deliver_due() == 1
    assert [r["case"] for r in JsonlFileSink.read(path)] == [case.case]
    assert store.get(case.case).forward_ref == f"support.jsonl#{case.case}"


def test_jsonl_sink_dedupes_by_case_and_survives_a_torn_line(store, tmp_path):
    path = tmp_path / "support.jsonl"
    first, _ = store.open_escalation(reply("first"), source="console")
    second, _ = store.open_escalation(reply("第二个问题", lang="zh"), source="console")
    sink = JsonlFileSink(path)
    assert sink.forward(first) == f"support.jsonl#{first.case}"
    assert sink.forward(first) == f"support.jsonl#{first.case}"
    assert JsonlFileSink(path).forward(first)  # another instance (another process) reads the file
    with open(path, "ab") as handle:  # a crash in the middle of a line
        handle.write(b'{"case": 12345, "quest')
    JsonlFileSink(path).forward(second)
    sink.forward(second)
    assert [r["case"] for r in JsonlFileSink.read(path)] == [first.case, second.case]
    assert JsonlFileSink.read(path)[1]["question"] == "第二个问题"
    assert "第二个问题" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes


def test_stream_sink_prints_one_line_per_case(store, tmp_path):
    import io

    case, _ = store.open_escalation(reply(), source="console", asker="ana")
    out = io.StringIO()
    assert StreamSink(out).forward(case) is None
    assert out.getvalue() == f"[case {case.case}] (en) How much are FBA fees? (ana)\n"


def test_run_forever_delivers_in_the_background_until_stopped(store):
    sink = FlakySink(failures=1)
    forwarder = Forwarder(store, sink, backoff=(0.0, 0.0))
    stop = threading.Event()
    thread = threading.Thread(target=forwarder.run_forever, args=(stop, 0.01), daemon=True)
    thread.start()
    try:
        case, _ = store.open_escalation(reply(), source="console")
        deadline = time.monotonic() + 10
        while not store.get(case.case).forwarded and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert sink.delivered == [case.case] and len(sink.calls) == 2


# --- SQLite specifics and errors ----------------------------------------------------------------


def sqlite_url(path) -> str:
    return f"sqlite:///{path.as_posix()}"


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    store = SqlStore.from_url(sqlite_url(tmp_path / "db.sqlite3"), busy_timeout=2.5)
    try:
        store.migrate()
        settings = store.connection_settings()
        assert settings["journal_mode"] == "wal"
        assert settings["foreign_keys"] == 1
        assert settings["busy_timeout"] == 2500
    finally:
        store.close()


def test_an_unwritable_location_is_a_clear_store_error_and_nothing_is_written(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where a directory should be")
    target = blocker / "faqbot.sqlite3"
    store = SqlStore.from_url(sqlite_url(target))
    try:
        with pytest.raises(StoreError) as raised:
            store.open_escalation(reply(), source="console")
    finally:
        store.close()
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        f"could not prepare the database: cannot open the database {target}"
        " (missing directory or no permission)"
    )
    assert blocker.read_text() == "a regular file where a directory should be"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


def test_a_read_only_database_is_a_clear_store_error_and_nothing_is_written(tmp_path):
    path = tmp_path / "db.sqlite3"
    with SqlStore.from_url(sqlite_url(path)) as writer:
        kept, _ = writer.open_escalation(reply(), source="console")
    read_only = SqlStore.from_url(f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true")
    try:
        assert read_only.get(kept.case) == kept
        with pytest.raises(StoreError, match=r"could not save the escalation: .* is read-only$"):
            read_only.open_escalation(reply("new"), source="console")
        with pytest.raises(StoreError, match="read-only"):
            read_only.take(kept.case, "ana")
    finally:
        read_only.close()
    assert count_rows(sqlite_url(path)) == 1
    with SqlStore.from_url(sqlite_url(path)) as check:
        assert check.get(kept.case).status == "open"


def test_a_database_locked_past_the_timeout_is_a_store_error_with_no_partial_row(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = SqlStore.from_url(sqlite_url(path), busy_timeout=0.2)
    store.migrate()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
        started = time.monotonic()
        with pytest.raises(StoreError) as raised:
            store.open_escalation(reply(), source="console")
        assert time.monotonic() - started < 3
        assert str(raised.value) == (
            f"could not save the escalation: the database {path} stayed locked by another process"
            " for more than 0.2 s"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert count_rows(sqlite_url(path)) == 0
    case, created = store.open_escalation(reply(), source="console")  # works once the lock is gone
    assert created and store.get(case.case) is not None
    store.close()


@pytest.mark.parametrize(
    "url, expected",
    [
        ("not a url", "invalid database URL 'not a url'"),
        ("nosuchdb://host/db", "invalid database URL 'nosuchdb://host/db'"),
    ],
)
def test_a_bad_url_is_a_store_error(url, expected):
    with pytest.raises(StoreError, match=expected):
        SqlStore.from_url(url)


def test_an_unreachable_server_is_a_store_error_that_hides_the_password():
    pytest.importorskip("psycopg")
    store = SqlStore.from_url("postgresql+psycopg://bot:s3cret-pw@127.0.0.1:1/faqbot")
    try:
        with pytest.raises(StoreError) as raised:
            store.open_escalation(reply(), source="console")
    finally:
        store.close()
    message = str(raised.value)
    assert "s3cret-pw" not in message and "\n" not in message
    assert message.startswith(
        "could not prepare the database: cannot connect to the database"
        " postgresql+psycopg://bot:***@127.0.0.1:1/faqbot: "
    )


def test_default_db_url_is_a_sqlite_file_in_the_user_data_dir(tmp_path, monkeypatch):
    if os.name != "posix" or os.uname().sysname == "Darwin":
        pytest.skip("XDG_DATA_HOME is honoured on Linux and BSD only")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = default_db_url()
    assert url == f"sqlite:///{(tmp_path / 'data' / 'faqbot' / 'faqbot.sqlite3').as_posix()}"
    assert (tmp_path / "data" / "faqbot").is_dir()
    with SqlStore.from_url(url) as store:
        case, _ = store.open_escalation(reply(), source="console")
        assert store.get(case.case) == case


def test_a_case_taken_by_one_agent_is_not_resolved_by_another(store):
    case, _ = store.open_escalation(reply(), source="console")
    assert store.take(case.case, "ana")
    with pytest.raises(InvalidTransition, match="taken by ana"):
        store.resolve(case.case, "bo", "mine now")
    assert store.resolve(case.case, "ana", "done").status == "resolved"


def test_text_with_lone_surrogates_is_stored_not_lost(store):
    broken = "refund \ud83d please"  # what a broken JSON escape gives
    case, created = store.open_escalation(reply(broken), source="slack", message_id="1.1", channel="C1")
    assert created and case.question == "refund ? please"
    question_id = store.log_question(reply(broken), "slack")
    assert [q.question for q in store.questions_since() if q.id == question_id] == ["refund ? please"]


def test_a_logged_question_is_read_back_by_id(store):
    question_id = store.log_question(reply("我的货款什么时候到?", lang="zh"), "slack", asker="U1")
    logged = store.question(question_id)
    assert (logged.question, logged.lang, logged.asker, logged.action) == ("我的货款什么时候到?", "zh", "U1", "escalate")
    assert store.question(question_id + 1000) is None

"""A slow Slack never makes a double post; a database that cannot be written is caught.

The real app over loopback HTTP (signed requests), the fake Web API on
127.0.0.1 made slow (answering after the client gave up, while the post still
happens) or failing after succeeding, and a real SQLite file that another
connection locks, or that is opened read-only.
"""

from __future__ import annotations

import dataclasses

import json
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.desks.questions import Origin, QuestionDesk
from bot.slack import blocks
from bot.slack.client import build_client
from bot.slack.server import make_http_server
from bot.store import SqlStore, StoreBusy, StoreError
from bot.testkit.fake_slack import FakeSlack
from slack_harness import (  # noqa: F401 - clean_environment is an autouse fixture
    AGENT, ASKER, GENERAL, OUT_OF_SCOPE, SUPPORT, TOKEN, Harness, clean_environment, make_bot, wait_until,
)

UNSAVED = "couldn't record your question"


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def serve(fake, tmp_path):
    """Start the app with options (a 1 s client timeout, a store that waits 0.2 s for a lock); returns the harness."""
    started: list[tuple] = []

    def start(*, busy_timeout: float = 0.2, timeout: float = 1.0, **options) -> Harness:
        store = SqlStore.from_url(f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}",
                                         busy_timeout=busy_timeout)
        client = build_client(TOKEN, fake.base_url, timeout=timeout, rate_limit_retries=1, connection_retries=1,
                              server_retries=1, backoff=0.01)
        bot, _, kb_path = make_bot(fake, tmp_path, store=store, client=client, lease=1.0, **options)
        server = make_http_server(bot.wsgi(), "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append((server, bot, store))
        return Harness(fake, bot, store, kb_path, server.server_port)

    yield start
    for server, bot, store in started:
        server.shutdown()
        server.server_close()
        bot.close()
        store.close()


@contextmanager
def locked(path: Path):
    """Another process's long write transaction on the SQLite file: every writer waits, then gives up."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def settled(harness: Harness) -> None:
    """Every recorded request handled, every case forwarded, no reply waiting to be posted again."""
    wait_until(lambda: harness.store.unhandled_requests() == 0 and harness.bot.outbox.pending() == 0
               and all(case.forwarded for case in harness.store.list()), timeout=20, what="all work settled")


# --- a slow Slack never makes a double post -----------------------------------------------------------


def test_a_reply_and_a_card_slower_than_the_client_timeout_are_posted_once(serve, fake):
    harness = serve()
    fake.slow("chat.postMessage", 1.6, times=2)  # the client gives up after 1 s; Slack posts anyway
    assert harness.mention(OUT_OF_SCOPE, ts="900.000001") == 200
    settled(harness)
    harness.finish()
    replies = fake.posted(GENERAL)
    cards = fake.posted(SUPPORT)
    assert len(replies) == 1 and "case #1" in replies[0]["text"]
    assert len(cards) == 1
    assert harness.store.get(1).forward_ref == f"{SUPPORT}:{cards[0]['ts']}"  # the card found, not a second one
    lookups = fake.calls_to("conversations.replies") + fake.calls_to("conversations.history")
    assert all(call.params.get("include_all_metadata") in (True, "true", "1") for call in lookups) and lookups


def test_posts_that_fail_after_succeeding_are_not_posted_again(serve, fake):
    harness = serve()
    fake.fail("chat.postMessage", status=500, times=2, after_success=True)
    assert harness.mention(OUT_OF_SCOPE, ts="901.000001") == 200
    settled(harness)
    harness.finish()
    assert len(fake.posted(GENERAL)) == 1 and len(fake.posted(SUPPORT)) == 1
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 500]  # never sent twice


def test_a_held_reply_that_had_arrived_is_not_posted_again(serve, fake):
    harness = serve()
    # The post arrives but answers 500, and the look that follows fails too: the reply is held, outcome unknown.
    fake.fail("chat.postMessage", status=500, after_success=True, when=lambda p: p.get("channel") == GENERAL)
    fake.fail("conversations.replies", status=500, times=2)
    assert harness.mention("can I close my account?", ts="902.000001") == 200
    wait_until(lambda: harness.store.pending_replies() == 1 or fake.calls_to("conversations.replies", ok_only=True),
               what="the reply held")
    settled(harness)
    harness.finish()
    assert len(fake.posted(GENERAL)) == 1 and len(fake.calls_to("chat.postMessage")) == 1


def test_a_slow_card_redraw_leaves_one_card(serve, fake):
    harness = serve()
    harness.mention(OUT_OF_SCOPE, ts="903.000001")
    settled(harness)
    card = fake.posted(SUPPORT)[0]
    fake.slow("chat.update", 1.6)
    value = json.dumps({"case": 1})
    harness.click(blocks.TAKE, value, user=AGENT, channel=SUPPORT, message_ts=card["ts"])
    wait_until(lambda: harness.store.get(1).status == "taken", what="case taken")
    settled(harness)
    harness.finish()
    assert len(fake.posted(SUPPORT)) == 1  # redraws update the one card in place


# --- a database that cannot be written is caught -------------------------------------------------------


def test_start_up_refuses_a_read_only_database_with_one_line(fake, tmp_path):
    path = tmp_path / "faqbot.sqlite3"
    SqlStore.from_url(f"sqlite:///{path.as_posix()}").migrate()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET="s", FAQBOT_SUPPORT_CHANNEL=SUPPORT,
               SLACK_API_URL=fake.base_url, FAQBOT_DB_URL=f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true")
    done = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())",
                           "slack", "--http", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "read-only" in done.stderr and "Traceback" not in done.stderr


def test_healthz_reports_the_database_and_503_while_it_cannot_write(serve, tmp_path, caplog):
    harness = serve()
    status, body = harness.get("/healthz")
    assert status == 200 and json.loads(body)["database"] == {"ok": True, "backend": "sqlite"}
    with locked(tmp_path / "faqbot.sqlite3"):
        try:
            harness.get("/healthz")
            raise AssertionError("expected 503")
        except Exception as error:  # urllib raises HTTPError for 503
            assert getattr(error, "code", None) == 503
            data = json.loads(error.read())  # type: ignore[attr-defined]
    assert data["ok"] is False and data["database"] == {"ok": False, "backend": "sqlite",
                                                        "error": "database unavailable"}
    assert any("locked" in record.getMessage() for record in caplog.records)  # the details are in the log
    assert harness.get("/healthz")[0] == 200


def test_a_question_that_must_escalate_waits_out_a_locked_database(serve, fake, tmp_path):
    harness = serve(workers=1)
    gate = threading.Event()
    harness.bot.executor.submit(gate.wait, 10)  # the one answering thread is busy: the question waits its turn
    assert harness.mention(OUT_OF_SCOPE, ts="910.000001") == 200  # recorded before the acknowledgement
    with locked(tmp_path / "faqbot.sqlite3"):
        gate.set()
        threading.Event().wait(1.5)  # longer than the lease and the store's lock timeout: attempts fail meanwhile
        assert fake.posted(GENERAL) == []
    settled(harness)
    harness.finish()
    replies = fake.posted(GENERAL)
    assert len(replies) == 1 and "case #1" in replies[0]["text"] and UNSAVED not in replies[0]["text"]


def test_the_desk_defers_an_escalation_while_the_database_is_locked(tmp_path, shipped_kb):
    from faq import Assistant

    path = tmp_path / "faqbot.sqlite3"
    store = SqlStore.from_url(f"sqlite:///{path.as_posix()}", busy_timeout=0.1)
    store.migrate()
    desk, assistant = QuestionDesk(store), Assistant(shipped_kb)
    origin = Origin("slack", asker=ASKER, channel=GENERAL, message_id="1.1")
    recorded = dataclasses.replace(origin, recorded=True)  # the inbox holds the request and will hand it in again
    with locked(path):
        with pytest.raises(StoreBusy):
            desk.ask(assistant, OUT_OF_SCOPE, recorded)
        told = desk.ask(assistant, OUT_OF_SCOPE, origin)  # nobody will ask again: tell the asker now
    assert UNSAVED in told.text
    assert desk.ask(assistant, OUT_OF_SCOPE, recorded).case.case == 1
    store.close()


def test_case_buttons_that_cannot_be_carried_out_tell_the_agent(serve, fake, tmp_path):
    harness = serve()
    harness.mention(OUT_OF_SCOPE, ts="920.000001")
    settled(harness)
    card = fake.posted(SUPPORT)[0]
    harness.click(blocks.TAKE, json.dumps({"case": 10**30}), user=AGENT, channel=SUPPORT, message_ts=card["ts"])
    assert "There is no case #" in fake.wait_for("chat.postEphemeral")[0].params["text"]
    with locked(tmp_path / "faqbot.sqlite3"):
        harness.click(blocks.TAKE, json.dumps({"case": 1}), user=AGENT, channel=SUPPORT, message_ts=card["ts"])
        told = fake.wait_for("chat.postEphemeral", 2)[-1]
    assert told.params["user"] == AGENT and "Case #1 could not be updated" in told.params["text"]
    assert harness.store.get(1).status == "open"
    with pytest.raises(StoreError):  # and the store says why in one line
        SqlStore.from_url(f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}").get(10**30)


def test_a_retry_posts_without_looking_when_slack_refuses_the_look(serve, fake):
    harness = serve()
    # The first post fails for real (500, nothing posted); the app lacks the history scope, so the looks are refused.
    fake.fail("chat.postMessage", status=500, when=lambda p: p.get("channel") == GENERAL)
    fake.fail("conversations.replies", error="missing_scope", times=5)
    assert harness.mention("can I close my account?", ts="930.000001") == 200
    settled(harness)
    harness.finish()
    assert len(fake.posted(GENERAL)) == 1  # the reply still arrives


def test_recorded_requests_are_pruned_after_a_day(serve, fake):
    harness = serve()
    harness.mention("can I close my account?", ts="940.000001")
    settled(harness)
    inbox = harness.bot.inbox
    assert inbox.prune() == 0  # a fresh request stays (a redelivery must still find it)
    assert inbox.prune(older_than=-1.0) == 1


def test_not_helpful_waits_out_a_locked_database_too(serve, fake, tmp_path):
    harness = serve(workers=1)
    harness.mention("can I close my account?", ts="950.000001")
    settled(harness)
    answer = fake.wait_for("chat.postMessage")[0]
    value = next(el["value"] for block in answer.params["blocks"] if block["type"] == "actions"
                 for el in block["elements"] if el["action_id"] == blocks.NOT_HELPFUL)
    gate = threading.Event()
    harness.bot.executor.submit(gate.wait, 10)
    assert harness.click(blocks.NOT_HELPFUL, value, message_ts=answer.response["ts"]) == 200
    with locked(tmp_path / "faqbot.sqlite3"):
        gate.set()
        threading.Event().wait(1.5)
    settled(harness)
    harness.finish()
    update = fake.wait_for("chat.update")[-1]
    assert "case #1" in update.params["text"] and UNSAVED not in update.params["text"]
    assert len(fake.calls_to("chat.update")) == 1

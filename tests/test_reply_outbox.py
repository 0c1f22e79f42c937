"""Held Slack replies: kept in the database, posted again with backoff, each once, across pollers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.slack.held_replies import ReplyOutbox
from bot.store import PendingReply
from bot.store import SqlStore, StoreError

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store, postgres_server

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc).timestamp()
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Yes. You can ask Seller Support to close it."}}]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FlakySlack:
    """Posts fail while ``down``; every attempt is recorded."""

    def __init__(self) -> None:
        self.down = True
        self.attempts: list[PendingReply] = []
        self.posted: list[PendingReply] = []

    def __call__(self, reply: PendingReply) -> None:
        self.attempts.append(reply)
        if self.down:
            raise ConnectionError("slack.com unreachable")
        self.posted.append(reply)


def hold_one(outbox: ReplyOutbox) -> int:
    return outbox.hold(channel="C1", thread_ts="100.000001", text="Yes, you can.", blocks=BLOCKS,
                       event_key="msg:C1:100.000001", error="SlackApiError: internal_error")


def test_a_held_reply_waits_for_its_backoff_then_is_posted_once_as_rendered(store):
    clock, slack = Clock(), FlakySlack()
    outbox = ReplyOutbox(store, clock=clock, backoff=(2.0, 8.0))
    hold_one(outbox)
    assert outbox.deliver_due(slack) == 0 and slack.attempts == []  # first retry only after 2 s
    clock.now += 2
    assert outbox.deliver_due(slack) == 0 and len(slack.attempts) == 1  # Slack still down
    clock.now += 3
    assert outbox.deliver_due(slack) == 0 and len(slack.attempts) == 1  # the second wait is 4 s
    clock.now += 1
    slack.down = False
    assert outbox.deliver_due(slack) == 1
    (posted,) = slack.posted
    assert (posted.channel, posted.thread_ts, posted.text, posted.blocks) == ("C1", "100.000001", "Yes, you can.", BLOCKS)
    assert posted.attempts == 2 and posted.event_key == "msg:C1:100.000001"
    clock.now += 3600
    assert outbox.deliver_due(slack) == 0 and outbox.pending() == 0 and len(slack.attempts) == 2  # never again


def test_a_reply_nobody_could_post_for_a_day_is_left_with_its_error(store):
    clock, slack = Clock(), FlakySlack()
    outbox = ReplyOutbox(store, clock=clock, backoff=(60.0, 3600.0), expire_after=86400.0)
    hold_one(outbox)
    clock.now += 86399
    assert outbox.deliver_due(slack) == 0 and len(slack.attempts) == 1  # still tried just before the day is up
    clock.now += 3600
    slack.down = False
    assert outbox.deliver_due(slack) == 0 and len(slack.attempts) == 1 and outbox.pending() == 1


def test_held_replies_survive_a_restart(open_store):
    clock = Clock()
    hold_one(ReplyOutbox(open_store(), clock=clock, backoff=(1.0, 1.0)))
    clock.now += 1
    slack = FlakySlack()
    slack.down = False
    restarted = ReplyOutbox(open_store(), clock=clock, backoff=(1.0, 1.0))  # a new process, a new engine
    assert restarted.pending() == 1 and restarted.deliver_due(slack) == 1 and restarted.pending() == 0


def test_two_pollers_never_post_the_same_reply_while_one_holds_it(open_store):
    clock = Clock()
    first = ReplyOutbox(open_store(), clock=clock, backoff=(0.0, 0.0), lease=60.0)
    second = ReplyOutbox(open_store(), clock=clock, backoff=(0.0, 0.0), lease=60.0)
    hold_one(first)
    seen_by_second: list[int] = []

    def post_while_the_other_polls(reply: PendingReply) -> None:
        seen_by_second.append(second.deliver_due(FlakySlack()))  # runs while ``first`` holds the lease

    assert first.deliver_due(post_while_the_other_polls) == 1
    assert seen_by_second == [0] and first.pending() == 0


def test_an_unwritable_database_is_a_store_error(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    outbox = ReplyOutbox(SqlStore.from_url(f"sqlite:///{blocker / 'faqbot.sqlite3'}"))
    with pytest.raises(StoreError):
        hold_one(outbox)

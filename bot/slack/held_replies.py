"""Slack replies Slack did not take: kept in the database and posted again until they arrive or expire.

A reply whose first post failed (Slack down even after the client's retries)
is a row (``pending_replies``); :class:`ReplyOutbox` holds it and gives the
delivery worker (:mod:`bot.delivery`) the queue to post it from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.delivery import DeliveryWorker, backoff_delay
from bot.store import HeldReplyStore, Leased, PendingReply


class _ReplyQueue:
    what = "posting held reply"

    def __init__(self, store: HeldReplyStore, expire_after: float) -> None:
        self.store = store
        self.expire_after = expire_after

    def lease(self, *, now: datetime, **options: Any) -> list[Leased]:
        return self.store.lease_replies(now=now, created_after=now - timedelta(seconds=self.expire_after), **options)

    def ident(self, item: PendingReply) -> int:
        return item.id

    def attempts(self, item: PendingReply) -> int:
        return item.attempts

    def delivered(self, item: PendingReply, **options: Any) -> bool:
        return self.store.mark_reply_posted(item.id, **options)

    def failed(self, item: PendingReply, **options: Any) -> bool:
        return self.store.mark_reply_failed(item.id, **options)


class ReplyOutbox:
    """Held Slack replies: :meth:`hold` keeps one, :meth:`deliver_due` posts those whose retry time has come.

    A reply is tried for ``expire_after`` seconds (a day by default: an answer
    that late helps nobody, and a channel that was archived or left never takes
    it); the row then stays, with its last error, for whoever investigates.
    """

    def __init__(
        self,
        store: HeldReplyStore,
        *,
        clock: Callable[[], float] = time.time,
        backoff: tuple[float, float] = (2.0, 300.0),
        lease: float = 60.0,
        expire_after: float = 86400.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.backoff = backoff
        self.lease = float(lease)
        self._queue = _ReplyQueue(store, float(expire_after))

    def now(self) -> datetime:
        """The injected clock as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def hold(self, *, channel: str, thread_ts: str | None, text: str, blocks: list[dict[str, Any]] | None,
             event_key: str | None, error: str) -> int:
        """Keep a reply whose first post failed with ``error``; return its row id. Raises ``StoreError``."""
        moment = self.now()
        return self.store.hold_reply(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, event_key=event_key, error=error,
            now=moment, retry_at=moment + timedelta(seconds=backoff_delay(1, self.backoff)),
        )

    def worker(self, post: Callable[[PendingReply], object]) -> DeliveryWorker:
        """The delivery worker that posts held replies with ``post`` (which raises on failure)."""
        def deliver(reply: PendingReply) -> None:
            post(reply)

        return DeliveryWorker(self._queue, deliver, clock=self.clock, backoff=self.backoff, lease=self.lease)

    def deliver_due(self, post: Callable[[PendingReply], object], limit: int = 100) -> int:
        """Post up to ``limit`` due replies with ``post``; return how many got through."""
        return self.worker(post).deliver_due(limit)

    def pending(self) -> int:
        """How many replies were never posted (expired ones included)."""
        return self.store.pending_replies()

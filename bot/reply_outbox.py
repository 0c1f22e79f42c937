"""Slack replies that Slack did not take: kept in the database and posted again until it does.

An asker's question is answered at once. When ``chat.postMessage`` still fails
after slack-sdk's own retries (an outage, a timeout, a refused connection),
the rendered reply is written to ``pending_replies`` and the bot's background
thread posts it again with the same capped exponential backoff as escalations
(``bot.forwarding``). Rows live in the store's database, so a restart carries
on, and each row is leased to one poster at a time, so several workers never
post the same reply together.

Delivery is at-least-once with the same narrow window as forwarding: a crash
after Slack accepted the post and before the row is marked delivered posts it
once more when the lease expires. A reply is tried for ``expire_after`` seconds
(a day by default: an answer that late helps nobody, and a channel that was
archived or left never takes it); the row then stays, with its last error, for
whoever investigates. The question itself is in the question log either way.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import and_, func, insert, select, update

from bot import schema
from bot.background import run_periodically
from bot.forwarding import backoff_delay
from bot.store import EscalationStore, StoreError

log = logging.getLogger("faqbot.slack")

_R = schema.pending_replies


@dataclass(frozen=True)
class PendingReply:
    """A reply waiting to be posted: where, what, and how often it already failed."""

    id: int
    channel: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    event_key: str | None
    attempts: int


class ReplyOutbox:
    """Held Slack replies in the store's database; ``deliver_due`` posts the ones whose retry time has come.

    ``clock`` returns seconds since the epoch (injected in tests); ``backoff`` is
    ``(base, max)`` seconds as for :class:`bot.forwarding.Forwarder`; ``lease``
    must exceed the longest a post may take; ``expire_after`` is how long a reply
    is worth posting at all.
    """

    def __init__(
        self,
        store: EscalationStore,
        *,
        clock: Callable[[], float] = time.time,
        backoff: tuple[float, float] = (2.0, 300.0),
        lease: float = 60.0,
        expire_after: float = 86400.0,
    ) -> None:
        self.store = store
        self.engine = store.engine
        self.clock = clock
        self.backoff = backoff
        self.lease = float(lease)
        self.expire_after = float(expire_after)

    def now(self) -> datetime:
        """The injected clock as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def hold(
        self,
        *,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None,
        event_key: str | None,
        error: str,
    ) -> int:
        """Keep a reply whose first post failed with ``error``; return its row id. Raises ``StoreError``."""
        moment = self.now()
        retry_at = moment + timedelta(seconds=backoff_delay(1, self.backoff))
        row = dict(
            channel=channel, thread_ts=thread_ts, text=text, blocks=None if blocks is None else json.dumps(blocks),
            event_key=event_key, created_at=moment, attempts=1, next_attempt_at=retry_at, last_error=error,
        )
        self.store.ensure_schema()
        with self.store.guard("could not keep the reply to post again"), self.engine.begin() as conn:
            return int(conn.execute(insert(_R).values(**row)).inserted_primary_key[0])

    def deliver_due(self, post: Callable[[PendingReply], None], limit: int = 100) -> int:
        """Post up to ``limit`` due replies with ``post`` (which raises on failure); return how many got through."""
        token = uuid.uuid4().hex
        delivered = 0
        for reply in self._claim_due(token, limit):
            try:
                post(reply)
            except Exception as exc:  # any failure is retried later, until the reply expires
                self._failed(reply, token, f"{type(exc).__name__}: {exc}".strip())
                continue
            self._delivered(reply, token)
            delivered += 1
        return delivered

    def pending(self) -> int:
        """How many replies were never posted (expired ones included)."""
        self.store.ensure_schema()
        with self.store.guard("could not count pending replies"), self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(_R).where(_R.c.delivered_at.is_(None))) or 0)

    def run_forever(self, stop_event: threading.Event, post: Callable[[PendingReply], None], poll_interval: float) -> None:
        """Post due replies every ``poll_interval`` seconds until ``stop_event`` is set (a thread target)."""
        run_periodically(stop_event, poll_interval, lambda: self.deliver_due(post), "posting held replies")

    # --- rows -----------------------------------------------------------------------------------

    def _claim_due(self, token: str, limit: int) -> list[PendingReply]:
        """Lease the due, undelivered, unexpired replies nobody else holds, oldest first."""
        moment = self.now()
        fresh = _R.c.created_at > moment - timedelta(seconds=self.expire_after)
        rows = self.store.lease(
            _R, waiting=_R.c.delivered_at.is_(None), due=and_(_R.c.next_attempt_at <= moment, fresh),
            now=moment, token=token, lease_seconds=self.lease, limit=limit, doing="could not read the replies to post again",
        )
        return [
            PendingReply(id=row.id, channel=row.channel, thread_ts=row.thread_ts, text=row.text,
                         blocks=None if row.blocks is None else json.loads(row.blocks),
                         event_key=row.event_key, attempts=row.attempts)
            for row in rows
        ]

    def _failed(self, reply: PendingReply, token: str, error: str) -> None:
        attempts = reply.attempts + 1
        retry_at = self.now() + timedelta(seconds=backoff_delay(attempts, self.backoff))
        with self.store.guard("could not record a failed reply"), self.engine.begin() as conn:
            conn.execute(
                update(_R).where(_R.c.id == reply.id, _R.c.claim_token == token)
                .values(attempts=attempts, next_attempt_at=retry_at, last_error=error, claim_token=None, claimed_until=None)
            )
        log.warning("posting held reply %d failed (attempt %d), retrying at %s: %s",
                    reply.id, attempts, retry_at.isoformat(timespec="seconds"), error)

    def _delivered(self, reply: PendingReply, token: str) -> None:
        with self.store.guard("could not record a posted reply"), self.engine.begin() as conn:
            conn.execute(
                update(_R).where(_R.c.id == reply.id, _R.c.claim_token == token)
                .values(delivered_at=self.now(), claim_token=None, claimed_until=None)
            )

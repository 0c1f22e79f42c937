"""Which Slack events have been handled: exactly-once answers across processes, kept in the database.

Slack delivers an event at least once: it retries when an acknowledgement is
late or lost (``X-Slack-Retry-Num``), and one message can arrive as two events
(``app_mention`` and ``message.im``). Several worker processes behind a load
balancer may each receive a copy. :class:`EventLedger` makes them agree on
who answers: a claim is an ``INSERT`` into ``slack_events`` keyed by the
message (``channel`` and ``ts``, or the ``event_id`` when there is no message),
and the primary key makes every other ``INSERT`` of the same key fail. Only the
winner answers.

A claim whose holder died before finishing (no ``done_at`` after
``stale_after`` seconds) may be taken over by a later delivery, with one
conditional ``UPDATE`` that again only one process can win.

The table is part of the store's schema (migration 2), so it is created and
versioned with the rest.
Rows older than a day are pruned now and then; Slack never retries that late.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from bot.store import EscalationStore, StoreError

log = logging.getLogger("faqbot.slack")


def event_key(event_id: str | None, channel: str | None, ts: str | None) -> str | None:
    """The dedupe key of an event: the message it carries when known, else its event id."""
    if channel and ts:
        return f"msg:{channel}:{ts}"
    if event_id:
        return f"evt:{event_id}"
    return None


class EventLedger:
    """Claims on Slack events in the store; ``claim`` returns True for exactly one caller per key."""

    def __init__(
        self,
        store: EscalationStore,
        *,
        stale_after: float = 120.0,
        keep: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.stale_after = float(stale_after)
        self.keep = float(keep)
        self._clock = clock
        self._claims = 0

    @classmethod
    def for_store(cls, store: EscalationStore, **options) -> EventLedger:
        """A ledger in the same database as ``store``."""
        return cls(store, **options)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    def ensure_table(self) -> None:
        """Make sure the store's schema, which holds ``slack_events``, is in place."""
        self.store.ensure_schema()

    def claim(self, key: str, event_id: str | None = None) -> bool:
        """Claim ``key``; True means this caller must handle the event, False that someone else has or does."""
        moment = self._now()
        won = self.store.claim_event(key, event_id, now=moment, stale_before=moment - timedelta(seconds=self.stale_after))
        self._claims += 1
        if self._claims % 1000 == 0:
            self.prune()
        return won

    def done(self, key: str) -> None:
        """Mark ``key`` handled, so no stale-claim takeover ever answers it again."""
        try:
            self.store.event_done(key, now=self._now())
        except StoreError as exc:
            log.warning("%s", exc)

    def prune(self) -> int:
        """Forget claims older than ``keep`` seconds; return how many."""
        try:
            return self.store.prune_events(before=self._now() - timedelta(seconds=self.keep))
        except StoreError as exc:
            log.warning("%s", exc)
            return 0

    def count(self) -> int:
        """How many claims are recorded (for tests and diagnostics)."""
        return self.store.event_count()

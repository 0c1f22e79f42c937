"""One delivery worker for every "tell someone, retry until it arrives" job.

Write, then tell: the thing to deliver is a row first (a case to forward to
Seller Support, a reply a channel refused), then :class:`DeliveryWorker`
leases due rows from a :class:`WorkQueue`, hands each to ``deliver``, and
settles it: delivered (with the reference the deliverer returned), or failed
with the error and the next attempt after capped exponential backoff. All state
lives in the database, so a restarted process carries on where the last one
stopped, and several workers may run at once: each row is leased to one of them.

A deliverer that raises :class:`bot.errors.Undeliverable` (a refusal no retry
will change) is not retried: a queue that offers ``given_up`` records it for
people to see (cases: ``escalations.undeliverable``); others retry as usual.

Delivery is at-least-once with a narrow window: a crash after the deliverer
succeeded and before the settlement commits leaves the row leased and
unsettled. The next worker leases it as ``unsure`` and, when a ``find``
callable is given (the deliverer can look: a file, a channel's history), asks
it first and records the earlier delivery instead of sending again.

:class:`Forwarder` (cases to a :class:`Sink`) is this worker on the cases to
forward; a channel's own queues (the durable inbox, Slack's held replies) bring
their own :class:`WorkQueue`. Nothing here knows what a channel is.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from bot.background import run_periodically
from bot.errors import Undeliverable
from bot.store import Escalation, ForwardingStore, Leased

log = logging.getLogger("faqbot.delivery")


def backoff_delay(failures: int, backoff: tuple[float, float]) -> float:
    """Capped exponential backoff: after ``failures`` (>= 1) failed attempts wait ``base * 2**(failures - 1)``, at most ``max``."""
    base, cap = backoff
    return min(cap, base * 2 ** min(max(failures - 1, 0), 60))


class WorkQueue(Protocol):
    """A table of things to deliver, as the worker sees it (see :mod:`bot.store.queues`)."""

    what: str  # "forwarding case", for log lines

    def lease(self, *, now: datetime, token: str, lease_seconds: float, limit: int, after: int) -> list[Leased]: ...
    def ident(self, item: Any) -> int: ...
    def attempts(self, item: Any) -> int: ...
    def delivered(self, item: Any, *, token: str, ref: str | None, now: datetime) -> bool: ...
    def failed(self, item: Any, *, token: str, error: str, retry_at: datetime, now: datetime) -> bool: ...


class DeliveryWorker:
    """Delivers due rows of ``queue`` with ``deliver`` (which raises on failure), with capped exponential backoff.

    ``clock`` returns seconds since the epoch (injected in tests); ``backoff`` is
    ``(base, max)`` seconds: the n-th consecutive failure waits ``base * 2**(n-1)``,
    at most ``max``. ``lease`` must exceed the longest a delivery may take.
    """

    def __init__(
        self,
        queue: WorkQueue,
        deliver: Callable[[Any], str | None],
        *,
        find: Callable[[Any], str | None] | None = None,
        clock: Callable[[], float] = time.time,
        backoff: tuple[float, float] = (2.0, 300.0),
        lease: float = 60.0,
        batch: int = 20,
    ) -> None:
        base, cap = backoff
        if base < 0 or cap < base:
            raise ValueError(f"backoff must be (base, max) with 0 <= base <= max, got {backoff}")
        self.queue = queue
        self.deliver = deliver
        self.find = find
        self.clock = clock
        self.backoff = (float(base), float(cap))
        self.lease = float(lease)
        self.batch = max(1, int(batch))
        self._wake = threading.Event()

    def now(self) -> datetime:
        """The injected clock as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def retry_delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed attempts (>= 1)."""
        return backoff_delay(failures, self.backoff)

    def deliver_due(self, limit: int | None = 100) -> int:
        """Deliver up to ``limit`` due rows (all when None), oldest first; return how many got through.

        Each pass visits a row at most once, so a failing one cannot hold up the
        others; it waits for its next attempt instead.
        """
        delivered = visited = after = 0
        while limit is None or visited < limit:
            size = self.batch if limit is None else min(self.batch, limit - visited)
            token = uuid.uuid4().hex
            leased = self.queue.lease(now=self.now(), token=token, lease_seconds=self.lease, limit=size, after=after)
            if not leased:
                break
            for row in leased:
                after = max(after, self.queue.ident(row.item))
                visited += 1
                if self._deliver_one(row, token):
                    delivered += 1
        return delivered

    def deliver_leased(self, row: Leased, token: str) -> bool:
        """Deliver one row the caller already holds under ``token`` (e.g. leased when it was recorded), and settle it."""
        return self._deliver_one(row, token)

    def _deliver_one(self, row: Leased, token: str) -> bool:
        item, name = row.item, f"{self.queue.what} {self.queue.ident(row.item)}"
        try:
            ref = self.find(item) if row.unsure and self.find is not None else None
            if ref is None:
                ref = self.deliver(item)
            else:
                log.warning("%s: an earlier attempt had already arrived (%s); not sending again", name, ref)
        except Undeliverable as exc:  # refused for good: recorded for people to see, never sent again
            give_up = getattr(self.queue, "given_up", None)
            if give_up is not None:
                give_up(item, token=token, error=str(exc), now=self.now())
                log.error("%s cannot be delivered, not retrying: %s", name, exc)
                return False
            return self._failed(item, name, token, exc)
        except Exception as exc:  # any failure is retried, never dropped
            return self._failed(item, name, token, exc)
        if self.queue.delivered(item, token=token, ref=ref, now=self.now()):
            return True
        log.warning("%s was delivered after its lease expired; another worker may deliver it too", name)
        return False

    def _failed(self, item: Any, name: str, token: str, exc: Exception) -> bool:
        """Record a failed attempt and when to try again (capped exponential backoff)."""
        failures = self.queue.attempts(item) + 1
        retry_at = self.now() + timedelta(seconds=self.retry_delay(failures))
        error = f"{type(exc).__name__}: {exc}".strip()
        self.queue.failed(item, token=token, error=error, retry_at=retry_at, now=self.now())
        log.warning("%s failed (attempt %d), retrying at %s: %s",
                    name, failures, retry_at.isoformat(timespec="seconds"), error)
        return False

    def wake(self) -> None:
        """Make :meth:`run_forever` start its next round now (e.g. a case was just opened)."""
        self._wake.set()

    def run_forever(self, stop_event: threading.Event, poll_interval: float = 1.0) -> None:
        """Deliver due rows every ``poll_interval`` seconds, or at once when woken, until ``stop_event`` is set.

        Errors (database unreachable, a broken deliverer) are logged and retried
        on the next round; nothing is lost because the rows stay in the database.
        Whoever sets ``stop_event`` should :meth:`wake` the worker so it notices at once.
        """
        run_periodically(stop_event, poll_interval, lambda: self.deliver_due(limit=None),
                         f"{self.queue.what} round", wake=self._wake)


# --- cases to Seller Support ---------------------------------------------------------------------


class Sink(Protocol):
    """Where escalations are sent: Slack's support channel (or, in tests, a file).

    ``forward`` delivers one case and returns an external reference (e.g. the
    Slack message ts) or None; it raises on failure, and the case is retried
    later. A sink may also offer ``find(escalation) -> ref | None`` to say
    whether an earlier, unconfirmed attempt already arrived.
    """

    def forward(self, escalation: Escalation) -> str | None: ...


class _CaseQueue:
    what = "forwarding case"

    def __init__(self, store: ForwardingStore) -> None:
        self.store = store

    def lease(self, **options: Any) -> list[Leased]:
        return self.store.lease_cases(**options)

    def ident(self, item: Escalation) -> int:
        return item.case

    def attempts(self, item: Escalation) -> int:
        return item.forward_attempts

    def delivered(self, item: Escalation, *, token: str, ref: str | None, now: datetime) -> bool:
        return self.store.mark_forwarded(item.case, token=token, ref=ref, now=now)

    def failed(self, item: Escalation, **options: Any) -> bool:
        return self.store.mark_failed(item.case, **options)

    def given_up(self, item: Escalation, **options: Any) -> bool:
        return self.store.mark_undeliverable(item.case, **options)


class Forwarder(DeliveryWorker):
    """Forwards stored escalations to ``sink``, retried until delivered, never dropped."""

    def __init__(self, store: ForwardingStore, sink: Sink, **options: Any) -> None:
        super().__init__(_CaseQueue(store), sink.forward, find=getattr(sink, "find", None), **options)
        self.store = store
        self.sink = sink

"""The durable inbox: every request a channel acknowledges is a database row first, in neutral form.

A channel that must answer its caller at once (Slack wants its 200 within
three seconds, and never redelivers an acknowledged request) parses the
request (:class:`~bot.desks.request.Request`) and calls
:meth:`DurableInbox.receive` before acknowledging: one row, leased to this
process, then handled on the thread pool. The row's unique key (the message,
the command's trigger, the click) makes a redelivery, or the same message
arriving twice, a no-op: one row, one answer.

Handling is one step of a delivery worker (:mod:`bot.delivery`) over
:class:`InboxQueue`: the channel builds the worker with its replay (the stored
request into the desks) and hands it here. A pool thread that picks the request
up after a third of its lease has passed (the pool was busy) first renews the
lease (if another process took the request over, it stops; a request picked up
at once skips that write, which keeps the database's writer free for
acknowledgements), handles it, and marks it done; a failure is retried with
backoff, at most ``max_attempts`` times. If the process is killed, its leases
run out and the sweeper (the same worker's background round, in every process,
and at start-up) finishes every recorded request that has no answer yet; a
request taken over from a holder that died mid-way is ``unsure``, and the
worker's ``find`` looks for an answer already given before answering.

Rows are kept for ``expire_after`` (a day), then pruned now and then. If even
the recording fails (the database is down), the request is handled in memory
(``Request.recorded`` False): answering is better than never answering.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import DeliveryWorker
from bot.desks.request import Request
from bot.store import InboxRequest, InboxStore, Leased, StoreError

log = logging.getLogger("faqbot.inbox")


def stored_request(row: InboxRequest) -> Request:
    """The request a row holds, as the inbox replays it (``recorded``: a failure is retried)."""
    return Request.from_json(row.payload, recorded=True)


class InboxQueue:
    """The inbox table as the delivery worker sees it; a request that keeps failing is given up."""

    what = "handling request"

    def __init__(self, store: InboxStore, *, expire_after: float = 86400.0, max_attempts: int = 5) -> None:
        self.store = store
        self.expire_after = float(expire_after)
        self.max_attempts = max(1, max_attempts)

    def lease(self, *, now: datetime, **options: Any) -> list[Leased]:
        return self.store.lease_requests(now=now, received_after=now - timedelta(seconds=self.expire_after),
                                         **options)

    def ident(self, item: InboxRequest) -> int:
        return item.id

    def attempts(self, item: InboxRequest) -> int:
        return item.attempts

    def delivered(self, item: InboxRequest, *, token: str, ref: str | None, now: datetime) -> bool:
        return self.store.mark_request_done(item.id, token=token, now=now)

    def failed(self, item: InboxRequest, *, token: str, error: str, retry_at: datetime, now: datetime) -> bool:
        if item.attempts + 1 >= self.max_attempts:
            log.error("giving up request %s after %d attempts: %s", item.key, item.attempts + 1, error)
            return self.store.mark_request_done(item.id, token=token, now=now, error=error)
        return self.store.mark_request_failed(item.id, token=token, error=error, retry_at=retry_at, now=now)


class DurableInbox:
    """Records requests before the acknowledgement and has ``worker`` handle them on ``executor``, once across processes.

    ``worker`` is a :class:`DeliveryWorker` over an :class:`InboxQueue` whose
    deliverer replays a stored row (see :func:`stored_request`);
    ``unrecorded`` handles a request the database would not take, in memory.
    ``lease`` must exceed one and a half times the longest one request takes.
    """

    def __init__(self, store: InboxStore, executor: Executor, worker: DeliveryWorker,
                 unrecorded: Callable[[Request], object], *, lease: float = 60.0, expire_after: float = 86400.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.executor = executor
        self.worker = worker
        self.unrecorded = unrecorded
        self.lease = float(lease)
        self.expire_after = float(expire_after)
        self.clock = clock
        self._received = 0

    def receive(self, key: str, request: Request) -> bool:
        """Record ``request`` under ``key`` and queue its handling; False when it was a redelivery (nothing to do).

        Runs before the acknowledgement, so it only writes one row and queues work.
        """
        token = uuid.uuid4().hex
        try:
            recorded = self.store.record_request(key, request.action, request.to_json(), now=self.worker.now(),
                                                 token=token, lease_seconds=self.lease)
        except StoreError as exc:
            log.error("could not record request %s; handling it in memory only: %s", key, exc)
            self.executor.submit(self._handle_in_memory, key, request)
            return True
        if recorded is None:
            log.info("request %s was recorded before; not handling it again", key)
            return False
        self.executor.submit(self._handle_live, recorded, token, self.clock())
        self._received += 1
        if self._received % 1000 == 0:
            self.executor.submit(self.prune)
        return True

    def prune(self, older_than: float | None = None) -> int:
        """Forget requests older than ``older_than`` seconds (default ``expire_after``); return how many."""
        age = self.expire_after if older_than is None else older_than
        try:
            return self.store.prune_requests(before=self.worker.now() - timedelta(seconds=age))
        except StoreError as exc:
            log.warning("%s", exc)
            return 0

    def sweep(self, limit: int | None = None) -> int:
        """Handle the recorded requests whose holder is gone (or whose retry is due); return how many were handled."""
        return self.worker.deliver_due(limit)

    def wake(self) -> None:
        """Start the sweeper's next round now."""
        self.worker.wake()

    def _handle_live(self, row: InboxRequest, token: str, recorded_at: float) -> None:
        """Handle a request this process recorded, unless its lease ran out and another process took it."""
        if self.clock() - recorded_at > self.lease / 3:
            try:
                mine = self.store.renew_request(row.id, token=token, now=self.worker.now(), lease_seconds=self.lease)
            except StoreError as exc:  # the lease runs out and the sweeper retries it
                log.warning("could not renew the lease on request %s; it will be retried: %s", row.key, exc)
                return
            if not mine:
                return
        self.worker.deliver_leased(Leased(row), token)

    def _handle_in_memory(self, key: str, request: Request) -> None:
        try:
            self.unrecorded(request)
        except Exception:
            log.exception("handling request %s failed", key)

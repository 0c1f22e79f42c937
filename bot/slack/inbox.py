"""The Slack inbox: every question, command and click is a database row before Slack gets its 200.

Slack never redelivers an acknowledged request, so work that waits only in
memory dies with the process. :meth:`SlackInbox.receive` runs on the request
thread, before the acknowledgement: it records the request (its body, and what
is needed to handle it later) in ``slack_inbox``, leased to this process, and
hands it to the thread pool. The row's unique key (the message, the command's
trigger, the click) makes a redelivery, or the same message arriving as two
events, a no-op: one row, one answer.

Handling is one delivery-worker step (:mod:`bot.delivery`): a pool thread that
picks the request up after a third of its lease has passed (the pool was busy)
first renews the lease (if another process took the request over, it stops;
a request picked up at once skips that write, which keeps the database's writer
free for acknowledgements), handles it, and marks it done; a failure is retried with backoff, at most
``max_attempts`` times. If the process is killed, its leases run out and the
sweeper (:meth:`SlackInbox.sweep`, a background round in every process, and at
start-up) leases and finishes every recorded request that has no answer yet.
A request taken over from a holder that died mid-way is ``unsure``: the
``find`` hook looks in Slack for an answer already posted before answering.

Rows are kept for ``expire_after`` (a day), then pruned now and then: Slack never
redelivers that late, and a request nobody could handle in a day is given up.

If even the recording fails (the database is down), the request is handled
in memory as before: answering is better than never answering.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import DeliveryWorker
from bot.store import InboxRequest, InboxStore, Leased, StoreError

log = logging.getLogger("faqbot.slack")

# A handler gets the request and whether it is recorded (durable): a durable request may
# raise to be retried later; one handled in memory only must finish now, whatever happens.
Handler = Callable[[InboxRequest, bool], None]


def event_key(event_id: str | None, channel: str | None, ts: str | None) -> str | None:
    """An event's key: the message it carries when known (one key for both event types a message can
    arrive as), else its event id; None when neither is known. Replies are tagged with it too."""
    if channel and ts:
        return f"msg:{channel}:{ts}"
    if event_id:
        return f"evt:{event_id}"
    return None


def request_key(kind: str, body: dict[str, Any]) -> str:
    """The key that makes redeliveries of one request one row: the message, the command's trigger, the click."""
    if kind == "event":
        event = body.get("event") or {}
        key = event_key(body.get("event_id"), event.get("channel"), event.get("ts"))
        if key:
            return key
    elif kind == "command" and body.get("trigger_id"):
        return f"cmd:{body['trigger_id']}"
    elif kind == "action":
        action = (body.get("actions") or [{}])[0]
        user = (body.get("user") or {}).get("id")
        if action.get("action_ts"):
            return f"act:{user}:{action.get('action_id')}:{action['action_ts']}"[:255]
    return f"req:{uuid.uuid4().hex}"  # nothing identifies it: record it, without dedupe


class _InboxQueue:
    """``slack_inbox`` as the delivery worker sees it; a request that keeps failing is given up."""

    what = "handling Slack request"

    def __init__(self, store: InboxStore, expire_after: float, max_attempts: int) -> None:
        self.store = store
        self.expire_after = expire_after
        self.max_attempts = max_attempts

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
            log.error("giving up Slack request %s after %d attempts: %s", item.key, item.attempts + 1, error)
            return self.store.mark_request_done(item.id, token=token, now=now, error=error)
        return self.store.mark_request_failed(item.id, token=token, error=error, retry_at=retry_at, now=now)


class SlackInbox:
    """Records requests before the acknowledgement and handles them on ``executor``, exactly once across processes.

    ``handlers`` maps a kind (``event``, ``command``, ``action``) to its handler;
    ``find(request) -> ref | None`` says whether an unsure request was already
    answered. ``lease`` must exceed one and a half times the longest one request
    takes to handle.
    """

    def __init__(
        self,
        store: InboxStore,
        executor: Executor,
        handlers: Mapping[str, Handler],
        *,
        find: Callable[[InboxRequest], str | None] | None = None,
        lease: float = 60.0,
        backoff: tuple[float, float] = (2.0, 300.0),
        max_attempts: int = 5,
        expire_after: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.executor = executor
        self.handlers = dict(handlers)
        self.lease = float(lease)
        self.clock = clock
        self.expire_after = float(expire_after)
        self._received = 0
        self.worker = DeliveryWorker(_InboxQueue(store, float(expire_after), max(1, max_attempts)), self._handle,
                                     find=find, clock=clock, backoff=backoff, lease=self.lease)

    def receive(self, kind: str, body: dict[str, Any], extra: Mapping[str, Any] | None = None) -> bool:
        """Record a request and queue its handling; False when it was a redelivery (nothing to do).

        Runs before the acknowledgement, so it only writes one row and queues work.
        """
        payload = {"body": body, **(extra or {})}
        key = request_key(kind, body)
        token = uuid.uuid4().hex
        try:
            recorded = self.store.record_request(key, kind, payload, now=self.worker.now(), token=token,
                                                 lease_seconds=self.lease)
        except StoreError as exc:
            log.error("could not record Slack request %s; handling it in memory only: %s", key, exc)
            self.executor.submit(self._handle_in_memory, InboxRequest(0, key, kind, payload, 0))
            return True
        if recorded is None:
            log.info("Slack request %s was recorded before; not handling it again", key)
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

    def _handle_live(self, request: InboxRequest, token: str, recorded_at: float) -> None:
        """Handle a request this process recorded, unless its lease ran out and another process took it."""
        if self.clock() - recorded_at > self.lease / 3:
            try:
                mine = self.store.renew_request(request.id, token=token, now=self.worker.now(),
                                                lease_seconds=self.lease)
            except StoreError as exc:  # the lease runs out and the sweeper retries it
                log.warning("could not renew the lease on Slack request %s; it will be retried: %s", request.key, exc)
                return
            if not mine:
                return
        self.worker.deliver_leased(Leased(request), token)

    def _handle(self, request: InboxRequest) -> None:
        handler = self.handlers.get(request.kind)
        if handler is None:
            log.warning("no handler for Slack request kind %r (%s); dropping it", request.kind, request.key)
            return
        handler(request, True)

    def _handle_in_memory(self, request: InboxRequest) -> None:
        handler = self.handlers.get(request.kind)
        try:
            if handler is not None:
                handler(request, False)
        except Exception:
            log.exception("handling Slack request %s failed", request.key)

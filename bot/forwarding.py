"""Forwarding stored escalations to Seller Support: retried until delivered, never dropped.

Write, then tell: ``EscalationStore.open_escalation`` commits the case first,
then the caller (or a background thread) runs :meth:`Forwarder.deliver_due`,
which reads due cases back from the database and hands each to a :class:`Sink`
(the Slack channel, a JSON-lines file, a terminal). All forwarding state lives
in the database (attempts, last error, next retry, a lease), so a restarted
process carries on where the last one stopped, and several forwarders may run
at once: each case is leased to one of them before it is sent.

Delivery is at-least-once with a narrow window: the success is recorded in one
statement that checks the lease is still ours, but a crash after the sink
accepted a case and before that statement commits sends the case once more
after the lease expires. Sinks receive the case number to make that harmless:
:class:`JsonlFileSink` skips a case already in its file, and a Slack sink can
look for the case number in the channel before posting.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol, TextIO

from bot.background import run_periodically
from bot.store import Escalation, EscalationStore

log = logging.getLogger("faqbot.forwarding")

try:  # POSIX: lock the sink file across processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per sink file
    fcntl = None  # type: ignore[assignment]


def backoff_delay(failures: int, backoff: tuple[float, float]) -> float:
    """Capped exponential backoff: after ``failures`` (>= 1) failed attempts wait ``base * 2**(failures - 1)``, at most ``max``."""
    base, cap = backoff
    return min(cap, base * 2 ** min(max(failures - 1, 0), 60))


class Sink(Protocol):
    """Where escalations are sent: Slack's support channel, a file, a terminal."""

    def forward(self, escalation: Escalation) -> str | None:
        """Deliver one case; return an external reference (e.g. the Slack message ts) or None.

        Raise on failure: the forwarder records the error and retries later.
        The same case may arrive twice after a crash; ``escalation.case`` lets the
        sink notice.
        """
        ...


class Forwarder:
    """Delivers due escalations from the store to a sink, with capped exponential backoff.

    ``clock`` returns seconds since the epoch (injected in tests); ``backoff`` is
    ``(base, max)`` seconds: the n-th consecutive failure waits ``base * 2**(n-1)``,
    at most ``max``. ``lease`` must exceed the longest a sink call may take.
    """

    def __init__(
        self,
        store: EscalationStore,
        sink: Sink,
        *,
        clock: Callable[[], float] = time.time,
        backoff: tuple[float, float] = (2.0, 300.0),
        lease: float = 60.0,
        batch: int = 20,
    ) -> None:
        base, cap = backoff
        if base < 0 or cap < base:
            raise ValueError(f"backoff must be (base, max) with 0 <= base <= max, got {backoff}")
        self.store = store
        self.sink = sink
        self.clock = clock
        self.backoff = (float(base), float(cap))
        self.lease = float(lease)
        self.batch = max(1, int(batch))

    def now(self) -> datetime:
        """The injected clock as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def retry_delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed attempts (>= 1)."""
        return backoff_delay(failures, self.backoff)

    def deliver_due(self, limit: int | None = 100) -> int:
        """Forward up to ``limit`` due cases (all when None), oldest first; return how many got through.

        Each pass visits a case at most once, so a failing case cannot hold up
        the others; it waits for its next attempt instead.
        """
        delivered = 0
        visited = 0
        after = 0
        while limit is None or visited < limit:
            size = self.batch if limit is None else min(self.batch, limit - visited)
            token = uuid.uuid4().hex
            claimed = self.store.claim_due(
                now=self.now(), token=token, lease_seconds=self.lease, limit=size, after=after
            )
            if not claimed:
                break
            for escalation in claimed:
                after = max(after, escalation.case)
                visited += 1
                if self._deliver(escalation, token):
                    delivered += 1
        return delivered

    def _deliver(self, escalation: Escalation, token: str) -> bool:
        try:
            ref = self.sink.forward(escalation)
        except Exception as exc:  # any sink failure is retried, never dropped
            failures = escalation.forward_attempts + 1
            retry_at = self.now() + timedelta(seconds=self.retry_delay(failures))
            error = f"{type(exc).__name__}: {exc}".strip()
            self.store.mark_failed(
                escalation.case, token=token, error=error, retry_at=retry_at, now=self.now()
            )
            log.warning(
                "forwarding case %d failed (attempt %d), retrying at %s: %s",
                escalation.case, failures, retry_at.isoformat(timespec="seconds"), error,
            )
            return False
        if self.store.mark_forwarded(escalation.case, token=token, ref=ref, now=self.now()):
            return True
        log.warning("case %d was delivered after its lease expired; another forwarder may send it too",
                    escalation.case)
        return False

    def run_forever(self, stop_event: threading.Event, poll_interval: float = 1.0) -> None:
        """Deliver due cases every ``poll_interval`` seconds until ``stop_event`` is set (a thread target).

        Errors (database unreachable, a broken sink) are logged and retried on the
        next round; nothing is lost because the cases stay in the database.
        """
        run_periodically(stop_event, poll_interval, lambda: self.deliver_due(limit=None), "forwarding round")


def escalation_payload(escalation: Escalation) -> dict:
    """What a sink needs to show a case: its number, question, asker, where it came from, candidates."""
    return {
        "case": escalation.case,
        "created_at": escalation.created_at.isoformat(),
        "lang": escalation.lang,
        "question": escalation.question,
        "asker": escalation.asker,
        "source": escalation.source,
        "channel": escalation.channel,
        "thread": escalation.thread,
        "message_id": escalation.message_id,
        "best_entry_id": escalation.best_entry_id,
        "best_score": escalation.best_score,
        "candidates": [{"entry_id": c.entry_id, "score": c.score} for c in escalation.candidates],
    }


class JsonlFileSink:
    """Appends one JSON line per case to a file, each case at most once (it dedupes by case number).

    Safe across threads and processes (an exclusive ``flock`` while checking and
    appending). Each line is fsynced before ``forward`` returns. A line torn by a
    crash is left as it is (readers skip it) and the case is written again whole.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._offset = 0
        self._identity: tuple[int, int] | None = None

    def forward(self, escalation: Escalation) -> str:
        """Append the case unless the file already has it; return ``"<file name>#<case>"``."""
        ref = f"{self.path.name}#{escalation.case}"
        line = json.dumps(escalation_payload(escalation), ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock, open(self.path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                torn = self._catch_up(handle)
                if escalation.case in self._seen:
                    return ref
                data = (b"\n" if torn else b"") + line
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                self._offset = handle.tell()
                self._seen.add(escalation.case)
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return ref

    def _catch_up(self, handle) -> bool:
        """Read lines appended since last time (by anyone); return whether the file ends mid-line."""
        status = os.fstat(handle.fileno())
        identity = (status.st_dev, status.st_ino)
        if identity != self._identity or status.st_size < self._offset:
            self._identity, self._offset, self._seen = identity, 0, set()
        handle.seek(self._offset)
        data = handle.read()
        end = data.rfind(b"\n") + 1
        for raw in data[:end].splitlines():
            case = _case_of(raw)
            if case is not None:
                self._seen.add(case)
        self._offset += end
        return end < len(data)

    @staticmethod
    def read(path: str | os.PathLike[str]) -> list[dict]:
        """Every complete, well-formed record in a sink file, in file order."""
        try:
            raw_lines = Path(path).read_bytes().splitlines()
        except FileNotFoundError:
            return []
        records = []
        for raw in raw_lines:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("case"), int):
                records.append(record)
        return records


def _case_of(raw: bytes) -> int | None:
    try:
        case = json.loads(raw).get("case")
    except (ValueError, AttributeError):
        return None
    return case if isinstance(case, int) else None


class StreamSink:
    """Prints each case as one line on a text stream (a terminal when no Slack is configured)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def forward(self, escalation: Escalation) -> None:
        """Write ``[case N] (lang) question — asker`` and flush."""
        who = f" ({escalation.asker})" if escalation.asker else ""
        self.stream.write(f"[case {escalation.case}] ({escalation.lang}) {escalation.question}{who}\n")
        self.stream.flush()
        return None

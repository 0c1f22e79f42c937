"""A fake Slack Socket Mode endpoint: a real WebSocket server on 127.0.0.1 for tests and benchmarks.

Slack's Socket Mode works like this: the app calls ``apps.connections.open``
(answered by :class:`bot.testkit.fake_slack.FakeSlack`, pointed here with
``serve_sockets_at(url)``), connects to the WebSocket URL it gets, receives a
``hello``, then envelopes (``{"envelope_id", "type": "events_api" |
"slash_commands" | "interactive", "payload", "retry_attempt"}``) and must
acknowledge each by sending back ``{"envelope_id": ...}``. Slack spreads
envelopes over an app's connections (up to 10), sends again what was not
acknowledged, and closes connections now and then (the app reconnects).

:class:`FakeSocketMode` does the same on demand: :meth:`deliver` sends an
envelope to one of the open connections (round robin, or the one asked for),
:meth:`redeliver_unacknowledged` sends again what no one acknowledged,
:meth:`drop_connections` closes every open connection, and the acknowledgements
are recorded per envelope (:meth:`wait_acknowledged`). Built on ``websockets``'
threaded server.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


@dataclass
class Envelope:
    """One envelope as sent, and what came back for it."""

    envelope_id: str
    kind: str
    payload: dict[str, Any]
    sent_to: list[int] = field(default_factory=list)  # connection numbers, in order of sending
    acks: list[int] = field(default_factory=list)  # connection numbers that acknowledged it


class FakeSocketMode:
    """The WebSocket side of Socket Mode. ``start()`` listens on a free port; ``url`` is what to hand out."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._open: dict[int, ServerConnection] = {}  # connection number -> connection
        self._numbers = itertools.count(1)
        self._ids = itertools.count(1)
        self._turn = itertools.count()
        self.envelopes: dict[str, Envelope] = {}
        self.connections_opened = 0
        self._server = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        self._server = serve(self._serve, "127.0.0.1", 0)
        self.port = self._server.socket.getsockname()[1]
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-socket-mode").start()
        return self

    def stop(self) -> None:
        self.drop_connections()
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    @property
    def url(self) -> str:
        """The ``ws://`` URL for ``apps.connections.open`` to answer."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=fake"

    # --- one connection -------------------------------------------------------------------------

    def _serve(self, connection: ServerConnection) -> None:
        with self._condition:
            number = next(self._numbers)
            self._open[number] = connection
            self.connections_opened += 1
            self._condition.notify_all()
        try:
            connection.send(json.dumps({"type": "hello", "num_connections": len(self._open),
                                        "connection_info": {"app_id": "AFAQ"},
                                        "debug_info": {"host": "fake-socket-mode"}}))
            for message in connection:
                self._received(number, message)
        except ConnectionClosed:
            pass
        finally:
            with self._condition:
                self._open.pop(number, None)
                self._condition.notify_all()

    def _received(self, number: int, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            return
        envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
        with self._condition:
            envelope = self.envelopes.get(envelope_id) if isinstance(envelope_id, str) else None
            if envelope is not None:
                envelope.acks.append(number)
                self._condition.notify_all()

    # --- what tests do ----------------------------------------------------------------------------

    def open_connections(self) -> list[int]:
        """The numbers of the connections open now."""
        with self._condition:
            return sorted(self._open)

    def wait_for_connections(self, count: int, timeout: float = 20.0, *, opened: int | None = None) -> list[int]:
        """Wait until ``count`` connections are open (and, with ``opened``, that many were ever opened)."""

        def ready() -> bool:
            return len(self._open) >= count and (opened is None or self.connections_opened >= opened)

        with self._condition:
            if not self._condition.wait_for(ready, timeout=timeout):
                raise AssertionError(f"expected {count} open Socket Mode connection(s) within {timeout}s; "
                                     f"open {len(self._open)}, ever opened {self.connections_opened}")
            return sorted(self._open)

    def deliver(self, payload: dict[str, Any], *, kind: str = "events_api", to: int | None = None,
                timeout: float = 20.0) -> str:
        """Send a new envelope to connection ``to`` (default: the open ones in turn); return its id."""
        envelope = Envelope(f"env-{next(self._ids):06d}", kind, payload)
        with self._condition:
            self.envelopes[envelope.envelope_id] = envelope
        self._send(envelope, to, timeout, retry_attempt=0)
        return envelope.envelope_id

    def redeliver(self, envelope_id: str, *, to: int | None = None, timeout: float = 20.0) -> None:
        """Send an envelope again (``retry_attempt`` counts up), as Slack does when it doubts it arrived."""
        envelope = self.envelopes[envelope_id]
        self._send(envelope, to, timeout, retry_attempt=len(envelope.sent_to))

    def redeliver_unacknowledged(self, timeout: float = 20.0) -> list[str]:
        """Send again every envelope nobody acknowledged; return their ids."""
        with self._condition:
            waiting = [e.envelope_id for e in self.envelopes.values() if not e.acks]
        for envelope_id in waiting:
            self.redeliver(envelope_id, timeout=timeout)
        return waiting

    def drop_connections(self) -> int:
        """Close every open connection (as Slack does to refresh them); return how many were closed."""
        with self._condition:
            connections = list(self._open.values())
        for connection in connections:
            try:
                connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))
            except ConnectionClosed:
                pass
            connection.close(code=1001, reason="refresh_requested")
        return len(connections)

    def wait_acknowledged(self, envelope_ids: list[str] | None = None, timeout: float = 30.0) -> None:
        """Wait until every envelope (or those in ``envelope_ids``) has been acknowledged at least once."""
        def done() -> bool:
            wanted = envelope_ids if envelope_ids is not None else list(self.envelopes)
            return all(self.envelopes[e].acks for e in wanted)

        with self._condition:
            if not self._condition.wait_for(done, timeout=timeout):
                missing = [e.envelope_id for e in self.envelopes.values() if not e.acks]
                raise AssertionError(f"{len(missing)} envelope(s) never acknowledged: {missing[:5]}")

    def _send(self, envelope: Envelope, to: int | None, timeout: float, *, retry_attempt: int) -> None:
        deadline = time.monotonic() + timeout
        message = json.dumps({
            "envelope_id": envelope.envelope_id, "type": envelope.kind, "payload": envelope.payload,
            "accepts_response_payload": envelope.kind != "events_api", "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        })
        while True:
            with self._condition:
                if not self._condition.wait_for(lambda: bool(self._open), timeout=max(0.0, deadline - time.monotonic())):
                    raise AssertionError("no Socket Mode connection to deliver to")
                numbers = sorted(self._open)
                number = to if to in self._open else numbers[next(self._turn) % len(numbers)]
                connection = self._open[number]
            try:
                connection.send(message)
            except ConnectionClosed:  # closed between choosing and sending: pick another one
                with self._condition:
                    self._open.pop(number, None)
                continue
            with self._condition:
                envelope.sent_to.append(number)
            return

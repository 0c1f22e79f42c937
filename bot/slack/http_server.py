"""The HTTP server of ``faqbot slack --http``: waitress, with limits fit for an open port.

Why waitress rather than the standard library's ``wsgiref`` with a thread per
request: waitress reads requests in one I/O loop and hands a worker thread
only a request that has fully arrived, so a client that sends its body slowly
holds no worker; the worker pool is a fixed size; a body over the limit is
refused with 413 from its ``Content-Length`` before it is read; connections
are capped. Two more limits are ours:

- ``request_timeout``: a request that has not fully arrived this many seconds
  after its first byte is dropped (waitress's ``channel_timeout`` only drops
  connections that go quiet, not ones that drip a byte now and then);
- ``HttpServer.shutdown()`` from another thread stops ``serve_forever()`` the
  way ``socketserver`` does, so the CLI and tests can stop it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from bot.slack.http_gate import MAX_BODY


class _TimedChannel(HTTPChannel):
    """A connection that remembers when the request it is receiving started."""

    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if data and self.request is None:
            self.request_started = time.time()
        return super().received(data)


class _Server(TcpWSGIServer):
    """waitress's TCP server whose clean-up also drops requests that take too long to arrive."""

    channel_class = _TimedChannel

    def __init__(self, *args, request_timeout: float, **kw) -> None:
        self.request_timeout = request_timeout
        super().__init__(*args, **kw)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            if getattr(channel, "request", None) is not None and channel.request_started < cutoff:
                channel.will_close = True  # a slow body: drop the connection, no worker was ever used


class HttpServer:
    """A WSGI application served on ``host:port`` (``port=0``: a free one, see ``server_port``)."""

    def __init__(
        self,
        application: Callable,
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        threads: int = 8,
        max_body: int = MAX_BODY,
        idle_timeout: float = 15.0,
        request_timeout: float = 10.0,
        connection_limit: int = 1000,
    ) -> None:
        adj = Adjustments(
            host=host, port=port, threads=threads, max_request_body_size=max_body + 1,
            channel_timeout=idle_timeout, cleanup_interval=1, connection_limit=connection_limit,
            ident="faqbot", expose_tracebacks=False, clear_untrusted_proxy_headers=True, asyncore_use_poll=True,
        )
        self._map: dict = {}
        self._dispatcher = ThreadedTaskDispatcher()
        self._dispatcher.set_thread_count(threads)
        self._server = _Server(application, self._map, dispatcher=self._dispatcher, adj=adj, sockinfo=adj.listen[0],
                               request_timeout=request_timeout)
        self.server_port: int = int(self._server.effective_port)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown` (from another thread) or Ctrl-C."""
        from waitress import wasyncore

        self._stopped.clear()
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=poll_interval, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait until it has returned."""
        self._stop.set()
        self._server.pull_trigger()
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        """Close the listening socket and open connections, and stop the worker threads."""
        from waitress import wasyncore

        self._stop.set()
        wasyncore.close_all(self._map)
        self._dispatcher.shutdown(timeout=5)

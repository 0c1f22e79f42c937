"""Posting the console's cases to the support channel from the console itself, when a channel is configured.

A case opened in the console must never wait silently for an unrelated
process. When the CLI finds the settings of a support channel (Slack's, today)
it hands the console a :data:`Connect`: given the console's current engine, it
returns (with the store) the channel's :class:`~bot.delivery.Sink` (where case cards go) and a
round that redraws cards of cases changed here. The console then runs the same
delivery worker as ``faqbot slack`` in a background thread (woken at once
when a case is opened, retrying with backoff, leasing each case so a running
``faqbot slack`` never posts it too). Without it the banner says that cases
wait in the database for a ``faqbot slack`` process. The console never imports
a channel: the CLI passes the connection in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.background import run_periodically
from bot.delivery import Forwarder, Sink
from bot.desks.questions import QuestionOutcome
from bot.store import CaseStore, Store
from faq import Assistant

log = logging.getLogger("faqbot.console")

#: Given the store and the console's current engine: the sink that posts case cards, and one round of
#: redrawing the cards of cases changed here.
Connect = Callable[[CaseStore, Callable[[], Assistant]], tuple[Sink, Callable[[], int]]]


class ConsoleForwarding:
    """A forwarding thread for one console session; :meth:`start` it with the console's engine, :meth:`stop` at the end."""

    def __init__(self, store: Store, connect: Connect, *, interval: float = 5.0) -> None:
        self.store = store
        self.connect = connect
        self.interval = interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.forwarder: Forwarder | None = None
        self._redraw_cards: Callable[[], int] = lambda: 0

    def start(self, assistant: Callable[[], Assistant]) -> None:
        """Connect to the support channel (texts from ``assistant()``) and start the threads."""
        sink, self._redraw_cards = self.connect(self.store, assistant)
        self.forwarder = Forwarder(self.store, sink, lease=120.0)
        self._threads = [
            threading.Thread(target=self.forwarder.run_forever, args=(self._stop, self.interval),
                             name="faqbot-console-forwarder", daemon=True),
            threading.Thread(target=run_periodically, args=(self._stop, self.interval, self._redraw_cards,
                                                            "refreshing case cards"), name="faqbot-console-cards", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def on_outcome(self, outcome: QuestionOutcome) -> None:
        """A desk listener: a new case is posted now, not at the next round."""
        if outcome.created and self.forwarder is not None:
            self.forwarder.wake()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the threads, then do one more round (a case opened or taken just before quitting);
        whatever the channel does not take stays queued in the database."""
        self._stop.set()
        if self.forwarder is None:
            return
        self.forwarder.wake()
        for thread in self._threads:
            thread.join(timeout)
        try:
            self.forwarder.deliver_due()
            self._redraw_cards()
        except Exception as exc:  # the database or the channel is down: the case waits in the queue
            log.warning("could not forward the last cases before leaving: %s", exc)

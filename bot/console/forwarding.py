"""Posting the console's cases to Slack from the console itself, when Slack settings are present.

A case opened in the console must never wait silently for an unrelated
process. With ``SLACK_BOT_TOKEN`` and ``FAQBOT_SUPPORT_CHANNEL`` set, the
console runs the same delivery worker as ``faqbot slack`` in a background
thread (woken at once when a case is opened, retrying with backoff, leasing
each case so a running ``faqbot slack`` never posts it too), and redraws the
cards of cases the agent takes or resolves. Without them the banner says that
cases wait in the database for a ``faqbot slack`` process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.background import run_periodically
from bot.config import SlackSettings
from bot.desks.questions import QuestionOutcome
from bot.store import EscalationStore
from faq import Assistant

log = logging.getLogger("faqbot.console")


class ConsoleForwarding:
    """A forwarding thread for one console session; :meth:`start` it with the console's engine, :meth:`stop` at the end."""

    def __init__(self, store: EscalationStore, settings: SlackSettings, *, interval: float = 5.0) -> None:
        self.store = store
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.forwarder = None
        self._cards = None

    def start(self, assistant: Callable[[], Assistant]) -> None:
        """Build the Slack sink (texts from ``assistant()``) and start the thread; Slack is imported only now."""
        from bot.delivery import Forwarder
        from bot.slack.cards import CardLocks, CardRedraws
        from bot.slack.client import build_client
        from bot.slack.sink import SlackSink

        client = build_client(self.settings.bot_token, self.settings.api_url)
        sink = SlackSink(client, self.settings.support_channel, assistant, lang=self.settings.support_lang)
        self.forwarder = Forwarder(self.store, sink, lease=120.0)
        cards = self._cards = CardRedraws(self.store, sink, CardLocks())
        self._threads = [
            threading.Thread(target=self.forwarder.run_forever, args=(self._stop, self.interval),
                             name="faqbot-console-forwarder", daemon=True),
            threading.Thread(target=run_periodically, args=(self._stop, self.interval, cards.run_once,
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
        whatever Slack does not take stays queued in the database."""
        self._stop.set()
        if self.forwarder is None:
            return
        self.forwarder.wake()
        for thread in self._threads:
            thread.join(timeout)
        try:
            self.forwarder.deliver_due()
            self._cards.run_once()
        except Exception as exc:  # the database or Slack is down: the case waits in the queue
            log.warning("could not forward the last cases before leaving: %s", exc)

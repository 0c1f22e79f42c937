"""Support-channel cards that show an older state: redrawn when a case is taken, resolved or reopened elsewhere.

A Slack button redraws its own card at once; a change made from the console
leaves the card stale until :meth:`CardRedraws.run_once` (a background round in
``faqbot slack``, or in a console that forwards its own cases) redraws it.
Per-case locks keep two redraws of one card from interleaving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.config import SlackSettings
from bot.slack.client import build_client, slack_refused
from bot.slack.sink import SlackSink
from bot.store import CaseStore, Escalation
from faq import Assistant

log = logging.getLogger("faqbot.slack")


class CardLocks:
    """Per-case locks (striped), so two redraws of one case card never interleave read and write."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, case: int) -> threading.Lock:
        return self._locks[case % len(self._locks)]


class CardRedraws:
    """Redraws the cards of cases changed outside Slack, with ``sink``, under ``locks``."""

    def __init__(self, store: CaseStore, sink: SlackSink, locks: CardLocks) -> None:
        self.store = store
        self.sink = sink
        self.locks = locks

    def run_once(self) -> int:
        """Redraw every stale card; return how many are up to date now."""
        redrawn = 0
        for case in self.store.stale_cards():
            with self.locks(case.case):
                current = self.store.get(case.case) or case
                if self._redraw(current):
                    self.store.mark_card_synced(current.case, current.updated_at)
                    redrawn += 1
        return redrawn

    def _redraw(self, case: Escalation) -> bool:
        """Redraw one case's card; True when it needs no more work, False to try again next round."""
        try:
            self.sink.refresh(case)
        except Exception as exc:
            if isinstance(exc, SlackApiError) and slack_refused(exc):  # the card was deleted, say
                log.warning("cannot redraw the card of case %d: %s", case.case, exc.response.get("error"))
                return True
            log.warning("could not redraw the card of case %d, will retry: %s", case.case, exc)
            return False
        return True


def console_connection(settings: SlackSettings) -> Callable[..., tuple[SlackSink, Callable[[], int]]]:
    """What a console needs to post its own cases to the support channel (see :mod:`bot.console.forwarding`):
    the sink, and a round that redraws the cards of cases the agent changed."""

    def connect(store: CaseStore, assistant: Callable[[], Assistant]) -> tuple[SlackSink, Callable[[], int]]:
        client = build_client(settings.bot_token, settings.api_url)
        sink = SlackSink(client, settings.support_channel, assistant, lang=settings.support_lang)
        return sink, CardRedraws(store, sink, CardLocks()).run_once

    return connect

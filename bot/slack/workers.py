"""The Slack adapter's background threads: forward cases, post held replies, redraw stale case cards.

Each is a loop over state kept in the database (see :mod:`bot.delivery`), so a
failed round loses nothing. The threads start with the first request in each
process (again after a fork: gunicorn workers each start their own) and stop
with :meth:`Workers.close`.
"""

from __future__ import annotations

import logging
import os
import threading

from bot.background import run_periodically
from bot.delivery import DeliveryWorker, Forwarder
from bot.slack.held_replies import ReplyOutbox
from bot.slack.cards import CardRedraws
from bot.slack.context import SlackContext
from bot.slack.posting import post_once
from bot.slack.sink import SlackSink
from bot.store import PendingReply

log = logging.getLogger("faqbot.slack")


class Workers:
    """The delivery workers of one Slack app and the threads that run them."""

    def __init__(self, ctx: SlackContext, *, interval: float, backoff: tuple[float, float], lease: float = 120.0) -> None:
        self.ctx = ctx
        self.interval = interval
        self.sink = SlackSink(ctx.client, ctx.support_channel, lambda: ctx.knowledge.assistant, lang=ctx.support_lang)
        self.forwarder = Forwarder(ctx.store, self.sink, backoff=backoff, lease=lease)
        self.outbox = ReplyOutbox(ctx.store, backoff=backoff, lease=lease)
        self.replies: DeliveryWorker = self.outbox.worker(self._post_held_reply)
        self.cards = CardRedraws(ctx.store, self.sink, ctx.card_lock)
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._attached: list[tuple[str, DeliveryWorker]] = []

    def attach(self, name: str, worker: DeliveryWorker) -> None:
        """Run one more delivery worker (e.g. the Slack inbox's sweeper) with the others; before they start."""
        self._attached.append((name, worker))

    def ensure_started(self) -> None:
        """Start the threads in this process (again after a fork); cheap when running."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            self._stop = threading.Event()
            poll = {"poll_interval": self.interval}
            self._threads = [
                threading.Thread(target=self.forwarder.run_forever, args=(self._stop,), kwargs=poll,
                                 name="faqbot-forwarder", daemon=True),
                threading.Thread(target=self.replies.run_forever, args=(self._stop,), kwargs=poll,
                                 name="faqbot-replies", daemon=True),
                threading.Thread(target=run_periodically, args=(self._stop, self.interval, self.sync_cards,
                                                                "refreshing case cards"), name="faqbot-cards", daemon=True),
            ] + [
                threading.Thread(target=worker.run_forever, args=(self._stop,), kwargs=poll, name=f"faqbot-{name}",
                                 daemon=True)
                for name, worker in self._attached
            ]
            for thread in self._threads:
                thread.start()
            self._pid = pid

    def deliver_now(self) -> None:
        """Forward due cases at once; failures stay queued for the background thread."""
        try:
            self.forwarder.deliver_due()
        except Exception as exc:  # the store is down: the background thread retries
            log.warning("forwarding failed, will retry: %s", f"{type(exc).__name__}: {exc}")

    def sync_cards(self) -> int:
        """Redraw the support-channel cards of cases taken or resolved outside Slack; return how many."""
        return self.cards.run_once()

    def _post_held_reply(self, reply: PendingReply) -> None:
        """Post a held reply exactly as it was rendered for the asker, unless an earlier attempt arrived after all."""
        post_once(self.ctx.client, reply.event_key or f"held:{reply.id}", channel=reply.channel,
                  thread_ts=reply.thread_ts, look_first=True, text=reply.text, blocks=reply.blocks,
                  unfurl_links=False, unfurl_media=False)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the threads (each finishes its current round)."""
        self._stop.set()
        self.forwarder.wake()
        self.replies.wake()
        for _name, worker in self._attached:
            worker.wake()
        for thread in self._threads:
            thread.join(timeout)
        self._pid = None

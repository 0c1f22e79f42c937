"""The Slack adapter: a slack-bolt ``App`` wired to the question desk, the store and the delivery workers.

One app object serves every way in: Socket Mode (``faqbot slack``), the HTTP
Events API (``faqbot slack --http``), and any WSGI server in production (see
:mod:`bot.slack.server`).

What happens to one question:

- Channels are served by ``app_mention`` only and direct messages by
  ``message`` with ``channel_type: im`` only, so a mention gets exactly one
  reply; bots, our own messages and message subtypes (edits, joins,
  deletions) are acknowledged and ignored before any work is queued.
- Acknowledgement never waits for work: the app runs with
  ``process_before_response=True`` and every listener is split into an
  ``ack`` that only acknowledges (run on the request thread) and a lazy
  function that does the work on a thread pool. Slack gets its 200 in
  milliseconds whatever the engine, the database or Slack's own Web API are
  doing, and a busy pool delays answers, never acknowledgements.
- The lazy function claims the message in the database
  (:class:`bot.slack.ledger.EventLedger`), so retries, duplicate event ids and
  several worker processes produce one answer; then the question desk logs it,
  asks the engine and, on escalation, stores the case before the seller is
  told its number. The delivery worker posts the case card to the support
  channel (at once, and again until Slack accepts it); a reply Slack refuses is
  kept and posted again the same way.
- A case taken, resolved or reopened from the console has its card redrawn by
  a background thread, so the channel never shows a stale state.
- One log line per event: event id, kind, action, entry, score, language, case
  and latency. Tokens and the signing secret are never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.delivery import Forwarder, ReplyOutbox
from bot.desk import Outcome, QuestionDesk
from bot.kb_reload import KnowledgeHolder
from bot.slack import blocks
from bot.slack.client import quiet_injected_client_notice
from bot.slack.context import SlackContext, kind_of
from bot.slack.conversations import Conversations
from bot.slack.ledger import EventLedger
from bot.slack.resolve_menu import RESOLVE_AS
from bot.slack.seller_buttons import SellerButtons
from bot.slack.support_buttons import SupportButtons
from bot.slack.workers import Workers
from bot.store import EscalationStore
from faq import Assistant

log = logging.getLogger("faqbot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")  # user messages that still carry a question


def _is_question(event: dict, context: Any = None) -> bool:
    """A person's message with text: not a bot, not ours, not an edit/join/deletion."""
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return False
    if event.get("subtype") not in QUESTION_SUBTYPES:
        return False
    bot_user = getattr(context, "bot_user_id", None) if context is not None else None
    return not (bot_user and event.get("user") == bot_user)


def _mention_question(event: dict, context) -> bool:
    return _is_question(event, context)


def _dm_question(event: dict, context) -> bool:
    return event.get("channel_type") == "im" and _is_question(event, context)


def _ack(ack) -> None:
    ack()


class SlackBot:
    """The bolt ``App`` (``app``) with its listeners, workers and WSGI entry (``wsgi()``).

    Everything is injected: the knowledge holder, the store, the Web API client
    (tests point it at a fake Slack), the support channel. ``workers`` sizes the
    thread pool behind the acknowledgements; ``outcome_listeners`` see every
    question's outcome (after the app's own, which wakes the forwarder for a new case).
    """

    def __init__(
        self,
        *,
        knowledge: KnowledgeHolder,
        store: EscalationStore,
        client: WebClient,
        support_channel: str,
        signing_secret: str | None = None,
        workers: int = 16,
        forward_interval: float = 5.0,
        forward_backoff: tuple[float, float] = (2.0, 300.0),
        support_lang: str = "en",
        token_verification: bool = True,
        ledger: EventLedger | None = None,
        outcome_listeners: Sequence[Callable[[Outcome], None]] = (),
    ) -> None:
        quiet_injected_client_notice()
        self.knowledge = knowledge
        self.store = store
        self.client = client
        self.signing_secret = signing_secret or ""
        self.ledger = ledger or EventLedger.for_store(store)
        self.ledger.ensure_table()
        desk = QuestionDesk(store, listeners=[self._on_outcome, *outcome_listeners])
        self.ctx = SlackContext(knowledge=knowledge, store=store, desk=desk, client=client,
                                support_channel=support_channel, support_lang=support_lang)
        self.workers = Workers(self.ctx, interval=forward_interval, backoff=forward_backoff)
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="faqbot-slack")
        self.app = App(
            name="faqbot",
            client=client,
            signing_secret=self.signing_secret,  # "" never reads $SLACK_SIGNING_SECRET; Socket Mode skips it
            process_before_response=True,
            token_verification_enabled=token_verification,
            listener_executor=self.executor,
        )
        self._register(self.app)

    def _register(self, app: App) -> None:
        conversations = Conversations(self.ctx, self.ledger, self.outbox)
        seller, support = SellerButtons(self.ctx), SupportButtons(self.ctx)
        app.use(self._background_middleware)
        # Questions. The catch-all after each acknowledges what the matchers turned away, so
        # Slack gets a 200 (not a 404 that it would retry) for edits, joins and bot messages.
        app.event("app_mention", matchers=[_mention_question])(ack=_ack, lazy=[conversations.on_message])
        app.event("app_mention")(_ack)
        app.event("message", matchers=[_dm_question])(ack=_ack, lazy=[conversations.on_message])
        app.event("message")(_ack)
        app.command("/faq")(ack=_ack, lazy=[conversations.on_command])
        # The seller's buttons. A new button: its action id in bot.slack.blocks, its listener here.
        app.action(blocks.HELPFUL)(ack=_ack, lazy=[seller.on_helpful])
        app.action(blocks.NOT_HELPFUL)(ack=_ack, lazy=[seller.on_not_helpful])
        app.action(blocks.SHARE)(ack=_ack, lazy=[seller.on_share])
        app.action(blocks.CHOOSE_PATTERN)(ack=_ack, lazy=[seller.on_choose])
        app.action(blocks.NONE_OF_THESE)(ack=_ack, lazy=[seller.on_none_of_these])
        # The support channel's buttons.
        app.action(blocks.TAKE)(ack=_ack, lazy=[support.on_take])
        app.action(blocks.RESOLVE)(ack=_ack, lazy=[support.on_resolve])
        app.action(RESOLVE_AS)(ack=_ack, lazy=[support.on_resolve_as])
        app.error(self._on_error)

    def _background_middleware(self, next: Callable[[], Any]) -> Any:  # noqa: A002 - bolt's argument name
        self.workers.ensure_started()
        return next()

    def _on_error(self, error: Exception, body: dict) -> None:
        log.error("listener failed (%s): %s", kind_of(body), f"{type(error).__name__}: {error}")

    def _on_outcome(self, outcome: Outcome) -> None:
        if outcome.created:
            self.workers.forwarder.wake()  # the forwarding thread posts the card now, not at its next round

    # --- the parts, for the CLI, tests and benchmarks ---------------------------------------------

    @property
    def assistant(self) -> Assistant:
        """The current engine (reloaded when knowledge.yaml changes)."""
        return self.knowledge.assistant

    @property
    def desk(self) -> QuestionDesk:
        """The question desk every conversation goes through."""
        return self.ctx.desk

    @property
    def forwarder(self) -> Forwarder:
        return self.workers.forwarder

    @property
    def outbox(self) -> ReplyOutbox:
        return self.workers.outbox

    def ensure_background(self) -> None:
        """Start the background threads in this process (again after a fork); cheap when running."""
        self.workers.ensure_started()

    def deliver_now(self) -> None:
        """Forward due cases at once; failures stay queued for the background thread."""
        self.workers.deliver_now()

    def sync_cards(self) -> int:
        """Redraw the support-channel cards of cases taken or resolved outside Slack; return how many."""
        return self.workers.sync_cards()

    def close(self, timeout: float = 10.0) -> None:
        """Finish the queued work and stop the background threads (for tests and shutdown)."""
        self.executor.shutdown(wait=True)
        self.workers.close(timeout)

    # --- HTTP -----------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /healthz``: the loaded knowledge base's entry count and version."""
        self.knowledge.poll()
        return {"ok": True, **self.knowledge.health()}

    def wsgi(self) -> Callable[[dict, Callable], Iterable[bytes]]:
        """The WSGI application: ``POST /slack/events`` (signed Slack requests) and ``GET /healthz``."""
        if not self.signing_secret:
            raise ValueError("HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)")
        handler = SlackRequestHandler(self.app, path=EVENTS_PATH)

        def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
                body = json.dumps(self.health()).encode("utf-8")
                start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            return handler(environ, start_response)

        return application

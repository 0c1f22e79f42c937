"""The Slack adapter: a slack-bolt ``App`` wired to the question desk, the store and the delivery workers.

One app object serves every way in: Socket Mode (``faqbot slack``), the HTTP
Events API (``faqbot slack --http``), and any WSGI server in production (see
:mod:`bot.slack.server`).

What happens to one question:

- Channels are served by ``app_mention`` only and direct messages by
  ``message`` with ``channel_type: im`` only, so a mention gets exactly one
  reply; bots, our own messages and message subtypes (edits, joins,
  deletions) are acknowledged and ignored before any work is queued.
- Nothing acknowledged is lost: the app runs with
  ``process_before_response=True``; each listener parses the request into a
  neutral one (:mod:`bot.slack.requests`), records it in the database
  (:class:`bot.inbox.DurableInbox`: one row per message, command or click,
  however often Slack delivers it) and only then acknowledges, on the request
  thread. The work runs on a thread pool; if the process dies
  first, any process on the same database finishes it when the lease runs out
  (and at start-up). A busy pool delays answers, never acknowledgements.
- The front desk (:mod:`bot.desks.front`) logs the question, asks the engine
  and, on escalation, stores the case before the seller is told its number;
  clicks go to the same desks (picks, feedback, take, resolve); the answers
  come back through Slack's output (:mod:`bot.slack.output`). The delivery worker
  posts the case card to the support channel (at once, and again until Slack
  accepts it); a reply Slack refuses is kept and posted again the same way.
  Every post is tagged with its own key, so a slow Slack never shows it twice
  (:mod:`bot.slack.posting`).
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

from bot.delivery import DeliveryWorker, Forwarder
from bot.desks.cases import CaseDesk
from bot.desks.front import FrontDesk
from bot.desks.questions import QuestionDesk, QuestionOutcome
from bot.inbox import DurableInbox, InboxQueue
from bot.kb_reload import KnowledgeHolder
from bot.slack.agents import AgentList
from bot.slack.client import quiet_injected_client_notice
from bot.slack.context import SlackContext, kind_of
from bot.slack.held_replies import ReplyOutbox
from bot.slack.http_gate import guard_events
from bot.slack.replay import SlackReplay
from bot.slack.requests import ACTIONS, from_action, from_command, from_event, request_key
from bot.slack.values import ButtonSeal
from bot.slack.workers import Workers
from bot.store import Store, StoreError
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


def _recorder(inbox: DurableInbox, kind: str, parse: Callable[[dict, Any], Any]) -> Callable[..., None]:
    """A listener that parses the request, records it durably, then acknowledges it (on the request thread)."""

    def record(ack, body: dict, context) -> None:
        request = parse(body, context)
        if request is not None:
            inbox.receive(request_key(kind, body), request)
        ack()

    return record


class SlackBot:
    """The bolt ``App`` (``app``) with its listeners, workers and WSGI entry (``wsgi()``).

    Everything is injected: the knowledge holder, the store, the Web API client
    (tests point it at a fake Slack), the support channel. ``workers`` sizes the
    thread pool behind the acknowledgements; ``lease`` is how long a recorded
    request (or a case card, a held reply being posted) stays with the process
    that took it before another may finish it; ``outcome_listeners`` see every question's outcome (after the
    app's own, which wakes the forwarder for a new case). Raises ``StoreError``
    when the database cannot be written. ``agents`` says who may take and resolve cases (default: anyone). The seller's
    button values are sealed with a key derived from the client's bot token.
    """

    def __init__(
        self,
        *,
        knowledge: KnowledgeHolder,
        store: Store,
        client: WebClient,
        support_channel: str,
        signing_secret: str | None = None,
        workers: int = 16,
        forward_interval: float = 5.0,
        forward_backoff: tuple[float, float] = (2.0, 300.0),
        support_lang: str = "en",
        token_verification: bool = True,
        lease: float = 60.0,
        outcome_listeners: Sequence[Callable[[QuestionOutcome], None]] = (),
        agents: AgentList | None = None,
    ) -> None:
        quiet_injected_client_notice()
        self.knowledge = knowledge
        self.store = store
        self.client = client
        self.signing_secret = signing_secret or ""
        store.check_writable()  # refuse to start rather than drop every escalation later
        self.ctx = SlackContext(knowledge=knowledge, store=store, client=client, support_channel=support_channel,
                                support_lang=support_lang, agents=agents or AgentList(),
                                seal=ButtonSeal(client.token) if client.token else None)
        desk = QuestionDesk(store, listeners=[self._on_outcome, *outcome_listeners])
        self.front = FrontDesk(desk, CaseDesk(store, may_act=self.ctx.agents.allows), lambda: self.ctx.assistant)
        self.workers = Workers(self.ctx, interval=forward_interval, backoff=forward_backoff, lease=lease)
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="faqbot-slack")
        replay = SlackReplay(self.ctx, self.front, self.workers.outbox)
        handling = DeliveryWorker(InboxQueue(store), replay.deliver, find=replay.find, backoff=forward_backoff,
                                  lease=lease)
        self.inbox = DurableInbox(store, self.executor, handling, replay.handle, lease=lease)
        self.workers.attach("inbox", handling)
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
        ctx = self.ctx
        event = _recorder(self.inbox, "event",
                          lambda body, context: from_event(body, getattr(context, "bot_user_id", None)))
        command = _recorder(self.inbox, "command", lambda body, _context: from_command(body))
        action = _recorder(self.inbox, "action", lambda body, _context: next(
            (found for item in body.get("actions") or []
             if (found := from_action(body, item, ctx.seal, ctx.support_channel)) is not None), None))
        app.use(self._background_middleware)
        # Questions. The catch-all after each acknowledges what the matchers turned away, so
        # Slack gets a 200 (not a 404 that it would retry) for edits, joins and bot messages.
        app.event("app_mention", matchers=[_mention_question])(event)
        app.event("app_mention")(_ack)
        app.event("message", matchers=[_dm_question])(event)
        app.event("message")(_ack)
        app.command("/faq")(command)
        # Buttons (the seller's and the support channel's): parsed, recorded, then handled like any request.
        for action_id in ACTIONS:
            app.action(action_id)(action)
        app.error(self._on_error)

    def _background_middleware(self, next: Callable[[], Any]) -> Any:  # noqa: A002 - bolt's argument name
        self.workers.ensure_started()
        return next()

    def _on_error(self, error: Exception, body: dict) -> None:
        log.error("listener failed (%s): %s: %r", kind_of(body), type(error).__name__, str(error)[:200])  # one line

    def _on_outcome(self, outcome: QuestionOutcome) -> None:
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
        return self.front.questions

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
        """``GET /healthz``: the loaded knowledge base's entry count and version, whether the database takes writes,
        and how many cases Slack refused for good (``cases.undeliverable``: see ``:queue``)."""
        self.knowledge.poll()
        cases: dict[str, Any] = {}
        try:
            self.store.check_writable()
            database: dict[str, Any] = {"ok": True, "backend": self.store.backend}
            cases["undeliverable"] = self.store.undeliverable_cases()  # refused by Slack for good: people must look
        except StoreError as exc:  # the details (host, path, driver text) go to the log, not to whoever asks
            log.warning("healthz: %s", exc)
            database = {"ok": False, "backend": self.store.backend, "error": "database unavailable"}
        return {"ok": database["ok"], **self.knowledge.health(), "database": database, "cases": cases}

    def wsgi(self) -> Callable[[dict, Callable], Iterable[bytes]]:
        """The WSGI application: ``POST /slack/events`` (signed Slack requests) and ``GET /healthz``.

        Bodies are checked before bolt sees them (:func:`bot.slack.http_gate.guard_events`).
        """
        if not self.signing_secret:
            raise ValueError("HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)")
        handler = SlackRequestHandler(self.app, path=EVENTS_PATH)

        def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
                health = self.health()
                body = json.dumps(health).encode("utf-8")
                start_response("200 OK" if health["ok"] else "503 Service Unavailable", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            return handler(environ, start_response)

        return guard_events(application)

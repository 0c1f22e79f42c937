"""The Slack adapter: a slack-bolt ``App`` whose listeners ask the engine and render its ``Reply``.

One app object serves every way in: Socket Mode (``faqbot slack``), the HTTP
Events API (``faqbot slack --http``), and any WSGI server in production::

    gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack_app:wsgi_app()'

(without ``--preload``: each worker builds its own app, database pool and
threads). The HTTP endpoints are ``POST /slack/events`` (events, the ``/faq``
command and button clicks, all verified with the signing secret) and
``GET /healthz``.

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
  doing, in HTTP and Socket Mode alike, and a busy pool delays answers, never
  acknowledgements.
- The lazy function first claims the message in the database
  (:class:`bot.slack_events.EventLedger`), so retries (``X-Slack-Retry-Num``),
  duplicate event ids and several worker processes produce one answer; then it
  asks the engine, logs the question, and replies in the thread (Block Kit with
  a plain-text fallback). Escalations are stored first, the seller is told the
  case number in their language, and the case is forwarded to the support
  channel by :class:`bot.delivery.Forwarder` with :class:`bot.slack_sink.SlackSink`
  (right away, and again from a background thread until Slack accepts it).
  A reply Slack refuses even after the client's retries is kept in the database
  (:class:`bot.delivery.ReplyOutbox`) and posted again the same way.
- A case taken, resolved or reopened from the console has its card redrawn by
  a background thread (``sync_cards``), so the channel never shows a stale state.
- One log line per event: event id, kind, action, entry, score, language, case
  and latency. Tokens and the signing secret are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterable, Mapping
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from bot import slack_blocks as blocks
from bot.background import run_periodically
from bot.delivery import Forwarder
from bot.kb_reload import KnowledgeHolder
from bot.delivery import ReplyOutbox
from bot.store import PendingReply
from bot.slack_blocks import Ref
from bot.slack_events import EventLedger, event_key
from bot.slack_sink import SlackSink, slack_refused
from bot.store import Escalation, EscalationStore, InvalidTransition, StoreError, UnknownCase
from faq import Assistant, Reply

log = logging.getLogger("faqbot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SOURCE = "slack"
QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")  # user messages that still carry a question


def build_client(
    token: str,
    base_url: str | None = None,
    *,
    timeout: float = 10.0,
    rate_limit_retries: int = 3,
    connection_retries: int = 2,
    server_retries: int = 2,
    backoff: float = 0.5,
) -> WebClient:
    """A Web API client with slack-sdk's retry handlers: 429 (honours ``Retry-After``), connection errors, 500/503.

    ``base_url`` (``SLACK_API_URL``) points it at another Slack-compatible server.
    """
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ConnectionErrorRetryHandler(max_retry_count=connection_retries, interval_calculator=interval),
        ServerErrorRetryHandler(max_retry_count=server_retries, interval_calculator=interval),
    ]
    options: dict[str, Any] = {"token": token, "timeout": int(max(1, timeout)), "retry_handlers": handlers}
    if base_url:
        options["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(**options)


# --- listener matchers: which events carry a question --------------------------------------------


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


class _DropTokenNotice(logging.Filter):
    """slack-bolt warns that ``$SLACK_BOT_TOKEN`` is unused whenever a client is injected; that is intended here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


_BOLT_LOGGER = logging.getLogger("slack_bolt.App")
if not any(isinstance(f, _DropTokenNotice) for f in _BOLT_LOGGER.filters):
    _BOLT_LOGGER.addFilter(_DropTokenNotice())


class SlackBot:
    """The engine, the store and a bolt ``App`` wired together. ``app`` is the bolt app; ``wsgi()`` serves it.

    Everything is injected: the knowledge holder, the store, the Web API client
    (tests point it at a fake Slack), the support channel. ``workers`` sizes the
    thread pool that does the work behind each acknowledgement.
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
    ) -> None:
        self.knowledge = knowledge
        self.store = store
        self.client = client
        self.support_channel = support_channel
        self.signing_secret = signing_secret or ""
        self.support_lang = support_lang
        self.forward_interval = forward_interval
        self.ledger = ledger or EventLedger.for_store(store)
        self.ledger.ensure_table()
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="faqbot-slack")
        self.sink = SlackSink(client, support_channel, lambda: self.knowledge.assistant, lang=support_lang)
        self.forwarder = Forwarder(store, self.sink, backoff=forward_backoff, lease=120.0)
        self.outbox = ReplyOutbox(store, backoff=forward_backoff, lease=120.0)
        self.replies = self.outbox.worker(self._post_held_reply)
        self._background_pid: int | None = None
        self._background_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._card_locks = [threading.Lock() for _ in range(64)]
        self.app = App(
            name="faqbot",
            client=client,
            signing_secret=self.signing_secret,  # "" never reads $SLACK_SIGNING_SECRET; Socket Mode skips it
            process_before_response=True,
            token_verification_enabled=token_verification,
            listener_executor=self.executor,
        )
        self._register(self.app)

    # --- wiring ---------------------------------------------------------------------------------

    def _register(self, app: App) -> None:
        app.use(self._background_middleware)
        # Questions. The catch-all after each acknowledges what the matchers turned away, so
        # Slack gets a 200 (not a 404 that it would retry) for edits, joins and bot messages.
        app.event("app_mention", matchers=[_mention_question])(ack=_ack, lazy=[self._on_message])
        app.event("app_mention")(_ack)
        app.event("message", matchers=[_dm_question])(ack=_ack, lazy=[self._on_message])
        app.event("message")(_ack)
        app.command("/faq")(ack=_ack, lazy=[self._on_command])
        # Buttons.
        app.action(blocks.HELPFUL)(ack=_ack, lazy=[self._on_helpful])
        app.action(blocks.NOT_HELPFUL)(ack=_ack, lazy=[self._on_not_helpful])
        app.action(blocks.SHARE)(ack=_ack, lazy=[self._on_share])
        app.action(blocks.CHOOSE_PATTERN)(ack=_ack, lazy=[self._on_choose])
        app.action(blocks.NONE_OF_THESE)(ack=_ack, lazy=[self._on_none_of_these])
        app.action(blocks.TAKE)(ack=_ack, lazy=[self._on_take])
        app.action(blocks.RESOLVE)(ack=_ack, lazy=[self._on_resolve])
        app.error(self._on_error)

    def _background_middleware(self, next: Callable[[], Any]) -> Any:  # noqa: A002 - bolt's argument name
        self.ensure_background()
        return next()

    def _on_error(self, error: Exception, body: dict) -> None:
        log.error("listener failed (%s): %s", _kind(body), f"{type(error).__name__}: {error}")

    @property
    def assistant(self) -> Assistant:
        """The current engine (reloaded when knowledge.yaml changes)."""
        return self.knowledge.assistant

    # --- background work ------------------------------------------------------------------------

    def ensure_background(self) -> None:
        """Start the background threads in this process (again after a fork); cheap when running.

        They forward cases, post held replies and redraw the cards of cases changed from the console.
        """
        pid = os.getpid()
        if self._background_pid == pid:
            return
        with self._background_lock:
            if self._background_pid == pid:
                return
            self._stop = threading.Event()
            poll = {"poll_interval": self.forward_interval}
            self._threads = [
                threading.Thread(target=self.forwarder.run_forever, args=(self._stop,), kwargs=poll,
                                 name="faqbot-forwarder", daemon=True),
                threading.Thread(target=self.replies.run_forever, args=(self._stop,), kwargs=poll,
                                 name="faqbot-replies", daemon=True),
                threading.Thread(target=run_periodically, args=(self._stop, self.forward_interval, self.sync_cards,
                                                                "refreshing case cards"), name="faqbot-cards", daemon=True),
            ]
            for thread in self._threads:
                thread.start()
            self._background_pid = pid

    def deliver_now(self) -> None:
        """Forward due cases at once (after a case was opened); failures stay queued for the background thread."""
        try:
            self.forwarder.deliver_due()
        except Exception as exc:  # the store is down: the background thread retries
            log.warning("forwarding failed, will retry: %s", f"{type(exc).__name__}: {exc}")

    def sync_cards(self) -> int:
        """Redraw the support-channel cards of cases taken or resolved outside Slack; return how many."""
        redrawn = 0
        for case in self.store.stale_cards():
            with self._card_locks[case.case % len(self._card_locks)]:
                current = self.store.get(case.case) or case
                if self._redraw_card(current):
                    self.store.mark_card_synced(current.case, current.updated_at)
                    redrawn += 1
        return redrawn

    def _redraw_card(self, case: Escalation) -> bool:
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

    def close(self, timeout: float = 10.0) -> None:
        """Stop the background threads and finish the queued work (for tests and shutdown)."""
        self._stop.set()
        self.forwarder.wake()
        self.replies.wake()
        self.executor.shutdown(wait=True)
        for thread in self._threads:
            thread.join(timeout)
        self._background_pid = None

    def health(self) -> dict[str, Any]:
        """``GET /healthz``: the loaded knowledge base's entry count and version."""
        self.knowledge.poll()
        return {"ok": True, **self.knowledge.health()}

    # --- HTTP -----------------------------------------------------------------------------------

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

    # --- conversations --------------------------------------------------------------------------

    def _on_message(self, body: dict, event: dict, context, client: WebClient) -> None:
        """An @mention in a channel (reply in its thread) or a DM (reply in the DM, threaded if it was)."""
        started = time.perf_counter()
        event_id = body.get("event_id")
        channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
        kind = event.get("type", "event")
        key = event_key(event_id, channel, ts)
        if key is not None and not self._claim(key, event_id):
            _log_line(event_id, kind, "duplicate", started=started)
            return
        if event.get("channel_type") == "im":
            thread_ts = event.get("thread_ts")
        else:
            thread_ts = event.get("thread_ts") or ts
        text = blocks.slack_to_plain(event.get("text") or "", getattr(context, "bot_user_id", None))
        assistant = self.assistant
        reply = assistant.reply(text)
        question_id = self._log_question(reply, user)
        ref = Ref(lang=reply.lang, question_id=question_id, asker=user, channel=channel, message_ts=ts,
                  thread_ts=thread_ts, question=None if question_id else text)
        case: Escalation | None = None
        created = False
        if reply.action == "escalate":
            notice, case, created = self._open_case(reply, asker=user, channel=channel, thread=thread_ts, message_id=ts)
            fallback, content = blocks.render_text(notice)
        else:
            fallback, content = self._render(assistant, reply, ref)
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=fallback, blocks=content,
                                    unfurl_links=False, unfurl_media=False)
            outcome = reply.action
        except Exception as exc:  # Slack is down even after the client's retries: keep the reply and post it later
            if not self._hold_reply(channel, thread_ts, fallback, content, key, exc):
                _log_line(event_id, kind, "error", reply=reply, case=case, started=started, error=exc)
                return
            outcome = "held"
        if key is not None:
            self.ledger.done(key)  # answered, or the outbox now owns the answer
        _log_line(event_id, kind, outcome, reply=reply, case=case, started=started)
        if created:
            self.deliver_now()

    def _on_command(self, body: dict, respond) -> None:
        """``/faq QUESTION``: answered to the asker only, with a button to share the answer in the channel."""
        started = time.perf_counter()
        text = (body.get("text") or "").strip()
        user, channel, trigger = body.get("user_id"), body.get("channel_id"), body.get("trigger_id")
        assistant = self.assistant
        if not text:
            helps = [assistant.text("help", lang) for lang in ("en", "zh")]
            fallback, content = blocks.render_text("\n\n".join(dict.fromkeys(helps)))
            respond(text=fallback, blocks=content, response_type="ephemeral", replace_original=False)
            _log_line(trigger, "command", "help", started=started)
            return
        reply = assistant.reply(text)
        question_id = self._log_question(reply, user)
        ref = Ref(lang=reply.lang, question_id=question_id, asker=user, channel=channel,
                  question=None if question_id else text)
        case: Escalation | None = None
        created = False
        if reply.action == "escalate":
            key = f"slack:cmd:{trigger}" if trigger else None
            notice, case, created = self._open_case(reply, asker=user, channel=channel, key=key)
            fallback, content = blocks.render_text(notice)
        else:
            fallback, content = self._render(assistant, reply, ref, share=True)
        try:
            respond(text=fallback, blocks=content, response_type="ephemeral", replace_original=False)
        except Exception as exc:
            _log_line(trigger, "command", "error", reply=reply, case=case, started=started, error=exc)
            return
        _log_line(trigger, "command", reply.action, reply=reply, case=case, started=started)
        if created:
            self.deliver_now()

    def _render(self, assistant: Assistant, reply: Reply, ref: Ref, *, share: bool = False) -> blocks.Rendered:
        if reply.action == "answer":
            return blocks.render_reply_answer(assistant, reply, ref, share=share)
        if reply.candidates:
            return blocks.render_clarify(assistant, reply, ref)
        return blocks.render_text(reply.text)  # e.g. the empty-question prompt

    # --- seller buttons -------------------------------------------------------------------------

    def _on_helpful(self, body: dict, action: dict, client: WebClient, respond) -> None:
        self._feedback(body, action, client, respond, helpful=True)

    def _on_not_helpful(self, body: dict, action: dict, client: WebClient, respond) -> None:
        self._feedback(body, action, client, respond, helpful=False)

    def _feedback(self, body: dict, action: dict, client: WebClient, respond, *, helpful: bool) -> None:
        started = time.perf_counter()
        ref = _ref(action)
        if ref is None:
            return
        clicker = (body.get("user") or {}).get("id")
        container = body.get("container") or {}
        try:
            self.store.record_feedback(
                helpful=helpful, source=SOURCE, question_id=ref.question_id,
                message_id=None if ref.question_id else (ref.message_ts or container.get("message_ts") or "unknown"),
                entry_id=ref.entry_id, asker=clicker,
            )
        except (StoreError, ValueError) as exc:
            log.warning("could not record feedback: %s", exc)
        assistant = self.assistant
        case: Escalation | None = None
        created = False
        if helpful:
            answer = _answer(assistant, ref)
            thanks = assistant.text("slack_thanks", ref.lang)
            if answer:
                fallback, content = blocks.render_answer(assistant, answer, ref.lang, ref, entry_id=ref.entry_id,
                                                         score=ref.score, done=thanks)
            else:
                fallback, content = blocks.render_text(thanks)
        else:
            notice, case, created = self._escalate_ref(ref, clicker)
            fallback, content = blocks.render_text(notice)
        self._update(body, client, respond, fallback, content)
        _log_line(body.get("trigger_id"), "button", "helpful" if helpful else "not_helpful",
                  entry=ref.entry_id, case=case, started=started)
        if created:
            self.deliver_now()

    def _on_choose(self, body: dict, action: dict, client: WebClient, respond) -> None:
        """A "did you mean" choice: the message becomes that entry's answer, with feedback buttons."""
        started = time.perf_counter()
        ref = _ref(action)
        if ref is None:
            return
        assistant = self.assistant
        answer = _answer(assistant, ref)
        if not answer:  # the knowledge base changed under the button: hand it to a person
            notice, case, created = self._escalate_ref(ref, (body.get("user") or {}).get("id"))
            fallback, content = blocks.render_text(notice)
            self._update(body, client, respond, fallback, content)
            if created:
                self.deliver_now()
            return
        share = bool((body.get("container") or {}).get("is_ephemeral"))
        fallback, content = blocks.render_answer(assistant, answer, ref.lang, ref, entry_id=ref.entry_id,
                                                 score=ref.score, share=share)
        self._update(body, client, respond, fallback, content)
        _log_line(body.get("trigger_id"), "button", "chosen", entry=ref.entry_id, started=started)

    def _on_none_of_these(self, body: dict, action: dict, client: WebClient, respond) -> None:
        """"None of these": the question goes to Seller Support; the message becomes the case notice."""
        started = time.perf_counter()
        ref = _ref(action)
        if ref is None:
            return
        notice, case, created = self._escalate_ref(ref, (body.get("user") or {}).get("id"))
        fallback, content = blocks.render_text(notice)
        self._update(body, client, respond, fallback, content)
        _log_line(body.get("trigger_id"), "button", "none_of_these", case=case, started=started)
        if created:
            self.deliver_now()

    def _on_share(self, body: dict, action: dict, respond) -> None:
        """Share a ``/faq`` answer in the channel (visible to everyone) and remove the private copy."""
        started = time.perf_counter()
        ref = _ref(action)
        if ref is None:
            return
        assistant = self.assistant
        answer = _answer(assistant, ref)
        if not answer:
            return
        question = self._question(ref)
        user = (body.get("user") or {}).get("id") or ref.asker
        fallback, content = blocks.render_shared(assistant, ref.lang, user, question[0] if question else None,
                                                 answer, ref.entry_id)
        respond(text=fallback, blocks=content, response_type="in_channel", replace_original=False)
        try:
            respond(delete_original=True)
        except Exception as exc:  # the private copy lingers; harmless
            log.info("could not delete the private answer: %s", exc)
        _log_line(body.get("trigger_id"), "button", "shared", entry=ref.entry_id, started=started)

    # --- support buttons ------------------------------------------------------------------------

    def _on_take(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=True)

    def _on_resolve(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=False)

    def _case_button(self, body: dict, action: dict, client: WebClient, *, take: bool) -> None:
        started = time.perf_counter()
        try:
            case_number, permalink = blocks.decode_case_value(action.get("value"))
        except ValueError:
            log.warning("ignoring a case button with a value we did not write")
            return
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if channel != self.support_channel:
            log.warning("ignoring a case button outside the support channel (%s)", channel)
            return
        agent = (body.get("user") or {}).get("id") or "?"
        assistant, lang = self.assistant, self.support_lang

        def tell(name: str, **values: str) -> None:
            client.chat_postEphemeral(channel=channel, user=agent, text=assistant.text(name, lang, **values))

        try:
            if take:
                if not self.store.take(case_number, agent, card_redrawn=True):
                    current = self.store.get(case_number)
                    tell("slack_case_already_taken", case=str(case_number),
                         agent=blocks.user_mention(current.agent if current else None))
            else:
                self.store.resolve(case_number, agent, assistant.text("slack_case_resolution", lang), card_redrawn=True)
        except UnknownCase:
            tell("slack_case_unknown", case=str(case_number))
            return
        except InvalidTransition:
            tell("slack_case_already_resolved", case=str(case_number))
        # Read and show the latest state under a per-case lock, so two clicks handled at once
        # cannot leave the card showing the older of the two states.
        with self._card_locks[case_number % len(self._card_locks)]:
            current = self.store.get(case_number)
            if current is not None and container.get("message_ts"):
                fallback, content = blocks.render_case(assistant, current, permalink, lang)
                client.chat_update(channel=channel, ts=container["message_ts"], text=fallback, blocks=content)
        _log_line(body.get("trigger_id"), "button", "take" if take else "resolve", case=current, started=started)

    # --- helpers --------------------------------------------------------------------------------

    def _hold_reply(self, channel: str, thread_ts: str | None, text: str, content: list[dict],
                    key: str | None, error: Exception) -> bool:
        """Keep a reply Slack refused, for the background thread to post; False if even the database is down."""
        try:
            self.outbox.hold(channel=channel, thread_ts=thread_ts, text=text, blocks=content, event_key=key,
                             error=f"{type(error).__name__}: {error}".strip())
        except StoreError as exc:
            log.error("could not keep the reply to post again: %s", exc)
            return False
        return True

    def _post_held_reply(self, reply: PendingReply) -> None:
        """Post a held reply exactly as it was rendered for the asker."""
        self.client.chat_postMessage(channel=reply.channel, thread_ts=reply.thread_ts, text=reply.text,
                                     blocks=reply.blocks, unfurl_links=False, unfurl_media=False)

    def _claim(self, key: str, event_id: str | None) -> bool:
        try:
            return self.ledger.claim(key, event_id)
        except StoreError as exc:
            # Without the database we cannot tell a retry from a first delivery; answering twice
            # is better than never answering.
            log.error("event=%s dedupe unavailable, answering anyway: %s", event_id, exc)
            return True

    def _log_question(self, reply: Reply, asker: str | None) -> int | None:
        try:
            return self.store.log_question(reply, SOURCE, asker=asker)
        except StoreError as exc:
            log.warning("could not log the question: %s", exc)
            return None

    def _question(self, ref: Ref) -> tuple[str, str] | None:
        """``(question, lang)`` of a button's question: from the question log, else carried in the button."""
        if ref.question_id is not None:
            try:
                logged = self.store.question(ref.question_id)
            except StoreError as exc:
                log.warning("%s", exc)
                logged = None
            if logged is not None:
                return logged.question, logged.lang
        return (ref.question, ref.lang) if ref.question else None

    def _open_case(
        self,
        reply: Reply,
        *,
        asker: str | None,
        channel: str | None,
        thread: str | None = None,
        message_id: str | None = None,
        key: str | None = None,
        lead: bool = True,
    ) -> tuple[str, Escalation | None, bool]:
        """Store the case (before anyone is told); return the seller's notice, the case and whether it is new."""
        assistant = self.assistant
        try:
            case, created = self.store.open_escalation(
                reply, source=SOURCE, asker=asker, channel=channel, thread=thread, message_id=message_id,
                idempotency_key=key,
            )
        except StoreError as exc:
            log.error("could not store the escalation: %s", exc)
            return assistant.text("escalation_unsaved", reply.lang), None, False
        notice = assistant.text("escalated_case", reply.lang, case=str(case.case))
        if lead:
            notice = f"{assistant.text('escalate', reply.lang)}\n{notice}"
        return notice, case, created

    def _escalate_ref(self, ref: Ref, clicker: str | None) -> tuple[str, Escalation | None, bool]:
        """Escalate the question behind a button ("Not helpful", "None of these")."""
        found = self._question(ref)
        assistant = self.assistant
        if found is None:
            return assistant.text("escalation_unsaved", ref.lang), None, False
        question, _lang = found
        reply = assistant.reply(question, lang=ref.lang)  # type: ignore[arg-type]
        key = None if ref.message_ts else (f"slack:q:{ref.question_id}" if ref.question_id else None)
        return self._open_case(
            reply, asker=ref.asker or clicker, channel=ref.channel, thread=ref.thread_ts,
            message_id=ref.message_ts, key=key, lead=False,
        )

    def _update(self, body: dict, client: WebClient, respond, text: str, content: list[dict]) -> None:
        """Replace the clicked message: ``chat.update`` in a channel or DM, the response URL for ``/faq`` answers."""
        container = body.get("container") or {}
        if container.get("is_ephemeral") or not container.get("message_ts"):
            respond(text=text, blocks=content, replace_original=True)
        else:
            client.chat_update(channel=container.get("channel_id"), ts=container["message_ts"],
                               text=text, blocks=content)


def _answer(assistant: Assistant, ref: Ref) -> str | None:
    """The answer of the entry a button refers to, in the asker's language; None if the entry is gone."""
    entry = assistant.kb.entry(ref.entry_id) if ref.entry_id else None
    return entry.text_in(entry.answer, ref.lang) if entry else None


def _ref(action: dict) -> Ref | None:
    try:
        return Ref.decode(action.get("value"))
    except ValueError:
        log.warning("ignoring a button with a value we did not write")
        return None


def _kind(body: dict) -> str:
    return (body.get("event") or {}).get("type") or body.get("type") or body.get("command") or "request"


def _log_line(
    event_id: str | None,
    kind: str,
    action: str,
    *,
    reply: Reply | None = None,
    entry: str | None = None,
    case: Escalation | None = None,
    started: float,
    error: BaseException | None = None,
) -> None:
    """The one line per event: event id, kind, action, entry, score, language, case, latency."""
    entry = entry or (reply.entry_id if reply is not None and reply.action != "escalate" else None)
    parts = [
        f"event={event_id or '-'}", f"kind={kind}", f"action={action}", f"entry={entry or '-'}",
        f"score={reply.score:.1f}" if reply is not None else "score=-",
        f"lang={reply.lang}" if reply is not None else "lang=-",
        f"case={case.case}" if case is not None else "case=-",
        f"latency_ms={(time.perf_counter() - started) * 1000:.1f}",
    ]
    if error is not None:
        parts.append(f"error={type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        log.warning(" ".join(parts))
    else:
        log.info(" ".join(parts))


# --- assembling and serving ------------------------------------------------------------------------


def create_bot(settings, *, kb_path, db_url: str, workers: int = 16, **options) -> SlackBot:
    """A :class:`SlackBot` from :class:`bot.config.SlackSettings`, a knowledge file and a database URL.

    Raises ``KnowledgeError`` (broken knowledge base), ``StoreError`` (database)
    or slack-bolt's ``BoltError`` (Slack rejected the bot token).
    """
    knowledge = KnowledgeHolder(kb_path)
    store = EscalationStore.from_url(db_url)
    store.migrate()
    client = build_client(settings.bot_token, settings.api_url)
    return SlackBot(
        knowledge=knowledge, store=store, client=client, support_channel=settings.support_channel,
        signing_secret=settings.signing_secret, workers=workers, support_lang=settings.support_lang, **options,
    )


def wsgi_app(environ: Mapping[str, str] | None = None) -> Callable:
    """The WSGI application configured from the environment, for a production server::

        gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack_app:wsgi_app()'

    Reads ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``FAQBOT_SUPPORT_CHANNEL``,
    optional ``SLACK_API_URL``, ``FAQBOT_KB`` and ``FAQBOT_DB_URL``.
    """
    from bot.config import database_url, knowledge_path, slack_settings

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = slack_settings(environ, http=True)
    bot = create_bot(settings, kb_path=knowledge_path(), db_url=database_url())
    bot.knowledge.install_sighup()
    return bot.wsgi()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        log.debug("http: " + format, *args)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """``wsgiref``'s server with one thread per request (the standard library's one is serial)."""

    daemon_threads = True
    request_queue_size = 128


def make_http_server(application: Callable, host: str = "127.0.0.1", port: int = 3000) -> ThreadingWSGIServer:
    """A threaded WSGI server for ``application`` (``port=0`` picks a free port: ``server.server_port``)."""
    return make_server(host, port, application, server_class=ThreadingWSGIServer, handler_class=_QuietHandler)  # type: ignore[return-value]

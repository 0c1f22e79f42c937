"""Questions asked in Slack: an @mention in a channel, a direct message, or ``/faq QUESTION``.

The inbox (:mod:`bot.slack.inbox`) has already recorded the request, once per
message however often Slack delivers it; these handlers hand the question to
the question desk and render the outcome as Block Kit. The reply is tagged with
the event's key and posted once (:mod:`bot.slack.posting`); a reply Slack
refuses even after the client's retries is kept in the database and posted
again by the delivery worker. While the database is briefly locked, a recorded
question that must escalate raises, and the inbox retries it later, rather
than telling the asker the case could not be recorded.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot.delivery import ReplyOutbox
from bot.desk import Origin, Outcome
from bot.slack import blocks
from bot.slack.blocks import Ref
from bot.slack.context import SOURCE, SlackContext, log_line
from bot.slack.inbox import event_key
from bot.slack.posting import find_post, post_once
from bot.store import InboxRequest, StoreError
from faq import Assistant

log = logging.getLogger("faqbot.slack")


def render_outcome(assistant: Assistant, outcome: Outcome, ref: Ref, *, share: bool = False) -> blocks.Rendered:
    """An outcome as Block Kit: the escalation notice, the answer with its buttons, or "did you mean"."""
    reply = outcome.reply
    if outcome.escalated:
        return blocks.render_text(outcome.text)
    if reply.action == "answer":
        return blocks.render_reply_answer(assistant, reply, ref, share=share)
    if reply.candidates:
        return blocks.render_clarify(assistant, reply, ref)
    return blocks.render_text(reply.text)  # e.g. the empty-question prompt


def reply_thread(event: dict) -> str | None:
    """Where the reply to a message goes: its thread in a channel; in a DM, its thread only if it was in one."""
    if event.get("channel_type") == "im":
        return event.get("thread_ts")
    return event.get("thread_ts") or event.get("ts")


def find_reply(client: WebClient, request: InboxRequest) -> str | None:
    """The ts of the reply to a recorded event already in Slack (a holder died after posting it), else None."""
    if request.kind != "event":
        return None  # command and button answers are private (ephemeral): nothing to look at
    event = (request.payload.get("body") or {}).get("event") or {}
    if not event.get("channel"):
        return None
    return find_post(client, event["channel"], request.key, reply_thread(event))


class Conversations:
    """The listeners for messages and the ``/faq`` command."""

    def __init__(self, ctx: SlackContext, outbox: ReplyOutbox) -> None:
        self.ctx = ctx
        self.outbox = outbox

    def on_message(self, body: dict, event: dict, context, client: WebClient, *, durable: bool = False) -> None:
        """An @mention in a channel (reply in its thread) or a DM (reply in the DM, threaded if it was)."""
        started = time.perf_counter()
        event_id = body.get("event_id")
        channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
        kind = event.get("type", "event")
        key = event_key(event_id, channel, ts) or f"evt:{event_id}"
        thread_ts = reply_thread(event)
        text = blocks.slack_to_plain(event.get("text") or "", getattr(context, "bot_user_id", None))
        assistant = self.ctx.assistant
        origin = Origin(SOURCE, asker=user, channel=channel, thread=thread_ts, message_id=ts)
        outcome = self.ctx.desk.ask(assistant, text, origin, defer_busy=durable)
        reply = outcome.reply
        ref = Ref(lang=reply.lang, question_id=outcome.question_id, asker=user, channel=channel, message_ts=ts,
                  thread_ts=thread_ts, question=None if outcome.question_id else text, seal=self.ctx.seal)
        fallback, content = render_outcome(assistant, outcome, ref)
        try:
            post_once(client, key, channel=channel, thread_ts=thread_ts, text=fallback, blocks=content,
                      unfurl_links=False, unfurl_media=False)
            said = reply.action
        except Exception as exc:  # Slack is down even after the client's retries: keep the reply and post it later
            if not self._hold_reply(channel, thread_ts, fallback, content, key, exc):
                log_line(event_id, kind, "error", reply=reply, case=outcome.case, started=started, error=exc)
                return
            said = "held"
        log_line(event_id, kind, said, reply=reply, case=outcome.case, started=started)

    def on_command(self, body: dict, respond, *, durable: bool = False) -> None:
        """``/faq QUESTION``: answered to the asker only, with a button to share the answer in the channel."""
        started = time.perf_counter()
        text = (body.get("text") or "").strip()
        user, channel, trigger = body.get("user_id"), body.get("channel_id"), body.get("trigger_id")
        assistant = self.ctx.assistant
        if not text:
            helps = [assistant.text("help", lang) for lang in ("en", "zh")]
            fallback, content = blocks.render_text("\n\n".join(dict.fromkeys(helps)))
            respond(text=fallback, blocks=content, response_type="ephemeral", replace_original=False)
            log_line(trigger, "command", "help", started=started)
            return
        origin = Origin(SOURCE, asker=user, channel=channel, key=f"slack:cmd:{trigger}" if trigger else None)
        outcome = self.ctx.desk.ask(assistant, text, origin, defer_busy=durable)
        reply = outcome.reply
        ref = Ref(lang=reply.lang, question_id=outcome.question_id, asker=user, channel=channel,
                  question=None if outcome.question_id else text, seal=self.ctx.seal)
        fallback, content = render_outcome(assistant, outcome, ref, share=True)
        try:
            respond(text=fallback, blocks=content, response_type="ephemeral", replace_original=False)
        except Exception as exc:
            log_line(trigger, "command", "error", reply=reply, case=outcome.case, started=started, error=exc)
            return
        log_line(trigger, "command", reply.action, reply=reply, case=outcome.case, started=started)

    def _hold_reply(self, channel: str, thread_ts: str | None, text: str, content: list[dict],
                    key: str | None, error: Exception) -> bool:
        """Keep a reply Slack refused, for the delivery worker to post; False if even the database is down."""
        try:
            self.outbox.hold(channel=channel, thread_ts=thread_ts, text=text, blocks=content, event_key=key,
                             error=f"{type(error).__name__}: {error}".strip())
        except StoreError as exc:
            log.error("could not keep the reply to post again: %s", exc)
            return False
        return True

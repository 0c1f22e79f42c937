"""The seller's buttons: "Helpful", "Not helpful", a "did you mean" choice, "None of these", "Share in channel".

Buttons carry a :class:`~bot.slack.blocks.Ref` (the logged question's id, the
entry, where it was asked), sealed so that a changed value is refused. They are
the asker's: a click by anyone else (an answer in a channel thread is visible
to all) is politely refused and changes nothing, so nobody can open a case for
someone else's question or rate their answer. Asking for a person ("Not
helpful", "None of these") goes through the question desk like any question,
so the notice reads the same as everywhere else. A recorded click (``durable``)
whose case cannot be stored because the database is briefly locked raises, and
the inbox retries it.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot.desk import Origin, Outcome
from bot.slack import blocks
from bot.slack.blocks import Ref
from bot.slack.context import SOURCE, SlackContext, answer_of, clicker_of, log_line, ref_of, replace_message
from bot.slack.texts import say, say_both
from bot.slack.values import ForgedValue
from bot.store import StoreError

log = logging.getLogger("faqbot.slack")


class SellerButtons:
    """The listeners for the buttons under answers and "did you mean" prompts."""

    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx

    def on_helpful(self, body: dict, action: dict, client: WebClient, respond, *, durable: bool = False) -> None:
        self._feedback(body, action, client, respond, helpful=True, durable=durable)

    def on_not_helpful(self, body: dict, action: dict, client: WebClient, respond, *, durable: bool = False) -> None:
        self._feedback(body, action, client, respond, helpful=False, durable=durable)

    def _feedback(self, body: dict, action: dict, client: WebClient, respond, *, helpful: bool,
                  durable: bool = False) -> None:
        started = time.perf_counter()
        ref = self._ref(body, action, respond)
        if ref is None:
            return
        clicker = clicker_of(body)
        container = body.get("container") or {}
        try:
            self.ctx.store.record_feedback(
                helpful=helpful, source=SOURCE, question_id=ref.question_id,
                message_id=None if ref.question_id else (ref.message_ts or container.get("message_ts") or "unknown"),
                entry_id=ref.entry_id, asker=clicker, question=ref.question, lang=ref.lang,
            )
        except (StoreError, ValueError) as exc:
            log.warning("could not record feedback: %s", exc)
        assistant = self.ctx.assistant
        outcome: Outcome | None = None
        if helpful:
            answer = answer_of(assistant, ref)
            thanks = say(assistant, "slack_thanks", ref.lang)
            if answer:
                fallback, content = blocks.render_answer(assistant, answer, ref.lang, ref, entry_id=ref.entry_id,
                                                         score=ref.score, done=thanks)
            else:
                fallback, content = blocks.render_text(thanks)
        else:
            outcome = self._escalate(ref, clicker, durable=durable)
            fallback, content = blocks.render_text(outcome.text)
        replace_message(body, client, respond, fallback, content)
        log_line(body.get("trigger_id"), "button", "helpful" if helpful else "not_helpful",
                 entry=ref.entry_id, case=outcome.case if outcome else None, started=started)

    def on_choose(self, body: dict, action: dict, client: WebClient, respond, *, durable: bool = False) -> None:
        """A "did you mean" choice: the message becomes that entry's answer, with feedback buttons."""
        started = time.perf_counter()
        ref = self._ref(body, action, respond)
        if ref is None:
            return
        assistant = self.ctx.assistant
        answer = answer_of(assistant, ref)
        if not answer:  # the knowledge base changed under the button: hand it to a person
            outcome = self._escalate(ref, clicker_of(body), durable=durable)
            fallback, content = blocks.render_text(outcome.text)
            replace_message(body, client, respond, fallback, content)
            return
        self._record_pick(ref, clicker_of(body), "entry")
        share = bool((body.get("container") or {}).get("is_ephemeral"))
        fallback, content = blocks.render_answer(assistant, answer, ref.lang, ref, entry_id=ref.entry_id,
                                                 score=ref.score, share=share)
        replace_message(body, client, respond, fallback, content)
        log_line(body.get("trigger_id"), "button", "chosen", entry=ref.entry_id, started=started)

    def on_none_of_these(self, body: dict, action: dict, client: WebClient, respond, *,
                         durable: bool = False) -> None:
        """"None of these": the question goes to Seller Support; the message becomes the case notice."""
        started = time.perf_counter()
        ref = self._ref(body, action, respond)
        if ref is None:
            return
        self._record_pick(ref, clicker_of(body), "none_of_these")
        outcome = self._escalate(ref, clicker_of(body), durable=durable)
        fallback, content = blocks.render_text(outcome.text)
        replace_message(body, client, respond, fallback, content)
        log_line(body.get("trigger_id"), "button", "none_of_these", case=outcome.case, started=started)

    def on_share(self, body: dict, action: dict, respond) -> None:
        """Share a ``/faq`` answer in the channel (visible to everyone) and remove the private copy."""
        started = time.perf_counter()
        ref = self._ref(body, action, respond)
        if ref is None:
            return
        assistant = self.ctx.assistant
        answer = answer_of(assistant, ref)
        if not answer:
            return
        question = self.ctx.question(ref)
        user = clicker_of(body) or ref.asker
        fallback, content = blocks.render_shared(assistant, ref.lang, user, question[0] if question else None,
                                                 answer, ref.entry_id)
        respond(text=fallback, blocks=content, response_type="in_channel", replace_original=False)
        try:
            respond(delete_original=True)
        except Exception as exc:  # the private copy lingers; harmless
            log.info("could not delete the private answer: %s", exc)
        log_line(body.get("trigger_id"), "button", "shared", entry=ref.entry_id, started=started)

    def _ref(self, body: dict, action: dict, respond) -> Ref | None:
        """The clicked button's reference if it is sealed by us and the clicker asked the question; else a polite no."""
        clicker = clicker_of(body)
        try:
            ref = ref_of(action, self.ctx.seal)
        except ForgedValue as forged:
            log.warning("refused a seller button from %s: its value is not sealed by us", clicker)
            self._tell(respond, say_both(self.ctx.assistant, "slack_button_stale", forged.lang))
            return None
        if ref is None:
            return None
        owner = self._owner(ref)
        if owner and clicker != owner:
            log.info("refused a seller button from %s: the question is %s's", clicker, owner)
            self._tell(respond, say_both(self.ctx.assistant, "slack_not_your_question", ref.lang,
                                         asker=blocks.user_mention(owner)))
            return None
        return ref

    def _owner(self, ref: Ref) -> str | None:
        """Who asked the button's question: the question log says so by id, else the (sealed) reference."""
        if ref.question_id is not None:
            try:
                logged = self.ctx.store.question(ref.question_id)
            except StoreError as exc:
                log.warning("%s", exc)
                logged = None
            if logged is not None and logged.asker:
                return logged.asker
        return ref.asker

    @staticmethod
    def _tell(respond, text: str) -> None:
        """A message only the clicker sees, leaving the clicked message as it is."""
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the refusal is a courtesy; nothing changed either way
            log.info("could not tell the clicker: %s", exc)

    def _record_pick(self, ref: Ref, clicker: str | None, label: str) -> None:
        """Keep the seller's choice as a labelled example for ``faqbot suggest``; a failure only costs the example."""
        found = self.ctx.question(ref)
        if found is None:
            return
        try:
            self.ctx.store.record_pick(question=found[0], lang=found[1], label=label, source=SOURCE,
                                       entry_id=ref.entry_id if label == "entry" else None,
                                       question_id=ref.question_id, asker=ref.asker or clicker)
        except (StoreError, ValueError) as exc:
            log.warning("could not record the pick: %s", exc)

    def _escalate(self, ref: Ref, clicker: str | None, *, durable: bool = False) -> Outcome:
        """Hand the question behind a button to Seller Support, through the desk."""
        assistant = self.ctx.assistant
        found = self.ctx.question(ref)
        if found is None:
            return self.ctx.desk.unrecorded(assistant, ref.lang)
        key = None if ref.message_ts else (f"slack:q:{ref.question_id}" if ref.question_id else None)
        origin = Origin(SOURCE, asker=ref.asker or clicker, channel=ref.channel, thread=ref.thread_ts,
                        message_id=ref.message_ts, key=key)
        return self.ctx.desk.escalate(assistant, found[0], origin, lang=ref.lang, question_id=ref.question_id,
                                      defer_busy=durable)

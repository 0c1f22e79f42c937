"""Slack's output side: the desks' answers, choices, notices and case changes as Block Kit, where they belong.

:class:`SlackOutput` implements :class:`bot.desks.output.Output` for one
request; the request's ``reply_to`` says where its answer goes:

- ``thread``: a question in a channel or DM is answered in its thread, posted
  once with the event's key (:mod:`bot.slack.posting`); a reply Slack refuses
  even after the client's retries is kept (:mod:`bot.slack.held_replies`) and
  posted again by the delivery worker;
- ``respond``: ``/faq`` is answered privately through its response URL;
- ``click``: a seller's button replaces the clicked message (``chat.update``,
  or the response URL for a private ``/faq`` answer); refusals go to the
  clicker alone;
- ``card``: a case button redraws its card with the case's latest state
  (under a per-case lock, so two clicks never leave the older state showing);
  refusals are told to the agent alone, in the support channel's language.

Sellers see the answer, its links and the buttons; entry ids and scores are
for agents (the case card, the console).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.desks.cases import CaseOutcome
from bot.desks.output import Notice
from bot.desks.questions import QuestionOutcome
from bot.desks.request import Request
from bot.errors import StoreError
from bot.slack import blocks
from bot.slack.blocks import Ref
from bot.slack.context import SlackContext, answer_of
from bot.slack.held_replies import ReplyOutbox
from bot.slack.posting import post_once
from bot.slack.sink import SlackSink
from bot.slack.texts import say, say_both

log = logging.getLogger("faqbot.slack")

#: What a case refusal is called in Slack's catalog, by action (None: nothing is said).
CASE_REFUSALS: dict[str, str | None] = {
    "no_case": "slack_case_unknown", "store_failed": "slack_case_failed", "unknown_entry": "slack_case_unknown_entry",
    "already_resolved": "slack_case_already_resolved", "already_open": "slack_case_already_resolved",
    "not_its_card": None,
}
REDRAWN_AFTER = (None, "taken_by_other", "already_resolved", "already_open")  # the card shows the latest state


def render_outcome(assistant: Any, outcome: QuestionOutcome, ref: Ref, *, share: bool = False) -> blocks.Rendered:
    """An outcome as Block Kit: the escalation notice, the answer with its buttons, or "did you mean"."""
    reply = outcome.reply
    if outcome.escalated:
        return blocks.render_text(outcome.text)
    if reply.action == "answer":
        return blocks.render_reply_answer(assistant, reply, ref, share=share)
    if reply.candidates:
        return blocks.render_clarify(assistant, reply, ref)
    return blocks.render_text(reply.text)  # e.g. the empty-question prompt


class SlackOutput:
    """Where one Slack request's answers go (``request.reply_to``); ``failed`` / ``held`` say how the post went."""

    def __init__(self, ctx: SlackContext, request: Request, outbox: ReplyOutbox) -> None:
        self.ctx = ctx
        self.request = request
        self.outbox = outbox
        self.where: dict[str, Any] = dict(request.reply_to)
        self.failed: Exception | None = None
        self.held = False

    # ---------------------------------------------------------------- questions
    def send_answer(self, outcome: QuestionOutcome) -> None:
        assistant, request = self.ctx.assistant, self.request
        if request.action == "share":
            self._share(outcome)
            return
        if outcome.picked:
            reply = outcome.reply
            ref = self._ref(outcome).with_entry(reply.entry_id, request.score)
            self._deliver(*blocks.render_answer(assistant, reply.text, reply.lang, ref, entry_id=reply.entry_id,
                                                share=bool(self.where.get("ephemeral"))))
            return
        if outcome.forced and request.action == "feedback":  # "Not helpful": the answer stays, the notice follows
            answer = answer_of(assistant, self._ref(outcome))
            if answer:
                self._deliver(*blocks.render_answer(assistant, answer, request.lang or "en", self._ref(outcome),
                                                    entry_id=request.entry_id, notice=outcome.text))
                return
        if outcome.forced:
            self._deliver(*blocks.render_text(outcome.text))
            return
        self._deliver(*render_outcome(assistant, outcome, self._ref(outcome), share=self.where.get("via") == "respond"))

    def send_choices(self, outcome: QuestionOutcome) -> None:
        self._deliver(*render_outcome(self.ctx.assistant, outcome, self._ref(outcome)))

    def send_notice(self, notice: Notice) -> None:
        assistant, lang = self.ctx.assistant, notice.lang or "en"
        if notice.name == "help":
            helps = [assistant.text("help", lang) for lang in ("en", "zh")]
            self._deliver(*blocks.render_text("\n\n".join(dict.fromkeys(helps))))
        elif notice.name == "feedback_thanks":
            ref, thanks = self._ref(None), say(assistant, "slack_thanks", lang)
            answer = answer_of(assistant, ref)
            if answer:
                self._deliver(*blocks.render_answer(assistant, answer, lang, ref, entry_id=ref.entry_id, done=thanks))
            else:
                self._deliver(*blocks.render_text(thanks))
        elif notice.name == "not_your_question":
            log.info("refused a seller button from %s: the question is %s's", self.request.who, notice.values["asker"])
            self._tell(say_both(assistant, "slack_not_your_question", lang,
                                asker=blocks.user_mention(notice.values["asker"])))
        else:  # the Slack adapter's own refusal (e.g. a stale button)
            self._tell(say_both(assistant, notice.name, lang))

    def _ref(self, outcome: QuestionOutcome | None) -> Ref:
        """The reference the answer's buttons carry: the question, its asker and where it was asked."""
        request, seal = self.request, self.ctx.seal
        if request.action == "ask" and outcome is not None:
            question_id = outcome.question_id
            return Ref(lang=outcome.reply.lang, question_id=question_id, asker=request.who, channel=request.channel,
                       message_ts=request.message, thread_ts=request.thread,
                       question=None if question_id else request.text, seal=seal)
        return Ref(lang=request.lang or "en", question_id=request.question_id, entry_id=request.entry_id,
                   asker=request.asker, channel=request.channel, message_ts=request.message, thread_ts=request.thread,
                   question=request.text or None, score=None if request.score is None else round(request.score),
                   seal=seal)

    def _share(self, outcome: QuestionOutcome) -> None:
        """A ``/faq`` answer shared in the channel (visible to everyone); the private copy is removed."""
        reply, respond = outcome.reply, self._respond()
        user = self.request.who or self.request.asker or "?"
        fallback, content = blocks.render_shared(self.ctx.assistant, reply.lang, user, reply.question or None,
                                                 reply.text)
        respond(text=fallback, blocks=content, response_type="in_channel", replace_original=False)
        try:
            respond(delete_original=True)
        except Exception as exc:  # the private copy lingers; harmless
            log.info("could not delete the private answer: %s", exc)

    # ---------------------------------------------------------------- cases
    def send_case(self, outcome: CaseOutcome) -> None:
        assistant, lang = self.ctx.assistant, self.ctx.support_lang
        number, refusal = str(outcome.number), outcome.refusal
        if refusal == "not_an_agent":
            log.warning("refused a case button: %s is not in the agent list", outcome.agent)
            # Not an agent, so the support channel's language may not be theirs: say it in both.
            self._tell_agent(say_both(assistant, "slack_not_an_agent", lang))
            return
        if refusal == "not_its_card":
            log.warning("ignoring a case button whose case (%d) is not the clicked card's", outcome.number)
        elif refusal == "taken_by_other":
            name = "slack_case_already_taken" if outcome.action == "take" else "slack_case_held"
            self._tell_agent(say(assistant, name, lang, case=number, agent=blocks.user_mention(outcome.holder)))
        elif refusal is not None and CASE_REFUSALS.get(refusal):
            self._tell_agent(say(assistant, CASE_REFUSALS[refusal] or "", lang, case=number,
                                 entry=blocks.escape(outcome.entry_id or "")))
        if refusal in REDRAWN_AFTER and outcome.case is not None:
            self._redraw(outcome.number)

    def _redraw(self, number: int) -> None:
        """Redraw the clicked card with the case as it stands now, under the case's lock."""
        with self.ctx.card_lock(number):
            try:
                current = self.ctx.store.get(number)
            except StoreError as exc:  # the change is stored; the card catches up on the next redraw round
                log.warning("could not redraw the card of case %d: %s", number, exc)
                return
            if current is not None and self.where.get("message_ts"):
                fallback, content = blocks.render_case(self.ctx.assistant, current, self._permalink(current),
                                                       self.ctx.support_lang)
                self.ctx.client.chat_update(channel=self.where["channel"], ts=self.where["message_ts"],
                                            text=fallback, blocks=content)

    def _permalink(self, case: Any) -> str | None:
        """The link to the seller's message, from the stored case (None when Slack cannot say now)."""
        sink = SlackSink(self.ctx.client, self.ctx.support_channel, lambda: self.ctx.assistant,
                         lang=self.ctx.support_lang)
        try:
            return sink.permalink(case)
        except Exception as exc:  # Slack down: the card is redrawn without the link this time
            log.warning("no permalink for case %d: %s", case.case, exc)
            return None

    # ---------------------------------------------------------------- where it goes
    def _deliver(self, text: str, content: list[dict[str, Any]]) -> None:
        """The message to where the request's answer goes (its thread, the response URL, the clicked message)."""
        via = self.where.get("via")
        if via == "thread":
            self._post_in_thread(text, content)
        elif via == "respond":
            try:
                self._respond()(text=text, blocks=content, response_type="ephemeral", replace_original=False)
            except Exception as exc:  # the response URL expired or Slack is down: logged, nothing to retry with
                self.failed = exc
        elif self.where.get("ephemeral") or not self.where.get("message_ts"):
            self._respond()(text=text, blocks=content, replace_original=True)
        else:
            self.ctx.client.chat_update(channel=self.where.get("channel"), ts=self.where["message_ts"], text=text,
                                        blocks=content)

    def _post_in_thread(self, text: str, content: list[dict[str, Any]]) -> None:
        """Post once, tagged with the event's key; keep what Slack refuses for the delivery worker."""
        channel, thread, key = self.request.channel, self.request.thread, self.where.get("key")
        try:
            post_once(self.ctx.client, key, channel=channel, thread_ts=thread, text=text, blocks=content,
                      unfurl_links=False, unfurl_media=False)
        except Exception as exc:  # Slack is down even after the client's retries: keep the reply and post it later
            self.failed = exc
            try:
                self.outbox.hold(channel=channel, thread_ts=thread, text=text, blocks=content, event_key=key,
                                 error=f"{type(exc).__name__}: {exc}".strip())
            except StoreError as store_error:
                log.error("could not keep the reply to post again: %s", store_error)
                return
            self.held = True

    def _respond(self):
        from slack_bolt.context.respond import Respond

        return Respond(response_url=self.where.get("response_url"))

    def _tell(self, text: str) -> None:
        """A message only the clicker sees, leaving the clicked message as it is."""
        try:
            self._respond()(text=text, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the refusal is a courtesy; nothing changed either way
            log.info("could not tell the clicker: %s", exc)

    def _tell_agent(self, text: str) -> None:
        self.ctx.client.chat_postEphemeral(channel=self.where.get("channel"), user=self.request.who, text=text)

"""The question desk: the one place where a question is logged, decided, escalated and given its notice.

Every adapter (the console, a Slack message, the ``/faq`` command, the "none of
these" and "not helpful" buttons, the test channel) hands the desk the question
and where it came from (:class:`Origin`) and gets back one
:class:`QuestionOutcome`: the engine's reply, the logged question's id, the case
(and whether it is new) and the notice to show. So "what happens when a question
escalates" is written once, here, with the same wording and order everywhere:
the reply's text first, then the case notice. The asker's verdicts on answers
(feedback, a did-you-mean pick) are kept here too, as labelled examples for
``faqbot suggest``.

A row before a message: the case is committed to the store before the outcome
(and so the asker) knows its number. A store failure never loses the answer:
the outcome carries the error and, for an escalation, the "could not record"
notice that tells the asker to contact Seller Support directly, unless the
request is recorded (``Origin.recorded``: the durable inbox will hand it in
again), in which case a briefly busy database raises :class:`StoreBusy` and the
asker hears nothing until the retry succeeds. Listeners (e.g. waking the
delivery worker when a case is new) see every outcome.

A line with nothing to answer (only digits or punctuation, or one character:
:func:`faq.normalize.is_noise`) never opens a case: it gets the engine's
"please type your question" prompt instead of an escalation.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import StoreBusy, StoreError
from faq import Assistant, Reply
from faq.normalize import is_noise

if TYPE_CHECKING:
    from bot.store import CasesAndQuestions, Escalation

log = logging.getLogger("faqbot.desk")


@dataclass(frozen=True)
class Origin:
    """Where a question came from: ``source`` (the channel's name), who asked, and the message.

    ``key`` overrides the case's idempotency key (e.g. the ``/faq`` trigger id,
    or the logged question behind a button), so a retry lands on the same case.
    ``recorded``: the request is held by the durable inbox, which hands it in
    again when this attempt raises.
    """

    source: str
    asker: str | None = None
    channel: str | None = None
    thread: str | None = None
    message_id: str | None = None
    key: str | None = None
    recorded: bool = False


@dataclass(frozen=True)
class QuestionOutcome:
    """What became of one question; adapters render it and decide nothing.

    ``notice`` is the case notice ("Seller Support has your question as case
    #3") or, when the case could not be stored, the "contact Seller Support
    directly" notice; None when nothing escalated. ``forced`` marks an
    escalation the asker asked for ("none of these"), where the engine's own
    reply is not shown. ``picked``: the answer is the one the asker chose from
    did-you-mean choices. ``error`` is the first store failure, for the adapter
    to report its own way (a console line, a log line).
    """

    reply: Reply
    question_id: int | None = None
    case: Escalation | None = None
    created: bool = False
    notice: str | None = None
    forced: bool = False
    picked: bool = False
    error: StoreError | None = None

    @property
    def escalated(self) -> bool:
        """Whether the question went (or should have gone) to Seller Support."""
        return self.notice is not None

    @property
    def offers_choices(self) -> bool:
        """Whether the asker is offered did-you-mean choices to pick from."""
        return self.reply.action == "clarify" and bool(self.reply.candidates) and not self.escalated

    @property
    def lines(self) -> list[str]:
        """What the asker is told, in order: the reply (unless the escalation was asked for), then the notice."""
        shown = [] if self.forced else [self.reply.text]
        return shown + ([self.notice] if self.notice else [])

    @property
    def text(self) -> str:
        """:attr:`lines` as one message."""
        return "\n".join(self.lines)


class QuestionDesk:
    """Logs each question in ``store``, asks the engine, opens the case on escalation, and returns the outcome.

    Without a store (``store=None``, e.g. a console with no database) it only
    asks the engine. ``listeners`` are called with every outcome.
    """

    def __init__(self, store: CasesAndQuestions | None,
                 listeners: Sequence[Callable[[QuestionOutcome], None]] = ()) -> None:
        self.store = store
        self.listeners = list(listeners)

    def ask(self, assistant: Assistant, text: str, origin: Origin, *, lang: str | None = None,
            explain: bool = False) -> QuestionOutcome:
        """Answer ``text``: log it, ask the engine, and open a case when the reply escalates."""
        reply = self._reply(assistant, text, lang, explain)
        question_id, error = self._log(reply, origin)
        if reply.action != "escalate":
            return self._tell(QuestionOutcome(reply=reply, question_id=question_id, error=error))
        return self._tell(self._open(assistant, reply, origin, question_id, error, forced=False))

    def escalate(self, assistant: Assistant, text: str, origin: Origin, *, lang: str | None = None,
                 question_id: int | None = None) -> QuestionOutcome:
        """Hand an already-logged question to Seller Support because the asker said so ("none of these")."""
        if is_noise(text):
            return self._tell(QuestionOutcome(reply=self._reply(assistant, text, lang, False), question_id=question_id))
        reply = assistant.reply(text, lang=lang)  # type: ignore[arg-type]
        return self._tell(self._open(assistant, reply, origin, question_id, None, forced=True))

    def unrecorded(self, assistant: Assistant, lang: str) -> QuestionOutcome:
        """The outcome when the question behind a button cannot be found: the asker is told to contact support."""
        reply = Reply(question="", lang=lang, action="escalate", text="")
        return QuestionOutcome(reply=reply, notice=assistant.text("escalation_unsaved", lang), forced=True)

    def record_feedback(self, *, helpful: bool, origin: Origin, question_id: int | None, entry_id: str | None,
                 question: str | None = None, lang: str | None = None) -> None:
        """Keep whether an answer helped; a failure only costs the vote (logged), never the asker's reply."""
        if self.store is None:
            return
        try:
            self.store.record_feedback(
                helpful=helpful, source=origin.source, question_id=question_id,
                message_id=None if question_id else (origin.message_id or "unknown"),
                entry_id=entry_id, asker=origin.asker, question=question, lang=lang,
            )
        except (StoreError, ValueError) as exc:
            log.warning("could not record feedback: %s", exc)

    def record_pick(self, question: str, lang: str, origin: Origin, *, entry_id: str | None,
                    question_id: int | None = None) -> None:
        """Keep the asker's "did you mean" choice (``entry_id``; None: "none of these") as a labelled example.

        The asker saw the options and chose: the strongest evidence ``faqbot suggest`` gets.
        A failure costs only the example, never the asker's answer.
        """
        if self.store is None:
            return
        try:
            self.store.record_pick(question=question, lang=lang, label="entry" if entry_id else "none_of_these",
                                   source=origin.source, entry_id=entry_id, question_id=question_id,
                                   asker=origin.asker)
        except (StoreError, ValueError) as exc:
            log.warning("could not record the pick: %s", exc)

    def logged(self, question_id: int | None) -> tuple[str, str, str | None] | None:
        """``(question, lang, asker)`` of a logged question (buttons carry its id), or None."""
        if self.store is None or question_id is None:
            return None
        try:
            found = self.store.question(question_id)
        except StoreError as exc:
            log.warning("%s", exc)
            return None
        return None if found is None else (found.question, found.lang, found.asker)

    @staticmethod
    def _reply(assistant: Assistant, text: str, lang: str | None, explain: bool) -> Reply:
        """The engine's reply, except that noise is never escalated: it gets the "type your question" prompt."""
        reply = assistant.reply(text, lang=lang, explain=explain)  # type: ignore[arg-type]
        if reply.action == "escalate" and is_noise(text):
            prompt = assistant.reply("", lang=reply.lang)  # type: ignore[arg-type]
            return dataclasses.replace(prompt, question=reply.question, why=reply.why)
        return reply

    def _log(self, reply: Reply, origin: Origin) -> tuple[int | None, StoreError | None]:
        if self.store is None:
            return None, None
        try:
            return self.store.log_question(reply, origin.source, asker=origin.asker), None
        except StoreError as exc:
            log.warning("could not log the question: %s", exc)
            return None, exc

    def _open(self, assistant: Assistant, reply: Reply, origin: Origin, question_id: int | None,
              error: StoreError | None, *, forced: bool) -> QuestionOutcome:
        if self.store is None:
            return QuestionOutcome(reply=reply, question_id=question_id, forced=forced)
        try:
            case, created = self.store.open_escalation(
                reply, source=origin.source, asker=origin.asker, channel=origin.channel, thread=origin.thread,
                message_id=origin.message_id, idempotency_key=origin.key,
            )
        except StoreError as exc:
            if origin.recorded and isinstance(exc, StoreBusy):
                log.warning("could not store the escalation yet, will retry: %s", exc)
                raise
            log.error("could not store the escalation: %s", exc)
            return QuestionOutcome(reply=reply, question_id=question_id,
                                   notice=assistant.text("escalation_unsaved", reply.lang, script=reply.script), forced=forced,
                                   error=error or exc)
        notice = assistant.text("escalated_case", reply.lang, script=reply.script, case=str(case.case))
        return QuestionOutcome(reply=reply, question_id=question_id, case=case, created=created, notice=notice,
                               forced=forced, error=error)

    def _tell(self, outcome: QuestionOutcome) -> QuestionOutcome:
        for listener in self.listeners:
            try:
                listener(outcome)
            except Exception:  # a listener (waking a worker) must never cost the asker their answer
                log.exception("an outcome listener failed")
        return outcome

"""The question desk: the one place where a question is logged, decided, escalated and given its notice.

Every adapter (the console, a Slack message, the ``/faq`` command, the "none of
these" and "not helpful" buttons) hands the desk the question and where it came
from (:class:`Origin`) and gets back one :class:`Outcome`: the engine's reply,
the logged question's id, the case (and whether it is new) and the notice to
show. Adapters only render outcomes, so "what happens when a question
escalates" is written once, here, with the same wording and order everywhere:
the reply's text first, then the case notice.

A row before a message: the case is committed to the store before the outcome
(and so the asker) knows its number. A store failure never loses the answer:
the outcome carries the error and, for an escalation, the "could not record"
notice that tells the asker to contact Seller Support directly. Listeners
(e.g. waking the delivery worker when a case is new) see every outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import StoreBusy, StoreError
from faq import Assistant, Reply

if TYPE_CHECKING:
    from bot.store import Escalation, EscalationStore

log = logging.getLogger("faqbot.desk")


@dataclass(frozen=True)
class Origin:
    """Where a question came from: ``source`` (``console`` or ``slack``), who asked, and the message.

    ``key`` overrides the case's idempotency key (e.g. the ``/faq`` trigger id,
    or the logged question behind a button), so a retry lands on the same case.
    """

    source: str
    asker: str | None = None
    channel: str | None = None
    thread: str | None = None
    message_id: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of one question; adapters render it and decide nothing.

    ``notice`` is the case notice ("Seller Support has your question as case
    #3") or, when the case could not be stored, the "contact Seller Support
    directly" notice; None when nothing escalated. ``forced`` marks an
    escalation the asker asked for ("none of these"), where the engine's own
    reply is not shown. ``error`` is the first store failure, for the adapter to
    report its own way (a console line, a log line).
    """

    reply: Reply
    question_id: int | None = None
    case: Escalation | None = None
    created: bool = False
    notice: str | None = None
    forced: bool = False
    error: StoreError | None = None

    @property
    def escalated(self) -> bool:
        """Whether the question went (or should have gone) to Seller Support."""
        return self.notice is not None

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

    def __init__(self, store: EscalationStore | None, listeners: Sequence[Callable[[Outcome], None]] = ()) -> None:
        self.store = store
        self.listeners = list(listeners)

    def ask(self, assistant: Assistant, text: str, origin: Origin, *, lang: str | None = None,
            explain: bool = False, defer_busy: bool = False) -> Outcome:
        """Answer ``text``: log it, ask the engine, and open a case when the reply escalates.

        ``defer_busy``: the caller will ask again later (a recorded Slack
        request), so a briefly unavailable database (:class:`StoreBusy`) while
        opening the case raises instead of telling the asker it was not recorded.
        """
        reply = assistant.reply(text, lang=lang, explain=explain)  # type: ignore[arg-type]
        question_id, error = self._log(reply, origin)
        if reply.action != "escalate":
            return self._tell(Outcome(reply=reply, question_id=question_id, error=error))
        return self._tell(self._open(assistant, reply, origin, question_id, error, forced=False, defer_busy=defer_busy))

    def escalate(self, assistant: Assistant, text: str, origin: Origin, *, lang: str | None = None,
                 question_id: int | None = None, defer_busy: bool = False) -> Outcome:
        """Hand an already-logged question to Seller Support because the asker said so ("none of these")."""
        reply = assistant.reply(text, lang=lang)  # type: ignore[arg-type]
        return self._tell(self._open(assistant, reply, origin, question_id, None, forced=True, defer_busy=defer_busy))

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

    def unrecorded(self, assistant: Assistant, lang: str) -> Outcome:
        """The outcome when the question behind a button cannot be found: the asker is told to contact support."""
        reply = Reply(question="", lang=lang, action="escalate", text="")
        return Outcome(reply=reply, notice=assistant.text("escalation_unsaved", lang), forced=True)

    def _log(self, reply: Reply, origin: Origin) -> tuple[int | None, StoreError | None]:
        if self.store is None:
            return None, None
        try:
            return self.store.log_question(reply, origin.source, asker=origin.asker), None
        except StoreError as exc:
            log.warning("could not log the question: %s", exc)
            return None, exc

    def _open(self, assistant: Assistant, reply: Reply, origin: Origin, question_id: int | None,
              error: StoreError | None, *, forced: bool, defer_busy: bool = False) -> Outcome:
        if self.store is None:
            return Outcome(reply=reply, question_id=question_id, forced=forced)
        try:
            case, created = self.store.open_escalation(
                reply, source=origin.source, asker=origin.asker, channel=origin.channel, thread=origin.thread,
                message_id=origin.message_id, idempotency_key=origin.key,
            )
        except StoreError as exc:
            if defer_busy and isinstance(exc, StoreBusy):
                log.warning("could not store the escalation yet, will retry: %s", exc)
                raise
            log.error("could not store the escalation: %s", exc)
            return Outcome(reply=reply, question_id=question_id, notice=assistant.text("escalation_unsaved", reply.lang, script=reply.script),
                           forced=forced, error=error or exc)
        notice = assistant.text("escalated_case", reply.lang, script=reply.script, case=str(case.case))
        return Outcome(reply=reply, question_id=question_id, case=case, created=created, notice=notice,
                       forced=forced, error=error)

    def _tell(self, outcome: Outcome) -> Outcome:
        for listener in self.listeners:
            try:
                listener(outcome)
            except Exception:  # a listener (waking a worker) must never cost the asker their answer
                log.exception("an outcome listener failed")
        return outcome

"""The front desk: a neutral request in, the desks' work done, the answer out through the channel's output.

Every channel (console, Slack, the test channel) parses its input into a
:class:`~bot.desks.request.Request` and calls :meth:`FrontDesk.handle` with its
own :class:`~bot.desks.output.Output`. What each action means is decided here,
once: which desk is asked, what is recorded (a pick, a vote), when a question
goes to Seller Support, whose buttons these are, and what is sent back. The
channel only parses and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.desks.cases import CaseDesk, CaseOutcome
from bot.desks.output import Notice, Output
from bot.desks.questions import Origin, QuestionDesk, QuestionOutcome
from bot.desks.request import Request
from faq import Assistant, Entry, Reply


@dataclass(frozen=True)
class Handled:
    """What was done with one request, for the channel's log line.

    ``said``: ``answer``/``clarify``/``escalate`` for a question; ``chosen``,
    ``none_of_these``, ``helpful``, ``not_helpful`` for the asker's buttons; the
    case action, or ``<action>_refused``; ``refused`` for someone else's button;
    ``ignored`` when nothing was sent.
    """

    said: str
    question: QuestionOutcome | None = None
    case: CaseOutcome | None = None
    entry_id: str | None = None


class FrontDesk:
    """Hands requests to the question desk and (with agents' cases on) the case desk; answers through the output."""

    def __init__(self, questions: QuestionDesk, cases: CaseDesk | None, assistant: Callable[[], Assistant]) -> None:
        self.questions = questions
        self.cases = cases
        self.assistant = assistant

    def handle(self, request: Request, output: Output) -> Handled:
        """Do what ``request`` asks and answer through ``output``; store failures are in the outcomes, never raised
        (except :class:`~bot.errors.StoreBusy` for a recorded request, which the inbox hands in again)."""
        if request.action == "ask":
            return self._ask(request, output)
        if request.action in ("take", "resolve", "reopen"):
            return self._case(request, output)
        if request.action == "help":
            output.send_notice(Notice("help", request.lang))
            return Handled("help")
        if request.action == "tell":
            output.send_notice(Notice(request.text, request.lang))
            return Handled("refused")
        return self._button(request, output)

    # ---------------------------------------------------------------- questions
    def _ask(self, request: Request, output: Output) -> Handled:
        outcome = self.questions.ask(self.assistant(), request.text, self._origin(request), lang=request.lang,
                                     explain=request.explain)
        if outcome.offers_choices:
            output.send_choices(outcome)
        else:
            output.send_answer(outcome)
        return Handled(outcome.reply.action, question=outcome)

    def _button(self, request: Request, output: Output) -> Handled:
        """A verdict on an answer or a choice: the asker's alone; recorded, then answered or escalated."""
        logged = self.questions.logged(request.question_id)
        owner = (logged[2] if logged and logged[2] else None) or request.asker
        if owner and request.who != owner:
            output.send_notice(Notice("not_your_question", request.lang, {"asker": owner}))
            return Handled("refused")
        question, lang = (logged[0], logged[1]) if logged else (request.text or None, request.lang or "en")
        origin = self._origin(request, asker=request.asker or request.who)
        if request.action == "feedback":
            return self._feedback(request, output, question, lang)
        if request.action in ("pick", "share"):
            entry = self.assistant().kb.entry(request.entry_id or "")
            if entry is not None:
                return self._answer_with(entry, request, output, origin, question, lang)
            if request.action == "share":
                return Handled("ignored")
            # the knowledge base changed under the choice: a person answers instead
        elif question:
            self.questions.record_pick(question, lang, origin, entry_id=None, question_id=request.question_id)
        outcome = self._escalate(request, question, lang)
        output.send_answer(outcome)
        return Handled("none_of_these", question=outcome)

    def _answer_with(self, entry: Entry, request: Request, output: Output, origin: Origin, question: str | None,
                     lang: str) -> Handled:
        """The chosen (or shared) entry's answer; a choice is kept as a labelled example."""
        if request.action == "pick" and question:
            self.questions.record_pick(question, lang, origin, entry_id=entry.id, question_id=request.question_id)
        answer = entry.text_in(entry.answer, lang) or ""
        reply = Reply(question=question or "", lang=lang, action="answer", text=answer, entry_id=entry.id,
                      score=request.score or 0.0, kind=entry.kind, answer=answer)
        output.send_answer(QuestionOutcome(reply=reply, question_id=request.question_id, picked=True))
        return Handled("chosen" if request.action == "pick" else "shared", entry_id=entry.id)

    def _feedback(self, request: Request, output: Output, question: str | None, lang: str) -> Handled:
        voter = self._origin(request, asker=request.who, message=request.message or request.clicked)
        self.questions.record_feedback(helpful=bool(request.helpful), origin=voter, question_id=request.question_id,
                                       entry_id=request.entry_id, question=request.text or None, lang=request.lang)
        if request.helpful:
            output.send_notice(Notice("feedback_thanks", request.lang))
            return Handled("helpful", entry_id=request.entry_id)
        outcome = self._escalate(request, question, lang)
        output.send_answer(outcome)
        return Handled("not_helpful", question=outcome, entry_id=request.entry_id)

    def _escalate(self, request: Request, question: str | None, lang: str) -> QuestionOutcome:
        """Hand the question behind a button to Seller Support (the asker asked for a person)."""
        assistant = self.assistant()
        if question is None:
            return self.questions.unrecorded(assistant, lang)
        return self.questions.escalate(assistant, question, self._origin(request, asker=request.asker or request.who),
                                       lang=lang, question_id=request.question_id)

    @staticmethod
    def _origin(request: Request, *, asker: str | None = None, message: str | None = None) -> Origin:
        return Origin(request.source, asker=asker or request.who, channel=request.channel, thread=request.thread,
                      message_id=message or request.message, key=request.key, recorded=request.recorded)

    # ---------------------------------------------------------------- cases
    def _case(self, request: Request, output: Output) -> Handled:
        if self.cases is None or request.case is None:
            return Handled("ignored")
        agent = request.who or "?"
        if request.action == "take":
            outcome = self.cases.take(request.case, agent, card=request.card)
        elif request.action == "resolve":
            outcome = self.cases.resolve(request.case, agent, request.note, label=request.label,
                                         entry_id=request.entry_id, kb=self.assistant().kb, card=request.card)
        else:
            outcome = self.cases.reopen(request.case, agent, card=request.card)
        output.send_case(outcome)
        return Handled(request.action if outcome.done else f"{request.action}_refused", case=outcome)

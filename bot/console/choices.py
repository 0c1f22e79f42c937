"""The did-you-mean choices the console last offered, so the agent can pick one by number."""

from __future__ import annotations

from dataclasses import dataclass

from bot.desks.questions import QuestionOutcome


@dataclass(frozen=True)
class Choices:
    """The question as asked, the language it was answered in, and the offered entries in order (1, 2, ...)."""

    question: str
    lang: str
    entry_ids: tuple[str, ...]
    question_id: int | None = None

    @classmethod
    def of(cls, outcome: QuestionOutcome) -> Choices | None:
        """The choices of a did-you-mean outcome; None for anything else (an answer, an escalation, an empty line)."""
        reply = outcome.reply
        if reply.action != "clarify" or not reply.candidates:
            return None
        return cls(reply.question, reply.lang, tuple(c.entry_id for c in reply.candidates), outcome.question_id)

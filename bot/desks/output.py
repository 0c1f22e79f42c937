"""The output side: the few things the desks say, which every channel implements in its own words.

Rasa's ``OutputChannel`` is the model: the front desk (:mod:`bot.desks.front`)
never knows whether it talks to Slack, a terminal or a JSON-lines file. It
sends an answer (which may carry an escalation notice), did-you-mean choices,
a notice (a named text: a refusal, thanks, help), or a case after a change
(draw or redraw its card, or say why the change was refused). Each channel's
:class:`Output` turns these into its own rendering and wording (its catalog).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.desks.cases import CaseOutcome
from bot.desks.questions import QuestionOutcome

#: The notices the front desk sends; a channel words each in its own catalog.
#: ``feedback_thanks``; ``help``; ``not_your_question`` (values: ``asker``); ``nothing_to_pick``;
#: and any name a channel's own ``tell`` request carries (e.g. a stale button).
NOTICES = ("feedback_thanks", "help", "not_your_question", "nothing_to_pick")


@dataclass(frozen=True)
class Notice:
    """A named text for whoever acted, in ``lang`` (the question's; None: the channel's own language)."""

    name: str
    lang: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


class Output(Protocol):
    """Where one request's answers go."""

    def send_answer(self, outcome: QuestionOutcome) -> None:
        """An answer, a prompt, or an escalation (the reply, then its notice; only the notice when ``forced``)."""

    def send_choices(self, outcome: QuestionOutcome) -> None:
        """"Did you mean": the reply's candidates to pick from, and "none of these"."""

    def send_notice(self, notice: Notice) -> None:
        """A notice to whoever acted."""

    def send_case(self, outcome: CaseOutcome) -> None:
        """A case after a change: redraw its card or say what changed; or say why it was refused."""

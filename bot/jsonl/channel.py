"""The JSON-lines channel: its input side (:func:`parse_line`), its output side (:class:`JsonLinesOutput`), its loop.

An input line is a JSON object: ``{"who": "ana", "action": "ask", "text": "..."}``,
or any other request action with its fields (``question_id`` and ``entry_id``
for a pick, ``helpful`` for feedback, ``case``/``label``/``note`` for case
work). Each answer is one JSON object on its own line, with ``"to"`` (who
acted) and ``"kind"`` (``answer``, ``choices``, ``notice``, ``case``). A line
that is not such an object gets ``{"kind": "error", ...}``; nothing else stops
the loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from bot.desks.cases import CaseDesk, CaseOutcome
from bot.desks.front import FrontDesk
from bot.desks.output import Notice
from bot.desks.questions import QuestionDesk, QuestionOutcome
from bot.desks.request import Request
from bot.store import CasesAndQuestions
from faq import Assistant

#: The channel's name in the store (a source is data: any short identifier, nothing to register).
SOURCE = "jsonl"

#: The request fields an input line may set, with their JSON types (``source`` is the channel's).
FIELDS: dict[str, type] = {"action": str, "who": str, "text": str, "lang": str, "question_id": int, "entry_id": str,
                           "helpful": bool, "case": int, "label": str, "note": str}


def parse_line(line: str) -> Request:
    """The request on one input line; ``ValueError`` with a readable reason otherwise."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(unknown)}")
    wrong = sorted(name for name, value in data.items()
                   if value is not None and (type(value) is not FIELDS[name]))  # a bool is no case number
    if wrong:
        raise ValueError(f"wrong type for: {', '.join(wrong)}")
    who = data.get("who")
    return Request(source=SOURCE, asker=who, **{"action": "ask", **data})


class JsonLinesOutput:
    """The desks' answers to one request, as JSON lines on ``out``."""

    def __init__(self, out: TextIO, request: Request) -> None:
        self.out = out
        self.request = request

    def _write(self, kind: str, **fields: Any) -> None:
        self.out.write(json.dumps({"to": self.request.who, "kind": kind, **fields}, ensure_ascii=False) + "\n")
        self.out.flush()

    def send_answer(self, outcome: QuestionOutcome) -> None:
        reply = outcome.reply
        self._write("answer", lines=outcome.lines, action=reply.action, entry_id=reply.entry_id,
                    question_id=outcome.question_id, case=outcome.case.case if outcome.case else None,
                    picked=outcome.picked)

    def send_choices(self, outcome: QuestionOutcome) -> None:
        reply = outcome.reply
        self._write("choices", text=reply.text, question_id=outcome.question_id,
                    choices=[candidate.entry_id for candidate in reply.candidates])

    def send_notice(self, notice: Notice) -> None:
        self._write("notice", notice=notice.name, **notice.values)

    def send_case(self, outcome: CaseOutcome) -> None:
        case = outcome.case
        self._write("case", case=outcome.number, action=outcome.action, done=outcome.done, refusal=outcome.refusal,
                    status=case.status if case else None, agent=case.agent if case else None)


def open_front_desk(store: CasesAndQuestions | None, assistant: Callable[[], Assistant]) -> FrontDesk:
    """The front desk this channel hands its requests to: the same desks as every other channel."""
    return FrontDesk(QuestionDesk(store), CaseDesk(store) if store is not None else None, assistant)


def serve(lines: Iterable[str], out: TextIO, front: FrontDesk) -> int:
    """Handle every line of ``lines``; return how many were requests (bad lines are answered with an error)."""
    handled = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            request = parse_line(line)
        except ValueError as exc:
            out.write(json.dumps({"kind": "error", "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        front.handle(request, JsonLinesOutput(out, request))
        handled += 1
    return handled

"""The agents' case commands in the console: ``:queue``, ``:case N``, ``:take N``, ``:resolve N ...``, ``:reopen N``.

``:resolve N [--entry ID | --new | --oos] [note]`` also says what the question was
(the entry that answers it, a new topic, out of scope): a labelled example for
``faqbot suggest``. An id the knowledge base does not have is refused, with the
closest ids.

:class:`CaseCommands` is handed to the console at construction, like any
command set: the console calls each handler with itself as the
:class:`ConsoleView` (where to write, in which language), so this module never
imports the console and the console never learns about the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from bot.console.resolve_args import parse_resolve
from bot.console.layout import clip, table
from bot.terminal_text import shown
from bot.console.texts import CASE_HELP, CONSOLE_TEXTS
from bot.errors import InvalidTransition, StoreError, UnknownCase
from bot.store import Escalation, EscalationStore
from faq import Assistant


class ConsoleView(Protocol):
    """What a command needs from the console: write a line, the UI language, the current engine."""

    ui_lang: str
    assistant: Assistant

    def write(self, text: str = "") -> None: ...


Handler = Callable[[ConsoleView, str], None]

#: Characters of a question shown in a ``:queue`` line.
QUEUE_LIMIT = 80


class CaseCommands:
    """The queue commands of one agent (``agent``) on ``store``."""

    help: Mapping[str, Mapping[str, str]] = CASE_HELP

    def __init__(self, store: EscalationStore, agent: str) -> None:
        self.store = store
        self.agent = agent

    def commands(self) -> dict[str, Handler]:
        """Command name -> handler(view, argument)."""
        return {"queue": self.queue, "case": self.case, "take": self.take, "resolve": self.resolve, "reopen": self.reopen}

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def say(view: ConsoleView, key: str, **values: object) -> None:
        view.write(CONSOLE_TEXTS.text(key, view.ui_lang, **values))

    def _guarded(self, view: ConsoleView, action: Callable[[], None]) -> None:
        """Run a store action; a database error becomes one line, never a crash."""
        try:
            action()
        except StoreError as error:
            self.say(view, "store_error", error=error)

    def _on_case(self, view: ConsoleView, name: str, arg: str, action: Callable[[int], None]) -> None:
        """Parse the case number of ``:name N ...`` and run ``action`` on it, store errors reported."""
        number = arg.split(" ", 1)[0].lstrip("#")
        if not (number.isascii() and number.isdecimal() and len(number) <= 12):
            self.say(view, "case_usage", name=name)
            return
        self._guarded(view, lambda: self._refusals_explained(view, int(number), action))

    def _refusals_explained(self, view: ConsoleView, number: int, action: Callable[[int], None]) -> None:
        """Run ``action`` on case ``number``; a missing case or a refused change is said in the agent's language."""
        try:
            action(number)
        except UnknownCase:
            self.say(view, "no_case", case=number)
        except InvalidTransition:
            escalation = self.store.get(number)
            if escalation is not None and escalation.status == "taken":
                self.say(view, "taken_by_other", case=number, agent=escalation.agent)
            elif escalation is not None:
                self.say(view, "already", case=number, status=self._status(view, escalation))

    @staticmethod
    def _status(view: ConsoleView, escalation: Escalation) -> str:
        return CONSOLE_TEXTS.text(f"status_{escalation.status}", view.ui_lang)

    # ---------------------------------------------------------------- commands
    def queue(self, view: ConsoleView, _arg: str) -> None:
        def show() -> None:
            cases = self.store.queue()
            if not cases:
                self.say(view, "queue_empty")
            rows = [[f"#{escalation.case}", self._status(view, escalation) + (f" ({shown(escalation.agent)})" if escalation.agent else "")
                     + (CONSOLE_TEXTS.text("undeliverable_mark", view.ui_lang) if escalation.undeliverable else ""),
                     escalation.created_at.strftime("%Y-%m-%d %H:%M"), f"[{escalation.lang}]",
                     clip(escalation.question, view.ui_lang, QUEUE_LIMIT)] for escalation in cases]
            for line in table(rows):
                view.write(line)

        self._guarded(view, show)

    def case(self, view: ConsoleView, arg: str) -> None:
        self._on_case(view, "case", arg, lambda number: self._show_case(view, number))

    def _show_case(self, view: ConsoleView, number: int) -> None:
        escalation = self.store.get(number)
        if escalation is None:
            self.say(view, "no_case", case=number)
            return
        lang = view.ui_lang
        if escalation.undeliverable:
            forwarding = CONSOLE_TEXTS.text("undeliverable", lang, error=clip(escalation.undeliverable, lang))
        elif escalation.forwarded:
            forwarding = CONSOLE_TEXTS.text("forwarded", lang, contact=view.assistant.contact(lang))
        else:
            error = f"; {clip(escalation.last_error, lang)}" if escalation.last_error else ""
            forwarding = CONSOLE_TEXTS.text("not_forwarded", lang, attempts=escalation.forward_attempts, error=error)
        self.say(
            view, "case_lines", case=escalation.case, status=self._status(view, escalation),
            created=escalation.created_at.strftime("%Y-%m-%d %H:%M UTC"), lang=escalation.lang,
            asker=shown(escalation.asker or "-"), source=escalation.source, question=clip(escalation.question, lang),
            candidates=", ".join(f"{c.entry_id} {c.score:.0f}" for c in escalation.candidates) or "-",
            agent=shown(escalation.agent or "-"), note=clip(escalation.resolution or "-", lang), forwarding=forwarding,
            label=self._label(view, escalation),
        )

    @staticmethod
    def _label(view: ConsoleView, escalation: Escalation) -> str:
        if escalation.label is None:
            return "-"
        return CONSOLE_TEXTS.text(f"label_{escalation.label}", view.ui_lang, entry=escalation.label_entry_id or "?")

    def take(self, view: ConsoleView, arg: str) -> None:
        def take(number: int) -> None:
            if self.store.take(number, self.agent):
                self.say(view, "taken", case=number)
            else:
                holder = self.store.get(number)
                self.say(view, "taken_by_other", case=number, agent=holder.agent if holder else "?")

        self._on_case(view, "take", arg, take)

    def resolve(self, view: ConsoleView, arg: str) -> None:
        try:
            parsed = parse_resolve(arg.split(None, 1)[1] if len(arg.split(None, 1)) > 1 else "")
        except ValueError:
            self.say(view, "resolve_usage")
            return
        kb = view.assistant.kb

        def resolve(number: int) -> None:
            if parsed.label == "entry" and kb.entry(parsed.entry_id or "") is None:
                self.say(view, "resolve_unknown_entry", id=parsed.entry_id, case=number,
                         close=", ".join(_closest_ids(parsed.entry_id or "", [e.id for e in kb.entries])) or "-")
                return
            self.store.resolve(number, self.agent, parsed.note, label=parsed.label, entry_id=parsed.entry_id)
            key = "resolved" if parsed.label is None else f"resolved_{parsed.label}"
            self.say(view, key, case=number, entry=parsed.entry_id or "")

        self._on_case(view, "resolve", arg, resolve)

    def reopen(self, view: ConsoleView, arg: str) -> None:
        def reopen(number: int) -> None:
            self.store.reopen(number)
            self.say(view, "reopened", case=number)

        self._on_case(view, "reopen", arg, reopen)


def _closest_ids(wanted: str, ids: list[str], limit: int = 3) -> list[str]:
    """The knowledge base's ids that read most like ``wanted`` (a typo's likely targets)."""
    from rapidfuzz import fuzz, process

    return [match[0] for match in process.extract(wanted, ids, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)]

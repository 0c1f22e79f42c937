"""The agents' case commands in the console: ``:queue``, ``:case N``, ``:take N``, ``:resolve N ...``, ``:reopen N``.

``:resolve N [--entry ID | --new | --oos] [note]`` also says what the question was
(the entry that answers it, a new topic, out of scope): a labelled example for
``faqbot suggest``. Taking, resolving and reopening are requests to the case
desk (:mod:`bot.desks.cases`), which applies the rules and names any refusal
(an id the knowledge base does not have is refused with the closest ids); the
console's output words the result. ``:queue`` and ``:case`` are views.

:class:`CaseCommands` is handed to the console at construction, like any
command set: the console calls each handler with itself as the
:class:`ConsoleView` (where to write, in which language, its output), so this
module never imports the console and the console never learns about the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from bot.console.resolve_args import parse_resolve
from bot.console.layout import clip, table
from bot.terminal_text import shown
from bot.console.texts import CASE_HELP, CONSOLE_TEXTS
from bot.desks.front import FrontDesk
from bot.desks.output import Output
from bot.desks.request import Request
from bot.errors import StoreError
from bot.store import CaseStore, Escalation
from faq import Assistant


class ConsoleView(Protocol):
    """What a command needs from the console: write a line, the UI language, the engine, the front desk, its output."""

    ui_lang: str
    assistant: Assistant
    front: FrontDesk
    output: Output

    def write(self, text: str = "") -> None: ...


CommandHandler = Callable[[ConsoleView, str], None]

#: Characters of a question shown in a ``:queue`` line.
QUEUE_LIMIT = 80


class CaseCommands:
    """The queue commands of one agent (``agent``): views read ``store``, changes go to the console's front desk."""

    help: Mapping[str, Mapping[str, str]] = CASE_HELP

    def __init__(self, store: CaseStore, agent: str) -> None:
        self.store = store
        self.agent = agent

    def commands(self) -> dict[str, CommandHandler]:
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
        self._guarded(view, lambda: action(int(number)))

    def _request(self, view: ConsoleView, action: str, number: int, **details: object) -> None:
        """Hand a change of case ``number`` to the case desk; the console's output says what became of it."""
        request = Request(action, "console", who=self.agent, case=number, **details)  # type: ignore[arg-type]
        view.front.handle(request, view.output)

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
        self._on_case(view, "take", arg, lambda number: self._request(view, "take", number))

    def resolve(self, view: ConsoleView, arg: str) -> None:
        try:
            parsed = parse_resolve(arg.split(None, 1)[1] if len(arg.split(None, 1)) > 1 else "")
        except ValueError:
            self.say(view, "resolve_usage")
            return
        self._on_case(view, "resolve", arg, lambda number: self._request(
            view, "resolve", number, note=parsed.note, label=parsed.label, entry_id=parsed.entry_id))

    def reopen(self, view: ConsoleView, arg: str) -> None:
        self._on_case(view, "reopen", arg, lambda number: self._request(view, "reopen", number))

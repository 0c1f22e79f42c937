"""The console's output side: the desks' answers, choices, notices and case changes as terminal lines.

:class:`ConsoleOutput` implements :class:`bot.desks.output.Output` for one
console session: an answer with its links and the compact "why" block, the
did-you-mean choices (remembered so the agent can pick one by number), a pick,
"none of these", and what became of ``:take``/``:resolve``/``:reopen``, in the
agent's UI language.
"""

from __future__ import annotations

from typing import Protocol

from bot.console.choices import Choices
from bot.console.layout import width
from bot.console.texts import CONSOLE_TEXTS
from bot.console.why import why_lines
from bot.desks.cases import CaseOutcome
from bot.desks.output import Notice
from bot.desks.questions import QuestionOutcome
from faq import Assistant

#: What a case refusal is called in the console's catalog.
CASE_REFUSALS = {"no_case": "no_case", "taken_by_other": "taken_by_other", "unknown_entry": "resolve_unknown_entry",
                 "store_failed": "store_error", "not_an_agent": "store_error", "not_its_card": "no_case"}
#: What a notice is called in the console's catalog.
NOTICE_TEXTS = {"nothing_to_pick": "pick_nothing"}


class ConsoleScreen(Protocol):
    """What the output needs from the console: write a line, colour, the UI language, the engine, the choices."""

    ui_lang: str
    assistant: Assistant
    choices: Choices | None

    def write(self, text: str = "") -> None: ...
    def paint(self, text: str, action: str) -> str: ...


class ConsoleOutput:
    """The desks' answers for one console session, written on ``screen``."""

    def __init__(self, screen: ConsoleScreen) -> None:
        self.screen = screen

    def t(self, key: str, **values: object) -> str:
        return CONSOLE_TEXTS.text(key, self.screen.ui_lang, **values)

    # ---------------------------------------------------------------- questions
    def send_answer(self, outcome: QuestionOutcome) -> None:
        if outcome.picked:
            self._picked(outcome)
        elif outcome.forced:
            self._none_of_these(outcome)
        else:
            self._render(outcome)

    def send_choices(self, outcome: QuestionOutcome) -> None:
        self.screen.choices = Choices.of(outcome)
        self._render(outcome)

    def _render(self, outcome: QuestionOutcome) -> None:
        """The reply text, a compact why block and a blank line; then the case notice and any store problem."""
        write, reply = self.screen.write, outcome.reply
        write(reply.text)
        self._links(reply.action, reply.entry_id)
        if self.screen.choices is not None:
            write(self.t("pick_hint"))
        entry = f"{reply.entry_id} ({reply.kind})" if reply.entry_id else "-"
        write(f"  {self.t('decision')}: {self.screen.paint(self.t('action_' + reply.action), reply.action)}"
              f" | {self.t('entry')}: {entry} | {self.t('score')}: {reply.score:.1f}")
        runners_up = ", ".join(f"{c.entry_id} {c.score:.1f}" for c in reply.candidates[1:])
        write(f"  {self.t('runners_up')}: {runners_up or self.t('none')}")
        label = f"  {self.t('why')}: "
        for n, why_line in enumerate(why_lines(reply.why, self.screen.ui_lang) if reply.why else []):
            write((label if n == 0 else " " * width(label)) + why_line)
        write()
        if outcome.notice:
            write(outcome.notice)
        if outcome.error is not None:
            write(self.t("store_error", error=outcome.error))

    def _picked(self, outcome: QuestionOutcome) -> None:
        reply = outcome.reply
        self.screen.write(reply.text)
        self._links("answer", reply.entry_id)
        self.screen.write(f"  {self.t('decision')}: {self.screen.paint(self.t('action_answer'), 'answer')}"
                          f" | {self.t('picked', entry=f'{reply.entry_id} ({reply.kind})')}")
        self.screen.write()

    def _none_of_these(self, outcome: QuestionOutcome) -> None:
        contact = self.screen.assistant.contact(outcome.reply.lang)
        if outcome.notice is None:
            self.screen.write(self.t("picked_none_no_store", contact=contact))
        else:
            self.screen.write(self.t("picked_none", contact=contact))
            self.screen.write(outcome.notice)
        if outcome.error is not None:
            self.screen.write(self.t("store_error", error=outcome.error))
        self.screen.write()

    def _links(self, action: str, entry_id: str | None) -> None:
        """The answered entry's ``links``, one per line under the answer."""
        entry = self.screen.assistant.kb.entry(entry_id) if action == "answer" and entry_id else None
        for link in entry.links if entry else ():
            self.screen.write(f"  {self.t('links')}: {link}")

    def send_notice(self, notice: Notice) -> None:
        self.screen.write(self.t(NOTICE_TEXTS.get(notice.name, notice.name), **notice.values))

    # ---------------------------------------------------------------- cases
    def send_case(self, outcome: CaseOutcome) -> None:
        number = outcome.number
        if outcome.done:
            if outcome.action == "resolve":
                key = "resolved" if outcome.label is None else f"resolved_{outcome.label}"
                self.screen.write(self.t(key, case=number, entry=outcome.entry_id or ""))
            else:
                self.screen.write(self.t("taken" if outcome.action == "take" else "reopened", case=number))
        elif outcome.refusal and outcome.refusal.startswith("already_"):
            status = self.t(f"status_{outcome.refusal.removeprefix('already_')}")
            self.screen.write(self.t("already", case=number, status=status))
        else:
            key = CASE_REFUSALS.get(outcome.refusal or "", "store_error")
            self.screen.write(self.t(key, case=number, agent=outcome.holder or "?", error=outcome.error,
                                     id=outcome.entry_id, close=", ".join(outcome.closest) or "-"))

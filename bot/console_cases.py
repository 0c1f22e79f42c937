"""The escalation side of the agents' console: record questions, open cases, and the queue commands.

Kept apart from ``bot.console`` so the REPL itself knows nothing about the
database: a ``CaseDesk`` attaches its commands (``:queue``, ``:case N``,
``:take N``, ``:resolve N [note]``, ``:reopen N``) and an after-reply hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from faq.model import Reply

if TYPE_CHECKING:
    from bot.console import Console
    from bot.delivery import Forwarder
    from bot.store import Escalation, EscalationStore

TEXTS: dict[str, dict[str, str]] = {
    "queue_empty": {"en": "No open or taken cases.", "zh": "没有待处理或处理中的案例。"},
    "case_usage": {"en": "Usage: :{name} N (a case number; :queue lists them).", "zh": "用法::{name} N(案例编号;:queue 可列出)。"},
    "no_case": {"en": "No case #{case}.", "zh": "没有案例 #{case}。"},
    "taken": {"en": "You have case #{case}.", "zh": "您已接手案例 #{case}。"},
    "taken_by_other": {"en": "Case #{case} is already taken by {agent}.", "zh": "案例 #{case} 已被 {agent} 接手。"},
    "resolved": {"en": "Case #{case} resolved.", "zh": "案例 #{case} 已解决。"},
    "reopened": {"en": "Case #{case} is open again.", "zh": "案例 #{case} 已重新打开。"},
    "already": {"en": "Case #{case} is already {status}.", "zh": "案例 #{case} 已经是{status}状态。"},
    "store_error": {"en": "Database problem: {error}", "zh": "数据库问题:{error}"},
    "status_open": {"en": "open", "zh": "待处理"},
    "status_taken": {"en": "taken", "zh": "处理中"},
    "status_resolved": {"en": "resolved", "zh": "已解决"},
    "forwarded": {"en": "forwarded to {contact}", "zh": "已转交{contact}"},
    "not_forwarded": {"en": "not forwarded yet ({attempts} attempts{error})", "zh": "尚未转交(已尝试 {attempts} 次{error})"},
    "case_lines": {
        "en": "case #{case} [{status}] {created} {lang} from {asker} via {source}\n  question: {question}\n  candidates: {candidates}\n  agent: {agent}  note: {note}\n  {forwarding}",
        "zh": "案例 #{case} [{status}] {created} {lang} 提问人 {asker} 来源 {source}\n  问题:{question}\n  候选:{candidates}\n  处理人:{agent}  备注:{note}\n  {forwarding}",
    },
}

HELP: dict[str, dict[str, str]] = {
    ":queue": {"en": "open and taken cases, oldest first", "zh": "待处理和处理中的案例,最早的在前"},
    ":case N": {"en": "one case in full", "zh": "查看一个案例的详情"},
    ":take N": {"en": "take a case (one agent per case)", "zh": "接手案例(每个案例只能一人接手)"},
    ":resolve N [note]": {"en": "resolve a case, with an optional note", "zh": "解决案例,可附备注"},
    ":reopen N": {"en": "open a case again", "zh": "重新打开案例"},
}


class CaseDesk:
    """Connects one console session to the escalation store, as agent ``agent``."""

    def __init__(self, store: EscalationStore, agent: str, forwarder: Forwarder | None = None):
        self.store = store
        self.agent = agent
        self.forwarder = forwarder
        self.console: Console | None = None

    def attach(self, console: Console) -> None:
        """Add the queue commands and record every reply the console shows."""
        self.console = console
        handlers: dict[str, Callable[[str], None]] = {
            "queue": self.queue, "case": self.case, "take": self.take, "resolve": self.resolve, "reopen": self.reopen,
        }
        console.commands.update(handlers)
        console.after_reply.append(self.record)
        last = {usage: text for usage, text in console.help_lines.items() if usage.startswith((":help", ":quit"))}
        first = {usage: text for usage, text in console.help_lines.items() if usage not in last}
        console.help_lines = {**first, **HELP, **last}

    def say(self, key: str, **values: object) -> None:
        assert self.console is not None
        self.console.write(TEXTS[key][self.console.ui_lang].format(**values))

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run a store action; a database error becomes one line, never a crash."""
        from bot.store import StoreError

        try:
            action()
        except StoreError as error:
            self.say("store_error", error=error)

    # ---------------------------------------------------------------- questions
    def record(self, reply: Reply) -> None:
        """Log the question; open a case when it escalated, tell the agent its number, then forward it."""
        from bot.store import StoreError

        assert self.console is not None
        assistant = self.console.assistant
        try:
            self.store.log_question(reply, "console", asker=self.agent)
            if reply.action != "escalate":
                return
            escalation, _ = self.store.open_escalation(reply, source="console", asker=self.agent)
        except StoreError as error:
            if reply.action == "escalate":
                self.console.write(assistant.text("escalation_unsaved", reply.lang))
            self.say("store_error", error=error)
            return
        self.console.write(assistant.text("escalated_case", reply.lang, case=str(escalation.case)))
        if self.forwarder is not None:
            self._guarded(lambda: self.forwarder.deliver_due())  # type: ignore[union-attr]

    # ---------------------------------------------------------------- commands
    def _on_case(self, name: str, arg: str, action: Callable[[int], None]) -> None:
        """Parse the case number of ``:name N ...`` and run ``action`` on it, store errors reported."""
        number = arg.split(" ", 1)[0].lstrip("#")
        if not (number.isascii() and number.isdecimal() and len(number) <= 12):
            self.say("case_usage", name=name)
            return
        self._guarded(lambda: self._refusals_explained(int(number), action))

    def _refusals_explained(self, number: int, action: Callable[[int], None]) -> None:
        """Run ``action`` on case ``number``; a missing case or a refused change is said in the agent's language."""
        from bot.store import InvalidTransition, UnknownCase

        try:
            action(number)
        except UnknownCase:
            self.say("no_case", case=number)
        except InvalidTransition:
            escalation = self.store.get(number)
            if escalation is not None and escalation.status == "taken":
                self.say("taken_by_other", case=number, agent=escalation.agent)
            elif escalation is not None:
                self.say("already", case=number, status=TEXTS[f"status_{escalation.status}"][self.console.ui_lang])  # type: ignore[union-attr]

    def _line(self, escalation: Escalation) -> str:
        assert self.console is not None
        status = TEXTS[f"status_{escalation.status}"][self.console.ui_lang]
        who = f" ({escalation.agent})" if escalation.agent else ""
        created = escalation.created_at.strftime("%Y-%m-%d %H:%M")
        return f"#{escalation.case:<5} {status}{who:<12} {created} [{escalation.lang}] {escalation.question[:80]}"

    def queue(self, _arg: str) -> None:
        def show() -> None:
            cases = self.store.queue()
            if not cases:
                self.say("queue_empty")
            for escalation in cases:
                self.console.write(self._line(escalation))  # type: ignore[union-attr]

        self._guarded(show)

    def case(self, arg: str) -> None:
        self._on_case("case", arg, self._show_case)

    def _show_case(self, number: int) -> None:
        escalation = self.store.get(number)
        if escalation is None:
            self.say("no_case", case=number)
            return
        lang = self.console.ui_lang  # type: ignore[union-attr]
        if escalation.forwarded:
            forwarding = TEXTS["forwarded"][lang].format(contact=self.console.assistant.contact(lang))  # type: ignore[union-attr]
        else:
            error = f"; {escalation.last_error}" if escalation.last_error else ""
            forwarding = TEXTS["not_forwarded"][lang].format(attempts=escalation.forward_attempts, error=error)
        self.say(
            "case_lines", case=escalation.case, status=TEXTS[f"status_{escalation.status}"][lang],
            created=escalation.created_at.strftime("%Y-%m-%d %H:%M UTC"), lang=escalation.lang,
            asker=escalation.asker or "-", source=escalation.source, question=escalation.question,
            candidates=", ".join(f"{c.entry_id} {c.score:.0f}" for c in escalation.candidates) or "-",
            agent=escalation.agent or "-", note=escalation.resolution or "-", forwarding=forwarding,
        )

    def take(self, arg: str) -> None:
        def take(number: int) -> None:
            if self.store.take(number, self.agent):
                self.say("taken", case=number)
            else:
                holder = self.store.get(number)
                self.say("taken_by_other", case=number, agent=holder.agent if holder else "?")

        self._on_case("take", arg, take)

    def resolve(self, arg: str) -> None:
        note = arg.split(" ", 1)[1].strip() if " " in arg else ""

        def resolve(number: int) -> None:
            self.store.resolve(number, self.agent, note)
            self.say("resolved", case=number)

        self._on_case("resolve", arg, resolve)

    def reopen(self, arg: str) -> None:
        def reopen(number: int) -> None:
            self.store.reopen(number)
            self.say("reopened", case=number)

        self._on_case("reopen", arg, reopen)

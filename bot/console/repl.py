"""The support agents' console: ask questions and see why the bot answered as it did.

``faqbot console`` calls :func:`run_console`, which takes its streams as
arguments so tests can drive it with strings. The console is an adapter: each
line becomes a neutral request (a question, a pick, a case command) for the
front desk (:mod:`bot.desks.front`), which logs it, asks the engine, opens the
case when it escalates and answers through the console's output
(:mod:`bot.console.output`). A number typed when no did-you-mean is waiting is
not a question: the agent is told there is nothing to pick from.
Command sets (e.g. :class:`bot.console.cases.CaseCommands`) are passed in.

On a terminal it is a REPL (prompt, banner, readline history and completion,
colours unless ``NO_COLOR`` is set). With piped input it prints only the
answers, one block per question, flushed before the next line is read.
Knowledge-base problems at start-up go to ``sys.stderr`` (one
``file:line: message`` each, exit code 1); problems found by ``:reload`` are
part of the session and go to the console's own output.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from bot.config import no_color, tool_language
from bot.console.cases import CaseCommands, CommandHandler
from bot.console.choices import Choices
from bot.console.forwarding import ConsoleForwarding
from bot.console.layout import help_lines
from bot.console.output import ConsoleOutput
from bot.console.reader import LineReader
from bot.console.texts import COMMAND_HELP, CONSOLE_TEXTS
from bot.desks.cases import CaseDesk
from bot.desks.front import FrontDesk
from bot.desks.questions import QuestionDesk, QuestionOutcome
from bot.desks.request import Request
from bot.errors import StoreError
from bot.store import Store
from faq import Assistant, Entry, KnowledgeBase, KnowledgeError, load_knowledge

UI_LANGS = ("en", "zh")
_RESOLVE_ENTRY = re.compile(r"^\s*:resolve\s+\S+\s+--entry\s+\S*$")
SOURCE = "console"

_ACTION_COLORS = {"answer": "32", "clarify": "33", "escalate": "31"}  # green, yellow, red


class Console:
    """One console session: the knowledge base, the language settings, the desk and the output."""

    def __init__(
        self,
        kb_path: Path,
        kb: KnowledgeBase,
        out: TextIO,
        *,
        color: bool = False,
        lang: str | None = None,
        ui_lang: str = "en",
        questions: QuestionDesk | None = None,
        cases: CaseDesk | None = None,
        agent: str | None = None,
        command_sets: Sequence[CaseCommands] = (),
    ):
        self.kb_path = kb_path
        self.kb = kb
        self.assistant = Assistant(kb)
        self.out = out
        self.color = color
        self.forced_lang = lang
        self.ui_language = ui_lang
        self.choices: Choices | None = None
        self.running = True
        self.front = FrontDesk(questions or QuestionDesk(None), cases, lambda: self.assistant)
        self.agent = agent
        self.output = ConsoleOutput(self)
        own: dict[str, Callable[[str], None]] = {
            "show": self.show, "list": self.list_entries, "pick": self.pick, "lang": self.set_lang, "reload": self.reload,
            "help": self.help, "quit": self.quit, "q": self.quit, "exit": self.quit,
        }
        self.commands: dict[str, Callable[[str], None]] = dict(own)
        extra_help: dict[str, Mapping[str, str]] = {}
        for command_set in command_sets:
            for name, handler in command_set.commands().items():
                self.commands[name] = self._bound(handler)
            extra_help.update(command_set.help)
        last = {usage: text for usage, text in COMMAND_HELP.items() if usage.startswith((":help", ":quit"))}
        first = {usage: text for usage, text in COMMAND_HELP.items() if usage not in last}
        self.help_lines: dict[str, Mapping[str, str]] = {**first, **extra_help, **last}

    def _bound(self, handler: CommandHandler) -> Callable[[str], None]:
        return lambda arg: handler(self, arg)

    # ---------------------------------------------------------------- output
    @property
    def ui_lang(self) -> str:
        """The agent's language (``--ui-lang``, else the locale): fixed for the session, whatever is asked."""
        return self.ui_language

    def t(self, key: str, **values: object) -> str:
        """A console text in the current UI language."""
        return CONSOLE_TEXTS.text(key, self.ui_lang, **values)

    def write(self, text: str = "") -> None:
        """Print one line and flush, so piped output streams; unprintable characters never crash."""
        try:
            self.out.write(text + "\n")
        except UnicodeEncodeError:
            encoding = getattr(self.out, "encoding", None) or "utf-8"
            self.out.write((text + "\n").encode(encoding, "replace").decode(encoding))
        self.out.flush()

    def paint(self, text: str, action: str) -> str:
        """``text`` in the action's colour when colour is on; plain otherwise."""
        code = _ACTION_COLORS.get(action)
        return f"\033[{code}m{text}\033[0m" if self.color and code else text

    def banner(self, where_cases_go: str | None = None) -> None:
        self.write(self.t("banner", count=len(self.kb.entries)))
        if where_cases_go:
            self.write(where_cases_go)

    def goodbye(self) -> None:
        self.write(self.t("goodbye"))

    # ---------------------------------------------------------------- input
    def handle(self, line: str) -> None:
        """Run one input line: a ``:command`` or a question. Any failure becomes one message."""
        line = line.strip()
        if not line:
            return
        try:
            if line.startswith(":"):
                self.run_command(line[1:])
            elif line.isascii() and line.isdecimal():  # a choice, or a stray number: never a question
                self.pick(line)
            else:
                self.ask(line)
        except BrokenPipeError:  # nobody is reading any more: not a bad line, the end of the session
            raise
        except Exception as error:  # a REPL for agents must outlive any one bad line
            self.write(self.t("internal_error", error=type(error).__name__))

    def run_command(self, text: str) -> None:
        name, _, arg = text.strip().partition(" ")
        handler = self.commands.get(name.lower())
        if handler is None:
            self.write(self.t("unknown_command", name=name))
        else:
            handler(arg.strip())

    def ask(self, question: str) -> None:
        """Hand the question to the front desk; the output shows the reply, why, and the case notice."""
        self.choices = None
        self.front.handle(Request("ask", SOURCE, who=self.agent, text=question, lang=self.forced_lang, explain=True),
                          self.output)

    # ---------------------------------------------------------------- commands
    def pick(self, arg: str) -> None:
        """``N`` or ``:pick N`` after a did-you-mean: answer with choice N; 0 escalates the question as asked."""
        choices = self.choices
        if choices is None:
            self.write(self.t("pick_nothing"))
            return
        number = arg.strip().lstrip("#")
        if not (number.isascii() and number.isdecimal() and int(number) <= len(choices.entry_ids)):
            self.write(self.t("pick_range", count=len(choices.entry_ids)))
            return
        self.choices = None
        entry_id = choices.entry_ids[int(number) - 1] if int(number) else None
        if entry_id is not None and self.kb.entry(entry_id) is None:  # the knowledge base was reloaded without it
            self.write(self.t("no_entry", id=entry_id))
            return
        request = Request("pick" if entry_id else "none_of_these", SOURCE, who=self.agent, asker=self.agent,
                          text=choices.question, lang=choices.lang, question_id=choices.question_id,
                          entry_id=entry_id)
        self.front.handle(request, self.output)

    def show(self, arg: str) -> None:
        """``:show ID``: everything an agent needs to judge one entry."""
        if not arg:
            self.write(self.t("show_usage"))
            return
        entry = self.kb.entry(arg)
        if entry is None:
            self.write(self.t("no_entry", id=arg))
            return
        self.write(f"{entry.id} ({self.t('kind')}: {entry.kind})")
        self.write(f"  {self.t('tags')}: {', '.join(entry.tags) or self.t('none')}")
        for part in ("question", "answer"):
            texts: Mapping[str, str] = getattr(entry, part)
            for lang in UI_LANGS:
                self.write(f"  {self.t(part)} [{lang}]: {texts.get(lang) or self.t('none')}")
        for lang in UI_LANGS:
            alternates = entry.alternates.get(lang, ())
            self.write(f"  {self.t('alternates')} [{lang}]:{'' if alternates else ' ' + self.t('none')}")
            for alternate in alternates:
                self.write(f"    - {alternate}")

    def list_entries(self, tag: str) -> None:
        """``:list [TAG]``: ids and questions in the UI language, optionally filtered by tag."""
        entries = [entry for entry in self.kb.entries if not tag or tag in entry.tags]
        if not entries:
            tags = sorted({t for entry in self.kb.entries for t in entry.tags})
            self.write(self.t("no_tag", tag=tag, tags=", ".join(tags) or self.t("none")))
            return
        width = max(len(entry.id) for entry in entries)
        for entry in entries:
            self.write(f"  {entry.id.ljust(width)}  {self._question(entry)}")

    def _question(self, entry: Entry) -> str:
        return entry.text_in(entry.question, self.ui_lang) or ""

    def set_lang(self, arg: str) -> None:
        """``:lang en|zh|auto``: force the reply language, or go back to detecting it."""
        choice = arg.lower()
        if choice in UI_LANGS:
            self.forced_lang = choice
            self.write(self.t("lang_set", name=self.t(f"lang_name_{choice}")))
        elif choice == "auto":
            self.forced_lang = None
            self.write(self.t("lang_auto"))
        else:
            current = self.t(f"lang_name_{self.forced_lang or 'auto'}")
            self.write(self.t("lang_usage", current=current))

    def reload(self, _arg: str) -> None:
        """``:reload``: swap in the edited file only if it loads cleanly, so a typo never stops the console."""
        try:
            kb = load_knowledge(self.kb_path)
        except KnowledgeError as error:
            self.write(self.t("reload_failed", count=len(self.kb.entries)))
            for line in error.lines(self.ui_lang):
                self.write(f"  {line}")
            return
        self.kb, self.assistant = kb, Assistant(kb)
        self.write(self.t("reloaded", count=len(kb.entries), version=kb.version))

    def help(self, _arg: str) -> None:
        self.write(self.t("help_intro"))
        rows = [(usage, text[self.ui_lang]) for usage, text in self.help_lines.items()]
        for line in help_lines(rows, shutil.get_terminal_size().columns):
            self.write(line)

    def quit(self, _arg: str) -> None:
        self.running = False

    def completions(self, buffer: str, word: str) -> list[str]:
        """Tab completion: command names, and entry ids after ``:show`` and ``:resolve N --entry``."""
        if buffer.lstrip().startswith(":show ") or _RESOLVE_ENTRY.match(buffer):
            return [entry.id for entry in self.kb.entries if entry.id.startswith(word)]
        if buffer.lstrip() == word and word.startswith(":"):
            return [f":{name}" for name in self.commands if f":{name}".startswith(word)]
        return []


def _where_cases_go(console: Console, store: Store | None, forwarding: ConsoleForwarding | None) -> str | None:
    """The banner's line on where cases go: forwarded from here, or queued for ``faqbot slack``."""
    if store is None:
        return None
    if forwarding is None:
        return console.t("cases_queued", db=store.url)
    return console.t("cases_forwarded", db=store.url, contact=console.assistant.contact(console.ui_lang))


def _report_unreachable(console: Console, store: Store, interactive: bool) -> None:
    """Try the database once at start-up, so a wrong URL is said now and not at the first escalation;
    cases Slack refused for good are counted and said too.

    Piped output holds only answers, so there the warning goes to stderr.
    """
    try:
        store.ensure_schema()
        undeliverable = store.undeliverable_cases()
    except StoreError as error:
        warning = console.t("db_unreachable", db=store.url, error=error)
    else:
        if not undeliverable:
            return
        warning = console.t("undeliverable_banner", count=undeliverable)
    if interactive:
        console.write(warning)
    else:
        print(warning, file=sys.stderr)


def run_console(
    kb_path: Path,
    stdin: TextIO,
    stdout: TextIO,
    *,
    interactive: bool | None = None,
    color: bool | None = None,
    lang: str | None = None,
    ui_lang: str | None = None,
    store: Store | None = None,
    agent: str | None = None,
    forwarding: ConsoleForwarding | None = None,
    listeners: Sequence[Callable[[QuestionOutcome], None]] = (),
) -> int:
    """Run the console until :quit, end of input or Ctrl-C (exit code 0); 1 if the KB cannot load
    (or the output pipe is closed).

    ``interactive`` defaults to both streams being terminals; ``color`` to an
    interactive session without ``NO_COLOR``; ``lang`` ("en", "zh", or
    None/"auto") forces the reply language; ``ui_lang`` ("en" or "zh", else
    the locale) is the console's own language. With a ``store`` every question is
    logged and escalations open cases (as ``agent``), and the case commands are
    on; ``forwarding`` posts cases to Slack from this process (else the banner
    says they wait in the database for ``faqbot slack``). ``listeners`` see
    every question's outcome.
    """
    if lang == "auto":
        lang = None
    if lang not in (None, *UI_LANGS):
        raise ValueError(f"lang must be en, zh or auto, not {lang!r}")
    if interactive is None:
        interactive = stdin.isatty() and stdout.isatty()
    if color is None:
        color = interactive and not no_color()
    try:
        kb = load_knowledge(kb_path)
    except KnowledgeError as error:
        for line in error.lines(tool_language(ui_lang)):
            print(line, file=sys.stderr)
        return 1
    if hasattr(stdin, "reconfigure"):  # undecodable bytes become U+FFFD instead of ending the session
        stdin.reconfigure(errors="replace")
    desk = QuestionDesk(store, listeners=[*listeners, *([forwarding.on_outcome] if forwarding else [])])
    command_sets = [CaseCommands(store, agent or "agent")] if store is not None else []
    console = Console(Path(kb_path), kb, stdout, color=color, lang=lang, ui_lang=tool_language(ui_lang),
                      questions=desk, cases=CaseDesk(store) if store is not None else None, agent=agent,
                      command_sets=command_sets)
    if forwarding is not None:
        forwarding.start(lambda: console.assistant)
    reader = LineReader(stdin, stdout, interactive=interactive)
    reader.start(console.completions)
    try:
        if interactive:
            console.banner(_where_cases_go(console, store, forwarding))
        if store is not None:
            _report_unreachable(console, store, interactive)
        while console.running:
            line = reader.read()
            if line is None:
                if interactive:
                    console.write()  # end the prompt's line before saying goodbye
                break
            console.handle(line)
    except KeyboardInterrupt:
        if interactive:
            console.write()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, there is no one to tell
        return 1
    finally:
        reader.stop()
        if forwarding is not None:
            forwarding.stop()
    if interactive:
        console.goodbye()
    return 0

"""The support agents' console: ask the engine questions and see why it answered as it did.

``faqbot console`` calls :func:`run_console`, which takes its streams as
arguments so tests can drive it with strings. The console is an adapter: it
holds one ``Assistant`` and renders its ``Reply``; it never matches or decides.

On a terminal it is a REPL (prompt, banner, readline history and completion,
colours unless ``NO_COLOR`` is set). With piped input it prints only the
answers, one block per question, flushed before the next line is read.
Knowledge-base problems at start-up go to ``sys.stderr`` (one
``file:line: message`` each, exit code 1); problems found by ``:reload`` are
part of the session and go to the console's own output.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Mapping, TextIO

from bot.config import tool_language
from bot.console_cases import CaseDesk
from faq import Assistant, Entry, KnowledgeBase, KnowledgeError, Reply, load_knowledge
from faq.normalize import detect_language

PROMPT = "faqbot> "
HISTORY_FILE = "~/.faqbot_history"
HISTORY_LENGTH = 1000
UI_LANGS = ("en", "zh")

# Everything the console itself says, in both languages. Reply texts come from the engine.
TEXTS: dict[str, dict[str, str]] = {
    "banner": {
        "en": "faqbot console: {count} entries loaded. Type a question, or :help for commands.",
        "zh": "faqbot 控制台:已载入 {count} 个条目。直接输入问题,或输入 :help 查看命令。",
    },
    "goodbye": {"en": "Bye.", "zh": "再见。"},
    "decision": {"en": "decision", "zh": "决定"},
    "action_answer": {"en": "answer", "zh": "回答"},
    "action_clarify": {"en": "did you mean", "zh": "提供候选"},
    "action_escalate": {"en": "escalate to support", "zh": "转交人工支持"},
    "entry": {"en": "entry", "zh": "条目"},
    "score": {"en": "score", "zh": "分数"},
    "runners_up": {"en": "runners-up", "zh": "其他候选"},
    "why": {"en": "why", "zh": "原因"},
    "kind": {"en": "kind", "zh": "类型"},
    "tags": {"en": "tags", "zh": "标签"},
    "question": {"en": "question", "zh": "问题"},
    "answer": {"en": "answer", "zh": "回答"},
    "alternates": {"en": "alternates", "zh": "其他问法"},
    "none": {"en": "(none)", "zh": "(无)"},
    "help_intro": {
        "en": "Type a question to see the bot's reply and why it chose it. Commands:",
        "zh": "输入问题即可查看机器人的回复及其原因。命令:",
    },
    "unknown_command": {
        "en": "Unknown command :{name}. Type :help for the list of commands.",
        "zh": "未知命令 :{name}。输入 :help 查看命令列表。",
    },
    "show_usage": {
        "en": "Usage: :show ID (type :list to see the ids).",
        "zh": "用法::show 条目ID(输入 :list 查看所有 ID)。",
    },
    "no_entry": {
        "en": "No entry with id '{id}'. Type :list to see the ids.",
        "zh": "没有 ID 为 '{id}' 的条目。输入 :list 查看所有 ID。",
    },
    "no_tag": {
        "en": "No entry is tagged '{tag}'. Tags: {tags}.",
        "zh": "没有带标签 '{tag}' 的条目。现有标签:{tags}。",
    },
    "lang_usage": {
        "en": "Usage: :lang en|zh|auto (now: {current}).",
        "zh": "用法::lang en|zh|auto(当前:{current})。",
    },
    "lang_set": {"en": "Replies in {name} from now on.", "zh": "今后用{name}回复。"},
    "lang_auto": {
        "en": "Replies follow each question's language from now on.",
        "zh": "今后按每个问题的语言回复。",
    },
    "lang_name_en": {"en": "English", "zh": "英文"},
    "lang_name_zh": {"en": "Chinese", "zh": "中文"},
    "lang_name_auto": {"en": "auto", "zh": "自动"},
    "reloaded": {
        "en": "Reloaded: {count} entries (version {version}).",
        "zh": "已重新载入:{count} 个条目(版本 {version})。",
    },
    "reload_failed": {
        "en": "Reload failed; still using the previous knowledge base ({count} entries). Problems:",
        "zh": "重新载入失败,继续使用之前的知识库({count} 个条目)。问题如下:",
    },
    "internal_error": {
        "en": "Sorry, that line could not be handled ({error}). The console is still running.",
        "zh": "抱歉,这一行无法处理({error})。控制台仍在运行。",
    },
}

# Help lines, in the order :help shows them. A new command is one entry here and one in
# Console.commands (e.g. the escalation queue's :queue, :case N, :take N, :resolve N).
COMMAND_HELP: dict[str, dict[str, str]] = {
    ":show ID": {"en": "an entry in both languages", "zh": "查看条目(中英文)"},
    ":list [TAG]": {"en": "entry ids and questions, optionally only those with TAG", "zh": "列出条目 ID 和问题,可按标签筛选"},
    ":lang en|zh|auto": {"en": "reply in English, in Chinese, or in the question's language", "zh": "用英文、中文或提问的语言回复"},
    ":reload": {"en": "re-read the knowledge base file (the old one stays on error)", "zh": "重新读取知识库文件(出错时保留原知识库)"},
    ":help": {"en": "this list", "zh": "显示本列表"},
    ":quit, :q, :exit": {"en": "leave (Ctrl-D and Ctrl-C also leave)", "zh": "退出(也可按 Ctrl-D 或 Ctrl-C)"},
}

_ACTION_COLORS = {"answer": "32", "clarify": "33", "escalate": "31"}  # green, yellow, red


class Console:
    """One console session: the loaded knowledge base, the language settings and the output."""

    def __init__(self, kb_path: Path, kb: KnowledgeBase, out: TextIO, *, color: bool = False, lang: str | None = None):
        self.kb_path = kb_path
        self.kb = kb
        self.assistant = Assistant(kb)
        self.out = out
        self.color = color
        self.forced_lang = lang
        self.last_lang = "en"
        self.running = True
        self.after_reply: list[Callable[[Reply], None]] = []  # e.g. the escalation desk's recorder
        self.help_lines: dict[str, dict[str, str]] = dict(COMMAND_HELP)
        self.commands: dict[str, Callable[[str], None]] = {
            "show": self.show,
            "list": self.list_entries,
            "lang": self.set_lang,
            "reload": self.reload,
            "help": self.help,
            "quit": self.quit,
            "q": self.quit,
            "exit": self.quit,
        }

    # ---------------------------------------------------------------- output
    @property
    def ui_lang(self) -> str:
        """The :lang setting, else the language of the last question (English before any)."""
        return self.forced_lang or self.last_lang

    def t(self, key: str, **values: object) -> str:
        """A console text in the current UI language."""
        return TEXTS[key][self.ui_lang].format(**values)

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

    def banner(self) -> None:
        self.write(self.t("banner", count=len(self.kb.entries)))

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
        """Answer a question and explain the decision."""
        reply = self.assistant.reply(question, lang=self.forced_lang, explain=True)  # type: ignore[arg-type]
        self.last_lang = reply.lang if self.forced_lang is None else detect_language(question)
        self.render(reply)
        for hook in self.after_reply:
            hook(reply)

    def render(self, reply: Reply) -> None:
        """The reply text, then a compact why block, then a blank line ending the block."""
        self.write(reply.text)
        entry = f"{reply.entry_id} ({reply.kind})" if reply.entry_id else "-"
        self.write(
            f"  {self.t('decision')}: {self.paint(self.t('action_' + reply.action), reply.action)}"
            f" | {self.t('entry')}: {entry} | {self.t('score')}: {reply.score:.1f}"
        )
        runners_up = ", ".join(f"{c.entry_id} {c.score:.1f}" for c in reply.candidates[1:])
        self.write(f"  {self.t('runners_up')}: {runners_up or self.t('none')}")
        label = f"  {self.t('why')}: "
        for n, why_line in enumerate(reply.why.splitlines()):
            self.write((label if n == 0 else " " * _width(label)) + why_line)
        self.write()

    # ---------------------------------------------------------------- commands
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
        width = max(len(usage) for usage in self.help_lines)
        for usage, text in self.help_lines.items():
            self.write(f"  {usage.ljust(width)}  {text[self.ui_lang]}")

    def quit(self, _arg: str) -> None:
        self.running = False

    def completions(self, buffer: str, word: str) -> list[str]:
        """Tab completion: command names, and entry ids after ``:show``."""
        if buffer.lstrip().startswith(":show "):
            return [entry.id for entry in self.kb.entries if entry.id.startswith(word)]
        if buffer.lstrip() == word and word.startswith(":"):
            return [f":{name}" for name in self.commands if f":{name}".startswith(word)]
        return []


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two, so continuation lines align."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


class _LineReader:
    """Reads input lines. On a real terminal uses ``input()`` with readline; else plain ``readline()``."""

    def __init__(self, stdin: TextIO, stdout: TextIO, *, interactive: bool):
        self.stdin, self.stdout = stdin, stdout
        self.prompt = PROMPT if interactive else ""
        self.use_input = interactive and stdin is sys.stdin and stdout is sys.stdout
        self.readline = None
        self.history = os.path.expanduser(HISTORY_FILE)
        self._saved: tuple = ()

    def start(self, complete: Callable[[str, str], list[str]]) -> None:
        """Turn on history and completion; imported here so piped runs never touch readline."""
        if not self.use_input:
            return
        try:
            import readline
        except ImportError:  # e.g. Windows without pyreadline: plain input() still works
            return
        self.readline = readline
        self._saved = (readline.get_completer(), readline.get_completer_delims())
        if not self.history.startswith("~"):
            try:
                readline.read_history_file(self.history)
            except OSError:
                pass

        def completer(word: str, state: int) -> str | None:
            options = complete(readline.get_line_buffer(), word)
            return options[state] if state < len(options) else None

        readline.set_completer(completer)
        readline.set_completer_delims(" \t\n")
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")

    def read(self) -> str | None:
        """The next line without its newline, or None at end of input."""
        if self.use_input:
            try:
                return input(self.prompt)
            except EOFError:
                return None
        if self.prompt:
            self.stdout.write(self.prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    def stop(self) -> None:
        """Save history and restore readline's previous completer; history failures are ignored."""
        if self.readline is None:
            return
        if not self.history.startswith("~"):
            try:
                self.readline.set_history_length(HISTORY_LENGTH)
                self.readline.write_history_file(self.history)
            except OSError:
                pass
        completer, delims = self._saved
        self.readline.set_completer(completer)
        self.readline.set_completer_delims(delims)


def run_console(
    kb_path: Path,
    stdin: TextIO,
    stdout: TextIO,
    *,
    interactive: bool | None = None,
    color: bool | None = None,
    lang: str | None = None,
    desk: CaseDesk | None = None,
) -> int:
    """Run the console until :quit, end of input or Ctrl-C (exit code 0); 1 if the KB cannot load
    (or the output pipe is closed).

    ``interactive`` defaults to both streams being terminals; ``color`` to an
    interactive session without ``NO_COLOR`` in the environment (even empty);
    ``lang`` ("en", "zh", or None/"auto") forces the reply language. ``desk``
    connects the session to the escalation store (question log, cases, queue).
    """
    if lang == "auto":
        lang = None
    if lang not in (None, *UI_LANGS):
        raise ValueError(f"lang must be en, zh or auto, not {lang!r}")
    if interactive is None:
        interactive = stdin.isatty() and stdout.isatty()
    if color is None:
        color = interactive and "NO_COLOR" not in os.environ
    try:
        kb = load_knowledge(kb_path)
    except KnowledgeError as error:
        for line in error.lines(lang or tool_language()):
            print(line, file=sys.stderr)
        return 1
    if hasattr(stdin, "reconfigure"):  # undecodable bytes become U+FFFD instead of ending the session
        stdin.reconfigure(errors="replace")
    console = Console(Path(kb_path), kb, stdout, color=color, lang=lang)
    if desk is not None:
        desk.attach(console)
    reader = _LineReader(stdin, stdout, interactive=interactive)
    reader.start(console.completions)
    try:
        if interactive:
            console.banner()
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
    if interactive:
        console.goodbye()
    return 0

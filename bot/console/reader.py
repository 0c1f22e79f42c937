"""Reading the console's input lines: ``input()`` with readline history and completion on a terminal, plain lines otherwise."""

from __future__ import annotations

import os
import sys
from typing import Callable, TextIO

PROMPT = "faqbot> "
HISTORY_FILE = "~/.faqbot_history"
HISTORY_LENGTH = 1000


class LineReader:
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
        """The next line without its newline, or None at end of input; "" after Ctrl-C cleared a typed line."""
        if self.use_input:
            try:
                return input(self.prompt)
            except EOFError:
                return None
            except KeyboardInterrupt:
                if self.readline is None or not self.readline.get_line_buffer():
                    raise  # Ctrl-C on an empty line leaves
                self.stdout.write("\n")  # Ctrl-C on a half-typed line throws the line away
                self.stdout.flush()
                return ""
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

"""A real program on a pseudo-terminal of a given size, read back as the lines a person sees.

Used by the tests that check what a terminal shows (the console's help fitted to the
terminal's width, the ``slack try`` menus): the program runs in a child process with
its own terminal, the test types into it and reads the screen's lines.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


class Screen:
    """``python -m bot.cli ARGS`` on a ``columns`` x ``rows`` terminal."""

    def __init__(self, *args: str, columns: int = 80, rows: int = 40, env: dict[str, str] | None = None,
                 timeout: float = 60.0):
        environment = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "PYTHONUTF8": "1", **(env or {})}
        environment.pop("COLUMNS", None), environment.pop("LINES", None)  # the terminal's own size counts
        self.deadline = time.monotonic() + timeout
        self.output = bytearray()
        self.seen = 0
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(ROOT)
                os.execve(sys.executable, [sys.executable, "-m", "bot.cli", *args], environment)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def _read(self, until: bytes | None) -> bool:
        while until is None or until not in self.output[self.seen:]:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                return False
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the child has gone
                return False
            if not chunk:
                return False
            self.output += chunk
        return True

    def expect(self, text: str) -> str:
        """Wait for ``text`` in what was not matched yet; return the screen text up to and including it."""
        needle = text.encode()
        assert self._read(needle), f"{text!r} never appeared:\n{self.text()}"
        end = self.output.index(needle, self.seen) + len(needle)
        shown = self._plain(self.output[self.seen:end])
        self.seen = end
        return shown

    def type(self, line: str) -> None:
        """Type ``line`` and press Enter."""
        os.write(self.fd, line.encode() + b"\r")

    def finish(self) -> str:
        """Read until the program leaves; return everything it showed."""
        self._read(None)
        self.close()
        return self.text()

    def text(self) -> str:
        return self._plain(self.output)

    @staticmethod
    def _plain(data: bytes) -> str:
        """The bytes as the lines a person reads: escape sequences and carriage returns gone."""
        return _ESCAPES.sub(b"", bytes(data)).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")

    def close(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0
        try:
            os.close(self.fd)
        except OSError:
            pass

"""The agents' console, driven three ways: in process with string streams, as a piped
subprocess, and on a real pseudo-terminal the way a person uses it."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Callable, Iterable

import pytest

from bot.console import Console, run_console
from faq import load_knowledge

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "knowledge.yaml"
RUN = (
    "import sys; from pathlib import Path; from bot.console import run_console; "
    "sys.exit(run_console(Path(sys.argv[1]), sys.stdin, sys.stdout))"
)
ANSI = "\x1b["
CLOSE_EN = "Yes. You can ask Seller Support to close it"
CLOSE_ZH = "可以。您可以联系销售伙伴支持为您关闭账户"
TIMEOUT = 10.0


class ScriptedInput(io.TextIOBase):
    """A stdin that yields the given lines in order and runs any callable between them,
    so a test can change the knowledge-base file in the middle of a session."""

    def __init__(self, script: Iterable[str | Callable[[], None]]):
        self.script = list(script)

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def readline(self, size: int = -1) -> str:
        while self.script:
            item = self.script.pop(0)
            if callable(item):
                item()
            else:
                return item + "\n"
        return ""


def console(lines: Iterable[str | Callable[[], None]], kb: Path = KB, **options) -> tuple[int, str]:
    """Run the console in process on these input lines; return (exit code, output)."""
    out = io.StringIO()
    code = run_console(kb, ScriptedInput(lines), out, **{"interactive": False, "ui_lang": "en", **options})
    return code, out.getvalue()


def blocks(output: str) -> list[str]:
    """The reply blocks of an output (each ends with a blank line)."""
    return [block for block in output.split("\n\n") if block.strip()]


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    path = tmp_path / "kb.yaml"
    shutil.copyfile(KB, path)
    return path


# ------------------------------------------------------------------ in process


def test_english_question_answers_in_english_and_explains():
    code, out = console(["How do I close my account?"])
    assert code == 0
    assert out.startswith(CLOSE_EN)
    assert "decision: answer" in out
    assert "entry: close-account (faq)" in out
    assert re.search(r"score: \d+\.\d", out)
    assert "runners-up: " in out
    assert "best phrasing:" in out  # Reply.why is shown
    assert CLOSE_ZH not in out


def test_chinese_question_answers_in_chinese_with_the_agents_labels():
    code, out = console(["我可以关闭账户吗"])
    assert code == 0
    assert out.startswith(CLOSE_ZH)
    assert "decision: answer" in out and "决定" not in out  # the UI is the agent's, not the asker's
    assert "entry: close-account" in out
    assert CLOSE_EN not in out
    _, out = console(["我可以关闭账户吗"], ui_lang="zh")
    assert out.startswith(CLOSE_ZH) and "决定: 回答" in out and "条目: close-account" in out


def test_lang_zh_forces_chinese_answer_to_english_question_and_auto_restores():
    code, out = console([":lang zh", "Can I close my account?", ":lang auto", "Can I close my account?"])
    assert code == 0
    forced, auto = out.split("Replies follow each question's language from now on.\n")
    assert forced.startswith("Replies in Chinese from now on.\n" + CLOSE_ZH)
    assert CLOSE_EN not in forced
    assert auto.startswith(CLOSE_EN)


def test_lang_rejects_other_values():
    _, out = console([":lang fr"])
    assert "Usage: :lang en|zh|auto" in out


def test_ui_stays_in_the_agents_language_whatever_is_asked():
    _, out = console([":help", "你好", ":help"])
    assert out.count("Commands:") == 2 and "命令:" not in out
    _, out = console([":help", "How do I close my account?", ":help"], ui_lang="zh")
    assert out.count("命令:") == 2 and "Commands:" not in out and CLOSE_EN in out


def test_show_entry_in_both_languages():
    _, out = console([":show close-account"])
    assert out.startswith("close-account (kind: faq)")
    assert "tags: account, close" in out
    assert "question [en]: Can I close my account?" in out
    assert "question [zh]: 我可以关闭我的账户吗?" in out
    assert f"answer [en]: {CLOSE_EN}" in out
    assert f"answer [zh]: {CLOSE_ZH}" in out
    assert "    - delete my account" in out
    assert "    - 注销账号" in out


def test_show_missing_or_without_id_is_one_clear_line():
    _, out = console([":show missing-id", ":show"])
    assert out.splitlines() == [
        "No entry with id 'missing-id'. Type :list to see the ids.",
        "Usage: :show ID (type :list to see the ids).",
    ]


def test_list_all_and_by_tag():
    _, everything = console([":list"])
    ids = [line.split()[0] for line in everything.splitlines()]
    assert "close-account" in ids and "greeting" in ids and len(ids) >= 10
    assert "Can I close my account?" in everything

    _, tagged = console([":list close"])
    assert [line.split()[0] for line in tagged.splitlines()] == ["close-account"]

    _, none = console([":list no-such-tag"])
    assert none.startswith("No entry is tagged 'no-such-tag'. Tags: ")
    assert "close" in none


def test_list_shows_questions_in_display_language():
    _, out = console(["你好", ":list close"], ui_lang="zh")
    assert out.rstrip().endswith("close-account  我可以关闭我的账户吗?")


def test_unknown_command_names_help():
    code, out = console([":frobnicate now"])
    assert code == 0
    assert out.strip() == "Unknown command :frobnicate. Type :help for the list of commands."


def test_help_lists_every_command():
    _, out = console([":help"])
    for command in (":show", ":list", ":lang", ":reload", ":help", ":quit"):
        assert command in out


def test_quit_stops_reading():
    code, out = console([":q", "How do I close my account?"])
    assert code == 0
    assert out == ""


def test_reload_picks_up_changes(kb_copy: Path):
    def edit() -> None:
        kb_copy.write_text(kb_copy.read_text(encoding="utf-8").replace("Yes. You can ask", "Yes. You may ask"), encoding="utf-8")

    _, out = console(["Can I close my account?", edit, ":reload", "Can I close my account?"], kb=kb_copy)
    assert re.search(r"^Reloaded: \d+ entries \(version 1\)\.$", out, re.M)
    first, second = blocks(out)[0], out.split("Reloaded:", 1)[1]
    assert "Yes. You can ask" in first
    assert "Yes. You may ask" in second


@pytest.mark.parametrize(
    "break_it, expected_lines",
    [
        (lambda text: text.replace("entries:", "entries: [", 1), 1),  # YAML syntax error
        (lambda text: text.replace("version: 1\n", "", 1).replace("id: close-account", "id: Close Account"), 2),
    ],
    ids=["syntax", "validation"],
)
def test_failed_reload_prints_every_problem_and_keeps_old_kb(kb_copy: Path, break_it, expected_lines: int):
    def damage() -> None:
        kb_copy.write_text(break_it(kb_copy.read_text(encoding="utf-8")), encoding="utf-8")

    code, out = console([damage, ":reload", "How do I close my account?"], kb=kb_copy)
    assert code == 0
    assert "Reload failed; still using the previous knowledge base" in out
    problems = re.findall(rf"^  {re.escape(str(kb_copy))}:\d+: .+$", out, re.M)
    assert len(problems) == expected_lines
    assert out.split(problems[-1] + "\n", 1)[1].startswith(CLOSE_EN)
    assert "entry: close-account (faq)" in out


def test_start_up_with_broken_kb_exits_1_listing_problems(tmp_path: Path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nentries: [\n", encoding="utf-8")
    out = io.StringIO()
    assert run_console(broken, io.StringIO("hello\n"), out) == 1
    assert out.getvalue() == ""
    assert re.search(rf"^{re.escape(str(broken))}:\d+: ", capsys.readouterr().err, re.M)


def test_non_interactive_output_has_no_prompt_banner_or_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out = console(["How do I close my account?", "what is the weather on mars", "qwzx"], color=None)
    assert ANSI not in out
    assert "faqbot>" not in out
    assert ":help" not in out
    assert len(blocks(out)) == 3


def test_interactive_colours_decisions_unless_no_color(monkeypatch):
    lines = "How do I close my account?\nwhat is the weather on mars\n"
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    assert run_console(KB, io.StringIO(lines), out, interactive=True) == 0
    coloured = out.getvalue()
    assert "\x1b[32manswer\x1b[0m" in coloured
    assert "\x1b[31mescalate to support\x1b[0m" in coloured
    assert coloured.startswith("faqbot console: ")
    assert "faqbot> " in coloured
    assert coloured.rstrip().endswith("Bye.")

    monkeypatch.setenv("NO_COLOR", "")  # set, even empty, means no colour
    out = io.StringIO()
    assert run_console(KB, io.StringIO(lines), out, interactive=True) == 0
    assert ANSI not in out.getvalue()
    assert "decision: answer" in out.getvalue()


def test_odd_and_huge_lines_never_crash():
    odd = ["\udcff\ud800 lone surrogates", "\u202e\u200b\x00\x1b[31m", "🙂" * 50, "x" * 200_000, "关闭 " * 20_000, ":", "::", ": show"]
    code, out = console([*odd, "How do I close my account?"])
    assert code == 0
    assert "Sorry" not in out and "抱歉" not in out
    assert ("\n" + out.rstrip().split("\n\n")[-1]).count("\n" + CLOSE_EN) == 1
    assert ANSI not in out  # questions are never echoed, so typed escape codes cannot recolour the terminal
    assert out.count("Unknown command") + out.count("未知命令") == 2


def test_output_stream_that_cannot_encode_chinese_does_not_crash():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    assert run_console(KB, io.StringIO("我可以关闭账户吗\n"), out, interactive=False) == 0
    out.flush()
    assert b"close-account" in raw.getvalue()


# ------------------------------------------------------------------ real processes


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a console subprocess: without PYTHONUNBUFFERED, so the streaming
    test proves the console flushes by itself."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return {**env, **overrides}


def read_until(fd: int, buffer: bytearray, needle: bytes, deadline: float) -> bool:
    """Read from ``fd`` into ``buffer`` until ``needle`` appears; False at EOF or the deadline."""
    while needle not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return False
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # a pty's master reports EIO once the child has gone
            return False
        if not chunk:
            return False
        buffer += chunk
    return True


def test_piped_subprocess_streams_answers_in_order():
    deadline = time.monotonic() + TIMEOUT
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, str(KB)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=child_env(PYTHONUTF8="1"),
    )
    try:
        output = bytearray()
        process.stdin.write("How do I close my account?\n".encode())
        process.stdin.flush()
        # Streaming: the first answer arrives while stdin is still open.
        assert read_until(process.stdout.fileno(), output, b"\n\n", deadline), bytes(output)
        process.stdin.write(b"\xff\xfe not utf-8\n" + "我可以关闭账户吗\n".encode())
        rest, errors = process.communicate(timeout=max(deadline - time.monotonic(), 0.1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = (bytes(output) + rest).decode()
    assert process.returncode == 0, errors.decode()
    assert text.startswith(CLOSE_EN)
    assert text.index(CLOSE_EN) < text.index(CLOSE_ZH)
    assert len(blocks(text)) == 3
    assert "faqbot>" not in text and ANSI not in text
    assert b"Traceback" not in errors


class Terminal:
    """The console running in a child process on a pseudo-terminal, as an agent would see it."""

    def __init__(self, home: Path):
        env = child_env(TERM="dumb", NO_COLOR="1", HOME=str(home), PYTHONUTF8="1")
        self.deadline = time.monotonic() + TIMEOUT
        self.output = bytearray()
        self.seen = 0  # output before this offset was already matched by expect()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the console, or exit without running pytest's code
            try:
                os.chdir(ROOT)
                os.execve(sys.executable, [sys.executable, "-c", RUN, str(KB)], env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))

    def expect(self, needle: bytes) -> None:
        """Wait for ``needle`` in output not matched before (a second prompt is not the first)."""
        fresh = bytearray(self.output[self.seen:])
        found = read_until(self.fd, fresh, needle, self.deadline)
        self.output[self.seen:] = fresh
        assert found, bytes(self.output).decode(errors="replace")
        self.seen += fresh.index(needle) + len(needle)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def interrupt(self) -> None:
        """Press Ctrl-C, and again if the console has not answered within half a second.

        CPython's readline only notices SIGINT when its select() is interrupted; a
        SIGINT landing in the instant between drawing the prompt and entering select()
        stays pending until the next key (python/cpython#112585). A person never types
        that fast; a test reacting to the prompt does, so it presses again as a person would.
        """
        while time.monotonic() < self.deadline:
            self.send(b"\x03")
            if read_until(self.fd, self.output, b"Bye.", min(time.monotonic() + 0.5, self.deadline)):
                return

    def finish(self) -> tuple[int, str]:
        """Read until the child closes the terminal, then return its exit code and all output."""
        read_until(self.fd, self.output, b"\0never\0", self.deadline)
        while time.monotonic() < self.deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status), bytes(self.output).decode(errors="replace")
            time.sleep(0.02)
        pytest.fail("the console did not exit: " + bytes(self.output).decode(errors="replace"))

    def close(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path: Path):
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_tty_question_then_ctrl_d_exits_cleanly_and_saves_history(terminal: Terminal, tmp_path: Path):
    terminal.expect(b"faqbot> ")
    assert b"entries loaded" in terminal.output and b":help" in terminal.output
    terminal.send(b"How do I close my account?\r")
    terminal.expect(CLOSE_EN.encode())
    terminal.expect(b"faqbot> ")
    terminal.send(b"\x04")
    code, out = terminal.finish()
    assert code == 0, out
    assert "Traceback" not in out
    assert "decision: answer" in out and ANSI + "32m" not in out
    assert out.rstrip().endswith("Bye.")
    assert "How do I close my account?" in (tmp_path / ".faqbot_history").read_text(encoding="utf-8")


def test_tty_ctrl_c_at_prompt_exits_cleanly(terminal: Terminal):
    terminal.expect(b"faqbot> ")
    terminal.interrupt()
    code, out = terminal.finish()
    assert code == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert out.rstrip().endswith("Bye.")


def test_tab_completion_offers_commands_and_entry_ids():
    session = Console(KB, load_knowledge(KB), io.StringIO())
    assert session.completions(":re", ":re") == [":reload"]
    assert set(session.completions(":q", ":q")) == {":q", ":quit"}
    assert session.completions(":show close-a", "close-a") == ["close-account"]
    assert session.completions("close", "close") == []  # questions are not completed
    assert session.completions(":resolve 3 --entry close-a", "close-a") == ["close-account"]
    assert session.completions(":resolve 3 close-a", "close-a") == []  # a note is not completed

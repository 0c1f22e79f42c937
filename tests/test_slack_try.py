"""``faqbot slack try`` through the real CLI in a subprocess: the real app, a local stand-in of Slack, typed input."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.store import SqlStore
from faq import Assistant, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "knowledge.yaml"
UNSURE_CANDIDATES = ["what happens to my data", "what happens next", "what about my customers", "my account",
                     "reviews", "account and listings", "what do I do", "stop", "listings payments"]


class Session:
    """``faqbot slack try`` in a subprocess; ``send`` a line, ``expect`` a pattern in what it prints."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))}
        environment.update({"LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", **(env or {})})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "slack", "try", "--kb", str(KB), *args], cwd=ROOT, env=environment,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Read printed lines until one matches ``pattern``; fail with everything printed so far."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                raise AssertionError(f"no line matching {pattern!r}; printed:\n" + "\n".join(self.seen))
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def finish(self) -> tuple[int, str, str]:
        out, err = self.process.communicate(":quit\n", timeout=60)
        return self.process.returncode, "\n".join(self.seen) + "\n" + out, err


@pytest.fixture
def sessions():
    started: list[Session] = []

    def start(*args: str, **options) -> Session:
        session = Session(*args, **options)
        started.append(session)
        return session

    yield start
    for session in started:
        if session.process.poll() is None:
            session.process.kill()
            session.process.wait()


def unsure_question() -> str:
    assistant = Assistant(load_knowledge(KB))
    for question in UNSURE_CANDIDATES:
        if assistant.reply(question).action == "clarify":
            return question
    raise AssertionError("none of the candidate questions gets a did-you-mean on the bundled knowledge base")


def test_a_seller_asks_clicks_and_an_agent_takes_and_resolves_the_case(sessions, tmp_path):
    db = f"sqlite:///{(tmp_path / 'try.sqlite3').as_posix()}"
    session = sessions("--db", db)
    session.expect(r"local stand-in of Slack's Web API \(http://127\.0\.0\.1:\d+/api/\)")
    session.send("can I close my account?")
    session.expect(r"^── direct message · faqbot ──$")
    session.expect(r"close it yourself")
    helpful = session.expect(r"(\d+) \[ Helpful \]\s+(\d+) \[ Not helpful, ask Seller Support \]").group(1)
    session.send(f":click {helpful}")
    session.expect(r"\(message updated\)")
    session.expect(r"Thanks for the feedback!")

    question = unsure_question()
    session.send(question)
    session.expect(r"Did you mean")
    choice = session.expect(r"^(\d+) \[ (?!None)").group(1)
    session.send(f":{choice}")
    session.expect(r"\(message updated\)")
    session.expect(r"\d+ \[ Helpful \]")  # the chosen answer, with its buttons (no entry id or score for sellers)

    session.send("How much are FBA fulfillment fees?")
    session.expect(r"case #1")
    session.expect(r"^── #seller-support · faqbot ──$")
    session.expect(r"^│ How much are FBA fulfillment fees\?$")
    take = session.expect(r"(\d+) \[ Take \]\s+\d+ \[ Resolve \]").group(1)
    session.send(f":click {take}")
    session.expect(r"Taken by @agent\.")
    resolve = session.expect(r"(\d+) \[ Resolve \]").group(1)
    session.send(f":click {resolve}")
    session.expect(r"Resolved by @agent\.")

    session.send(":click 999")
    session.expect(r"There is no button 999\.")
    session.send("\x00 🙂 ' \" <@U1> &amp; \u202e")
    session.expect(r"^── direct message · faqbot ──$")
    code, out, err = session.finish()
    assert code == 0 and "Traceback" not in out + err

    store = SqlStore.from_url(db)
    try:
        case = store.get(1)
        assert (case.status, case.agent, case.source, case.asker) == ("resolved", "U0AGENT", "slack", "U0SELLER")
        assert [f.helpful for f in store.feedback_since()][:1] == [True]
        assert len(store.questions_since()) == 4
    finally:
        store.close()


def test_faq_command_json_and_chinese_ui(sessions):
    session = sessions("--lang", "zh")
    session.expect(r"真实的 Slack 应用")
    session.send(":json")
    session.expect(r"已显示原始 JSON")
    session.send("/faq 我可以关闭账户吗")
    session.expect(r"^── /faq · 仅您可见 ──$")
    share = session.expect(r"(\d+) \[ 分享到频道 \]").group(1)
    raw = session.expect(r"^response_url (\{.*\})$").group(1)
    payload = json.loads(raw)
    assert payload["response_type"] == "ephemeral"
    assert [e["action_id"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "faq_helpful", "faq_not_helpful", "faq_share"]
    session.send(f":{share}")
    session.expect(r"^── /faq · 已分享到 #general ──$")
    session.send(":faq")
    session.expect(r"现在使用 /faq 发送")
    session.send("FBA 仓储费是多少?")
    session.expect(r"案例编号 #1")
    session.expect(r"^── #seller-support · faqbot ──$")
    session.expect(r"\d+ \[ 接手 \]")
    session.send(":nonsense")
    session.expect(r"未知命令 :nonsense")
    code, out, err = session.finish()
    assert code == 0 and "Traceback" not in out + err


def test_piped_input_is_a_transcript_and_end_of_input_leaves():
    done = subprocess.run([sys.executable, "-m", "bot.cli", "slack", "try", "--kb", str(KB)], cwd=ROOT,
                          input="can I close my account?\n:help\n", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "you> can I close my account?" in done.stdout and "close it yourself" in done.stdout
    assert ":click N" in done.stdout and "\033[" not in done.stdout  # piped: no colours


def test_the_try_texts_are_bilingual():
    from bot.slack.try_repl import TRY_TEXTS

    assert TRY_TEXTS.problems() == []

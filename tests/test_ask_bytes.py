"""``faqbot ask`` fed bytes that are not UTF-8: every line answered, output always valid UTF-8 JSON.

Run as users run it: the real CLI in a subprocess, raw bytes on stdin and in argv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from faq import Assistant

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "knowledge.yaml"


def faqbot_bytes(*args: str | bytes, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=60,
        env={**os.environ, **(env or {})},
    )


def json_lines(raw: bytes) -> list[dict]:
    text = raw.decode("utf-8")  # strict: the output must be valid UTF-8
    return [json.loads(line) for line in text.splitlines()]


def test_a_bad_byte_on_stdin_still_answers_every_line():
    stdin = b"can I close my account?\n\xff\xfe broken \xc3 bytes\n\xe6\x88\x91\xe5\x8f\xaf\xe4\xbb\xa5\xe5\x85\xb3\xe9\x97\xad\xe8\xb4\xa6\xe6\x88\xb7\xe5\x90\x97\n"
    result = faqbot_bytes("ask", "--kb", str(KB), "--json", stdin=stdin)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    rows = json_lines(result.stdout)
    assert len(rows) == 3
    assert rows[0]["entry_id"] == "close-account"
    assert rows[1]["question"] == "\ufffd\ufffd broken \ufffd bytes"
    assert rows[2]["lang"] == "zh" and rows[2]["entry_id"] == "close-account"


def test_a_bad_byte_in_an_argument_is_replaced_and_answered():
    result = faqbot_bytes("ask", "--kb", str(KB), "--json", b"can I close my account? \xff", "hi \x01")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    rows = json_lines(result.stdout)
    assert [row["question"] for row in rows] == ["can I close my account? \ufffd", "hi \x01"]
    assert rows[0]["entry_id"] == "close-account"


def test_json_output_is_utf8_even_under_an_ascii_locale():
    result = faqbot_bytes("ask", "--kb", str(KB), "--json", "我可以关闭账户吗",
                          env={"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"})
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json_lines(result.stdout)[0]["question"] == "我可以关闭账户吗"


def test_plain_output_survives_bad_bytes_too():
    result = faqbot_bytes("ask", "--kb", str(KB), stdin=b"\xffhello\n")
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert result.stdout.decode("utf-8").strip()


def test_a_lone_surrogate_does_not_break_reply_to_json(shipped_kb):
    reply = Assistant(shipped_kb).reply("can I close my account?\udcff\ud800")
    encoded = json.dumps(reply.to_json(), ensure_ascii=False).encode("utf-8")  # raises if a surrogate is left
    assert json.loads(encoded)["question"] == "can I close my account?\ufffd\ufffd"

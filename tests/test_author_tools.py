"""The knowledge-base author's tools through the real ``faqbot`` command: init, small talk, links,
check's locations and groups, argument validation, --version, ask at a terminal and on escalation."""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import time
from pathlib import Path

import yaml

from test_cli import KB, ROOT, faqbot

LINKED_KB = """\
version: 1
messages:
  greeting:
    en: Hello from the test desk!
    zh: 测试台向您问好!
entries:
  - id: refunds
    question:
      en: How do I get a refund?
      zh: 我怎么申请退款?
    answer:
      en: Open the order and choose Refund.
      zh: 打开订单并选择退款。
    links: ["https://example.com/refunds?a=1&b=2"]
"""


def test_init_writes_a_starter_that_passes_check_and_coverage(tmp_path: Path):
    done = faqbot("init", str(tmp_path / "kb"))
    assert done.returncode == 0, done.stderr
    kb, cases = tmp_path / "kb" / "knowledge.yaml", tmp_path / "kb" / "coverage.yaml"
    check = faqbot("check", "--kb", str(kb))
    assert check.returncode == 0 and "0 errors, 0 warnings" in check.stdout, check.stdout
    coverage = faqbot("coverage", "--kb", str(kb), str(cases), "--min-accuracy", "1")
    assert coverage.returncode == 0 and "wrong answers: 0" in coverage.stdout, coverage.stdout
    languages = {lang for entry in yaml.safe_load(kb.read_text(encoding="utf-8"))["entries"] for lang in entry["question"]}
    assert languages == {"en", "zh"}


def test_init_never_overwrites(tmp_path: Path):
    (tmp_path / "knowledge.yaml").write_text("mine\n", encoding="utf-8")
    done = faqbot("init", str(tmp_path))
    assert done.returncode == 1 and "not overwriting" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "knowledge.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "coverage.yaml").exists()


def test_builtin_small_talk_uses_the_kbs_messages_and_defaults(tmp_path: Path):
    kb = tmp_path / "kb.yaml"
    kb.write_text(LINKED_KB, encoding="utf-8")
    done = faqbot("ask", "--json", "--kb", str(kb), "hi!", "你好", "thanks", "谢谢", "bye", "help", "hi, how do I get a refund?")
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["action"] for r in replies[:6]] == ["answer"] * 6
    assert replies[0]["text"] == "Hello from the test desk!" and replies[1]["text"] == "测试台向您问好!"  # messages.greeting
    assert replies[2]["kind"] == "smalltalk" and "welcome" in replies[2]["text"] and "不客气" in replies[3]["text"]
    assert replies[6]["entry_id"] == "refunds"  # a greeting around a question is still the question


def test_a_kb_with_its_own_small_talk_does_not_get_the_builtin(tmp_path: Path):
    done = faqbot("ask", "--json", "--kb", str(KB), "hi")
    reply = json.loads(done.stdout)
    assert reply["entry_id"] == "greeting"  # the bundled KB's own entry answers


def test_links_under_answers_in_ask_and_json(tmp_path: Path):
    kb = tmp_path / "kb.yaml"
    kb.write_text(LINKED_KB, encoding="utf-8")
    human = faqbot("ask", "--kb", str(kb), "How do I get a refund?")
    assert "Open the order and choose Refund.\n  https://example.com/refunds?a=1&b=2\n[answer refunds" in human.stdout
    data = json.loads(faqbot("ask", "--json", "--kb", str(kb), "How do I get a refund?").stdout)
    assert data["links"] == ["https://example.com/refunds?a=1&b=2"]
    assert set(data) >= {"question", "lang", "action", "entry_id", "kind", "score", "candidates", "answer", "text"}


def test_ask_says_what_would_happen_on_escalation_and_json_is_unchanged():
    human = faqbot("ask", "How do I reset my password?", "我的密码忘了")
    assert human.stdout.count("Would escalate to Seller Support (faqbot ask records nothing)") == 2
    assert "将转交给" not in human.stdout  # ask's own words follow the UI language, not the question's
    assert "转给销售伙伴支持" in human.stdout  # what the Chinese asker would be told stays Chinese
    chinese = faqbot("ask", "--ui-lang", "zh", "How do I reset my password?")
    assert "将转交给销售伙伴支持" in chinese.stdout and "Would escalate" not in chinese.stdout
    data = json.loads(faqbot("ask", "--json", "How do I reset my password?").stdout)
    assert data["action"] == "escalate" and "Would escalate" not in data["text"]


# phrasings that share no key word with the rest of their entry: left out, each finds nothing
UNLIKE_KB = """\
version: 1
settings:
  answer_score: 60
  margin: 5
entries:
  - id: refunds
    question:
      en: How do I get a refund?
      zh: 我怎么申请退款?
    alternates:
      en:
        - "money back for a broken kettle"
        - "reimburse my purchase"
        - "return cash to my card"
    answer:
      en: Open the order and choose Refund.
      zh: 打开订单并选择退款。
  - id: addresses
    question:
      en: How do I change my delivery address?
      zh: 怎么修改收货地址?
    alternates:
      en:
        - "ship to my office instead"
        - "I moved house"
        - "parcels should go to my parents"
    answer:
      en: Edit the address under Your Addresses.
      zh: 在“我的地址”中修改地址。
"""


def test_check_points_at_the_phrasings_line_and_groups_repeats(tmp_path: Path):
    kb = tmp_path / "knowledge.yaml"
    kb.write_text(UNLIKE_KB, encoding="utf-8")
    done = faqbot("check", "--kb", str(kb))
    assert done.returncode == 0
    lines = kb.read_text(encoding="utf-8").splitlines()
    heading = [line for line in done.stdout.splitlines() if "of one kind" in line]
    items = [line for line in done.stdout.splitlines() if line.startswith(f"  {kb}:")]
    assert len(heading) == 1 and len(items) >= 3, done.stdout
    for item in items:
        location, _, rest = item.strip().partition(": warning: ")
        number = int(location.rsplit(":", 1)[1])
        path, _, text = rest.partition(": ")
        assert path.startswith("entries[") and ".alternates." in path or ".question." in path
        phrasing = text.split("' (", 1)[0].lstrip("'")
        assert phrasing in lines[number - 1], (item, lines[number - 1])


def test_min_accuracy_must_be_a_share():
    done = faqbot("coverage", "tests/coverage/seed_cases.yaml", "--min-accuracy", "1.5")
    assert done.returncode == 2 and "between 0 and 1" in done.stderr


def test_manifest_url_is_validated():
    bad = faqbot("slack", "manifest", "--url", "not-a-url")
    assert bad.returncode == 2 and "https://" in bad.stderr and bad.stdout == ""
    good = faqbot("slack", "manifest", "--url", "https://faq.example.com/")
    assert good.returncode == 0 and "https://faq.example.com/slack/events" in good.stdout


def test_version_and_ask_help():
    done = faqbot("--version")
    assert done.returncode == 0 and done.stdout.startswith("faqbot ") and done.stdout.strip() != "faqbot"
    assert "DESIGN.md" not in faqbot("ask", "--help").stdout


def test_coverage_flags_uncovered_after_the_language_columns(tmp_path: Path):
    cases = tmp_path / "cases.yaml"
    cases.write_text('cases:\n  - q: "can I close my account"\n    expect: close-account\n'
                     '  - q: "我可以关闭账户吗"\n    expect: close-account\n', encoding="utf-8")
    out = faqbot("coverage", str(cases)).stdout
    row = next(line for line in out.splitlines() if line.startswith("payment "))
    assert row.split()[1:] == ["0/0", "0/0", "UNCOVERED:", "en,", "zh"]


def test_ask_at_a_terminal_without_arguments_prompts():
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "bot.cli", "ask", "--no-semantic"],
                      {**os.environ, "PYTHONUTF8": "1"})
        finally:
            os._exit(127)
    output = bytearray()
    deadline = time.monotonic() + 30
    try:
        while b"? " not in output and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                output += os.read(fd, 4096)
        assert b"Type a question" in output, bytes(output)
        os.write(fd, b"How do I close my account?\r")
        while b"close-account" not in output and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                output += os.read(fd, 4096)
        os.write(fd, b"\x04")
        assert b"[answer close-account" in output, bytes(output)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0


# ------------------------------------------------------------------ links in Slack, over loopback HTTP

from bot.slack.server import make_http_server  # noqa: E402
from slack_harness import Harness, fake, make_bot, replies_to  # noqa: E402,F401  (fake: fixture)
import threading  # noqa: E402


def test_links_are_shown_under_slack_answers(fake, tmp_path: Path):  # noqa: F811
    text = (ROOT / "knowledge.yaml").read_text(encoding="utf-8")
    marker = "  - id: close-account\n"
    assert marker in text
    (tmp_path / "knowledge.yaml").write_text(
        text.replace(marker, marker + '    links: ["https://example.com/close?x=1&y=2", "Help page > Account"]\n'),
        encoding="utf-8")
    bot, store, kb_path = make_bot(fake, tmp_path)
    server = make_http_server(bot.wsgi(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        harness = Harness(fake, bot, store, kb_path, server.server_port)
        assert harness.mention("can I close my account?", ts="100.000001") == 200
        call = replies_to(fake)[0]
    finally:
        server.shutdown()
        server.server_close()
        bot.close()
        store.close()
    sections = [b["text"]["text"] for b in call.params["blocks"] if b["type"] == "section"]
    assert "• <https://example.com/close?x=1&amp;y=2>\n• Help page &gt; Account" in sections


# ------------------------------------------------------------------ the author's guide

GUIDE = ROOT / "docs" / "knowledge-base.md"


def test_guide_documents_every_field_message_and_setting():
    from faq.loader import _ENTRY_KEYS, _SETTING_KEYS
    from faq.messages import DEFAULT_MESSAGES
    from faq.model import KINDS

    text = GUIDE.read_text(encoding="utf-8")
    for name in [*_ENTRY_KEYS, *_SETTING_KEYS, *DEFAULT_MESSAGES.keys(), *KINDS, "synonyms"]:
        assert f"`{name}`" in text, name


def test_guide_ci_job_is_valid_and_runs_real_commands():
    from bot.cli import build_parser

    text = GUIDE.read_text(encoding="utf-8")
    job = yaml.safe_load(text.split("```yaml\nname: knowledge base\n", 1)[1].split("```", 1)[0])
    steps = job["jobs"]["check"]["steps"]
    commands = [step["run"] for step in steps if step.get("run", "").startswith("faqbot ")]
    assert {command.split()[1] for command in commands} == {"check", "coverage"}
    for command in commands:
        build_parser().parse_args(command.split()[1:])  # raises on an option faqbot does not have

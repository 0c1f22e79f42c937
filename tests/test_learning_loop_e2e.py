"""The learning loop end to end, as people use it.

Questions come in through the agents' console (the real ``faqbot console`` in a
subprocess) and through Slack (the real slack-bolt app over signed loopback HTTP
against the fake Slack Web API); agents resolve cases with an entry, as a new
topic, from the console and from the case card's "Resolve as…" menu; a seller
picks a "did you mean" choice. Then the real ``faqbot suggest`` proposes the
phrasings and a draft entry as a diff; ``patch`` applies it, and the same
questions are answered with the right entries while the coverage cases (the
repository's and the ones exported from the resolved cases) still pass.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.slack import blocks
from bot.slack.blocks import Ref
from slack_harness import (  # noqa: F401 (fixtures)
    AGENT, action_elements, clean_environment, fake, harness, replies_to, support_posts, wait_until,
)
from test_html_report import CHROMIUM, _dump_dom
from test_slack_learning import select

REPO = Path(__file__).resolve().parents[1]
SEED_CASES = REPO / "tests" / "coverage" / "seed_cases.yaml"

# what the agents and the seller say each question is (entry ids of the repository's knowledge base)
# questions the bundled FAQ does not answer yet, nor offer as a "did you mean": each escalates to a case
CONSOLE_LABELLED = {"I no longer want my shop, take it away": "close-account", "尾款几时能结": "payment"}
SLACK_RESOLVED = {"are the pros still vetted after this": "background-check"}
SLACK_PICKED = {"do I need to do anything about payments": "payment"}
NEW_TOPIC_CONSOLE = "is gift wrapping available"
NEW_TOPIC_SLACK = "is gift wrapping available for orders"


def faqbot(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("SLACK_", "FAQBOT_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=environment)


def apply_patch(diff: str, cwd: Path) -> None:
    """Apply a unified diff the way an author would: ``patch -p1`` (or ``git apply``)."""
    if shutil.which("patch"):
        command = ["patch", "-p1", "--forward", "--batch"]
    elif shutil.which("git"):
        command = ["git", "apply", "-"]
    else:
        pytest.skip("neither patch nor git is installed to apply the diff")
    done = subprocess.run(command, input=diff, capture_output=True, text=True, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def ask(questions: list[str], kb: Path, cwd: Path) -> dict[str, dict]:
    done = faqbot("ask", "--kb", str(kb), "--json", *questions, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {row["question"]: row for row in map(json.loads, done.stdout.splitlines())}


def test_traffic_labels_suggest_apply_and_the_questions_are_answered_next_time(harness, fake, tmp_path):
    kb = harness.kb_path  # the Slack app's knowledge base: a copy of the repository's, in tmp_path
    db = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    learnt = {**CONSOLE_LABELLED, **SLACK_RESOLVED, **SLACK_PICKED}
    before = ask([*learnt, NEW_TOPIC_CONSOLE], kb, tmp_path)
    assert all(before[q]["action"] != "answer" for q in [*learnt, NEW_TOPIC_CONSOLE])  # nothing answers them yet

    # 1. the console: an agent types the sellers' questions; each escalates to a case (#1-#3, in order)
    questions = [*CONSOLE_LABELLED, NEW_TOPIC_CONSOLE]
    console = faqbot("console", "--kb", str(kb), "--db", db, "--agent", "ana", cwd=tmp_path,
                     stdin="\n".join(questions) + "\n")
    assert console.returncode == 0 and console.stdout.count("Seller Support has your question as case #") == 2
    assert "Seller Support has your question as case #3." in console.stdout
    assert "销售伙伴支持已收到您的问题,案例编号 #2。" in console.stdout

    # 2. Slack: two questions escalate (cases #4 and #5), one gets "did you mean" and the seller picks
    harness.mention(*SLACK_RESOLVED, ts="800.000001")
    harness.mention(NEW_TOPIC_SLACK, ts="800.000002")
    harness.mention(*SLACK_PICKED, ts="800.000003")
    # the app forwards every case of the database to the support channel, the console's too
    cards = {call.params["text"].split(": ", 1)[1]: call for call in support_posts(fake, 5)}
    prompt = next(call for call in replies_to(fake, count=3) if call.params.get("thread_ts") == "800.000003")
    choice = next(el for el in action_elements(prompt)
                  if el["action_id"].startswith(blocks.CHOOSE_PREFIX) and Ref.decode(el["value"]).entry_id == "payment")
    harness.click(choice["action_id"], choice["value"], message_ts=prompt.response["ts"])

    # 3. agents resolve: from the case cards' menu in Slack, and from the console
    select(harness, cards[next(iter(SLACK_RESOLVED))], "entry:background-check")
    select(harness, cards[NEW_TOPIC_SLACK], "new_topic")
    resolving = faqbot("console", "--kb", str(kb), "--db", db, "--agent", "ana", cwd=tmp_path,
                       stdin=":resolve 1 --entry close-account\n:resolve 2 --entry payment 已电话答复\n:resolve 3 --new\n")
    assert resolving.returncode == 0 and "Case #3 resolved as a new topic" in resolving.stdout, resolving.stdout
    harness.finish()
    assert {c.question: (c.status, c.label, c.label_entry_id) for c in harness.store.list()} == {
        **{q: ("resolved", "entry", e) for q, e in {**CONSOLE_LABELLED, **SLACK_RESOLVED}.items()},
        NEW_TOPIC_CONSOLE: ("resolved", "new_topic", None), NEW_TOPIC_SLACK: ("resolved", "new_topic", None),
    }

    # 4. faqbot suggest: the diff on stdout, the summary on stderr
    suggested = faqbot("suggest", "--kb", str(kb), "--db", db, "--cases", str(SEED_CASES), cwd=tmp_path)
    assert suggested.returncode == 0, suggested.stderr
    diff = suggested.stdout
    assert diff.startswith("--- a/knowledge.yaml\n+++ b/knowledge.yaml\n")
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    for question in learnt:
        assert f'- "{question}"' in added, f"{question!r} not proposed:\n{diff}\n{suggested.stderr}"
    assert "draft: true" in added and any(NEW_TOPIC_CONSOLE in line for line in added)
    assert all(line.startswith(("-", "id:", "draft:", "kind:", "question:", "alternates:", "learned:", "answer:", "en:", "zh:")) for line in added), diff
    assert "4 new phrasings" in suggested.stderr and "Draft entries" in suggested.stderr
    written = tmp_path / "proposed.yaml"
    assert faqbot("suggest", "--kb", str(kb), "--db", db, "--cases", str(SEED_CASES), "--write", str(written),
                  cwd=tmp_path).returncode == 0

    # 5. the author applies the diff: the file is what --write wrote, the author's comments untouched
    original = kb.read_text(encoding="utf-8")
    apply_patch(diff, tmp_path)
    edited = kb.read_text(encoding="utf-8")
    assert edited == written.read_text(encoding="utf-8")
    assert [line for line in original.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in edited.splitlines() if line.lstrip().startswith("#")]
    entries = {entry["id"]: entry for entry in yaml.safe_load(edited)["entries"]}
    assert "尾款几时能结" in entries["payment"]["learned"]["zh"]  # learned from traffic, apart from the author's
    assert "I no longer want my shop, take it away" in entries["close-account"]["learned"]["en"]
    drafts = [entry for entry in entries.values() if entry.get("draft")]
    assert len(drafts) == 1 and drafts[0]["question"]["en"] == NEW_TOPIC_CONSOLE
    assert drafts[0]["alternates"]["en"] == [NEW_TOPIC_SLACK]  # grouped across wording and across adapters

    # 6. next time: the same questions are answered with the entries people chose
    after = ask(list(learnt), kb, tmp_path)
    assert {q: (after[q]["action"], after[q]["entry_id"]) for q in learnt} == {q: ("answer", e) for q, e in learnt.items()}
    check = faqbot("check", "--kb", str(kb), "--quick", cwd=tmp_path)
    assert drafts[0]["id"] in check.stdout + check.stderr  # the draft is flagged until its answer is written

    # 7. the coverage cases still pass, and the exported resolved cases join them
    exported = faqbot("escalations", "export", "--format", "cases", "--db", db, cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout.count("expect:") == 3  # new topics have nothing to expect yet
    (tmp_path / "from_cases.yaml").write_text(exported.stdout, encoding="utf-8")
    coverage = faqbot("coverage", str(SEED_CASES), str(tmp_path / "from_cases.yaml"), "--kb", str(kb),
                      "--min-accuracy", "1.0", cwd=tmp_path)
    assert coverage.returncode == 0, coverage.stdout + coverage.stderr

    # 8. the same log as the HTML report, with the coverage table; its charts draw in Chromium
    page = tmp_path / "report.html"
    report = faqbot("report", "--html", str(page), "--since", "all", "--db", db, "--kb", str(kb),
                    "--cases", str(SEED_CASES), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    html = page.read_text(encoding="utf-8")
    assert NEW_TOPIC_SLACK in html and "Coverage cases" in html
    if CHROMIUM is not None:  # tests/test_html_report.py says when it is skipped
        dom = _dump_dom(page, tmp_path / "profile")
        drawn = f'data-charts-drawn="{html.count("<figure")}"'  # sections with nothing to chart say so instead
        assert 'data-chart-error="' not in dom and drawn in dom and html.count("<figure") >= 3, re.findall("<body[^>]*>", dom)

"""The real ``faqbot`` CLI: in process with fake streams, and as a subprocess like a user runs it."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "knowledge.yaml"
CONTRACT_KEYS = {"question", "lang", "action", "entry_id", "kind", "score", "candidates", "answer"}


def run_cli(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def faqbot(*args: str, stdin: str = "", cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=60, env={**os.environ, **(env or {})},
    )


def test_ask_json_follows_the_contract_for_each_argument_in_order():
    code, out = run_cli("ask", "--kb", str(KB), "--json", "How do I close my account?", "我还能登录卖家平台吗")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    assert CONTRACT_KEYS <= rows[0].keys()
    assert rows[0]["entry_id"] == "close-account" and rows[0]["lang"] == "en" and rows[0]["action"] == "answer"
    assert rows[1]["entry_id"] == "seller-central-access" and rows[1]["lang"] == "zh"
    assert all(0 <= row["score"] <= 100 for row in rows)
    assert rows[0]["candidates"][0]["entry_id"] == "close-account"


def test_ask_reads_stdin_one_question_per_line():
    code, out = run_cli("ask", "--kb", str(KB), "--json", stdin="can I close my account\n\nwhat are the FBA storage fees\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [row["question"] for row in rows] == ["can I close my account", "", "what are the FBA storage fees"]
    assert rows[2]["action"] == "escalate" and rows[2]["answer"] is None


def test_ask_lang_override_answers_in_chinese():
    code, out = run_cli("ask", "--kb", str(KB), "--json", "--lang", "zh", "How do I close my account?")
    row = json.loads(out)
    assert code == 0 and row["lang"] == "zh" and any("\u4e00" <= ch <= "\u9fff" for ch in row["answer"])


def test_ask_human_output_names_the_entry():
    code, out = run_cli("ask", "--kb", str(KB), "clsoe my acount")
    assert code == 0 and "close-account" in out and "Seller Support" in out


def test_ask_streams_a_line_before_reading_the_next():
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--kb", str(KB), "--json"], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        process.stdin.write("can I still log in to seller central\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # answered while stdin is still open
        assert first["entry_id"] == "seller-central-access"
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_subprocess_uses_faqbot_kb_from_the_environment(tmp_path):
    result = faqbot("ask", "--json", "can I close my account", cwd=tmp_path, env={"FAQBOT_KB": str(KB)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entry_id"] == "close-account"


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "--kb", "missing.yaml", "hi"], "missing.yaml:1: no such file"),
        (["ask", "--lang", "fr", "hi"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_errors_are_one_clear_line_and_non_zero(args, message):
    result = faqbot(*args)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_broken_yaml_reports_file_and_line(tmp_path):
    broken = tmp_path / "kb.yaml"
    broken.write_text("version: 1\nentries:\n  - id: a\n    question: {en: [unclosed\n", encoding="utf-8")
    result = faqbot("ask", "--kb", str(broken), "hi")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{broken}:") and "Traceback" not in result.stderr


def test_check_reports_lint_errors_and_exit_code(tmp_path):
    kb = tmp_path / "kb.yaml"
    kb.write_text(
        "version: 1\nentries:\n"
        "  - id: one\n    question: {en: how do I reset my password}\n    answer: {en: A}\n"
        "  - id: two\n    question: {en: how do I reset my password please}\n    answer: {en: B}\n"
        "  - id: three\n    question: {en: where is my parcel, zh: 我的包裹在哪里}\n    answer: {en: C, zh: C}\n",
        encoding="utf-8",
    )
    code, out = run_cli("check", "--kb", str(kb))
    assert code == 1
    assert "near-duplicates" in out and "error" in out
    assert "'one' has no zh question" in out  # a missing language is a warning


def test_shipped_knowledge_base_passes_check():
    """The example a newcomer runs first: no error, and no more than a few leave-one-out warnings (it had 36).

    (Once for both: ``test_coverage_cases`` ran the same thorough check on ``lint`` directly.)
    """
    code, out = run_cli("check", "--kb", str(KB))
    assert code == 0, out
    errors, warnings = map(int, re.search(r": (\d+) errors?, (\d+) warnings?$", out, re.MULTILINE).groups())
    assert errors == 0 and warnings <= 3, out


def test_check_says_where_the_thresholds_came_from(tmp_path):
    from faq.calibration import PRIORS

    single = tmp_path / "single.yaml"
    single.write_text(
        "version: 1\nentries:\n"
        "  - id: router\n    question: {en: How do I reset my router?}\n    answer: {en: Hold the reset button.}\n"
        "  - id: hours\n    question: {zh: 你们几点开门?}\n    answer: {zh: 每天九点到六点。}\n",
        encoding="utf-8",
    )
    code, out = run_cli("check", "--quick", "--kb", str(single))
    answer, margin, _ = PRIORS
    assert code == 0 and f"thresholds: answer_score {answer:g}, margin {margin:g}" in out and "priors measured" in out
    code, out = run_cli("check", "--quick", "--kb", str(single), "--lang", "zh")
    assert f"阈值：answer_score {answer:g}" in out and "先验值" in out
    code, out = run_cli("check", "--quick", "--kb", str(KB))
    assert "thresholds: answer_score 45, margin 3, clarify_score 40: set in the file" in out


def test_coverage_reports_failures_table_and_threshold(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        'cases:\n  - q: "can I close my account"\n    expect: close-account\n'
        '  - q: "can I close my account"\n    expect: payment\n'
        '  - q: "what are the FBA storage fees"\n    expect: escalate\n',
        encoding="utf-8",
    )
    code, out = run_cli("coverage", str(cases), "--kb", str(KB), "--min-accuracy", "0.9")
    assert code == 1
    assert "FAIL" in out and "expected payment" in out
    assert "accuracy: 66.7%" in out and "wrong answers: 1" in out and "UNCOVERED" in out
    code, out = run_cli("coverage", str(cases), "--kb", str(KB), "--min-accuracy", "0.5", "--json")
    report = json.loads(out)
    assert code == 0 and report["passed"] == 2 and report["escalation_rate"] == 1.0


def test_coverage_rejects_unknown_entry_ids(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text('cases:\n  - q: "hi"\n    expect: no-such-entry\n', encoding="utf-8")
    result = faqbot("coverage", str(cases), "--kb", str(KB))
    assert result.returncode == 1 and f"{cases}:2: unknown entry id 'no-such-entry'" in result.stderr


def test_coverage_file_with_a_control_character_is_one_clear_error(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text('cases:\n  - q: "bad \x07 bell"\n    expect: escalate\n', encoding="utf-8")
    result = faqbot("coverage", str(cases), "--kb", str(KB))
    assert result.returncode == 1 and result.stderr.startswith(f"{cases}:") and "Traceback" not in result.stderr


def test_report_since_out_of_range_is_a_usage_error(tmp_path):
    result = faqbot("report", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--since", "99999999d")
    assert result.returncode == 2 and "--since" in result.stderr and "Traceback" not in result.stderr


def test_csv_export_quotes_cells_a_spreadsheet_would_run(tmp_path):
    from bot.store import SqlStore
    from faq import Reply

    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    formula = '=HYPERLINK("http://evil.example","refund")'
    SqlStore.from_url(url).open_escalation(
        Reply(question=formula, lang="en", action="escalate", text=""), source="console")
    code, out = run_cli("escalations", "export", "--db", url, "--format", "csv")
    assert code == 0 and "'=HYPERLINK" in out and ',"=HYPERLINK' not in out

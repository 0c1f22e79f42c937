"""The agent's console experience: did-you-mean picked by number, the agent's own UI language,
Ctrl-C on a typed line, long texts cut in views, aligned queue columns, an unreachable database
said at start-up, and the "why" view in the words people wrote."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.console import run_console
from bot.console.layout import width
from bot.store import SqlStore
from test_console import KB, ROOT, Terminal, console, read_until

pytest_plugins = ["postgres", "store_fixtures"]  # db_url, open_store, store

CLARIFY_EN = "do I need to do anything about payments"  # did you mean: 1. payment  2. listings
CLARIFY_ZH = "商品和回款需要处理吗"  # 1. listings  2. payment
PAYMENT_EN = "You'll receive payment"
LISTINGS_EN = "No action is needed"
LISTINGS_ZH = "不需要"


def session(store: SqlStore | None, lines: list[str], **options) -> str:
    out = io.StringIO()
    code = run_console(KB, io.StringIO("\n".join(lines) + "\n"), out, interactive=False, store=store,
                       **{"agent": "ana", "ui_lang": "en", **options})
    assert code == 0
    return out.getvalue()


def test_a_number_after_did_you_mean_answers_with_that_choice():
    _, out = console([CLARIFY_EN, "2"])
    offered, picked = out.split("\n\n")[:2]
    assert "2. Do I need to do anything with my account or listings?" in offered
    assert "Type a number (or :pick N)" in offered
    assert picked.startswith(LISTINGS_EN) and "chosen: listings (faq)" in picked


def test_pick_command_answers_in_the_askers_language():
    _, out = console([CLARIFY_ZH, ":pick 2"])
    picked = out.split("\n\n")[1]
    assert "已完成服务" not in picked and "chosen: payment (faq)" in picked
    assert any("\u4e00" <= char <= "\u9fff" for char in picked.splitlines()[0])  # the asker wrote Chinese


def test_a_number_without_a_did_you_mean_is_a_question_and_pick_says_so():
    _, out = console([":pick 1", "How do I close my account?", "1"])
    assert "no did-you-mean to pick from" in out
    assert "chosen:" not in out  # after an answer "1" is asked like any question


def test_a_choice_out_of_range_is_refused_and_the_choices_stay():
    _, out = console([CLARIFY_EN, "7", "1"])
    assert "Pick 1 to 2, or 0 for none of these." in out
    assert "chosen: payment (faq)" in out


def test_zero_escalates_the_original_question_through_the_desk(store):
    out = session(store, [CLARIFY_EN, "0"])
    assert "None of these: the question goes to Seller Support." in out
    assert "Seller Support has your question as case #1." in out
    (case,) = store.list()
    assert case.question == CLARIFY_EN and case.source == "console" and case.asker == "ana"


def test_zero_without_a_database_says_what_would_happen():
    _, out = console([CLARIFY_EN, "0"])
    assert "would go to Seller Support as a case" in out


def test_ui_language_from_the_locale_and_the_flag_through_the_cli(tmp_path: Path):
    def run(args: list[str], lang: str) -> str:
        env = {**os.environ, "LANG": lang, "PYTHONUTF8": "1"}
        env.pop("LC_ALL", None), env.pop("LC_MESSAGES", None)
        done = subprocess.run([sys.executable, "-m", "bot.cli", "console", "--kb", str(KB),
                               "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", *args],
                              input="How do I close my account?\n:help\n", capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    chinese_locale = run([], "zh_CN.UTF-8")
    assert "决定: 回答" in chinese_locale and "Yes. You can ask Seller Support" in chinese_locale
    flag_wins = run(["--ui-lang", "en"], "zh_CN.UTF-8")
    assert "decision: answer" in flag_wins and "Commands:" in flag_wins


def test_long_question_is_cut_with_a_marker_in_case_and_queue(store):
    huge = "shipping " * 12_000
    out = session(store, [huge, ":case 1", ":queue"])
    case_view = out[out.index("case #1 [open]"):]
    assert "more characters]" in case_view
    assert max(len(line) for line in case_view.splitlines()) < 1000


def test_queue_columns_line_up_with_chinese_status_and_questions(store):
    session(store, ["如何设置广告活动?", "How do I reset my password?"])
    session(store, [":take 2"], agent="bo")
    out = session(store, [":queue"], ui_lang="zh")
    lines = out.strip().splitlines()
    assert len(lines) == 2
    starts = [width(line[: line.index("[")]) for line in lines]  # the language column
    assert starts[0] == starts[1], lines


def test_unreachable_database_is_reported_at_start_up(tmp_path: Path):
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.sqlite3'}"
    store = SqlStore.from_url(missing)
    out = io.StringIO()
    assert run_console(KB, io.StringIO(":quit\n"), out, interactive=True, store=store, ui_lang="en") == 0
    text = out.getvalue()
    assert "cannot be reached" in text and text.index("cannot be reached") < text.index("Bye.")


def test_why_shows_the_askers_and_authors_words_not_index_terms():
    _, out = console(["How do I deactivate my account?", "我想注销账号"])
    assert "shared words: deactivate" in out and "注销" in out
    shared = [line for line in out.splitlines() if "shared words:" in line]
    assert all(" close " not in line + " " and "servic" not in line for line in shared), shared


def test_ctrl_c_clears_a_half_typed_line_then_ctrl_c_on_empty_leaves(tmp_path: Path):
    terminal = Terminal(tmp_path)
    try:
        terminal.expect(b"faqbot> ")
        terminal.send(b"How do I reset my pass")
        terminal.expect(b"my pass")
        # CPython's readline may leave a SIGINT pending until the next key (see Terminal.interrupt):
        # press again, as a person would, until a fresh prompt shows the line was thrown away
        for _ in range(5):
            terminal.send(b"\x03")
            fresh = bytearray()
            if read_until(terminal.fd, fresh, b"faqbot> ", min(time.monotonic() + 2.0, terminal.deadline)):
                terminal.output += fresh
                terminal.seen = len(terminal.output)
                break
            terminal.output += fresh
        terminal.send(b"How do I close my account?\r")
        terminal.expect(b"Yes. You can ask Seller Support")
        terminal.expect(b"faqbot> ")
        terminal.interrupt()
        code, out = terminal.finish()
    finally:
        terminal.close()
    assert code == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert "reset my passHow" not in out and "passHow" not in out
    assert out.rstrip().endswith("Bye.")

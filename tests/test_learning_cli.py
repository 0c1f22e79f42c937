"""``faqbot suggest``, ``faqbot report --html`` and ``faqbot escalations export --format cases`` on a real database."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import SqlStore
from faq.model import Candidate, Reply

REPO = Path(__file__).resolve().parents[1]
KB = REPO / "knowledge.yaml"
SEED_CASES = REPO / "tests" / "coverage" / "seed_cases.yaml"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdin=io.StringIO(""), stdout=out), out.getvalue()


def escalated(question: str, lang: str = "en") -> Reply:
    return Reply(question=question, lang=lang, action="escalate", text="...", score=20.0,
                 candidates=(Candidate("payment", 20.0),))


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"


def test_suggest_on_an_empty_log_proposes_nothing_and_prints_no_diff(db, capsys):
    code, out = run("suggest", "--kb", str(KB), "--db", db)
    assert code == 0 and out == ""
    assert "Read 0 logged questions" in capsys.readouterr().err


def test_suggest_since_leaves_older_labels_out_and_speaks_chinese(db, tmp_path, capsys):
    store = SqlStore.from_url(db)
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    for question, moment in (("尾款什么时候结清", None), ("I no longer want my shop, remove it", long_ago)):
        store.log_question(escalated(question, "zh" if "钱" in question else "en"), "console", now=moment)
        case, _ = store.open_escalation(escalated(question), source="console", now=moment)
        store.resolve(case.case, "ana", label="entry",
                      entry_id="payment" if "钱" in question else "close-account", now=moment)
    code, out = run("suggest", "--kb", str(KB), "--db", db, "--since", "7d", "--lang", "zh")
    err = capsys.readouterr().err
    assert code == 0 and '+        - "尾款什么时候结清"' in out and "remove it" not in out
    assert "建议新增 1 个问法" in err and "读取了 1 个记录的问题" in err
    target = tmp_path / "out.yaml"
    code, out = run("suggest", "--kb", str(KB), "--db", db, "--write", str(target), "--cases", str(SEED_CASES))
    assert code == 0 and "Wrote" in out and "remove it" in target.read_text(encoding="utf-8")
    assert KB.read_text(encoding="utf-8") != target.read_text(encoding="utf-8")


@pytest.mark.parametrize("since", ["yesterday", "10x", ""])
def test_suggest_refuses_a_bad_since_in_one_line(db, since, capsys):
    code, _ = run("suggest", "--kb", str(KB), "--db", db, "--since", since)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--since" in err


def test_report_html_writes_one_page_with_the_coverage_table(db, tmp_path):
    store = SqlStore.from_url(db)
    store.log_question(escalated("is gift wrapping available"), "slack")
    case, _ = store.open_escalation(escalated("is gift wrapping available"), source="slack")
    store.resolve(case.case, "ana", label="new_topic")
    page = tmp_path / "report.html"
    code, out = run("report", "--html", str(page), "--db", db, "--kb", str(KB), "--cases", str(SEED_CASES),
                    "--lang", "zh")
    html = page.read_text(encoding="utf-8")
    assert code == 0 and str(page) in out and "HTML 报告已写入" in out
    assert html.startswith("<!DOCTYPE html>") and "<figure" in html and "覆盖测试用例" in html
    assert "is gift wrapping available" in html and "http" not in html.split("<script", 1)[0].lower().replace(
        "http-equiv", "")  # nothing to fetch: the page stands alone


def test_export_cases_is_empty_but_valid_without_labelled_cases(db):
    code, out = run("escalations", "export", "--format", "cases", "--db", db)
    assert code == 0 and "cases: []" in out


@pytest.mark.parametrize("command", [["suggest", "--write"], ["report", "--html"]])
def test_an_unwritable_output_is_one_line_and_exit_1(db, tmp_path, capsys, command):
    target = str(tmp_path / "missing" / "out.file")
    code, _ = run(*command, target, "--kb", str(KB), "--db", db)
    err = capsys.readouterr().err
    assert code == 1 and "No such file or directory" in err and "Traceback" not in err

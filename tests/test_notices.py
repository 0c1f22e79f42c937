"""Texts for knowledge-base authors exist in English and Chinese, and tools print the chosen one."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bot.config import tool_language
from faq import KnowledgeError, parse_knowledge
from faq.notices import NOTICE_LANGS, NOTICES, Problem, notice
from tests.test_cli import KB, faqbot, run_cli


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(NOTICES))
def test_every_notice_has_both_languages_with_the_same_placeholders(key):
    texts = NOTICES[key]
    assert set(texts) == set(NOTICE_LANGS)
    assert placeholders(texts["en"]) == placeholders(texts["zh"])
    assert any("\u4e00" <= char <= "\u9fff" for char in texts["zh"])


def test_a_problem_renders_in_either_language_with_file_and_line():
    problem = Problem("kb.yaml", 7, "duplicate_id", {"id": "close-account", "line": 3})
    assert problem.render("en") == "kb.yaml:7: duplicate id 'close-account' (first defined on line 3)"
    assert problem.render("zh") == "kb.yaml:7: id 'close-account' 重复（首次定义在第 3 行）"
    assert notice("empty", "fr", what="x") == "x is empty"  # an unknown language falls back to English


def test_knowledge_errors_list_the_same_problems_in_both_languages():
    text = "version: 1\nentries:\n  - id: Bad Id\n    question: {en: Q}\n    answer: {en: ''}\n"
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(text, "kb.yaml")
    english, chinese = caught.value.lines("en"), caught.value.lines("zh")
    assert english == caught.value.problems and len(english) == len(chinese) == 2
    assert english[0].startswith("kb.yaml:3: id 'Bad Id' must be") and chinese[0].startswith("kb.yaml:3: id 'Bad Id' 必须")
    assert english[1] == "kb.yaml:5: entries[0].answer.en is empty" and chinese[1] == "kb.yaml:5: entries[0].answer.en 为空"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL wins, as in gettext
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "C"}, "en"),
    ],
)
def test_tool_language_follows_the_locale(environ, expected):
    assert tool_language(None, environ) == expected
    assert tool_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"  # --lang beats the locale


def near_twins(folder: Path) -> Path:
    """A knowledge base of two entries asked almost alike: one error and one warning under ``check``."""
    kb = folder / "kb.yaml"
    kb.write_text(
        "version: 1\nentries:\n"
        "  - id: one\n    question: {en: how do I reset my password}\n    answer: {en: A}\n"
        "  - id: two\n    question: {en: how do I reset my password please}\n    answer: {en: B}\n",
        encoding="utf-8",
    )
    return kb


def test_check_prints_findings_and_summary_in_chinese(tmp_path):
    kb = near_twins(tmp_path)
    code, out = run_cli("check", "--kb", str(kb), "--quick", "--lang", "zh")
    assert code == 1
    assert f"{kb}:4: 错误: entries[0].question.en: 'how do I reset my password'（one）与" in out  # the phrasing's own line
    assert f"{kb}:1: 警告: 阈值取自在基准知识库上测得的先验值" in out  # two entries are too few to calibrate on
    assert out.rstrip().endswith("2 个条目，2 个问法：1 个错误，1 个警告")


def test_coverage_report_in_chinese(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text('cases:\n  - q: "can I close my account"\n    expect: payment\n', encoding="utf-8")
    code, out = run_cli("coverage", str(cases), "--kb", str(KB), "--lang", "zh")
    assert code == 1
    assert "未通过" in out and "应为 payment" in out and "准确率：0.0%（0/1 个用例；最低要求 95%）" in out


def test_a_chinese_locale_gets_chinese_errors_from_the_real_cli(tmp_path):
    broken = tmp_path / "kb.yaml"
    broken.write_text("version: 1\nentries:\n  - id: one\n    question: {en: Q}\n    answer: {en: A}\n    colour: red\n", encoding="utf-8")
    result = faqbot("ask", "--kb", str(broken), "hi", env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{broken}:6: entries[0] 中有未知的键 'colour'")


def test_check_counts_one_and_many_in_english(tmp_path):
    kb = near_twins(tmp_path)
    code, out = run_cli("check", "--kb", str(kb), "--quick", "--lang", "en")
    assert code == 1
    assert out.rstrip().endswith("2 entries, 2 phrasings: 1 error, 1 warning")

"""``faqbot``'s help and usage errors in the user's language: ``--lang``/``--ui-lang`` in argv, else the locale."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.commands.cli_parser import every_parser, requested_language, translated_error
from bot.commands.cli_texts import ARGPARSE_TEXTS, CLI_HELP
from bot.textwidth import width

ROOT = Path(__file__).resolve().parents[1]
CHINESE = {"LANG": "zh_CN.UTF-8"}


def faqbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command in a subprocess, under the test's locale (C.UTF-8, see conftest) unless ``env`` says otherwise."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, env={**os.environ, "COLUMNS": "80", **(env or {})})


def help_strings(parser: argparse.ArgumentParser) -> list[str]:
    """Every description and help text the parser shows: its own, its options' and its sub-commands'."""
    texts = [parser.description] if parser.description else []
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            texts.append(action.help)
        texts += [choice.help for choice in getattr(action, "_choices_actions", []) if choice.help]
    return texts


def test_chinese_help_under_the_chinese_locale():
    result = faqbot("--help", env=CHINESE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("用法：faqbot [-h] [--version] [--ui-lang {en,zh}] COMMAND ...")
    for text in (CLI_HELP["description"]["zh"], CLI_HELP["ask"]["zh"], "位置参数", "选项", "显示此帮助信息并退出"):
        assert text in out
    assert "usage:" not in out and "show this help" not in out and "options:" not in out


@pytest.mark.parametrize("args", [["check", "--lang", "zh", "--help"], ["check", "--help", "--lang=zh"],
                                  ["console", "--ui-lang", "zh", "-h"]])
def test_lang_or_ui_lang_gives_chinese_help_under_an_english_locale(args):
    result = faqbot(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"用法：faqbot {args[0]} [-h]")
    assert "显示此帮助信息并退出" in result.stdout and "show this help" not in result.stdout


def test_an_explicit_language_beats_the_locale_and_ui_lang_beats_lang():
    english = faqbot("console", "--lang", "zh", "--ui-lang", "en", "--help", env=CHINESE)
    assert english.returncode == 0 and english.stdout.startswith("usage: faqbot console")
    assert CLI_HELP["console_agent"]["en"] in english.stdout and "选项" not in english.stdout


def test_a_usage_error_in_chinese_under_the_chinese_locale_is_one_line_with_exit_2():
    result = faqbot("ask", "--bogus", "hi", env=CHINESE)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "faqbot: 无法识别的参数：--bogus（参见：faqbot ask --help）\n"


def test_english_help_and_errors_are_unchanged_under_c_utf8():
    result = faqbot("prune", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: faqbot prune [-h] --older-than AGE")
    assert "\noptions:\n  -h, --help  " in result.stdout and "show this help message and exit" in result.stdout
    assert CLI_HELP["prune_older"]["en"] in result.stdout
    error = faqbot("ask", "--bogus")
    assert error.returncode == 2 and error.stderr == "faqbot: unrecognized arguments: --bogus (see: faqbot ask --help)\n"


@pytest.mark.parametrize("args, expected", [
    (["frobnicate"], "faqbot: 参数 COMMAND：无效的选择 'frobnicate'（可选：'ask', 'check'"),
    (["ask", "--lang", "fr", "hi"], "faqbot: 参数 --lang：无效的选择 'fr'（可选：'en', 'zh'）（参见：faqbot ask --help）"),
    (["prune"], "faqbot: 缺少必需的参数：--older-than（参见：faqbot prune --help）"),
    (["escalations"], "faqbot: 缺少必需的参数：COMMAND（参见：faqbot escalations --help）"),
    (["report", "--kb"], "faqbot: 参数 --kb：需要一个值（参见：faqbot report --help）"),
    (["report", "--cases"], "faqbot: 参数 --cases：至少需要一个值"),
    (["report", "--top", "many"], "faqbot: 参数 --top：无效的 int 值：'many'"),
    (["report", "--h"], "faqbot: 选项 --h 有歧义，可能是：--help, --html"),
    (["coverage", "c.yaml", "--min-accuracy", "most"], "faqbot: 参数 --min-accuracy：不是数字：'most'"),
    (["coverage", "c.yaml", "--min-accuracy", "2"], "faqbot: 参数 --min-accuracy：必须在 0 到 1 之间"),
    (["slack", "--port", "x"], "faqbot: 参数 --port：不是端口号：'x'"),
    (["slack", "--port", "70000"], "faqbot: 参数 --port：端口必须在 0 到 65535 之间，而不是 70000"),
    (["slack", "--workers", "0"], "faqbot: 参数 --workers：必须至少为 1，而不是 0"),
    (["slack", "manifest", "--url", "ftp:x"], "faqbot: 参数 --url：需要 https:// 开头的 URL"),
])
def test_usage_errors_are_translated(monkeypatch, capsys, args, expected):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(args, stdin=io.StringIO(), stdout=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.endswith(" --help）\n") and err.count("\n") == 1


def test_a_message_argparse_never_said_stays_in_english_whole():
    assert translated_error("something new went wrong", "zh") == "something new went wrong"
    assert translated_error("argument --x: a new complaint", "zh") == "argument --x: a new complaint"
    assert translated_error("unrecognized arguments: --x", "en") == "unrecognized arguments: --x"


@pytest.mark.parametrize("argv, lang", [
    ([], None), (["ask", "--lang", "zh", "hi"], "zh"), (["check", "--lang=zh"], "zh"), (["check", "--lang", "fr"], None),
    (["console", "--lang", "zh", "--ui-lang", "en"], "en"), (["check", "--lang", "zh", "--lang", "en"], "en"),
    (["ask", "--", "--lang", "zh"], None), (["ask", "--lang"], None),
])
def test_the_requested_language_is_read_from_argv(argv, lang):
    assert requested_language(argv) == lang


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_help_text_comes_from_the_catalog_and_every_catalog_text_is_shown(lang):
    shown = {text for parser in every_parser(build_parser(lang)) for text in help_strings(parser)}
    catalog = {by_lang[lang] for by_lang in CLI_HELP.values()} | {ARGPARSE_TEXTS["help"][lang]}
    assert shown == catalog


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_help_page_renders(lang):
    for parser in every_parser(build_parser(lang)):
        assert parser.format_help().startswith(ARGPARSE_TEXTS["usage"][lang] + parser.prog)


def test_chinese_help_fits_the_terminal_width_and_no_line_starts_with_punctuation():
    for command in ["", "ask", "report", "suggest", "slack", "slack try"]:
        result = faqbot(*command.split(), "--help", env={**CHINESE, "COLUMNS": "60"})
        assert result.returncode == 0, result.stderr
        for line in result.stdout.splitlines():
            assert width(line) <= 60 or " " not in line.strip(), line  # only an unbreakable word may stick out
            assert not line.strip().startswith(tuple("，。；：、）")), line


@pytest.mark.parametrize("args, english, chinese", [
    (["report", "--since", "soon"], "--since: expected 30m, 24h", "--since：需要 30m、24h"),
    (["suggest", "--since", "soon"], "--since: expected 30m, 24h", "--since：需要 30m、24h"),
    (["prune", "--older-than", "soon"], "--older-than: expected an age such as 30m", "--older-than：需要时长"),
    (["prune", "--older-than", "0d"], "--older-than: expected an age such as 30m", "--older-than：需要时长"),
])
def test_the_commands_own_argument_checks_speak_the_users_language(args, english, chinese, tmp_path, monkeypatch,
                                                                   capsys):
    """In this process, under each locale (the locale through the real process: the tests above)."""
    db = ["--db", f"sqlite:///{tmp_path / 'faq.sqlite3'}"]
    for lang, expected in (("C.UTF-8", english), (CHINESE["LANG"], chinese)):
        monkeypatch.setenv("LANG", lang)
        code = main([*args, *db], stdin=io.StringIO(), stdout=io.StringIO())
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"faqbot: {expected}"), err
        assert err.count("\n") == 1

"""A run builds only its own command's parser: the same help and errors as the whole parser, less to build and import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.commands.cli_parser import UsageError, build_parser, chosen_command, every_parser

COMMANDS = ["ask", "check", "coverage", "init", "tune", "console", "report", "escalations", "suggest", "prune",
            "docs", "slack"]


@pytest.mark.parametrize("argv, command", [
    (["ask", "hi"], "ask"), (["--ui-lang", "zh", "check"], "check"), (["--ui-lang=zh", "slack", "try"], "slack"),
    (["--ui-lang", "zh", "--ui-lang", "en", "prune"], "prune"), (["report", "--ui-lang", "zh"], "report"),
    ([], None), (["--help"], None), (["--version"], None), (["-h", "ask"], None), (["--ui", "zh", "ask"], None),
    (["--ui-lang"], None), (["--ui-lang", "ask"], None), (["bogus", "ask"], None), (["--", "ask"], None),
    (["--ui-langs", "ask"], None),
])
def test_the_command_run_is_read_from_argv_only_when_nothing_else_comes_first(argv, command):
    assert chosen_command(argv) == command


def pages(parser) -> dict[str, str]:
    """Every help page below the top level, by its program name (``faqbot slack try``)."""
    return {each.prog: each.format_help() for each in every_parser(parser)[1:]}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_command_s_parser_has_the_same_help_as_in_the_whole_parser(lang):
    whole = pages(build_parser(lang))
    for command in COMMANDS:
        alone = pages(build_parser(lang, only=command))
        assert alone and alone == {prog: page for prog, page in whole.items()
                                   if prog == f"faqbot {command}" or prog.startswith(f"faqbot {command} ")}


@pytest.mark.parametrize("argv", [["ask", "--bogus"], ["prune"], ["report", "--top", "x"], ["escalations"],
                                  ["slack", "--port", "99999"], ["ask", "--ui-lang", "fr"]])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_command_s_parser_refuses_what_the_whole_parser_refuses_in_the_same_words(argv, lang):
    refusals = []
    for parser in (build_parser(lang), build_parser(lang, only=chosen_command(argv))):
        with pytest.raises(UsageError) as raised:
            parser.parse_args(argv)
        refusals.append(str(raised.value))
    assert refusals[0] == refusals[1]


@pytest.mark.parametrize("only, imported", [
    ("ask", []), (None, ["bot.commands.learning_commands", "bot.slack.cli"]),
])
def test_parsing_ask_alone_imports_neither_the_slack_nor_the_learning_commands(only, imported):
    script = ("import sys; from bot.commands.cli_parser import build_parser; "
              f"build_parser('en', only={only!r}).parse_args(['ask', 'hi']); "
              "print(sorted(name for name in sys.modules if name in ('bot.slack.cli', 'bot.commands.learning_commands')))")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    assert found == repr(imported)

"""What a newcomer meets on the command line: ``--ui-lang`` anywhere, errors that point to the right help,
one duration syntax, metavars that read as words, ``ask``'s own words in the UI language."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.commands.cli_parser import every_parser
from bot.commands.durations import parse_moment

ROOT = Path(__file__).resolve().parents[1]
SUBCOMMANDS = ["ask", "check", "coverage", "init", "tune", "console", "report", "escalations", "escalations export",
               "suggest", "prune", "slack", "slack manifest", "slack try"]


def faqbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "COLUMNS": "100", **(env or {})})


def test_ui_lang_before_the_subcommand_gives_chinese_help():
    result = faqbot("--ui-lang", "zh", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("用法：faqbot")


@pytest.mark.parametrize("command", SUBCOMMANDS)
@pytest.mark.parametrize("where", ["before", "after"])
def test_ui_lang_is_accepted_before_or_after_every_subcommand(command, where, monkeypatch, capsys):
    """Parsing only, so in this process (``main`` as the console script calls it); the help page through
    the real process is ``test_ui_lang_before_the_subcommand_gives_chinese_help``."""
    monkeypatch.setenv("COLUMNS", "100")
    words = command.split()
    args = ["--ui-lang", "zh", *words, "--help"] if where == "before" else [*words, "--ui-lang", "zh", "--help"]
    with pytest.raises(SystemExit) as leaving:
        main(args, stdin=io.StringIO(), stdout=io.StringIO())
    out, err = capsys.readouterr()
    assert leaving.value.code == 0, err
    assert out.startswith(f"用法：faqbot {command}"), out[:200]


def test_ui_lang_after_ask_is_an_option_not_a_question_and_sets_asks_own_words():
    result = faqbot("ask", "--ui-lang", "zh", "how do I bake a sourdough cake")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("将转交给"), result.stdout
    assert "isn't covered" in result.stdout  # the asker's words stay in the asker's language
    english = faqbot("--ui-lang", "en", "ask", "怎么烤蛋糕")
    assert english.stdout.startswith("Would escalate to"), english.stdout


def test_ui_lang_given_before_the_subcommand_reaches_the_command():
    result = faqbot("--ui-lang", "zh", "check", "--quick")
    assert result.returncode == 0, result.stderr
    assert "个条目" in result.stdout and "entries" not in result.stdout


@pytest.mark.parametrize("args, help_of", [(["ask", "--bogus"], "faqbot ask"), (["report", "--bogus"], "faqbot report"),
                                           (["slack", "try", "--bogus"], "faqbot slack try"),
                                           (["--bogus", "ask"], "faqbot")])
def test_an_unknown_option_points_to_the_help_of_the_command_it_was_given_to(args, help_of):
    result = faqbot(*args)
    assert result.returncode == 2
    assert result.stderr == f"faqbot: unrecognized arguments: --bogus (see: {help_of} --help)\n"


def test_every_option_that_takes_a_value_shows_a_word_as_its_placeholder():
    for parser in every_parser(build_parser("en")):
        for action in parser._actions:
            if action.option_strings and action.nargs != 0 and not action.choices:
                assert action.metavar, f"{parser.prog} {action.option_strings[0]} shows {action.dest.upper()}"
    assert "--kb FILE" in faqbot("slack", "try", "--help").stdout


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, ago", [("30m", timedelta(minutes=30)), ("24h", timedelta(hours=24)),
                                       ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2)), ("1m", timedelta(minutes=1))])
def test_one_duration_syntax(text, ago):
    assert parse_moment(text, NOW) == NOW - ago


def test_an_iso_date_is_a_moment_in_utc_unless_it_says_otherwise():
    assert parse_moment("2026-01-31", NOW) == datetime(2026, 1, 31, tzinfo=timezone.utc)
    assert parse_moment("2026-01-31T09:00+08:00", NOW) == datetime(2026, 1, 31, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["1m", "30m", "2w", "2026-01-31"])
def test_since_and_older_than_take_the_same_values(text, tmp_path, capsys):
    """In this process: what is checked is the parsing (``prune`` through the real one is the test below)."""
    db = ["--db", f"sqlite:///{tmp_path / 'faq.sqlite3'}"]
    for args in (["report", "--since", text], ["suggest", "--since", text, "--kb", str(ROOT / "knowledge.yaml")],
                 ["prune", "--older-than", text, "--dry-run"]):
        code = main([*args, *db], stdin=io.StringIO(), stdout=io.StringIO())
        assert code == 0, (args, capsys.readouterr().err)


def test_prune_one_minute_means_one_minute(tmp_path):
    result = faqbot("prune", "--older-than", "1m", "--dry-run", "--db", f"sqlite:///{tmp_path / 'faq.sqlite3'}")
    cutoff = datetime.strptime(result.stdout.split("than ", 1)[1][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - cutoff) - timedelta(minutes=1)) < timedelta(seconds=30)


def test_ruamel_yaml_is_listed_once():
    import tomllib

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [dependency.split(">")[0].split("=")[0].split("[")[0].strip().lower() for dependency in dependencies]
    assert len(names) == len(set(names)), names


def test_faqbot_slack_names_every_missing_setting_in_one_start(tmp_path):
    env = {name: "" for name in ("SLACK_BOT_TOKEN", "FAQBOT_SUPPORT_CHANNEL", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")}
    socket = faqbot("slack", env={**env, "FAQBOT_SUPPORT_LANG": "fr"})
    assert socket.returncode == 1
    for name in ("SLACK_BOT_TOKEN", "FAQBOT_SUPPORT_CHANNEL", "SLACK_APP_TOKEN", "FAQBOT_SUPPORT_LANG"):
        assert f"\n  {name} " in socket.stderr, socket.stderr
    assert socket.stderr.startswith("faqbot: 4 Slack settings need fixing:") and "Traceback" not in socket.stderr
    http = faqbot("slack", "--http", env={**env, "SLACK_BOT_TOKEN": "xoxb-1"})
    assert "FAQBOT_SUPPORT_CHANNEL" in http.stderr and "SLACK_SIGNING_SECRET" in http.stderr
    assert "SLACK_APP_TOKEN" not in http.stderr and "xoxb-1" not in http.stderr


def test_a_huge_question_is_cut_where_stored_and_where_ask_json_echoes_it(tmp_path):
    import json

    from bot.clipping import QUESTION_LIMIT
    from bot.store import SqlStore
    from faq.model import Reply

    huge = "how do I pay my fees " * 50_000  # about 1 MB
    echoed = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "--no-semantic"], input=huge + "\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    question = json.loads(echoed.stdout)["question"]
    assert question.startswith(huge[:QUESTION_LIMIT])
    assert question.endswith(f" … [{len(huge) - QUESTION_LIMIT} more characters]")
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'faq.sqlite3'}")
    reply = Reply(question="我的费用" * 2000, lang="zh", action="escalate", text="")
    store.log_question(reply, source="console")
    case, _ = store.open_escalation(reply, source="console")
    kept = store.questions_since(None)[0].question
    assert kept == case.question == "我的费用" * 1000 + " …[另有 4000 个字符]"
    assert (tmp_path / "faq.sqlite3").stat().st_size < 200_000

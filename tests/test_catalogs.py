"""Every text catalog, in every layer, has every text in English and Chinese with the same placeholders."""

from __future__ import annotations

import pytest

from bot.commands.cli_texts import ARGPARSE_TEXTS, CLI_HELP, USAGE_ERRORS
from bot.console.texts import CASE_HELP, COMMAND_HELP, CONSOLE_TEXTS
from bot.slack.texts import SLACK_TEXTS
from faq.catalog import Catalog
from faq.messages import DEFAULT_MESSAGES
from faq.notices import NOTICES

CATALOGS = {"engine": DEFAULT_MESSAGES, "notices": NOTICES, "console": CONSOLE_TEXTS, "console help": COMMAND_HELP,
            "case help": CASE_HELP, "slack": SLACK_TEXTS, "cli help": CLI_HELP, "argparse": ARGPARSE_TEXTS,
            "usage errors": USAGE_ERRORS}


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_every_text_is_bilingual_with_the_same_placeholders(name):
    assert CATALOGS[name].problems() == []


def test_the_check_finds_a_missing_language_and_mismatched_placeholders():
    broken = Catalog({"a": {"en": "hi {name}"}, "b": {"en": "case #{case}", "zh": "案例 #{number}"}, "c": {"en": "x", "zh": "乙"}})
    problems = broken.problems()
    assert len(problems) == 2 and problems[0].startswith("a: no text in zh") and problems[1].startswith("b: placeholders")


def test_lookup_prefers_overrides_then_falls_back_to_english_and_fills_values():
    catalog = Catalog({"hello": {"en": "Hello {who}", "zh": "你好 {who}"}, "en_only": {"en": "English only"}})
    assert catalog.text("hello", "zh", who="安") == "你好 安"
    assert catalog.text("en_only", "zh") == "English only"
    assert catalog.text("hello", "en", {"hello": {"en": "Hi {who}!"}}, who="ana") == "Hi ana!"
    assert catalog.text("hello", "en", {"hello": {"en": "Hi {nobody}"}}, who="ana") == "Hi {nobody}"  # shown as written
    with pytest.raises(KeyError):
        catalog.text("missing", "en")


def test_slack_words_are_not_in_the_engine():
    assert not [key for key in DEFAULT_MESSAGES if key.startswith("slack_")]
    assert {"slack_helpful", "slack_take", "slack_resolve"} <= set(SLACK_TEXTS)

"""Questions marked out of scope go where they belong (``bot.learning.out_of_scope``), in either language.

To the out-of-scope topic a question is about, by the engine's own score; else, with alike
questions, to a new out-of-scope topic (served, no answer needed, a readable id); else to
the general out-of-scope entry, whose routing text is the escalation notice alone. Never to
an unrelated topic: "今天天气怎么样" must not be told about FBA fees.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from faq import Assistant, parse_knowledge

from bot.learning.model import Labelled, Traffic
from bot.learning.proposals import propose
from bot.learning.suggest import apply, suggest

KB_PATH = Path(__file__).resolve().parents[1] / "knowledge.yaml"
T0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)

# answered or offered with an FAQ entry today, but about one of the knowledge base's out-of-scope topics
ABOUT_A_TOPIC = {
    "can I run a promotion on my listing": "oos-advertising-promotions",
    "is there a fee for getting paid": "oos-fees-fba",
    "我的listing可以推广吗": "oos-advertising-promotions",
    "卖家平台要收费吗": "oos-fees-fba",
}
WEATHER_EN = ["what's the weather today", "what is the weather like today"]
WEATHER_ZH = ["今天天气怎么样", "今天天气如何"]
ALONE = "will my cat like the new sofa"


def marked(*texts: str) -> Traffic:
    return Traffic(labelled=[Labelled(text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en", T0,
                                      "out_of_scope") for text in texts])


@pytest.fixture(scope="module")
def assistant(shipped_kb):
    return Assistant(shipped_kb)


def test_a_question_joins_the_out_of_scope_topic_it_is_about(shipped_kb, assistant):
    found = propose(shipped_kb, assistant, marked(*ABOUT_A_TOPIC))
    assert {a.text: a.entry_id for a in found.out_of_scope} == ABOUT_A_TOPIC
    assert found.out_of_scope_entries == []


def test_questions_about_no_topic_make_new_topics_never_an_unrelated_one(shipped_kb, assistant):
    found = propose(shipped_kb, assistant, marked(*WEATHER_EN, *WEATHER_ZH, ALONE))
    placed = {a.text: a.entry_id for a in found.out_of_scope}
    existing = {entry.id for entry in shipped_kb.entries}
    assert set(placed) == {*WEATHER_EN, *WEATHER_ZH, ALONE} and not set(placed.values()) & existing
    assert len({placed[text] for text in WEATHER_EN}) == 1 and len({placed[text] for text in WEATHER_ZH}) == 1
    assert placed[WEATHER_EN[0]].startswith("oos-weather")  # a readable id: what the English wording is about
    assert placed[ALONE] == "out-of-scope"  # asked once, like nothing else: the general entry
    new = {entry.id: entry for entry in found.out_of_scope_entries}
    assert set(new) == set(placed.values()) and {entry.kind for entry in new.values()} == {"out_of_scope"}
    assert new[placed[WEATHER_EN[0]]].count >= 2


def test_alike_questions_go_together_to_the_topic_most_of_them_are_about(shipped_kb, assistant):
    from bot.learning.out_of_scope import topic_about

    alike = ["how do I pay for my tax form", "how can I pay for my tax form", "where do I pay for my tax form"]
    assert topic_about(assistant, alike[2]) is None  # not about a topic by itself...
    found = propose(shipped_kb, assistant, marked(*alike))
    targets = {a.entry_id for a in found.out_of_scope}
    assert len(targets) == 1 and targets <= {entry.id for entry in shipped_kb.entries}  # ...but like the others
    assert found.out_of_scope_entries == []


@pytest.fixture(scope="module")
def written(shipped_kb):
    traffic = marked(*WEATHER_EN, *WEATHER_ZH, ALONE, *ABOUT_A_TOPIC)
    suggestions = suggest(shipped_kb, traffic)
    text = KB_PATH.read_text(encoding="utf-8")
    return suggestions, text, apply(text, shipped_kb, suggestions)


def test_new_topics_are_written_served_without_an_answer_and_proven(written):
    suggestions, _, new = written
    assert suggestions.out_of_scope_entries and not suggestions.conflicts
    entries = {entry["id"]: entry for entry in yaml.safe_load(new)["entries"]}
    for topic in suggestions.out_of_scope_entries:
        entry = entries[topic.id]
        assert entry["kind"] == "out_of_scope" and "draft" not in entry and "answer" not in entry
    improved = parse_knowledge(new, "knowledge.yaml")
    assert {topic.id for topic in suggestions.out_of_scope_entries} <= {entry.id for entry in improved.entries}


@pytest.mark.parametrize("lang, heading", [("en", "New out-of-scope topics"), ("zh", "新的超出范围话题")])
def test_the_summary_lists_the_new_topics_in_the_authors_language(written, lang, heading):
    from bot.learning.summary import render_summary

    suggestions, _, _ = written
    summary = render_summary(suggestions, lang)
    assert heading in summary and all(topic.id in summary for topic in suggestions.out_of_scope_entries)


@pytest.mark.parametrize("question", [*WEATHER_EN, *WEATHER_ZH, ALONE])
def test_afterwards_the_question_is_routed_with_the_escalation_notice_alone(written, question):
    _, _, new = written
    assistant = Assistant(parse_knowledge(new, "knowledge.yaml"))
    reply = assistant.reply(question)
    assert (reply.action, reply.kind) == ("escalate", "out_of_scope")
    assert reply.entry_id not in {"oos-fees-fba", "oos-shipping-returns", "oos-advertising-promotions"}
    assert reply.text == assistant.text("escalate", reply.lang)  # no unrelated topic's routing text

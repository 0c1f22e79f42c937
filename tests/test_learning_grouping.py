"""One grouping of alike questions (``bot.learning.grouping``) behind ``report``, ``report --html`` and ``suggest``.

Groups are by meaning (the sentence encoder, across Chinese and English), by words when the
knowledge base turns semantic matching off; the three commands show the same groups with the
same counts, leave out questions people already labelled, and never learn from noise.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from bot.cli import main
from bot.learning.grouping import KnowledgeBaseVectors, MeaningVectors, WordVectors, group_questions, unanswered
from bot.learning.html_report import LABELS
from bot.learning.model import Asked, Labelled, Traffic
from bot.learning.report_data import report_data
from bot.store import SqlStore
from faq.model import Candidate, Reply

REPO = Path(__file__).resolve().parents[1]
KB = REPO / "knowledge.yaml"
T0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)

# three wordings of one question, each asked twice: words alone split them (three drafts of "2 questions")
GIFT_WRAP = ["is gift wrapping available", "Is gift wrapping available?", "can you gift wrap my order",
             "can you gift wrap my order please", "do you offer gift wrapping", "do you offer gift wrapping?"]
NOISE = ["0", "0", "???", "42", "a"]


class ConceptEncoder:
    """A small stand-in for the sentence encoder: a text's vector counts the concepts it names, in either language."""

    name, version = "concepts", "1"
    CONCEPTS = [("password", "密码"), ("ads", "广告"), ("weather", "天气")]

    def encode(self, texts):
        rows = np.array([[sum(word in text for word in words) for words in self.CONCEPTS] + [0.3] for text in texts],
                        dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


class NoVectors:
    """Vectors that must not be needed."""

    alike = 0.5

    @property
    def across_languages(self):
        raise AssertionError("vectors were asked for")

    def space(self, keys):
        raise AssertionError("vectors were asked for")


QUESTIONS = [("how do I reset my password", "en"), ("重置密码", "zh"), ("set up ads", "en"), ("设置广告", "zh"),
             ("How do I reset my password?", "en"), ("weather today", "en")]


def test_by_meaning_one_group_holds_both_languages_most_asked_first():
    groups = group_questions(QUESTIONS, MeaningVectors(ConceptEncoder()))
    assert [(g.count, g.languages()) for g in groups] == [(3, ["en", "zh"]), (2, ["en", "zh"]), (1, ["en"])]
    assert groups[0].examples(1, "en") == ["how do I reset my password"] and groups[0].examples(3, "zh") == ["重置密码"]
    assert sorted(groups[0].indexes) == [0, 1, 4]  # where each grouped question was in the input


def test_by_words_groups_stay_within_one_language():
    groups = group_questions(QUESTIONS, WordVectors())
    assert all(len(g.languages()) == 1 for g in groups)
    assert [g.count for g in groups][:1] == [2]  # the two password wordings


def test_one_distinct_question_needs_no_vectors_and_noise_joins_no_group():
    groups = group_questions([("Reset my password", "en"), ("reset my password?", "en"), *[(n, "en") for n in NOISE]],
                             NoVectors())
    assert [(g.count, g.examples()) for g in groups] == [(2, ["Reset my password"])]


def test_the_knowledge_base_setting_chooses_meaning_or_words(tmp_path):
    lexical = tmp_path / "lexical.yaml"
    lexical.write_text(KB.read_text(encoding="utf-8").replace("settings:\n", "settings:\n  semantic: false\n", 1),
                       encoding="utf-8")
    assert isinstance(KnowledgeBaseVectors(lexical).chosen(), WordVectors)
    assert isinstance(KnowledgeBaseVectors(KB, encoder=ConceptEncoder()).chosen(), MeaningVectors)
    assert isinstance(KnowledgeBaseVectors(tmp_path / "missing.yaml", encoder=ConceptEncoder()).chosen(), MeaningVectors)


def test_write_next_leaves_out_labelled_questions_and_counts_a_flagged_one_once():
    traffic = Traffic(
        asked=[Asked("where is my refund", "en", T0, "escalate"), Asked("remove my shop", "en", T0, "escalate"),
               Asked("is gift wrapping available", "en", T0, "clarify"), Asked("payment?", "en", T0, "answer", "payment"),
               Asked("???", "en", T0, "escalate")],
        labelled=[Labelled("Remove my shop!", "en", T0, "entry", "close-account"),
                  Labelled("where is my refund", "en", T0, "out_of_scope"),
                  Labelled("is gift wrapping available", "en", T0, "new_topic"),
                  Labelled("gift wrap for orders", "en", T0, "new_topic"), Labelled("0", "en", T0, "none_of_these")],
    )
    assert [item.text for item in unanswered(traffic)] == ["is gift wrapping available", "gift wrap for orders"]


def _store_with_traffic(url: str) -> SqlStore:
    """Gift-wrap questions, a question asked once, one labelled by an agent, and noise: all escalated."""
    store = SqlStore.from_url(url)
    for text in [*GIFT_WRAP, "what is the weather", "I no longer want my shop, remove it", *NOISE]:
        reply = Reply(question=text, lang="en", action="escalate", text="...", score=20.0, entry_id="payment",
                      candidates=(Candidate("payment", 20.0),))
        store.log_question(reply, "console")
        if text.startswith("I no longer"):
            case, _ = store.open_escalation(reply, source="console")
            store.resolve(case.case, "ana", label="entry", entry_id="close-account")
    return store


def test_report_report_html_and_suggest_show_the_same_groups_with_the_same_counts(tmp_path):
    url = f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}"
    _store_with_traffic(url)
    out = io.StringIO()
    assert main(["report", "--json", "--since", "all", "--db", url, "--kb", str(KB)], stdout=out) == 0
    groups = json.loads(out.getvalue())["groups"]
    assert [(g["count"], g["closest_entry"]) for g in groups] == [(6, "payment"), (1, "payment")]
    assert set(groups[0]["examples"]["en"]) <= set(GIFT_WRAP) and groups[1]["examples"] == {"en": ["what is the weather"]}

    page = tmp_path / "report.html"
    assert main(["report", "--html", str(page), "--since", "all", "--db", url, "--kb", str(KB)], stdout=io.StringIO()) == 0
    section = page.read_text(encoding="utf-8").split(LABELS["groups"]["en"], 1)[1].split("<h2>", 1)[0]
    assert [int(n) for n in re.findall(r'<tr><td class="n">(\d+)</td><td>en</td>', section)] == [6, 1]

    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["suggest", "--since", "all", "--db", url, "--kb", str(KB)], stdout=io.StringIO()) == 0
    drafts = re.findall(r"^  ([a-z0-9-]+): (\d+) questions", err.getvalue(), re.M)
    assert [int(count) for _, count in drafts] == [6]  # one draft of the six (the weather was asked once)
    for text in ["remove it", "???", '"0"']:
        assert text not in out.getvalue() + section + err.getvalue()


def test_junk_is_never_grouped_or_proposed(shipped_kb):
    from faq import Assistant
    from bot.learning.proposals import propose

    asked = [Asked(text, "en", T0, "escalate") for text in NOISE * 3]
    labelled = [Labelled("123", "en", T0, "entry", "payment"), Labelled("!!", "en", T0, "out_of_scope"),
                Labelled("?", "zh", T0, "new_topic"), Labelled("x", "en", T0, "none_of_these")]
    traffic = Traffic(asked=asked, labelled=labelled)
    found = propose(shipped_kb, Assistant(shipped_kb), traffic, vectors=MeaningVectors(ConceptEncoder()))
    assert (found.alternates, found.out_of_scope, found.out_of_scope_entries, found.drafts) == ([], [], [], [])
    assert report_data(traffic).groups == []

"""Learning-loop records, draft entries in the loader, coverage-case export and grouping."""

from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from faq import Assistant, KnowledgeError, parse_knowledge
from faq.check import lint
from faq.coverage import load_cases, run_coverage

from bot.learning.cases_export import cases_yaml
from bot.learning.grouping import group_questions
from bot.learning.model import Asked, Labelled, ResolvedCase, Traffic

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
BASE = "version: 1\nentries:\n  - id: a\n    question: {en: How do I close my account}\n    answer: {en: Ask support.}\n"


def test_a_label_names_an_entry_exactly_when_it_is_an_entry_label():
    with pytest.raises(ValueError):
        Labelled("q", "en", T0, "entry")
    with pytest.raises(ValueError):
        Labelled("q", "en", T0, "new_topic", "a")


def test_traffic_since_keeps_the_records_at_or_after_the_moment():
    traffic = Traffic(asked=[Asked("old", "en", T0, "answer"), Asked("new", "en", T0 + timedelta(days=2), "answer")])
    assert [r.question for r in traffic.since(T0 + timedelta(days=1)).asked] == ["new"]
    assert traffic.since(None) is traffic


def test_a_draft_entry_loads_without_an_answer_and_is_never_served():
    text = BASE + "  - id: refunds\n    draft: true\n    question: {en: How do I get a refund}\n    answer: {en: '', zh: ''}\n"
    kb = parse_knowledge(text)
    assert [e.id for e in kb.entries] == ["a"] and [d.id for d in kb.drafts] == ["refunds"]
    assert Assistant(kb).reply("How do I get a refund").entry_id != "refunds"
    findings = [f for f in lint(kb, thorough=False) if f.key == "draft_entry"]
    assert len(findings) == 1 and "refunds" in findings[0].text("en") and "refunds" in findings[0].text("zh")


def test_a_draft_id_still_counts_for_duplicates_and_draft_must_be_a_boolean():
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(BASE + "  - id: a\n    draft: true\n    question: {en: Q}\n")
    assert "duplicate id 'a'" in str(caught.value)
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(BASE + "  - id: b\n    draft: maybe\n    question: {en: Q}\n    answer: {en: A}\n")
    assert "must be true or false" in str(caught.value)


def test_a_finished_entry_still_needs_its_answer():
    with pytest.raises(KnowledgeError):
        parse_knowledge(BASE + "  - id: b\n    question: {en: Q}\n    answer: {en: ''}\n")


def test_out_of_scope_is_a_known_kind():
    kb = parse_knowledge(BASE + "  - id: fees\n    kind: out_of_scope\n    question: {en: What are the fees}\n    answer: {en: Ask support.}\n")
    assert kb.entry("fees").kind == "out_of_scope"


def test_resolved_cases_export_as_coverage_cases_the_runner_reads(tmp_path: Path):
    cases = [
        ResolvedCase('How do I close "my" account: now?', "entry", "a", case=7),
        ResolvedCase("what are FBA fees", "out_of_scope", case=8),
        ResolvedCase("a brand new thing", "new_topic", case=9),
        ResolvedCase("HOW do i close \"my\" account now", "entry", "a"),  # the same question again
    ]
    path = tmp_path / "cases.yaml"
    path.write_text(cases_yaml(cases, header="from resolved cases"), encoding="utf-8")
    loaded = load_cases(path)
    assert [(c.question, c.expect) for c in loaded] == [('How do I close "my" account: now?', "a"), ("what are FBA fees", "escalate")]
    assert "# case #7" in path.read_text(encoding="utf-8")
    report = run_coverage(Assistant(parse_knowledge(BASE)), loaded)
    assert len(report.outcomes) == 2


def test_grouping_puts_rewordings_together_per_language_and_most_asked_first():
    groups = group_questions([
        ("how do I set up sponsored ads", "en"), ("How do I set up sponsored ads?", "en"),
        ("how can I set up sponsored ads", "en"), ("what is the weather", "en"),
        ("怎么设置广告", "zh"), ("怎么设置广告?", "zh"), ("", "en"), ("!!!", "en"),
    ])
    assert [(g.lang, g.count) for g in groups] == [("en", 3), ("zh", 2), ("en", 1)]
    assert groups[0].examples(1) == ["how do I set up sponsored ads"]


def test_every_skip_reason_and_problem_kind_has_a_text():
    import inspect

    from bot.learning import proof, proposals
    from bot.learning.summary import TEXTS

    reasons = set(re.findall(r'return "([a-z_]+)"', inspect.getsource(proposals)))
    kinds = set(re.findall(r'Problem\("([a-z_]+)"', inspect.getsource(proof)))
    assert reasons and kinds and (reasons | kinds) <= set(TEXTS)

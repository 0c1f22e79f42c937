"""The learning loop end to end on the bundled knowledge base: labelled traffic -> proven proposals -> YAML -> better answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from faq import Assistant, load_knowledge, parse_knowledge
from faq.check import lint
from faq.coverage import load_cases, run_coverage

from bot.learning.model import Asked, Labelled, Traffic, Vote
from bot.learning.proof import Prover
from bot.learning.proposals import Alternate, propose
from bot.learning.suggest import apply, suggest, unified_diff

ROOT = Path(__file__).resolve().parent.parent
KB_PATH = ROOT / "knowledge.yaml"
CASES = ROOT / "tests" / "coverage" / "seed_cases.yaml"
T0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


LABELLED = [
    Labelled("is my money safe", "en", at(1), "entry", "payment", "resolve"),
    Labelled("我的钱呢", "zh", at(2), "entry", "payment", "pick"),
    Labelled("my guys need vetting?", "en", at(3), "entry", "background-check", "pick"),
    Labelled("Do I keep my seller login", "en", at(4), "entry", "seller-central-access", "pick"),  # answered already
]
UNANSWERED = [
    Asked("how do I set up sponsored ads", "en", at(5), "escalate"),
    Asked("How do I set up sponsored ads?", "en", at(6), "escalate"),
    Asked("how can I set up sponsored ads", "en", at(7), "clarify"),
    Asked("what is the weather", "en", at(8), "escalate"),  # asked once: not a topic yet
]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge(KB_PATH)


@pytest.fixture(scope="module")
def kb_without_topics(kb):
    """The bundled knowledge base less its declared out-of-scope topics (which escalate fee and ads questions)."""
    return replace(kb, entries=tuple(entry for entry in kb.entries if entry.kind != "out_of_scope"))


@pytest.fixture(scope="module")
def outcome(kb):
    traffic = Traffic(asked=UNANSWERED, labelled=LABELLED)
    suggestions = suggest(kb, traffic, load_cases(CASES))
    text = KB_PATH.read_text(encoding="utf-8")
    return suggestions, text, apply(text, kb, suggestions)


def test_labelled_questions_become_proven_alternates_in_their_language(outcome):
    suggestions, _, _ = outcome
    proposed = {(a.entry_id, a.lang, a.text) for a in suggestions.alternates}
    assert ("payment", "en", "is my money safe") in proposed
    assert ("payment", "zh", "我的钱呢") in proposed
    assert ("background-check", "en", "my guys need vetting?") in proposed
    assert not suggestions.conflicts
    assert [s.reason for s in suggestions.skipped if s.text == "Do I keep my seller login"] == ["already_answered"]


def test_a_group_of_alike_unanswered_questions_becomes_one_draft(outcome):
    suggestions, _, _ = outcome
    assert len(suggestions.drafts) == 1
    draft = suggestions.drafts[0]
    assert draft.count == 3 and set(draft.question) == {"en"}
    assert "sponsored ads" in draft.question["en"].lower()


def test_applying_the_diff_answers_those_questions_and_keeps_coverage(outcome):
    _, old, new = outcome
    diff = unified_diff(old, new, "knowledge.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed and all(line.startswith("+") for line in changed)
    improved = parse_knowledge(new, "knowledge.yaml")
    assistant = Assistant(improved)
    for record in LABELLED:
        reply = assistant.reply(record.question)
        assert (reply.action, reply.entry_id) == ("answer", record.entry_id), record.question
    report = run_coverage(assistant, load_cases(CASES))
    assert report.failures == []
    draft_ids = [entry.id for entry in improved.drafts]
    assert len(draft_ids) == 1 and improved.entry(draft_ids[0]) is None  # a draft is never served
    assert any(f.key == "draft_entry" for f in lint(improved, thorough=False))


def test_a_phrasing_that_would_steal_another_entrys_questions_is_a_conflict(kb):
    # sellers said "is my money safe" is about payment; a label putting it on close-account must not win
    prover = Prover(kb, (), {"is my money safe": "payment"})
    good = Alternate("background-check", "en", "my guys need vetting?")
    accepted, conflicts = prover.prove([good, Alternate("close-account", "en", "is my money safe")])
    assert accepted == [good]
    assert [c.alternate.entry_id for c in conflicts] == ["close-account"]
    assert ("steals", "is my money safe", "payment", "close-account") in {(p.kind, p.text, p.expected, p.found) for p in conflicts[0].problems}


def test_a_near_duplicate_of_another_entrys_phrasing_is_a_conflict(kb):
    accepted, conflicts = Prover(kb).prove([Alternate("payment", "en", "close my account")])
    assert accepted == []
    assert any((p.kind, p.expected, p.found) == ("duplicate", "close-account", "payment") for p in conflicts[0].problems)


def test_an_out_of_scope_label_about_no_topic_goes_to_a_served_general_entry(kb_without_topics):
    kb = kb_without_topics
    traffic = Traffic(labelled=[Labelled("sponsored ads setup", "en", T0, "out_of_scope")])
    found = propose(kb, Assistant(kb), traffic)
    assert [(a.entry_id, a.text) for a in found.out_of_scope] == [("out-of-scope", "sponsored ads setup")]
    assert [(e.id, e.kind) for e in found.out_of_scope_entries] == [("out-of-scope", "out_of_scope")]


def test_disagreeing_labels_and_unknown_entries_are_skipped_not_proposed(kb):
    traffic = Traffic(labelled=[
        Labelled("what about my money", "en", T0, "entry", "payment"),
        Labelled("what about my money", "en", T0, "entry", "listings"),
        Labelled("where is my parcel", "en", T0, "entry", "no-such-entry"),
    ])
    found = propose(kb, Assistant(kb), traffic)
    assert found.alternates == []
    assert sorted(s.reason for s in found.skipped) == ["labels_disagree", "unknown_entry"]


def test_entries_often_marked_not_helpful_are_listed_with_their_rate(kb):
    votes = [Vote("q", "en", T0, "listings", False)] * 3 + [Vote("q", "en", T0, "listings", True)]
    votes += [Vote("q", "en", T0, "payment", False)] * 1 + [Vote("q", "en", T0, "payment", True)] * 9
    found = propose(kb, Assistant(kb), Traffic(votes=votes))
    assert [(n.entry_id, n.not_helpful, n.votes, n.rate) for n in found.not_helpful] == [("listings", 3, 4, 0.75)]


def test_any_unicode_question_is_handled(kb):
    traffic = Traffic(
        asked=[Asked("\u200b\U0001f600\ud800", "en", T0, "escalate")] * 3,
        labelled=[Labelled("  \x00 ", "en", T0, "entry", "payment"), Labelled("!!!", "zh", T0, "out_of_scope")],
    )
    found = propose(kb, Assistant(kb), traffic)
    assert found.alternates == [] and found.out_of_scope == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_names_drafts_and_reasons_in_both_languages(outcome, lang):
    from bot.learning.summary import TEXTS, render_summary

    suggestions, _, _ = outcome
    summary = render_summary(suggestions, lang)
    assert suggestions.drafts[0].id in summary
    assert TEXTS["already_answered"][lang] in summary
    assert all(set(texts) == {"en", "zh"} for texts in TEXTS.values())


def test_a_phrasing_that_breaks_a_coverage_case_is_a_conflict(kb):
    cases = [case for case in load_cases(CASES) if case.question == "How much are FBA fulfillment fees?"]
    assert cases and cases[0].expect == "escalate"
    accepted, conflicts = Prover(kb, cases).prove([Alternate("payment", "en", "how much are FBA fulfillment fees")])
    assert accepted == []
    # the failure names the entry the case is now answered with: that is where blame goes
    assert ("coverage", "How much are FBA fulfillment fees?", "escalate", "payment") in {
        (p.kind, p.text, p.expected, p.found) for p in conflicts[0].problems}
    # and the author reads it, in either language
    from bot.learning.summary import render_summary
    from bot.learning.suggest import Suggestions

    assert "(expects escalate, would get payment)" in render_summary(Suggestions(conflicts=conflicts), "en")
    assert "(应为 escalate,将得到 payment)" in render_summary(Suggestions(conflicts=conflicts), "zh")


def test_leave_one_out_in_worker_processes_finds_what_it_finds_in_one(shipped_kb):
    from bot.learning.leave_one_out import LeaveOneOut, folds

    keys = {(entry.id, lang, text) for entry in shipped_kb.entries[:4] for lang, text in entry.phrasings()}
    folded = folds(shipped_kb)
    decisions = Assistant(shipped_kb).settings
    parallel = LeaveOneOut(workers=2, min_parallel=1)
    parallel.share(["how do I reset my password"])  # encoded here; the workers take the vector as it is
    try:
        alone = LeaveOneOut(workers=1)(shipped_kb, keys, folded, decisions)
        assert parallel(shipped_kb, keys, folded, decisions) == alone and len(alone) > len(keys) // 2
        texts = [text for _, _, text in sorted(keys)] + ["how do I reset my password", "付款"]
        assert parallel.ask(shipped_kb, texts, decisions) == LeaveOneOut(workers=1).ask(shipped_kb, texts, decisions)
        assert parallel._pool is not None  # it did run in worker processes
    finally:
        parallel.close()


def test_a_version_is_weighed_what_it_loses_against_what_it_gains():
    """Real questions are messier than an author's phrasings: one shift is not a refusal when more is gained."""
    from bot.learning.proof import Problem, not_made_up

    lost = [Problem("loses", "is my money safe", "payment", None), Problem("check", "close it", "close-account", "payment")]
    assert not_made_up(lost, gains=2) == []
    assert not_made_up(lost, gains=1) == lost
    assert not_made_up([], gains=0) == []


def test_nothing_to_prove_evaluates_nothing(kb):
    """``faqbot suggest`` on a log with nothing to propose pays no leave-one-out of the whole knowledge base."""
    prover = Prover(kb)
    assert prover.prove([]) == ([], []) and prover.evaluations == 0

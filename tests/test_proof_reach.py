"""The proof asks again only what a version can move (``bot.learning.movable``), and finds what asking everything finds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from faq import Assistant
from faq.terms import content_terms

from bot.learning.leave_one_out import LeaveOneOut, engine
from bot.learning.movable import Reach
from bot.learning.proof import Prover, with_additions
from bot.learning.proposals import Alternate

LABELLED = {"is my money safe": "payment", "can I still sell on amazon": "listings", "my guys need vetting?": "background-check"}
GOOD = Alternate("background-check", "en", "do my workers need a background check")
CANDIDATES = [
    Alternate("close-account", "en", "is my money safe"),  # takes a labelled question word for word
    Alternate("payment", "en", "when will my money arrive"),
    Alternate("listings", "en", "are my listings still live"),
    Alternate("close-account", "en", "how do I shut down everything"),
]


def problems_of(prover: Prover, alternates: list[Alternate]) -> set[tuple[str, str, str, str | None]]:
    return {(p.kind, p.text, p.expected, p.found) for p in prover.problems(alternates)}


@pytest.fixture(scope="module")
def provers(shipped_kb):
    """An incremental and an exhaustive prover, each with ``GOOD`` proven (the reference the next versions add to)."""
    found = []
    for exhaustive in (False, True):
        prover = Prover(shipped_kb, (), LABELLED, exhaustive=exhaustive)
        accepted, conflicts = prover.prove([GOOD])
        assert accepted == [GOOD] and not conflicts
        found.append(prover)
    return found


@pytest.mark.parametrize("candidate", CANDIDATES, ids=lambda a: a.text)
def test_a_version_asked_in_part_finds_what_asking_everything_finds(provers, candidate):
    incremental, exhaustive = provers
    asked = incremental.asked
    assert problems_of(incremental, [GOOD, candidate]) == problems_of(exhaustive, [GOOD, candidate])
    assert incremental.asked - asked < len(incremental.probes) + len(incremental.keys)  # not everything again


def test_a_probe_the_new_phrasing_moves_is_asked_again_and_its_steal_found(provers):
    incremental, _ = provers
    found = problems_of(incremental, [GOOD, CANDIDATES[0]])
    assert ("steals", "is my money safe", "payment", "close-account") in found


def test_reach_moves_the_questions_near_the_change_and_not_the_others(shipped_kb):
    decisions = Assistant(shipped_kb).settings
    reach = Reach(engine(shipped_kb, decisions))
    after = with_additions(shipped_kb, [Alternate("close-account", "en", "is my money safe")])
    change = reach.change(shipped_kb, after)
    assert change is not None and change.targets == ("close-account",)
    texts = ["is my money safe", "how do I apply to be a subcontractor"]
    replies = LeaveOneOut().ask(shipped_kb, texts, decisions)
    assert replies[0].entry_id != "close-account"  # it is the addition that can move it
    assert reach.moved(change, texts, replies) == [True, False]
    assert reach.change(after, shipped_kb) is None  # a phrasing taken away: not followed, everything is asked


def test_an_entrys_phrasings_are_listed_once_and_the_callers_own(shipped_kb):
    entry = shipped_kb.entries[0]
    listed = entry.phrasings()
    listed.append(("en", "something else"))
    assert ("en", "something else") not in entry.phrasings()
    assert entry.phrasings()[0] == next(iter(entry.question.items()))


def test_what_an_entry_mentions_is_shared_by_copies_and_the_same_as_worked_out(shipped_kb):
    assistant = Assistant(shipped_kb)
    prepared = assistant.retriever.prepared
    texts = ["Can I close my account?", "关闭账户"]
    assert prepared.mentions(texts) == content_terms(prepared.prepare(texts[0])) | content_terms(prepared.prepare(texts[1]))
    assert prepared.mentions(texts) is prepared.mentions(list(texts))  # worked out once


@pytest.fixture(scope="module")
def faq_only(shipped_kb):
    """The bundled knowledge base less its small talk and out-of-scope topics (whose questions are always asked again)."""
    return replace(shipped_kb, entries=tuple(entry for entry in shipped_kb.entries if entry.kind == "faq"))


@pytest.mark.parametrize("added", [Alternate("close-account", "en", "I want to quit"),
                                   Alternate("listings", "en", "will my products stay up"),
                                   Alternate("payment", "en", "my earnings and funds")], ids=lambda a: a.text)
def test_every_question_whose_reply_changes_is_one_reach_moves(faq_only, added):
    decisions = Assistant(faq_only).settings
    reach = Reach(engine(faq_only, decisions))
    after = with_additions(faq_only, [added])
    texts = [text for entry in faq_only.entries for _, text in entry.phrasings()]
    texts += ["is my money safe", "where are my funds", "do I have to leave", "can I quit for good"]
    before, now = LeaveOneOut().ask(faq_only, texts, decisions), LeaveOneOut().ask(after, texts, decisions)
    moved = reach.moved(reach.change(faq_only, after), texts, before)
    changed = [(old.action, old.entry_id) != (new.action, new.entry_id) for old, new in zip(before, now)]
    assert any(changed)  # the addition does move some replies...
    assert [text for text, m, c in zip(texts, moved, changed) if c and not m] == []
    assert sum(moved) < len(texts) / 2  # ...and most questions are not asked again

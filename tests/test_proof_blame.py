"""A failed version blames the candidates most alike its failures, and phrasings are left out by folds."""

from __future__ import annotations

from faq import Assistant
from faq.model import Entry, KnowledgeBase

from bot.learning.blame import Problem, blamed
from bot.learning.leave_one_out import LeaveOneOut, folds, without_fold
from bot.learning.proof import Prover
from bot.learning.proposals import Alternate

WITHDRAW = Alternate("payment", "en", "how do I withdraw my money")
JOKE = Alternate("payment", "en", "tell me a joke")
ZH = Alternate("payment", "zh", "我什么时候能提现")


def test_a_failed_batch_tries_apart_only_the_candidate_its_steal_is_blamed_on(shipped_kb):
    goods = [Alternate("close-account", "en", text) for text in (
        "how do I shut my seller account", "I want to close my store for good",
        "where do I delete my business account", "can my account be closed now")]
    bad = Alternate("close-account", "en", "is my money safe")  # sellers said this is about payment
    prover = Prover(shipped_kb, (), {"is my money safe": "payment"})
    accepted, conflicts = prover.prove(goods + [bad])
    assert accepted == goods and [conflict.alternate for conflict in conflicts] == [bad]
    # the knowledge base as it is, all together, all but the culprit, the culprit alone: not one try per candidate
    assert prover.evaluations == 4


def test_a_loss_is_charged_to_the_candidate_most_alike_it_by_wording_without_an_encoder():
    lost = [Problem("loses", "withdraw my money now", "balance", "payment")]
    assert blamed(lost, [], [WITHDRAW, JOKE], None) == {WITHDRAW}


def test_a_loss_made_up_by_a_gain_of_the_same_candidate_blames_nothing_and_a_steal_always_blames(shipped_kb):
    encoder = Assistant(shipped_kb).variant(shipped_kb).semantic.encoder
    lost = [Problem("check", "can I take out my cash", "balance", "payment")]
    assert blamed(lost, [], [WITHDRAW, JOKE], encoder) == {WITHDRAW}
    assert blamed(lost, [("payment", "withdrawing money to my bank")], [WITHDRAW, JOKE], encoder) == set()
    stolen = [Problem("steals", "什么时候可以提现", "balance", "payment")]  # by meaning, across languages
    assert blamed(stolen, [("payment", "提现要多久")], [WITHDRAW, JOKE, ZH], encoder) == {ZH}


def _entry(entry_id: str, *phrasings: str, zh: str | None = None) -> Entry:
    question = {"en": phrasings[0], **({"zh": zh} if zh else {})}
    return Entry(id=entry_id, question=question, answer={"en": "-"}, alternates={"en": tuple(phrasings[1:])})


def test_a_fold_takes_one_phrasing_of_every_entry_but_never_the_only_one_of_its_language():
    kb = KnowledgeBase(entries=(_entry("a", "a one", "a two", zh="甲"), _entry("b", "b one", "b two", "b three")))
    folded = folds(kb)
    assert folded[("a", "en", "a one")] == folded[("b", "en", "b one")] == 0
    first = [key for key, n in folded.items() if n == 0]
    smaller, left_out = without_fold(kb, first)
    assert left_out == {("a", "en", "a one"), ("b", "en", "b one")}
    assert [entry.phrasings() for entry in smaller.entries] == [[("en", "a two"), ("zh", "甲")],
                                                                [("en", "b two"), ("en", "b three")]]
    second = [key for key, n in folded.items() if n == 1]  # a's only Chinese phrasing and b's second
    assert without_fold(kb, second)[1] == {("b", "en", "b two")}


def test_each_phrasing_is_asked_of_a_copy_without_it(shipped_kb):
    keys = [(entry.id, lang, text) for entry in shipped_kb.entries[:6] for lang, text in entry.phrasings()]
    decisions = Assistant(shipped_kb).settings
    found = LeaveOneOut()(shipped_kb, keys, folds(shipped_kb), decisions)
    assert found and set(found) <= set(keys)
    whole = LeaveOneOut().ask(shipped_kb, [key[2] for key in found], decisions)
    assert all(reply.score == 100.0 for reply in whole)  # asked whole, a phrasing is word for word its entry's
    assert sum(reply.score < 100.0 for reply in found.values()) > len(found) // 2  # left out, it is not

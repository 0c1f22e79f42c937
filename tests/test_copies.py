"""Copies of a knowledge base (leave-one-out, proofs) share preparation, and answer exactly as fresh builds do."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from faq import Assistant
from faq.check import near_duplicate_pairs
from faq.encoder import MemoEncoder
from faq.model import KnowledgeBase
from faq.normalize import normalize
from faq.prepared import PreparedTexts, sorted_words, spaced
from faq.pseudo import leave_out
from faq.retriever import Retriever
from faq.semantic import centroids
from faq.vector_cache import phrasing_rows


def left_out_copies(kb: KnowledgeBase, every: int = 4):
    """``(copy, text)``: ``kb`` with one phrasing left out, and that phrasing (every ``every``-th one)."""
    phrasings = [(position, lang, text) for position, entry in enumerate(kb.entries) for lang, text in entry.phrasings()]
    for position, lang, text in phrasings[::every]:
        copy = leave_out(kb, position, lang, text)
        if copy is not None:
            yield copy, text


def with_phrasing(kb: KnowledgeBase, entry_id: str, lang: str, text: str) -> KnowledgeBase:
    entries = tuple(
        replace(e, alternates={**e.alternates, lang: tuple(e.alternates.get(lang, ())) + (text,)}) if e.id == entry_id else e
        for e in kb.entries
    )
    return replace(kb, entries=entries)


def same_reply(a, b) -> bool:
    """Same decision and candidates, scores equal but for rounding: shared and fresh vocabularies number
    terms differently, so a phrasing vector's norm sums the same numbers in another order."""
    return ((a.action, a.entry_id, a.candidates) == (b.action, b.entry_id, b.candidates)
            and abs(a.score - b.score) < 1e-9)


@pytest.fixture(scope="module")
def base(shipped_kb):
    return Assistant(shipped_kb, encoder=None)


def test_lexical_copies_on_shared_preparation_answer_like_fresh_builds(shipped_kb, base):
    shared = base.retriever.prepared  # numbered every term of the whole knowledge base first
    grown = with_phrasing(shipped_kb, "payment", "en", "zorblax quintessence remittance")  # words nobody else uses
    copies = list(left_out_copies(shipped_kb)) + [(grown, "zorblax remittance?")]
    assert len(copies) > 50
    for copy, asked in copies:
        on_shared = Assistant(copy, encoder=None, decisions=base.settings, prepared=shared)
        fresh = Assistant(copy, encoder=None, decisions=base.settings)
        # the left-out phrasing's own words are numbered in the shared vocabulary but unused by the copy
        for question in (asked, "how do I close my acount", "卖家平台还能登录吗", "zorblax"):
            assert same_reply(on_shared.reply(question), fresh.reply(question)), (asked, question)


def test_preparation_is_not_shared_across_different_synonyms(shipped_kb, base):
    other = replace(shipped_kb, synonyms=(("close", "shut"),))
    assert not base.retriever.prepared.fits(other.synonyms)
    assert Retriever(other, prepared=base.retriever.prepared).prepared is not base.retriever.prepared


def test_a_hybrid_copy_takes_the_centroids_of_its_own_phrasings(shipped_kb):
    assistant = Assistant(shipped_kb)
    for copy, _ in list(left_out_copies(shipped_kb, every=40)):
        variant = assistant.variant(copy)
        memo = variant.semantic.encoder
        assert isinstance(memo, MemoEncoder)
        texts, owners = phrasing_rows(copy)
        expected = centroids(memo.encode(texts), owners, len(copy.entries))
        assert np.array_equal(variant.semantic.hybrid.semantic.centroids, expected)


def test_remembered_vectors_are_used_as_they_are():
    class Refuses:
        name, version = "none", "0"

        def encode(self, texts):
            raise AssertionError(f"asked to encode {texts}")

    memo = MemoEncoder(Refuses())
    vector = np.full(512, 1 / np.sqrt(512), dtype=np.float32)
    memo.remember({"close my account": vector})
    assert np.array_equal(memo.encode(["close my account"])[0], vector)
    assert np.allclose(memo.centroid(("close my account", "close my account")), vector)


WORDS = st.sampled_from(["close", "account", "seller", "my", "a", "关", "闭", "账户", "central", "paid", "1", "ab"])


@settings(max_examples=300, deadline=None)
@given(a=st.lists(WORDS, max_size=12).map(" ".join), b=st.lists(WORDS, max_size=12).map(" ".join))
def test_ratio_of_sorted_words_is_token_sort_ratio(a, b):
    first, second = spaced(normalize(a)), spaced(normalize(b))
    assert fuzz.ratio(sorted_words(first), sorted_words(second)) == fuzz.token_sort_ratio(first, second)


def test_near_duplicates_of_some_rows_are_those_the_full_scan_finds(shipped_kb):
    copied = next(e for e in shipped_kb.entries if e.id == "close-account").question["en"]
    kb = with_phrasing(shipped_kb, "payment", "en", copied)
    retriever = Retriever(kb, prepared=PreparedTexts(kb.synonyms))
    payment = [e.id for e in kb.entries].index("payment")
    row = next(r for r, text in enumerate(retriever.phrasings)
               if text == copied and retriever.index.phrasing_entry[r] == payment)  # the one added
    everything = {frozenset(pair[:2]) for pair in near_duplicate_pairs(retriever)}
    mine = {frozenset(pair[:2]) for pair in near_duplicate_pairs(retriever, [row])}
    assert mine and mine == {pair for pair in everything if row in pair}

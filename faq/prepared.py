"""Phrasings prepared for the lexical index once, shared by every copy of a knowledge base.

Leave-one-out (``faqbot check``) and the proofs of ``faqbot suggest`` index hundreds
of copies of one knowledge base that differ by a phrasing or two. Normalizing each
phrasing, applying the synonyms and splitting it into numbered terms again for every
copy was most of what a copy cost; a ``PreparedTexts`` does it once per text, and
gathers an entry's texts into its part of the index once per entry, for every
``Retriever`` built with it (an unchanged entry costs a look-up).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

from faq.index import EntryTerms, Vocabulary
from faq.normalize import normalize
from faq.synonyms import SynonymMap
from faq.terms import han_runs, stem, text_terms, words


def spaced(text: str) -> str:
    """Put spaces between Han characters so rapidfuzz's token scorers see Chinese words."""
    if not han_runs(text):
        return " ".join(text.split())
    out = []
    for char in text:
        if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
            out.append(f" {char} ")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def sorted_words(text: str) -> str:
    """``text``'s words in sorted order, as rapidfuzz's ``token_sort_ratio`` compares them (sorted once, not per question)."""
    return " ".join(sorted(text.split()))


@dataclass(frozen=True, slots=True)
class PreparedText:
    """One phrasing as the retriever uses it."""

    fuzzy: str                   # normalized, synonyms applied, Han spaced: for the word-for-word check
    sorted_words: str            # ``fuzzy``'s words in sorted order: ``token_sort_ratio`` is ``ratio`` of these
    term_ids: tuple[int, ...]    # its weighted terms (``faq.terms``), numbered in the ``Vocabulary``
    weights: tuple[float, ...]
    words: frozenset[str]        # its words of three letters or more, for typo correction


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """One entry's phrasings (then keywords) prepared, with what the retriever gathers from them."""

    texts: tuple[str, ...]
    n_phrasings: int                  # the first ``n_phrasings`` texts are phrasings, the rest keywords
    sorted_words: tuple[str, ...]     # per text, as ``PreparedText.sorted_words``
    wordings: frozenset[str]          # the phrasings' ``fuzzy`` forms, for the word-for-word check
    words: frozenset[str]             # every text's words of three letters or more
    stems: frozenset[str]             # their stems
    terms: EntryTerms


#: Texts and entries kept prepared: far more than one proof's copies change at once, and bounded, so
#: that a long-running process serving a large knowledge base does not keep them all twice.
TEXT_CACHE = 8192
ENTRY_CACHE = 4096


class PreparedTexts:
    """Prepared phrasings of knowledge bases with the same synonyms, each text prepared once; safe to share."""

    def __init__(self, synonyms: Iterable[Iterable[str]] = ()):
        self.groups = tuple(tuple(group) for group in synonyms)
        self.synonyms = SynonymMap(self.groups)
        self.vocabulary = Vocabulary()
        self._texts: OrderedDict[str, PreparedText] = OrderedDict()
        self._entries: OrderedDict[tuple[tuple[str, ...], int], PreparedEntry] = OrderedDict()
        self._lock = threading.Lock()

    def fits(self, synonyms: Iterable[Iterable[str]]) -> bool:
        """Whether a knowledge base with these synonym groups can use these prepared texts."""
        return self.groups == tuple(tuple(group) for group in synonyms)

    def prepare(self, text: str) -> str:
        """``text`` normalized with the synonyms applied (what questions and phrasings are matched as)."""
        return self.synonyms.apply(normalize(text))

    def get(self, text: str) -> PreparedText:
        """``text`` prepared (once while it stays in the cache)."""
        with self._lock:
            found = self._texts.get(text)
            if found is not None:
                self._texts.move_to_end(text)
                return found
        prepared = self.prepare(text)
        terms = text_terms(prepared)
        fuzzy = spaced(prepared)
        with self._lock:
            found = self._texts[text] = PreparedText(
                fuzzy=fuzzy,
                sorted_words=sorted_words(fuzzy),
                term_ids=self.vocabulary.number(term for term, _ in terms),
                weights=tuple(weight for _, weight in terms),
                words=frozenset(word for word in words(fuzzy) if len(word) >= 3),
            )
            if len(self._texts) > TEXT_CACHE:
                self._texts.popitem(last=False)
        return found

    def entries(self, entries: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[PreparedEntry]:
        """Entries given as ``(phrasings, keywords)``, prepared (once while each stays in the cache)."""
        keys = [(tuple(phrasings) + tuple(keywords), len(phrasings)) for phrasings, keywords in entries]
        found: dict[tuple[tuple[str, ...], int], PreparedEntry] = {}
        with self._lock:
            for key in keys:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[key] = self._entries[key]
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        rows = [[self.get(text) for text in texts] for texts, _ in missing]
        terms = EntryTerms.build([[(row.term_ids, row.weights) for row in entry_rows] for entry_rows in rows])
        for (texts, n_phrasings), entry_rows, entry_terms in zip(missing, rows, terms):
            known = frozenset().union(*(row.words for row in entry_rows))
            found[(texts, n_phrasings)] = PreparedEntry(
                texts=texts, n_phrasings=n_phrasings, sorted_words=tuple(row.sorted_words for row in entry_rows),
                wordings=frozenset(row.fuzzy for row in entry_rows[:n_phrasings]), words=known,
                stems=frozenset(map(stem, known)), terms=entry_terms,
            )
        # a larger batch (a large knowledge base's first build) would mostly be evicted again, and
        # the entries that stayed would keep the whole batch's arrays in memory (theirs are views)
        if len(missing) <= ENTRY_CACHE:
            with self._lock:
                for key in missing:
                    self._entries[key] = found[key]
                while len(self._entries) > ENTRY_CACHE:
                    self._entries.popitem(last=False)
        return [found[key] for key in keys]

"""Phrasings prepared for the lexical index once, shared by every copy of a knowledge base.

Leave-one-out (``faqbot check``) and the proofs of ``faqbot suggest`` index hundreds
of copies of one knowledge base that differ by a phrasing or two. Normalizing each
phrasing, applying the synonyms and splitting it into numbered terms again for every
copy was most of what a copy cost; a ``PreparedTexts`` does it once per text and
hands the result to every ``Retriever`` built with it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable

from faq.normalize import normalize
from faq.synonyms import SynonymMap
from faq.terms import han_runs, text_terms, words


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


class Vocabulary:
    """Term <-> number, append-only: the indexes of one knowledge base's copies number each term once.

    An index only uses the numbers given out before it was built, and treats a
    numbered term none of its own phrasings has as unknown (``LexicalIndex.vector``).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def number(self, terms: Iterable[str]) -> tuple[int, ...]:
        """The number of each term, numbering the new ones (callers hold ``PreparedTexts``' lock)."""
        numbers = []
        for term in terms:
            number = self.ids.get(term)
            if number is None:
                number = self.ids[term] = len(self.terms)
                self.terms.append(term)
            numbers.append(number)
        return tuple(numbers)

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class PreparedText:
    """One phrasing as the retriever uses it."""

    fuzzy: str                   # normalized, synonyms applied, Han spaced: for the word-for-word check
    sorted_words: str            # ``fuzzy``'s words in sorted order: ``token_sort_ratio`` is ``ratio`` of these
    term_ids: tuple[int, ...]    # its weighted terms (``faq.terms``), numbered in the ``Vocabulary``
    weights: tuple[float, ...]
    words: frozenset[str]        # its words of three letters or more, for typo correction


class PreparedTexts:
    """Prepared phrasings of knowledge bases with the same synonyms, each text prepared once; safe to share."""

    def __init__(self, synonyms: Iterable[Iterable[str]] = ()):
        self.groups = tuple(tuple(group) for group in synonyms)
        self.synonyms = SynonymMap(self.groups)
        self.vocabulary = Vocabulary()
        self._texts: dict[str, PreparedText] = {}
        self._lock = threading.Lock()

    def fits(self, synonyms: Iterable[Iterable[str]]) -> bool:
        """Whether a knowledge base with these synonym groups can use these prepared texts."""
        return self.groups == tuple(tuple(group) for group in synonyms)

    def prepare(self, text: str) -> str:
        """``text`` normalized with the synonyms applied (what questions and phrasings are matched as)."""
        return self.synonyms.apply(normalize(text))

    def get(self, text: str) -> PreparedText:
        """``text`` prepared (once: later calls return the same result)."""
        found = self._texts.get(text)
        if found is not None:
            return found
        prepared = self.prepare(text)
        terms = text_terms(prepared)
        fuzzy = spaced(prepared)
        with self._lock:
            found = self._texts.get(text)
            if found is None:
                found = self._texts[text] = PreparedText(
                    fuzzy=fuzzy,
                    sorted_words=sorted_words(fuzzy),
                    term_ids=self.vocabulary.number(term for term, _ in terms),
                    weights=tuple(weight for _, weight in terms),
                    words=frozenset(word for word in words(fuzzy) if len(word) >= 3),
                )
        return found

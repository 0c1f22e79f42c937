"""Phrasings prepared for the lexical index once, shared by every copy of a knowledge base.

Leave-one-out (``faqbot check``) and the proofs of ``faqbot suggest`` index hundreds
of copies of one knowledge base that differ by a phrasing or two. Normalizing each
phrasing, applying the synonyms and splitting it into numbered terms again for every
copy would be most of what a copy costs; a ``PreparedTexts`` does it once per text, and
gathers an entry's texts into its part of the index once per entry, for every
``Retriever`` built with it (an unchanged entry costs a look-up).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Hashable, Iterable, NamedTuple, Sequence, TypeVar

from faq.index import EntryTerms, Vocabulary
from faq.normalize import HAN_RUN, normalize
from faq.synonyms import SynonymMap
from faq.terms import stem, text_terms, words


def spaced(text: str) -> str:
    """Put spaces between Han characters so rapidfuzz's token scorers see Chinese words."""
    return " ".join(HAN_RUN.sub(lambda run: f" {' '.join(run.group())} ", text).split())


def sorted_words(text: str) -> str:
    """``text``'s words in sorted order, as rapidfuzz's ``token_sort_ratio`` compares them (sorted once, not per question)."""
    return " ".join(sorted(text.split()))


class PreparedText(NamedTuple):
    """One phrasing as the retriever uses it."""

    fuzzy: str                   # normalized, synonyms applied, Han spaced: for the word-for-word check
    sorted_words: str            # ``fuzzy``'s words in sorted order: ``token_sort_ratio`` is ``ratio`` of these
    term_ids: tuple[int, ...]    # its weighted terms (``faq.terms``), numbered in the ``Vocabulary``
    weights: tuple[float, ...]
    words: frozenset[str]        # its words of three letters or more, for typo correction


class PreparedEntry(NamedTuple):
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

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class _Recent(Generic[Key, Value]):
    """The most recently used ``size`` items. A batch larger than that is not kept at all: it would
    mostly be evicted again, and (for entries) what stayed would keep the whole batch's arrays alive."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Key, Value] = OrderedDict()

    def found(self, keys: Iterable[Key]) -> dict[Key, Value]:
        """Those of ``keys`` kept, now the most recent."""
        found = {}
        for key in keys:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                found[key] = value
        return found

    def keep(self, items: dict[Key, Value]) -> None:
        """Keep ``items`` as the most recent (unless there are more than ``size``)."""
        if len(items) <= self.size:
            self._items.update(items)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class PreparedTexts:
    """Prepared phrasings of knowledge bases with the same synonyms, each text prepared once; safe to share."""

    def __init__(self, synonyms: Iterable[Iterable[str]] = ()):
        self.groups = tuple(tuple(group) for group in synonyms)
        self.synonyms = SynonymMap(self.groups)
        self.vocabulary = Vocabulary()
        self._texts: _Recent[str, PreparedText] = _Recent(TEXT_CACHE)
        self._entries: _Recent[tuple[tuple[str, ...], int], PreparedEntry] = _Recent(ENTRY_CACHE)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """Everything but the lock (``faq.lexical_cache`` keeps a built index on disk)."""
        return {name: value for name, value in self.__dict__.items() if name != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def fits(self, synonyms: Iterable[Iterable[str]]) -> bool:
        """Whether a knowledge base with these synonym groups can use these prepared texts."""
        return self.groups == tuple(tuple(group) for group in synonyms)

    def prepare(self, text: str) -> str:
        """``text`` normalized with the synonyms applied (what questions and phrasings are matched as)."""
        return self.synonyms.apply(normalize(text))

    def texts(self, texts: Sequence[str]) -> dict[str, PreparedText]:
        """Each of ``texts`` prepared (once while it stays in the cache)."""
        with self._lock:
            found = self._texts.found(texts)
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        prepared = [self.prepare(text) for text in missing]
        terms = [text_terms(text) for text in prepared]
        fuzzy = [spaced(text) for text in prepared]
        with self._lock:  # numbering terms changes the shared vocabulary
            numbers = [self.vocabulary.number(term for term, _ in weighted) for weighted in terms]
        made = {
            text: PreparedText(wording, sorted_words(wording), ids, tuple(weight for _, weight in weighted),
                               frozenset(word for word in words(wording) if len(word) >= 3))
            for text, wording, ids, weighted in zip(missing, fuzzy, numbers, terms)
        }
        with self._lock:
            self._texts.keep(made)
        return {**found, **made}

    def entries(self, entries: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[PreparedEntry]:
        """Entries given as ``(phrasings, keywords)``, prepared (once while each stays in the cache)."""
        keys = [(tuple(phrasings) + tuple(keywords), len(phrasings)) for phrasings, keywords in entries]
        with self._lock:
            found = self._entries.found(keys)
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        prepared = self.texts([text for texts, _ in missing for text in texts])
        rows = [[prepared[text] for text in texts] for texts, _ in missing]
        terms = EntryTerms.build([[(row.term_ids, row.weights) for row in entry_rows] for entry_rows in rows])
        made = {}
        for (texts, n_phrasings), entry_rows, entry_terms in zip(missing, rows, terms):
            known = frozenset().union(*(row.words for row in entry_rows))
            made[(texts, n_phrasings)] = PreparedEntry(
                texts, n_phrasings, tuple(row.sorted_words for row in entry_rows),
                frozenset(row.fuzzy for row in entry_rows[:n_phrasings]), known, frozenset(map(stem, known)), entry_terms,
            )
        with self._lock:
            self._entries.keep(made)
        found.update(made)
        return [found[key] for key in keys]

"""Which questions a version of the knowledge base can answer differently: the proof asks only those again.

A version adds phrasings to some entries (the targets) of a knowledge base whose replies are
known (the reference). A reply is decided by its best entry, the margin to the runner-up and
what the entries mention (``faq.edges``). A question is asked again when:
- its best entry is not an FAQ entry (small talk and out-of-scope topics weigh the entries
  behind them), or nothing matched, or its best entry is a target;
- it names a content word an added phrasing brings that an out-of-scope topic names too, or
  names too little to be answered by scores alone and shares a content word with one (what the
  entries mention decides those edges), or has a word that a new word could correct as a typo;
- a target's score for it, before or after, may reach ``min(best - margin, answer_score)``.
  Below that, the best entry stays best, clearly ahead or not as before, and answered or not
  as before. The bound: ``100 x weight x cosine`` by meaning, plus the lexical share of at most
  ``100 x sqrt(similarity)``, the word similarity to the target's phrasings that the lexical
  score weighs down by evidence and wording (``faq.retriever``), in the index before and after.

Assumed: adding words shifts the lexical index's statistics for every entry a little (a word's
inverse document frequency, the vocabulary size in the length penalty); those shifts are
ignored. ``Prover(exhaustive=True)`` asks every question of every version instead, to measure
what that changes (``docs/performance.md``).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from faq.assistant import Assistant
from faq.model import KnowledgeBase
from faq.normalize import normalize
from faq.retriever import Retriever
from faq.terms import EN_FUNCTION_WORDS, content_terms, han_runs, is_compound, stem, text_terms, too_little

from bot.learning.leave_one_out import Replied

#: Points of score kept between a target's score and the threshold it must stay under (rounding, float noise).
SLACK = 0.5
#: Lexical indexes a ``Reach`` keeps, the least recently used one dropped first: a proof compares each
#: version with the same reference copies (one per fold), and those must stay.
INDEX_MEMO = 24
#: Similarity values (entries x questions) a ``Reach`` keeps for one index (it starts over when more).
SIMILARITY_MEMO = 500_000


@dataclass(frozen=True)
class Change:
    """What one version changes against the reference: the targets, their words, their meaning before and after."""

    targets: tuple[str, ...]
    terms: dict[str, list[int]]    # index term -> the targets (positions) whose phrasings or keywords have it
    mentions: frozenset[str]       # content terms of the added phrasings
    named: frozenset[str]          # those an out-of-scope topic names too (or all, when a topic got phrasings)
    new_words: tuple[str, ...]     # words of the added phrasings (for typo corrections)
    vectors: np.ndarray            # what the targets are compared with by meaning, before and after (rows)
    owners: np.ndarray             # the target (position) of each row, in runs
    indexes: tuple[tuple[_Indexed, np.ndarray], ...]  # the lexical index before and after, with each target's row


@dataclass
class _Indexed:
    """A knowledge base (kept alive: it is known by identity), its lexical index and questions' similarities in it."""

    kb: KnowledgeBase
    retriever: Retriever
    similarities: dict[str, np.ndarray | None] = field(default_factory=dict)


@dataclass(frozen=True)
class _Query:
    """A question as the lexical index sees it."""

    prepared: str                  # normalized, synonyms applied, typos corrected as the knowledge base has it
    terms: list[tuple[str, float]]  # its index terms and their weights (``faq.terms.text_terms``)
    squared: dict[str, float]      # its index terms, each with its squared share of the question's term vector
    mentions: frozenset[str]       # its content terms (what it asks about)
    brief: bool                    # it names too little to be answered outright by scores alone (``faq.terms``)
    typo_words: frozenset[str]     # words a typo correction could replace


class Reach:
    """Tells, for a version, which questions it can move (see the module docstring)."""

    def __init__(self, engine: Assistant):
        """``engine``: an engine for a copy of the knowledge base (its preparation, index, encoder and thresholds)."""
        self.engine = engine
        semantic = engine.semantic
        fusion = semantic.hybrid.fusion if semantic is not None else None
        self.meaning_weight = 100 * fusion.weight if fusion else 0.0
        self.lexical_share = 1 - fusion.weight if fusion else 1.0
        self.floor = fusion.lexical_floor if fusion else 1.0
        self.encoder = semantic.encoder if semantic is not None else None
        self._queries: dict[str, _Query] = {}
        # how many texts of the knowledge base use each word: a word none uses, or one only (left out, none
        # does), is what a typo correction may replace
        self._word_texts: Counter = Counter()
        for entry in engine.kb.entries:
            for text in [text for _, text in entry.phrasings()] + list(entry.keywords):
                self._word_texts.update(set(engine.retriever.prepare(text).split()))
        self._stems: Counter = Counter()
        for word, count in self._word_texts.items():
            self._stems[stem(word)] += count
        # per knowledge base (by identity): its lexical index, and each question's similarities in it
        self._indexes: OrderedDict[int, _Indexed] = OrderedDict()

    def change(self, before: KnowledgeBase, after: KnowledgeBase) -> Change | None:
        """What ``after`` changes against ``before``; None when it takes a phrasing away (only additions are followed)."""
        prepare = self.engine.retriever.prepare
        old = {entry.id: entry for entry in before.entries}
        targets: list[str] = []
        terms: dict[str, list[int]] = {}
        added: list[str] = []
        vectors: list[tuple[int, np.ndarray]] = []
        for entry in after.entries:
            was = old.pop(entry.id, None)
            phrasings, had = entry.phrasings(), was.phrasings() if was is not None else []
            if was is not None and had == phrasings and was.keywords == entry.keywords:
                continue
            known = set(had)
            if not known <= set(phrasings):
                return None
            position = len(targets)
            targets.append(entry.id)
            for term in {term for text in [text for _, text in phrasings] + list(entry.keywords)
                         for term, _ in text_terms(prepare(text))}:
                terms.setdefault(term, []).append(position)
            added += [text for lang, text in phrasings if (lang, text) not in known]
            rows = self._vectors(entry.kind, [text for _, text in phrasings])
            if was is not None:
                rows += self._vectors(was.kind, [text for _, text in had])
            vectors += [(position, row) for row in rows]
        if old:
            return None
        prepared = [prepare(text) for text in added]
        new_words = {word for text in prepared for word in text.split() if len(word) >= 3}
        mentions = frozenset().union(*(content_terms(text) for text in prepared))
        topics = [entry for entry in after.entries if entry.kind == "out_of_scope"]
        if any(entry.id in targets for entry in topics):
            named = mentions
        else:  # an entry's new word changes an edge only where an out-of-scope topic names it (``Edges.next_to``)
            mentions_of = self.engine.retriever.prepared.mentions
            named = mentions & frozenset().union(*(mentions_of(
                [text for _, text in entry.phrasings()] + list(entry.answer.values()) + list(entry.keywords))
                for entry in topics))
        owners = np.array([position for position, rows in vectors for _ in range(len(rows))], dtype=np.int64)
        matrix = np.concatenate([rows for _, rows in vectors]) if vectors else np.zeros((0, 1), dtype=np.float32)
        indexes = tuple(self._index(kb, targets) for kb in (before, after))
        return Change(tuple(targets), terms, mentions, named, tuple(sorted(new_words)), matrix, owners, indexes)

    def moved(self, change: Change, texts: Sequence[str], replies: Sequence[Replied]) -> list[bool]:
        """For each question (with its reply in the reference): whether ``change`` can move it."""
        settings = self.engine.settings
        targets = set(change.targets)
        queries = [self._query(text) for text in texts]
        corrected = self._corrected(change, queries)
        meaning = self._meaning(change, texts)
        moved = []
        for n, (query, reply) in enumerate(zip(queries, replies)):
            if reply.kind != "faq" or reply.entry_id in targets:
                moved.append(True)
            elif query.mentions & change.named or (query.brief and query.mentions & change.mentions) or n in corrected:
                moved.append(True)
            else:
                threshold = min(reply.score - settings.margin, settings.answer_score) - SLACK
                moved.append(len(meaning[n]) > 0 and self._best_bound(change, query, meaning[n], threshold) >= threshold)
        return moved

    def _best_bound(self, change: Change, query: _Query, meaning: np.ndarray, threshold: float) -> float:
        """The highest score any target can have for the question, before or after (see the module docstring);
        by meaning alone when that reaches ``threshold`` already or no word is shared."""
        best = float(meaning.max())
        shared = np.zeros(len(change.targets))
        for term, squared in query.squared.items():
            for position in change.terms.get(term, ()):
                shared[position] += squared
        if best >= threshold or not shared.any():
            return best
        # first without building anything: no cosine with the shared terms is above their share of the question
        lexical = 100 * np.sqrt(np.sqrt(np.minimum(shared, 1.0)))
        if float(np.maximum(meaning + self.lexical_share * lexical, self.floor * lexical).max()) < threshold:
            return best
        lexical = np.zeros(len(change.targets))
        for indexed, rows in change.indexes:
            lexical = np.maximum(lexical, self._lexical(indexed, rows, query))
        bound = np.maximum(meaning + self.lexical_share * lexical, self.floor * lexical)
        bound[lexical >= 99.9] = 100.0  # every word shared: it may be one of the target's phrasings word for word
        return float(min(bound.max(), 100.0))

    def _lexical(self, indexed: _Indexed, rows: np.ndarray, query: _Query) -> np.ndarray:
        """At most each target's lexical score for the question: ``100 x sqrt(similarity)``, the similarity
        being what ``Retriever.score`` weighs down by the evidence (a factor of at most 1) and the wording (too)."""
        found = np.zeros(len(rows))
        similarity = self._similarity(indexed, query)
        if similarity is None:
            return found
        present = rows >= 0
        found[present] = 100 * np.sqrt(np.clip(similarity[rows[present]], 0.0, 1.0))
        return found

    @staticmethod
    def _similarity(indexed: _Indexed, query: _Query) -> np.ndarray | None:
        """Every entry's word similarity to the question (best phrasing and centroid, as weighed); None: no word known."""
        memo = indexed.similarities
        if query.prepared in memo:
            return memo[query.prepared]
        retriever = indexed.retriever
        index = retriever.index
        vector = index.vector(query.terms)
        similarity = None
        if vector:
            best = np.maximum.reduceat(index.phrasing_scores(vector), index.entry_bounds[:-1])
            weight = retriever.tuning.phrasing_weight
            similarity = weight * best + (1 - weight) * index.centroid_scores(vector)
        if len(memo) * index.n_entries >= SIMILARITY_MEMO:
            memo.clear()
        memo[query.prepared] = similarity
        return similarity

    def index(self, kb: KnowledgeBase) -> Retriever:
        """``kb``'s lexical index, built once per knowledge base (the proof's near-duplicate check reads it too)."""
        return self._indexed(kb).retriever

    def _indexed(self, kb: KnowledgeBase) -> _Indexed:
        """``kb`` with its lexical index, from the memo when it is there (then it counts as used last)."""
        held = self._indexes.get(id(kb))
        if held is not None:
            self._indexes.move_to_end(id(kb))
            return held
        if len(self._indexes) >= INDEX_MEMO:
            self._indexes.popitem(last=False)
        held = self._indexes[id(kb)] = _Indexed(kb, Retriever(kb, self.engine.retriever.tuning, self.engine.retriever.prepared))
        return held

    def _index(self, kb: KnowledgeBase, targets: list[str]) -> tuple[_Indexed, np.ndarray]:
        """``kb``'s lexical index and the row of each target in it (-1: not in ``kb``)."""
        rows = {entry.id: n for n, entry in enumerate(kb.entries)}
        return self._indexed(kb), np.array([rows.get(entry_id, -1) for entry_id in targets], dtype=np.int64)

    def _query(self, text: str) -> _Query:
        """``text`` as the lexical index sees it, once per text."""
        found = self._queries.get(text)
        if found is None:
            retriever = self.engine.retriever
            prepared = retriever.prepare(text)
            corrected = retriever.correct_typos(prepared)
            tuning = retriever.tuning
            typo_words = frozenset(word for word in prepared.split()
                                   if len(word) >= tuning.min_typo_length and word.isalpha() and not han_runs(word)
                                   and word not in EN_FUNCTION_WORDS
                                   and (self._word_texts[word] <= 1 or self._stems[stem(word)] <= 1))
            terms = text_terms(corrected)
            found = _Query(corrected, terms, self._squared(terms),
                           content_terms(prepared) | content_terms(corrected), too_little(text), typo_words)
            self._queries[text] = found
        return found

    def _squared(self, terms: list[tuple[str, float]]) -> dict[str, float]:
        """Each index term of a question with its squared weight in the question's unit term vector
        (a term the knowledge base does not use at the highest weight one can have: it may come to use it)."""
        index = self.engine.retriever.index
        counts: dict[str, float] = {}
        for term, weight in terms:
            counts[term] = counts.get(term, 0.0) + weight
        squared = {}
        for term, count in counts.items():
            number = index.number(term)
            squared[term] = (count * (index.idf[number] if number is not None else index.unknown_idf)) ** 2
        # the question's length as the index measures it: unknown pairs of known words do not count
        length = sum(value for term, value in squared.items() if index.number(term) is not None or not is_compound(term))
        length = length or 1.0
        return {term: value / length for term, value in squared.items()}

    def _corrected(self, change: Change, queries: Sequence[_Query]) -> set[int]:
        """The questions with a word that a word of the added phrasings could correct."""
        if not change.new_words:
            return set()
        words = sorted(set().union(*(query.typo_words for query in queries)))
        if not words:
            return set()
        ratios = process.cdist(words, list(change.new_words), scorer=fuzz.ratio, dtype=np.float64)
        cutoff = self.engine.retriever.tuning.typo_cutoff - SLACK
        near = {word for word, row in zip(words, ratios) if row.max() >= cutoff}
        return {n for n, query in enumerate(queries) if query.typo_words & near}

    def _meaning(self, change: Change, texts: Sequence[str]) -> np.ndarray:
        """Per question and target: its meaning score (``100 x weight x cosine``), the higher of before and after."""
        found = np.zeros((len(texts), len(change.targets)))
        if self.encoder is None or not len(change.owners):
            return found
        questions = self.encoder.encode([normalize(text) for text in texts])
        scores = self.meaning_weight * np.maximum(questions @ change.vectors.T, 0.0)
        starts = np.flatnonzero(np.r_[True, change.owners[1:] != change.owners[:-1]])
        found[:, change.owners[starts]] = np.maximum.reduceat(scores, starts, axis=1)
        return found

    def _vectors(self, kind: str, texts: list[str]) -> list[np.ndarray]:
        """What an entry is compared with by meaning: its centroid, and each phrasing of an out-of-scope topic."""
        if self.encoder is None or not texts:
            return []
        normalized = tuple(normalize(text) for text in texts)
        found = [self.encoder.centroid(normalized)[None, :]]
        if kind == "out_of_scope":
            found.append(self.encoder.encode(list(normalized)))
        return found

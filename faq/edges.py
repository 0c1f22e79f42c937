"""The edges of a decision, where a threshold and a margin alone tell a seller something wrong.

``decide`` (in ``faq.assistant``) looks at scores; this module looks at what a
question names and what each entry mentions (its phrasings, keywords and
answer), and corrects the decision in three places:

* an out-of-scope topic wins only the way an FAQ entry would (the answer score
  and the margin over the best FAQ entry, that entry measured as topics are);
  a near tie offers the FAQ entries instead of a routing text that would say a
  covered topic is not covered;
* a question that names one thing ("account", "帐号") is not answered outright
  unless the entry is asked that briefly or is the only one naming it;
* a question next to an entry that names what only out-of-scope topics name
  ("will the background checks be refunded?") is escalated rather than
  answered with the entry it sits next to.

All three were measured with ``benchmarks/near_topic.py`` (the bundled FAQ:
near-topic questions of our own and the coverage cases) and
``benchmarks/quality.py`` (the public benchmark knowledge bases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from faq.model import Action, KnowledgeBase
from faq.retriever import Match
from faq.terms import content_terms, term_units, too_little

#: The kinds of entries the FAQ answers (as opposed to its out-of-scope topics).
ANSWERABLE = frozenset({"faq", "smalltalk"})
#: A question is next to an entry when at least this many content units of it (an English word 1, a Chinese
#: character 0.5) are named only by out-of-scope topics.
NEXT_TO_UNITS = 1.0


@dataclass(frozen=True)
class Verdict:
    """What to do with a question: the action, and whether an out-of-scope topic decided it."""

    action: Action
    #: an out-of-scope topic won: escalate with its routing text
    routed: bool = False
    #: an out-of-scope topic tied with FAQ entries: offer these (the FAQ entries, measured as topics are)
    choices: tuple[Match, ...] = ()


class Coverage:
    """What each entry mentions, and which entries mention a term; built on first use.

    A question next to an entry ("can I sell groceries?" next to "can I still
    sell?") names something the entry never does: another country, a later
    step, a different party, a detail of money.
    """

    def __init__(self, kb: KnowledgeBase, prepare: Callable[[str], str],
                 mentions: Callable[[Sequence[str]], frozenset[str]],
                 correct: Callable[[str], str] = lambda prepared: prepared):
        """``prepare``: normalize and apply synonyms; ``mentions``: the content terms of some texts together,
        shared by copies of the knowledge base (``PreparedTexts.mentions``); ``correct``: fix a prepared
        question's typos ("acount")."""
        self.kb = kb
        self.prepare = prepare
        self.correct = correct
        self.mentions = mentions
        self._mentioned: dict[int, frozenset[str]] = {}
        self._owners: dict[str, frozenset[int]] | None = None
        self._named: dict[frozenset[str], frozenset[str]] = {}

    def asked(self, question: str) -> frozenset[str]:
        """What ``question`` asks about: its content terms, typos corrected to the knowledge base's words."""
        return content_terms(self.correct(self.prepare(question)))

    def mentioned(self, entry_index: int) -> frozenset[str]:
        """The content terms of the entry's phrasings, keywords and answers."""
        if entry_index not in self._mentioned:
            entry = self.kb.entries[entry_index]
            texts = [text for _, text in entry.phrasings()] + list(entry.answer.values()) + list(entry.keywords)
            self._mentioned[entry_index] = self.mentions(texts)
        return self._mentioned[entry_index]

    def owners(self, term: str) -> frozenset[int]:
        """The entries that mention ``term``."""
        if self._owners is None:
            found: dict[str, set[int]] = {}
            for index in range(len(self.kb.entries)):
                for mentioned in self.mentioned(index):
                    found.setdefault(mentioned, set()).add(index)
            self._owners = {key: frozenset(value) for key, value in found.items()}
        return self._owners.get(term, frozenset())

    def naming(self, asked: frozenset[str]) -> frozenset[int]:
        """The entries that mention everything in ``asked`` (none when it is empty)."""
        if not asked:
            return frozenset()
        return frozenset.intersection(*(self.owners(term) for term in asked))

    def shared(self, asked: frozenset[str], entry_index: int) -> bool:
        """Whether another entry the FAQ answers mentions any of ``asked``."""
        kinds = [entry.kind for entry in self.kb.entries]
        return any(index != entry_index and kinds[index] in ANSWERABLE for term in asked for index in self.owners(term))

    def named_by(self, kinds: frozenset[str]) -> frozenset[str]:
        """Everything the entries of these kinds mention."""
        if kinds not in self._named:
            self._named[kinds] = frozenset().union(
                *(self.mentioned(i) for i, entry in enumerate(self.kb.entries) if entry.kind in kinds))
        return self._named[kinds]


class Edges:
    """The three corrections of the module docstring, for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, prepare: Callable[[str], str], correct: Callable[[str], str],
                 mentions: Callable[[Sequence[str]], frozenset[str]]):
        self.kb = kb
        self.coverage = Coverage(kb, prepare, mentions, correct)
        self._brief: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def next_to(self, question: str, entry_index: int) -> bool:
        """Whether ``question`` asks about something next to this entry rather than about it: it names what
        the entry never mentions and only out-of-scope topics do ("will the background checks be refunded")."""
        coverage = self.coverage
        uncovered = coverage.asked(question) - coverage.mentioned(entry_index)
        topics_named = uncovered & coverage.named_by(frozenset({"out_of_scope"}))
        if not topics_named:  # most questions: what every answerable entry mentions need not be gathered
            return False
        return term_units(topics_named - coverage.named_by(ANSWERABLE)) >= NEXT_TO_UNITS

    def brief_enough(self, question: str, lang: str, entry_index: int) -> bool:
        """Whether a question that names one thing may still be answered with this entry.

        Yes when the entry is asked that briefly: a one-thing phrasing of its
        own names the same thing, or it has one-thing phrasings in this language
        and no other answerable entry mentions what the question names
        ("absolutely not" for an entry asked "no"; not "我的账户", which three
        entries mention). Yes too when the entry is the only one naming it ("背调").
        """
        asked = self.coverage.asked(question)
        langs, names = self._brief_phrasings(entry_index)
        if asked and asked <= names:
            return True
        if lang in langs and not self.coverage.shared(asked, entry_index):
            return True
        return self.coverage.naming(asked) == {entry_index}

    def _brief_phrasings(self, entry_index: int) -> tuple[frozenset[str], frozenset[str]]:
        """The languages of the entry's one-thing phrasings ("cancel", "背调") and what they name."""
        if entry_index not in self._brief:
            brief = [(lang, text) for lang, text in self.kb.entries[entry_index].phrasings() if too_little(text)]
            self._brief[entry_index] = (frozenset(lang for lang, _ in brief),
                                        frozenset().union(*(self.coverage.asked(text) for _, text in brief)))
        return self._brief[entry_index]

    def covering(self, question: str, entries: list[int]) -> list[int]:
        """Those of ``entries`` that mention everything ``question`` asks about."""
        asked = self.coverage.asked(question)
        return [index for index in entries if asked <= self.coverage.mentioned(index)]

"""The knowledge base and reply types shared by the engine and every adapter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping

Lang = Literal["en", "zh"]
Action = Literal["answer", "clarify", "escalate"]
LANGS: tuple[Lang, ...] = ("en", "zh")
KINDS = ("faq", "smalltalk", "out_of_scope")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str | None) -> str | None:
    """``text`` with lone surrogates (undecodable bytes smuggled in by ``surrogateescape``) as U+FFFD, so it encodes as UTF-8."""
    return None if text is None else _LONE_SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class Entry:
    """One question of the FAQ with its phrasings and answer in each language it has."""

    id: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    alternates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = "faq"
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    line: int = 0
    #: ``draft: true`` in the file: proposed (e.g. by ``faqbot suggest``) but not yet written; never served.
    draft: bool = False
    #: ``(lang, text)`` of the alternates written under ``learned:`` in the file: sellers' real questions that
    #: ``faqbot suggest`` proved. They match like any alternate; calibration asks them as real questions.
    learned: frozenset[tuple[str, str]] = frozenset()

    def phrasings(self) -> list[tuple[str, str]]:
        """Every ``(lang, text)`` that should retrieve this entry: the question first, then alternates.

        Listed once per entry (an entry never changes): copies of a knowledge base in proofs and
        leave-one-out ask it of every entry of every copy.
        """
        listed = self.__dict__.get("_phrasings")
        if listed is None:
            listed = tuple((lang, text) for lang, text in self.question.items())
            listed += tuple((lang, text) for lang, texts in self.alternates.items() for text in texts)
            object.__setattr__(self, "_phrasings", listed)
        return list(listed)

    def text_in(self, part: Mapping[str, str], lang: str) -> str | None:
        """``part[lang]``, falling back to another language the entry has rather than nothing."""
        if part.get(lang):
            return part[lang]
        return next((text for text in part.values() if text), None)


@dataclass(frozen=True)
class Settings:
    """Decision thresholds (scores are 0-100) and the support contact, editable per knowledge base.

    ``answer_score``: the best entry is answered at or above this score when it is
    ``margin`` points ahead of the runner-up (or at or above ``sure_score`` regardless).
    ``clarify_score``: between this and an answer, the asker gets "did you mean".
    Below it, the question is escalated to Seller Support. With ``semantic``
    on, the values a knowledge base does not set are calibrated on it
    (``faq.calibration``); the defaults here are the lexical engine's.
    """

    answer_score: float = 38.0
    clarify_score: float = 35.0
    margin: float = 3.0
    sure_score: float = 80.0
    max_choices: int = 3
    support_contact: Mapping[str, str] = field(
        default_factory=lambda: {"en": "Seller Support", "zh": "销售伙伴支持"}
    )
    #: Fuse the sentence encoder's similarity with the lexical score; False: lexical only, as before.
    semantic: bool = True
    #: With ``semantic``, thresholds not set in the file are calibrated so that at most this share of answers is wrong.
    max_wrong_rate: float = 0.06
    #: The decision values the file sets itself (they override calibration).
    explicit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class KnowledgeBase:
    """A validated knowledge base, as loaded from ``knowledge.yaml``."""

    entries: tuple[Entry, ...]
    version: str = "1"
    settings: Settings = field(default_factory=Settings)
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    synonyms: tuple[tuple[str, ...], ...] = ()
    source: str = "<memory>"
    #: entries marked ``draft: true``: kept out of ``entries`` (so never answered) until an author finishes them
    drafts: tuple[Entry, ...] = ()

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return next((entry for entry in self.entries if entry.id == entry_id), None)

    def languages(self) -> set[str]:
        """The languages any entry of this knowledge base is written in."""
        return {lang for entry in self.entries for lang in entry.question}


@dataclass(frozen=True)
class Candidate:
    """One entry the engine considered, with its 0-100 score."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Why:
    """Why the engine decided as it did, as data: the thresholds, the best phrasing, its scores, the words it shared.

    Adapters render it (the console's "why" view); the engine never words it.
    ``shared`` holds the matched index words with their weights, best first.
    """

    action: Action
    answer_score: float
    clarify_score: float
    margin: float
    sure_score: float
    entry_id: str | None = None
    score: float = 0.0
    phrasing: str | None = None
    lexical: float = 0.0
    fuzzy: float = 0.0
    semantic: float | None = None
    shared: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Reply:
    """Everything an adapter needs to show an answer, a "did you mean" or an escalation notice.

    ``text`` is ready to show in ``lang``; ``why`` (when asked for) explains the
    decision as data (thresholds, best phrasing, matched words) for adapters to render.
    """

    question: str
    lang: Lang
    action: Action
    text: str
    entry_id: str | None = None
    kind: str | None = None
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    answer: str | None = None
    why: Why | None = None
    #: ``"tw"`` or ``"hk"``: the question was written in Traditional Chinese, and ``text`` is in the same script
    script: str | None = None

    def to_json(self) -> dict:
        """The JSON-lines contract of ``faqbot ask --json`` (see docs/ask.md)."""
        return {
            "question": _encodable(self.question),
            "lang": self.lang,
            "action": self.action,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "score": round(self.score, 1),
            "candidates": [
                {"entry_id": c.entry_id, "score": round(c.score, 1)} for c in self.candidates
            ],
            "answer": _encodable(self.answer),
            "text": _encodable(self.text),
        }

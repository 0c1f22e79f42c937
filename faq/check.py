"""Lint a knowledge base the way ``faqbot check`` reports it.

Beyond what loading validates: phrasings of two different entries that are
near-duplicates (the bot cannot tell them apart), phrasings that no longer
find their own entry once removed from the index (leave-one-out: a sign the
entry needs more or better phrasings), and entries missing a language the
rest of the knowledge base has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from rapidfuzz import fuzz

from faq.assistant import Assistant
from faq.locate import phrasing_places
from faq.model import KnowledgeBase
from faq.pseudo import leave_out
from faq.notices import notice
from faq.prepared import spaced
from faq.retriever import Retriever

#: Lexical cosine (0-1) from which a pair of phrasings of different entries is compared word by word.
PROPOSE = 0.5
#: rapidfuzz token_sort_ratio (0-100) at or above which the pair counts as near-duplicates.
NEAR_DUPLICATE = 85
#: Lexical cosine at or above which two phrasings are duplicates whatever their word order.
SAME_WORDS = 0.9


@dataclass(frozen=True)
class Finding:
    """One problem found by the lint; ``level`` is "error" or "warning", ``key`` a notice (``faq.notices``)."""

    level: str
    line: int
    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    #: where in the file, as a YAML path (``entries[3].alternates.en[2]``); "" for a whole entry or the file
    path: str = ""

    def text(self, lang: str = "en") -> str:
        """What is wrong, in ``lang``."""
        return notice(self.key, lang, **self.values)


def missing_languages(kb: KnowledgeBase) -> Iterator[Finding]:
    """Entries that lack a language other entries have (they still answer, in the other language)."""
    languages = kb.languages()
    for entry in kb.entries:
        for lang in sorted(languages - set(entry.question)):
            yield Finding("warning", entry.line, "no_question_in", {"id": entry.id, "lang": lang})
        for lang in sorted(languages - set(entry.answer)):
            yield Finding("warning", entry.line, "no_answer_in", {"id": entry.id, "lang": lang})


def near_duplicate_pairs(retriever: Retriever, rows: Iterable[int] | None = None) -> Iterator[tuple[int, int, float]]:
    """Pairs of phrasing rows of two different entries that read almost the same: ``(row, other, how alike 0-100)``.

    The lexical index proposes pairs that share most of their weighted words;
    rapidfuzz confirms them on the wording itself, so a shared rare word alone
    does not make two phrasings duplicates. ``rows``: only the pairs one of these
    rows is in (both measures are symmetric), e.g. the phrasings just added.
    """
    index = retriever.index
    texts: dict[int, str] = {}

    def wording(row: int) -> str:
        if row not in texts:
            texts[row] = spaced(retriever.prepare(retriever.phrasings[row]))
        return texts[row]

    reported: set[tuple[int, int]] = set()
    for row in range(len(retriever.phrasings)) if rows is None else rows:
        scores = index.phrasing_scores(index.vector(retriever.terms_of(retriever.phrasings[row])))
        owner = index.phrasing_entry[row]
        for other in (scores >= PROPOSE).nonzero()[0]:
            pair = (min(row, other), max(row, other))
            if index.phrasing_entry[other] == owner or pair in reported:
                continue
            alike = fuzz.token_sort_ratio(wording(row), wording(other))
            if alike >= NEAR_DUPLICATE or scores[other] >= SAME_WORDS:
                reported.add(pair)
                yield row, int(other), max(alike, 100 * float(scores[other]))


def near_duplicates(kb: KnowledgeBase, retriever: Retriever) -> Iterator[Finding]:
    """Phrasings that read almost the same as a phrasing of another entry (see ``near_duplicate_pairs``)."""
    places = phrasing_places(kb.source)
    owners = retriever.index.phrasing_entry
    for row, other, alike in near_duplicate_pairs(retriever):
        text = retriever.phrasings[row]
        first, second = kb.entries[owners[row]], kb.entries[owners[other]]
        line, path = places.get((first.id, text), (first.line, ""))
        yield Finding("error", line, "near_duplicates", {
            "text": text, "id": first.id, "other": retriever.phrasings[other], "other_id": second.id,
            "alike": f"{alike:.0f}",
        }, path)


def leave_one_out(kb: KnowledgeBase, assistant: Assistant | None = None) -> Iterator[Finding]:
    """Each phrasing, taken out of the knowledge base, should still find its own entry.

    A miss is a warning, not an error: the phrasing itself is in the index and
    finds its entry; the miss says a seller who words it a little differently
    may not, so the entry wants more phrasings with its key words. The reduced
    knowledge bases use ``assistant``'s engine and thresholds (no recalibration).
    """
    assistant = assistant or Assistant(kb)
    places = phrasing_places(kb.source)
    for position, entry in enumerate(kb.entries):
        if entry.kind == "out_of_scope":
            continue
        for lang, text in entry.phrasings():
            smaller = leave_out(kb, position, lang, text)
            if smaller is None:
                continue
            reply = assistant.variant(smaller).reply(text)
            if reply.entry_id != entry.id or reply.action == "escalate":
                values = {"text": text, "id": entry.id, "lang": lang, "action": reply.action, "score": f"{reply.score:.0f}"}
                line, path = places.get((entry.id, text), (entry.line, ""))
                if reply.entry_id:
                    yield Finding("warning", line, "left_out_finds", {**values, "found": reply.entry_id}, path)
                else:
                    yield Finding("warning", line, "left_out_finds_nothing", values, path)


def drafts(kb: KnowledgeBase) -> Iterator[Finding]:
    """Draft entries (``draft: true``, e.g. proposed by ``faqbot suggest``) are not served until an author finishes them."""
    for entry in kb.drafts:
        yield Finding("warning", entry.line, "draft_entry", {"id": entry.id})


def calibration_findings(kb: KnowledgeBase, assistant: Assistant) -> Iterator[Finding]:
    """Say when the thresholds are the benchmark priors: too few entries with several phrasings to calibrate on."""
    calibration = assistant.calibration
    chosen = {"answer_score", "margin"} <= kb.settings.explicit  # the file sets what calibration would choose
    if calibration is not None and calibration.source == "priors" and not chosen:
        yield Finding("warning", 1, "calibration_priors", {"n_in": calibration.n_in, "n_out": calibration.n_out})


def thresholds(assistant: Assistant, lang: str = "en") -> str:
    """Which thresholds ``assistant`` decides with and where they came from (calibrated, priors, the file), in ``lang``."""
    settings, calibration = assistant.settings, assistant.calibration
    if {"answer_score", "margin"} <= settings.explicit:
        source = notice("thresholds_file", lang)
    elif calibration is None:
        source = notice("thresholds_lexical", lang)
    else:
        key = "thresholds_calibrated" if calibration.source == "calibrated" else "thresholds_priors"
        source = notice(key, lang, n_in=calibration.n_in, n_out=calibration.n_out)
    return notice("check_thresholds", lang, answer=f"{settings.answer_score:g}", margin=f"{settings.margin:g}",
                  clarify=f"{settings.clarify_score:g}", source=source)


def lint(kb: KnowledgeBase, thorough: bool = True, assistant: Assistant | None = None) -> list[Finding]:
    """All findings for ``kb``; ``thorough=False`` skips leave-one-out (one index build per phrasing).
    ``assistant``: the engine already built for ``kb``."""
    assistant = assistant or Assistant(kb)
    findings = list(missing_languages(kb)) + list(near_duplicates(kb, assistant.retriever)) + list(drafts(kb))
    findings += list(calibration_findings(kb, assistant))
    if thorough:
        findings += list(leave_one_out(kb, assistant))
    return sorted(findings, key=lambda finding: (finding.line, finding.level))

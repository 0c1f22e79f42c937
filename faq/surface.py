"""Index terms back to the words people wrote, for the "why" view.

The index matches on stems, synonym groups' first words and Chinese
character pairs (``servic``, ``close`` for "注销"); an agent reading why a
question matched wants the words the asker (or the author) actually typed.
"""

from __future__ import annotations

from faq.normalize import normalize
from faq.synonyms import SynonymMap
from faq.terms import han_runs, text_terms, words


def surfaces(text: str, synonyms: SynonymMap) -> dict[str, str]:
    """Index term -> the words of ``text`` that produce it (first occurrence wins)."""
    found: dict[str, str] = {}
    rest = normalize(text)
    for written, canonical in synonyms.occurrences(rest):
        for term, _ in text_terms(canonical):
            if not term.startswith("p:"):
                found.setdefault(term, written)
        rest = rest.replace(written, " ", 1)
    for token in words(rest):
        for term, _ in text_terms(token):
            found.setdefault(term, token)
    for run in han_runs(rest):
        for term, _ in text_terms(run):
            found.setdefault(term, term.split(":", 1)[1])
    return found


def written_words(term: str, *tables: dict[str, str]) -> str:
    """How ``term`` was written in the first text that has it; a word pair as its two words; else the bare term."""
    for table in tables:
        if term in table:
            return table[term]
    if term.startswith("p:") and "_" in term:
        first, _, second = term[2:].partition("_")
        one, two = written_words("w:" + first, *tables), written_words("w:" + second, *tables)
        return one if one == two else f"{one} {two}"
    return term.split(":", 1)[1]

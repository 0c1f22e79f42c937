"""A knowledge base's lexical index, cached on disk: a start that prepares no phrasing.

Besides loading the encoder, most of what ``faqbot ask`` does before it can answer is
preparing every phrasing (normalizing, synonyms, terms, stems) and indexing them: about
50 ms for the bundled FAQ, against under 10 ms to read the built ``Retriever`` back. What
it builds depends only on the entries' phrasings and keywords (in order), the synonyms,
the tuning and the code that prepares phrasings, so it is stored under a hash of exactly
those; the code is hashed by the bytes of the ``faq`` package's modules (any edit of the
engine builds the index again) and the versions of what they call
(``faq.disk_cache.code_fingerprint``). The file is a pickle in the user's own cache
directory (as the vector cache is an npz there), read and written as ``faq.disk_cache``
does: a missing or unreadable file is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from faq.disk_cache import code_fingerprint, read_pickled, write_pickled
from faq.model import KnowledgeBase
from faq.retriever import Retriever, Tuning

FOLDER = "lexical"


def index_key(kb: KnowledgeBase, tuning: Tuning) -> str:
    """A hash of everything the built index depends on."""
    content = {
        "code": code_fingerprint(),
        "tuning": asdict(tuning),
        "synonyms": kb.synonyms,
        "entries": [[[text for _, text in entry.phrasings()], list(entry.keywords)] for entry in kb.entries],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True, default=list).encode()).hexdigest()[:32]


def cached_retriever(kb: KnowledgeBase, tuning: Tuning | None, cache_dir: Path) -> Retriever:
    """The lexical index of ``kb``: read from ``cache_dir`` when it was built before, else built and saved there."""
    tuning = tuning or Tuning()
    path = cache_dir / FOLDER / f"{index_key(kb, tuning)}.pickle"
    found = read_pickled(path, Retriever)
    if found is not None:
        return found
    retriever = Retriever(kb, tuning)
    write_pickled(path, retriever)
    return retriever

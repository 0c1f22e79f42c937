"""A knowledge base's lexical index, cached on disk: a start that prepares no phrasing.

Besides loading the encoder, most of what ``faqbot ask`` does before it can answer is
preparing every phrasing (normalizing, synonyms, terms, stems) and indexing them: about
50 ms for the bundled FAQ, against under 10 ms to read the built ``Retriever`` back. What
it builds depends only on the entries' phrasings and keywords (in order), the synonyms,
the tuning and the code that prepares phrasings, so it is stored under a hash of exactly
those; the code is hashed by the bytes of the ``faq`` package's modules (any edit of the
engine builds the index again) and the versions of what they call (``_code_fingerprint``).
The file is a pickle in the user's own cache directory (as the vector cache is an npz
there). A missing or unreadable file is rebuilt; writes go to a temporary file renamed
into place, so processes that share the directory never read half a file, and a cache
that cannot be written only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sys
import unicodedata
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from faq.model import KnowledgeBase
from faq.retriever import Retriever, Tuning

FOLDER = "lexical"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of the code that prepares phrasings: an index built by other code is never reused.

    That is the engine's source files, the Python and Unicode versions (normalization), and
    the installed stemmer and Chinese converter (their files' sizes and times: an upgrade
    changes them).
    """
    import opencc
    import Stemmer

    digest = hashlib.sha256(f"{sys.version} {unicodedata.unidata_version}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for library in (opencc.__file__, Stemmer.__file__):
        found = os.stat(library)
        digest.update(f"{library} {found.st_size} {found.st_mtime_ns}".encode())
    return digest.hexdigest()


def index_key(kb: KnowledgeBase, tuning: Tuning) -> str:
    """A hash of everything the built index depends on."""
    content = {
        "code": _code_fingerprint(),
        "tuning": asdict(tuning),
        "synonyms": kb.synonyms,
        "entries": [[[text for _, text in entry.phrasings()], list(entry.keywords)] for entry in kb.entries],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True, default=list).encode()).hexdigest()[:32]


def cached_retriever(kb: KnowledgeBase, tuning: Tuning | None, cache_dir: Path) -> Retriever:
    """The lexical index of ``kb``: read from ``cache_dir`` when it was built before, else built and saved there."""
    tuning = tuning or Tuning()
    path = cache_dir / FOLDER / f"{index_key(kb, tuning)}.pickle"
    try:
        found = pickle.loads(path.read_bytes())
        if isinstance(found, Retriever):
            return found
    except Exception:  # noqa: BLE001 - any unreadable file (cut short, other Python) is rebuilt
        pass
    retriever = Retriever(kb, tuning)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pickle.dumps(retriever, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
    return retriever

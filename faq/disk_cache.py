"""What the engine's on-disk caches share: the fingerprint of the code that built an entry, and pickles read and written safely.

Each cache (the parsed knowledge base, its lexical index) keys a file by a hash of what it was
built from, the engine's own code included, so an upgrade or an edit of the engine never reads
an entry an older build wrote. Files are pickles in the user's own cache directory; a missing,
cut-short or foreign one reads as nothing (the caller builds it again), and writes go to a
temporary file renamed into place, so processes sharing the directory never read half a file
and a directory that cannot be written only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the engine's code: an entry built by other code is never reused.

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
        digest.update(installed(library).encode())
    return digest.hexdigest()


def installed(path: str) -> str:
    """An installed library's file with its size and time: an upgrade changes them."""
    found = os.stat(path)
    return f"{path} {found.st_size} {found.st_mtime_ns}"


def read_pickled(path: Path, kind: type[T]) -> T | None:
    """The ``kind`` object pickled at ``path``, or None when there is none or it cannot be read as one."""
    try:
        found = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - any unreadable file (missing, cut short, another Python) is built again
        return None
    return found if isinstance(found, kind) else None


def write_pickled(path: Path, value: object) -> None:
    """Save ``value`` at ``path`` whole or not at all; a cache that cannot be written is left alone."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()

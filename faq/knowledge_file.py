"""A knowledge base from its file: parsed and checked once per content, read back from the cache after that.

Parsing and checking the YAML (``faq.loader``), PyYAML's import included, cost about 0.04 s
of every ``faqbot ask`` on the bundled FAQ. What it yields depends only on the file's bytes,
the name it is loaded under (``KnowledgeBase.source``), the engine's code and the installed
YAML library, so with a cache directory a knowledge base that loaded without a problem is
pickled there under a hash of exactly those (``faq.disk_cache``), and loading the same bytes
again reads it back without importing PyYAML. A file with a problem is never cached: it is parsed at every load and
reports its ``file:line`` problems as it always did. Loading tells nothing besides the
knowledge base or its ``KnowledgeError`` (no warnings), so a cached load says all a parse would.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from functools import lru_cache
from pathlib import Path

from faq.disk_cache import code_fingerprint, installed, read_pickled, write_pickled
from faq.errors import KnowledgeError
from faq.model import KnowledgeBase
from faq.notices import Problem

FOLDER = "knowledge"


def read_bytes(path: Path) -> bytes:
    """A file's bytes; a missing or unreadable file is a ``KnowledgeError`` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeError([Problem(str(path), 1, "no_such_file")]) from None
    except OSError as error:
        raise KnowledgeError([Problem(str(path), 1, "unreadable", {"error": error})]) from None


def decoded(data: bytes, path: Path) -> str:
    """``data`` as ``path.read_text(encoding="utf-8")`` reads it (newlines as ``\\n``); bad UTF-8 is a ``KnowledgeError``."""
    try:
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
    except UnicodeDecodeError as error:
        raise KnowledgeError([Problem(str(path), 1, "unreadable", {"error": error})]) from None


def read_text(path: Path) -> str:
    """A UTF-8 file's text; a missing or unreadable file is a ``KnowledgeError`` naming it."""
    return decoded(read_bytes(path), path)


def parse_knowledge(text: str, source: str = "<string>") -> KnowledgeBase:
    """Parse and validate knowledge-base YAML held in a string; raise ``KnowledgeError`` listing every problem."""
    from faq.loader import parse_knowledge as parse  # PyYAML only when a text must be parsed

    return parse(text, source)


@lru_cache(maxsize=1)
def _yaml_library() -> str:
    """The installed YAML library's file, its size and time (an upgrade changes them), found without importing it."""
    spec = importlib.util.find_spec("yaml")
    return "no yaml" if spec is None or spec.origin is None else installed(spec.origin)


def knowledge_key(data: bytes, source: str) -> str:
    """A hash of everything a loaded knowledge base depends on: the engine's code and YAML library, its source name, the bytes."""
    digest = hashlib.sha256(f"{code_fingerprint()}\n{_yaml_library()}\n{source}\n".encode())
    digest.update(data)
    return digest.hexdigest()[:32]


def load_knowledge(path: str | Path, cache_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base file; raise ``KnowledgeError`` listing every problem.

    With ``cache_dir``, a file whose bytes loaded before is read back from there instead of parsed.
    """
    path = Path(path)
    data = read_bytes(path)
    if cache_dir is None:
        return parse_knowledge(decoded(data, path), str(path))
    saved = cache_dir / FOLDER / f"{knowledge_key(data, str(path))}.pickle"
    kb = read_pickled(saved, KnowledgeBase)
    if kb is None:
        kb = parse_knowledge(decoded(data, path), str(path))  # a problem raises here: nothing is cached
        write_pickled(saved, kb)
    return kb

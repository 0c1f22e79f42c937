"""``faqbot init [DIR]``: write a small bilingual starter knowledge base and its coverage cases.

Both pass ``faqbot check`` and ``faqbot coverage`` as written, so an author
starts from something green and changes it step by step. Existing files are
never overwritten.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TextIO

from bot.files import write_atomically
from faq.notices import notice

#: What ``init`` writes, by file name (the starter files ship inside the package).
STARTER_FILES = ("knowledge.yaml", "coverage.yaml")


class InitError(Exception):
    """The starter files cannot be written (one already exists, or the folder cannot be made)."""


def write_starter(directory: Path, lang: str, out: TextIO) -> list[Path]:
    """Write the starter files into ``directory`` (made if missing); refuse if any of them exists."""
    targets = [directory / name for name in STARTER_FILES]
    existing = [str(path) for path in targets if path.exists()]
    if existing:
        raise InitError(notice("init_exists", lang, paths=", ".join(existing)))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for target in targets:
            text = files("bot.starter").joinpath(target.name).read_text(encoding="utf-8")
            write_atomically(target, text, exclusive=True)  # never replaces a file made meanwhile
    except OSError as error:
        raise InitError(notice("init_failed", lang, path=str(directory), error=error.strerror or error)) from error
    kb, cases = targets
    out.write(notice("init_done", lang, kb=kb, cases=cases) + "\n")
    return targets

"""The arguments of ``:resolve N [--entry ID | --new | --oos] [note]``: what the agent says the case was.

The label is what ``faqbot suggest`` learns from (an entry's new phrasing, a draft
entry, an out-of-scope phrasing), so a malformed line is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPTION = re.compile(r"(--[^\s=]+)(?:=(\S*))?(?:\s+|$)")
_WORD = re.compile(r"(\S+)(?:\s+|$)")
_LABELS = {"--new": "new_topic", "--oos": "out_of_scope"}


@dataclass(frozen=True)
class ResolveArgs:
    """What follows the case number: the label (with its entry) and the note."""

    label: str | None = None
    entry_id: str | None = None
    note: str = ""


def parse_resolve(rest: str) -> ResolveArgs:
    """Parse the text after the case number; ``ValueError`` for an unknown option, a missing id or two labels."""
    rest = rest.strip()
    label: str | None = None
    entry_id: str | None = None
    while rest.startswith("--"):
        match = _OPTION.match(rest)
        if match is None:
            raise ValueError(rest)
        option, value = match.group(1), match.group(2)
        rest = rest[match.end():]
        if label is not None:
            raise ValueError("only one of --entry, --new and --oos")
        if option == "--entry":
            if value is None:
                word = _WORD.match(rest)
                if word is None or word.group(1).startswith("--"):
                    raise ValueError("--entry needs an id")
                value, rest = word.group(1), rest[word.end():]
            if not value:
                raise ValueError("--entry needs an id")
            label, entry_id = "entry", value
        elif option in _LABELS and value is None:
            label = _LABELS[option]
        else:
            raise ValueError(f"unknown option {option}")
    return ResolveArgs(label, entry_id, rest.strip())

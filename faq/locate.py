"""Where a phrasing is written in the knowledge-base file: its line and YAML path, for ``faqbot check``.

Entries remember only their own line; an author fixing a warning about one
phrasing wants the phrasing's line (``knowledge.yaml:431``) and where it sits
(``entries[12].alternates.en[3]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml


class Place(NamedTuple):
    line: int
    path: str


def phrasing_places(source: str) -> dict[tuple[str, str], Place]:
    """``(entry id, phrasing text) -> Place`` for every question and alternate in the file (empty if unreadable)."""
    try:
        root = yaml.compose(Path(source).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, ValueError):
        return {}
    places: dict[tuple[str, str], Place] = {}
    entries = _value(root, "entries")
    if not isinstance(entries, yaml.SequenceNode):
        return places
    for n, entry in enumerate(entries.value):
        entry_id = _value(entry, "id")
        if not isinstance(entry_id, yaml.ScalarNode):
            continue
        for part in ("question", "alternates", "learned"):
            by_lang = _value(entry, part)
            if not isinstance(by_lang, yaml.MappingNode):
                continue
            for key, texts in by_lang.value:
                base = f"entries[{n}].{part}.{key.value}"
                if isinstance(texts, yaml.ScalarNode):
                    places.setdefault((entry_id.value, texts.value), Place(texts.start_mark.line + 1, base))
                elif isinstance(texts, yaml.SequenceNode):
                    for m, text in enumerate(texts.value):
                        if isinstance(text, yaml.ScalarNode):
                            places.setdefault((entry_id.value, text.value),
                                              Place(text.start_mark.line + 1, f"{base}[{m}]"))
    return places


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of ``key`` in a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)

"""Round-trip edits of knowledge.yaml: change a few values, keep everything else as written.

Comments, key order, quoting and line layout survive (``ruamel.yaml`` in
round-trip mode), so an author's file only changes where a tool meant it to.
"""

from __future__ import annotations

import io
from typing import Any, Mapping


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap long answers
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def update_settings(yaml_text: str, values: Mapping[str, Any]) -> str:
    """``yaml_text`` with ``settings`` keys set to ``values`` (the section is created when missing)."""
    yaml = _yaml()
    document = yaml.load(yaml_text)
    if document is None or not hasattr(document, "get"):
        raise ValueError("the knowledge base is not a YAML mapping")
    settings = document.get("settings")
    if settings is None:
        from ruamel.yaml.comments import CommentedMap

        settings = CommentedMap()
        position = list(document.keys()).index("version") + 1 if "version" in document else 0
        document.insert(position, "settings", settings)
    added = 0
    for key, value in values.items():
        if key in settings:
            settings[key] = value
        else:  # first, so a comment after the section stays where it was written
            settings.insert(added, key, value)
            added += 1
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()

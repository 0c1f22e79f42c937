"""Edit knowledge-base YAML text the way an author would: only the added lines change.

A round-trip YAML library (ruamel.yaml) keeps comments, key order, quoting and layout;
hand-written text surgery would not survive the next odd file. New phrasings copy the
quoting of the list they join; indentation follows what the file already uses.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import yaml as yaml_11  # the loader's reader (PyYAML, YAML 1.1)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString
from ruamel.yaml.util import load_yaml_guess_indent


class EditError(ValueError):
    """The YAML text cannot take the edit (not a knowledge base, or the entry is missing)."""


@dataclass(frozen=True)
class DraftEntry:
    """A new entry to append, marked ``draft: true``: its answer is left empty for the author.

    ``draft=False``: served as written (an out-of-scope topic needs no answer); no answer
    is written when ``answer_langs`` is empty.
    """

    id: str
    question: Mapping[str, str]
    alternates: Mapping[str, Sequence[str]] = field(default_factory=dict)
    kind: str = "faq"
    answer_langs: Sequence[str] = ("en", "zh")
    draft: bool = True


def _configured(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an author's long line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _yaml(text: str) -> tuple[YAML, Any]:
    """A round-trip loader/dumper that writes ``text`` back unchanged (its indentation), and its data.

    The indentation is found by trying the common layouts, guessed one first, until one
    reproduces the file exactly; a file none reproduces still gets the guessed layout.
    """
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except Exception as error:  # noqa: BLE001 - ruamel raises many kinds
        raise EditError(f"cannot read the YAML: {error}") from None
    guessed = (2, (block_seq_indent or 0) + 2, block_seq_indent or 0)
    common = [(m, o + d, o) for d in (2, 4) for m in (2, 4) for o in (2, 0, 4)]
    layouts = [guessed] + [layout for layout in common if layout != guessed]
    found = None
    for layout in layouts:
        yaml = _configured(*layout)
        data = yaml.load(text)
        if found is None:
            found = (yaml, data)
        if _dump(yaml, data) == text:
            found = (yaml, yaml.load(text))
            break
    yaml, data = found  # type: ignore[misc]
    if not isinstance(data, CommentedMap) or not isinstance(data.get("entries"), CommentedSeq):
        raise EditError("not a knowledge base: expected 'entries:' with a list")
    return yaml, data


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _entries_by_id(data: CommentedMap) -> dict[str, CommentedMap]:
    return {str(entry["id"]): entry for entry in data["entries"] if isinstance(entry, CommentedMap) and "id" in entry}


def _like(sibling: Any, text: str) -> str:
    """``text`` quoted the way ``sibling`` is (double quotes when there is nothing to copy)."""
    if isinstance(sibling, ScalarString):
        return type(sibling)(text)
    if isinstance(sibling, str) and _reads_back_as_text(text):
        return text
    return DoubleQuotedScalarString(text)


def _reads_back_as_text(text: str) -> bool:
    """True when ``text`` written plain is read back as this very string by the loader (YAML 1.1: ``yes`` is not)."""
    try:
        return yaml_11.safe_load(text) == text
    except yaml_11.YAMLError:
        return False


def _block_seq(texts: Sequence[str]) -> CommentedSeq:
    seq = CommentedSeq(DoubleQuotedScalarString(text) for text in texts)
    seq.fa.set_block_style()
    return seq


def _block_map(values: Mapping[str, Any]) -> CommentedMap:
    mapping = CommentedMap(values)
    mapping.fa.set_block_style()
    return mapping


def add_alternates(yaml_text: str, additions: Mapping[str, Mapping[str, Sequence[str]]], *,
                   part: str = "alternates") -> str:
    """``yaml_text`` with phrasings appended: ``{entry id: {lang: [text, ...]}}``.

    ``part``: ``alternates`` (an author's phrasings) or ``learned`` (sellers' questions
    ``faqbot suggest`` proved). An entry without that part (or without the language) gets
    it right after its ``question`` (and its alternates). Raises ``EditError`` for an id
    the file does not have.
    """
    yaml, data = _yaml(yaml_text)
    entries = _entries_by_id(data)
    for entry_id, by_lang in additions.items():
        entry = entries.get(entry_id)
        if entry is None:
            raise EditError(f"no entry with id '{entry_id}'")
        for lang, texts in by_lang.items():
            if not texts:
                continue
            alternates = entry.get(part)
            if not isinstance(alternates, CommentedMap):
                keys = list(entry)
                after = [keys.index(key) + 1 for key in ("question", "alternates") if key in entry]
                entry.insert(max(after, default=len(entry)), part, _block_map({}))
                alternates = entry[part]
            existing = alternates.get(lang)
            if isinstance(existing, CommentedSeq):
                sibling = existing[-1] if existing else None
                existing.extend(_like(sibling, text) for text in texts)
            else:
                alternates[lang] = _block_seq(texts)
    return _dump(yaml, data)


def add_drafts(yaml_text: str, drafts: Sequence[DraftEntry]) -> str:
    """``yaml_text`` with ``drafts`` appended to ``entries``, each marked ``draft: true`` with an empty answer."""
    yaml, data = _yaml(yaml_text)
    taken = set(_entries_by_id(data))
    for draft in drafts:
        if draft.id in taken:
            raise EditError(f"an entry with id '{draft.id}' exists already")
        taken.add(draft.id)
        entry = _block_map({"id": draft.id, "draft": True, "kind": draft.kind} if draft.draft else {"id": draft.id, "kind": draft.kind})
        entry["question"] = _block_map({lang: DoubleQuotedScalarString(text) for lang, text in draft.question.items()})
        alternates = {lang: _block_seq(texts) for lang, texts in draft.alternates.items() if texts}
        if alternates:
            entry["alternates"] = _block_map(alternates)
        if draft.answer_langs:
            entry["answer"] = _block_map({lang: DoubleQuotedScalarString("") for lang in draft.answer_langs})
        data["entries"].append(entry)
    return _dump(yaml, data)


def update_settings(yaml_text: str, values: Mapping[str, Any]) -> str:
    """``yaml_text`` with ``settings`` keys set to ``values`` (the section is created when missing).

    ``faqbot tune --write`` uses it: the chosen thresholds change, the rest of the file stays as written.
    """
    yaml, document = _yaml(yaml_text)
    settings = document.get("settings")
    if settings is None:
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
    return _dump(yaml, document)

"""Parse and validate ``knowledge.yaml``, reporting every problem as ``file:line: message``.

The YAML is composed into nodes (which remember their line) and checked by
hand, so one pass reports all problems at once instead of stopping at the
first, and no problem ever surfaces as a traceback. Reading the file, and
reading back a knowledge base parsed before, is ``faq.knowledge_file``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import yaml

from faq.catalog import placeholders
from faq.errors import KnowledgeError
from faq.messages import DEFAULT_MESSAGES
from faq.model import KINDS, LANGS, Entry, KnowledgeBase, Settings
from faq.notices import Problem

try:  # the C loader is ~10x faster on large knowledge bases
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.]+[a-z0-9]+)*$")

_TOP_KEYS = {"version", "settings", "messages", "synonyms", "entries"}
_ENTRY_KEYS = {"id", "kind", "question", "alternates", "learned", "answer", "tags", "keywords", "links", "draft"}
_BOOL = "tag:yaml.org,2002:bool"
_SETTING_NUMBERS = {"answer_score", "clarify_score", "margin", "sure_score", "max_choices"}
_SETTING_KEYS = _SETTING_NUMBERS | {"support_contact", "semantic", "max_wrong_rate"}
_BOOL = "tag:yaml.org,2002:bool"
_DECISION_KEYS = frozenset({"answer_score", "clarify_score", "margin", "sure_score"})


class _Checker:
    """Walks the YAML node tree, converting it to plain values and collecting problems."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, key: str, /, **values: object) -> None:
        """Record notice ``key`` (see ``faq.notices``) at ``node``'s line."""
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.source, line, key, values))

    def mapping(self, node: yaml.Node, what: str, allowed: set[str] | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """``{key: (key_node, value_node)}``; reports non-mappings, duplicate and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "not_mapping", what=what)
            return {}
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.problem(key_node, "duplicate_key", key=key, what=what)
            elif allowed is not None and key not in allowed:
                self.problem(key_node, "unknown_key", key=key, what=what, allowed=", ".join(sorted(allowed)))
            else:
                found[key] = (key_node, value_node)
        return found

    def text(self, node: yaml.Node, what: str, required: bool = True) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT, _FLOAT):
            self.problem(node, "not_text", what=what)
            return None
        value = str(node.value).strip()
        if required and not value:
            self.problem(node, "empty", what=what)
            return None
        return value

    def texts(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "not_text_list", what=what)
            return ()
        values = (self.text(item, f"{what}[{position}]") for position, item in enumerate(node.value))
        return tuple(value for value in values if value)

    def by_lang(self, node: yaml.Node, what: str, convert: Callable[[yaml.Node, str], object]) -> dict:
        """A ``{en: ..., zh: ...}`` mapping whose values ``convert`` checks; at least one language."""
        result = {}
        for lang, (_, value_node) in self.mapping(node, what, set(LANGS)).items():
            value = convert(value_node, f"{what}.{lang}")
            if value:
                result[lang] = value
        if isinstance(node, yaml.MappingNode) and not result and not node.value:
            self.problem(node, "no_language", what=what)
        return result

    def number(self, node: yaml.Node, what: str) -> float | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_INT, _FLOAT):
            self.problem(node, "not_number", what=what)
            return None
        try:
            value = float(node.value.replace("_", ""))
        except ValueError:  # YAML 1.1 numbers such as 0x10 or 1:30
            value = float("nan")
        if not 0 <= value <= 100:  # also false for nan
            self.problem(node, "out_of_range", what=what)
            return None
        return value

    def settings(self, node: yaml.Node) -> Settings:
        values: dict[str, object] = {}
        for key, (_, value_node) in self.mapping(node, "settings", _SETTING_KEYS).items():
            if key == "support_contact":
                contact = self.by_lang(value_node, "settings.support_contact", self.text)
                if contact:
                    values[key] = contact
            elif key == "semantic":
                if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _BOOL:
                    values[key] = str(value_node.value).lower() in ("true", "yes", "on", "y")
                else:
                    self.problem(value_node, "not_bool", what="settings.semantic")
            elif key == "max_wrong_rate":
                number = self.number(value_node, "settings.max_wrong_rate")
                if number is not None and not 0 <= number <= 1:
                    self.problem(value_node, "not_fraction", what="settings.max_wrong_rate")
                elif number is not None:
                    values[key] = number
            else:
                number = self.number(value_node, f"settings.{key}")
                if key == "max_choices" and number is not None and number < 1:
                    self.problem(value_node, "max_choices_min")
                elif number is not None:
                    values[key] = int(number) if key == "max_choices" else number
        values["explicit"] = frozenset(values) & _DECISION_KEYS
        return Settings(**values)  # type: ignore[arg-type]

    def messages(self, node: yaml.Node) -> dict[str, dict[str, str]]:
        pairs = self.mapping(node, "messages", set(DEFAULT_MESSAGES))
        found = {}
        for name, (_, value) in pairs.items():
            texts = self.by_lang(value, f"messages.{name}", self.text)
            allowed = {"contact"} | {field for text in DEFAULT_MESSAGES[name].values() for field in placeholders(text)}
            for lang, text in texts.items():
                try:
                    unknown = ["{" + field + "}" for field in sorted(placeholders(text) - allowed)]
                except ValueError:  # an unbalanced brace
                    unknown = ["{"]
                if unknown:  # the reply would otherwise fail at the moment a seller needs it
                    where = dict(self.mapping(value, f"messages.{name}"))[lang][1]
                    self.problem(where, "bad_placeholder", what=f"messages.{name}.{lang}", found=", ".join(unknown),
                                 allowed=", ".join("{" + field + "}" for field in sorted(allowed)))
            found[name] = texts
        return found

    def synonyms(self, node: yaml.Node) -> tuple[tuple[str, ...], ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "synonyms_not_list")
            return ()
        groups = []
        for position, group_node in enumerate(node.value):
            group = self.texts(group_node, f"synonyms[{position}]")
            if isinstance(group_node, yaml.SequenceNode) and len(group) < 2:
                self.problem(group_node, "synonyms_group_short", what=f"synonyms[{position}]")
            elif len(group) >= 2:
                groups.append(group)
        return tuple(groups)

    def keywords(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.MappingNode):
            return tuple(word for words in self.by_lang(node, what, self.texts).values() for word in words)
        return self.texts(node, what)

    def entry(self, node: yaml.Node, position: int, seen_ids: dict[str, int]) -> Entry | None:
        fields = self.mapping(node, f"entries[{position}]", _ENTRY_KEYS)
        if not fields:
            return None
        draft = False
        if "draft" in fields:
            draft_node = fields["draft"][1]
            if isinstance(draft_node, yaml.ScalarNode) and draft_node.tag == _BOOL:
                draft = draft_node.value.lower() in ("true", "yes", "on", "y")
            else:
                self.problem(draft_node, "not_bool", what=f"entries[{position}].draft")
        kind_node = fields.get("kind", (None, None))[1]
        routing_only = isinstance(kind_node, yaml.ScalarNode) and str(kind_node.value).strip() == "out_of_scope"
        for required in ("id", "question", "answer"):
            if required not in fields and not (required == "answer" and (routing_only or draft)):
                self.problem(node, "entry_missing", key=required)
        entry_id = self.text(fields["id"][1], f"entries[{position}].id") if "id" in fields else None
        valid_id = entry_id is not None and _ID_RE.match(entry_id) is not None
        if entry_id is not None:
            if not valid_id:
                self.problem(fields["id"][1], "bad_id", id=entry_id)
            elif entry_id in seen_ids:
                self.problem(fields["id"][1], "duplicate_id", id=entry_id, line=seen_ids[entry_id])
            else:
                seen_ids[entry_id] = fields["id"][1].start_mark.line + 1
        what = f"entries[{entry_id}]" if valid_id else f"entries[{position}]"  # paths name entries by a usable id
        kind = "faq"
        if "kind" in fields:
            kind = self.text(fields["kind"][1], f"{what}.kind") or "faq"
            if kind not in KINDS:
                self.problem(fields["kind"][1], "bad_kind", what=f"{what}.kind", kinds=", ".join(KINDS))
        question = self.by_lang(fields["question"][1], f"{what}.question", self.text) if "question" in fields else {}
        answer_text = (lambda node, path: self.text(node, path, required=False)) if draft else self.text  # a draft's answer is still to be written
        answer = self.by_lang(fields["answer"][1], f"{what}.answer", answer_text) if "answer" in fields else {}
        alternates = self.by_lang(fields["alternates"][1], f"{what}.alternates", self.texts) if "alternates" in fields else {}
        learned = self.by_lang(fields["learned"][1], f"{what}.learned", self.texts) if "learned" in fields else {}
        for part, by_lang in (("alternates", alternates), ("learned", learned)):
            for lang in by_lang:
                if lang not in question:
                    self.problem(fields[part][1], "alternates_without_question", what=what, lang=lang)
        alternates = {lang: tuple(alternates.get(lang, ())) + tuple(learned.get(lang, ()))
                      for lang in {**alternates, **learned}}
        tags = self.texts(fields["tags"][1], f"{what}.tags") if "tags" in fields else ()
        keywords = self.keywords(fields["keywords"][1], f"{what}.keywords") if "keywords" in fields else ()
        links = self.texts(fields["links"][1], f"{what}.links") if "links" in fields else ()
        if not (entry_id and question and (answer or draft or kind == "out_of_scope")):
            return None
        return Entry(
            id=entry_id, kind=kind, question=question, answer=answer, alternates=alternates,
            tags=tags, keywords=keywords, links=links, line=node.start_mark.line + 1, draft=draft,
            learned=frozenset((lang, text) for lang, texts in learned.items() for text in texts),
        )

    def knowledge_base(self, root: yaml.Node | None) -> KnowledgeBase:
        if root is None:
            self.problem(None, "empty_file")
            return KnowledgeBase(entries=())
        top = self.mapping(root, Path(self.source).name, _TOP_KEYS)
        version = self.text(top["version"][1], "version") if "version" in top else None
        if isinstance(root, yaml.MappingNode) and "version" not in top:
            self.problem(root, "missing_key", key="version")
        settings = self.settings(top["settings"][1]) if "settings" in top else Settings()
        messages = self.messages(top["messages"][1]) if "messages" in top else {}
        synonyms = self.synonyms(top["synonyms"][1]) if "synonyms" in top else ()
        entries: list[Entry] = []
        if "entries" not in top:
            if isinstance(root, yaml.MappingNode):
                self.problem(root, "missing_key", key="entries")
        elif not isinstance(top["entries"][1], yaml.SequenceNode) or not top["entries"][1].value:
            self.problem(top["entries"][1], "entries_not_list")
        else:
            seen_ids: dict[str, int] = {}
            for position, entry_node in enumerate(top["entries"][1].value):
                entry = self.entry(entry_node, position, seen_ids)
                if entry is not None:
                    entries.append(entry)
        both_set = {"clarify_score", "answer_score"} <= settings.explicit
        if settings.clarify_score > settings.answer_score and (both_set or not settings.semantic):
            self.problem(top["settings"][1] if "settings" in top else root, "clarify_above_answer")
        return KnowledgeBase(
            entries=tuple(entry for entry in entries if not entry.draft), version=version or "1", settings=settings,
            messages=messages, synonyms=synonyms, source=self.source, drafts=tuple(entry for entry in entries if entry.draft),
        )


#: How much aliases (``*name``) may add to what a file holds: sharing a few answers or lists is fine, a
#: "billion laughs" or one list of phrasings repeated for thousands of entries is not.
MAX_ALIAS_NODES = 10_000
MAX_ALIAS_CHARACTERS = 1_000_000


def _expanded_size(root: yaml.Node) -> tuple[int, int, int, yaml.Node | None]:
    """``(nodes written, nodes once aliases are expanded, characters expanded, a key that is not text)``.

    Aliases share one node, so the tree is a graph: sizes are summed per node
    once (memoized), never by expanding it. A node that contains itself counts
    as infinitely large.
    """
    sizes: dict[int, tuple[float, float]] = {}
    key_not_text: yaml.Node | None = None
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        if isinstance(node, yaml.ScalarNode):
            sizes[ident] = (1, len(node.value))
            continue
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
            key_not_text = key_not_text or next((k for k, _ in node.value if not isinstance(k, yaml.ScalarNode)), None)
        else:
            children = list(node.value)
        if children_done:
            on_path.discard(ident)
            nodes = 1 + sum(sizes[id(child)][0] for child in children)
            characters = sum(sizes[id(child)][1] for child in children)
            sizes[ident] = (nodes, characters)
            continue
        if ident in sizes:
            continue
        on_path.add(ident)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                sizes[id(child)] = (float("inf"), float("inf"))
            elif id(child) not in sizes:
                stack.append((child, False))
    expanded_nodes, expanded_characters = sizes[id(root)]
    return len(sizes), expanded_nodes, expanded_characters, key_not_text


def _check_aliases(root: yaml.Node | None, text: str, source: str) -> None:
    """Refuse a file whose aliases expand it far beyond what it holds, or that uses a list or mapping as a key."""
    if root is None:
        return
    written, nodes, characters, bad_key = _expanded_size(root)
    if bad_key is not None:
        raise KnowledgeError([Problem(source, bad_key.start_mark.line + 1, "yaml_key_not_text")])
    if nodes > written + MAX_ALIAS_NODES or characters > len(text) + MAX_ALIAS_CHARACTERS:
        shown = "∞" if nodes == float("inf") else f"{int(nodes):,}"
        raise KnowledgeError([Problem(source, 1, "yaml_aliases_expand", {
            "nodes": shown, "written": f"{written:,}", "limit": f"{MAX_ALIAS_NODES:,}"})])


def compose_yaml(text: str, source: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (nodes keep their lines); a syntax error is one ``file:line: message``.

    Aliases are bounded (:func:`_check_aliases`) before anything reads the
    tree, so a 600-byte "billion laughs" costs milliseconds, not gigabytes.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
        _check_aliases(root, text, source)
        return root
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise KnowledgeError([Problem(source, line, "yaml_syntax", {"detail": error.problem or error.context})]) from None
    except yaml.YAMLError as error:  # e.g. a control character the reader refuses
        raise KnowledgeError([Problem(source, 1, "yaml_error", {"detail": str(error).splitlines()[0]})]) from None


def parse_knowledge(text: str, source: str = "<string>") -> KnowledgeBase:
    """Parse and validate knowledge-base YAML held in a string; raise ``KnowledgeError`` listing every problem."""
    checker = _Checker(source)
    kb = checker.knowledge_base(compose_yaml(text, source))
    if checker.problems:
        raise KnowledgeError(checker.problems)
    return kb


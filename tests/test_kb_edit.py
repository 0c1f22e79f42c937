"""Round-trip edits of knowledge-base YAML: only added lines change, and the result loads."""

from __future__ import annotations

import difflib

import pytest

from faq import parse_knowledge
from faq.kb_edit import DraftEntry, EditError, add_alternates, add_drafts

# comments everywhere, every quoting style, flow and block mappings, odd spacing, a long line
ODD = """\
# top comment: keep me
version: 1   # trailing comment

settings: {answer_score: 38, clarify_score: 35}

entries:
    # first entry: four-space mappings, lists indented under their key
    - id: close-account   # the id
      question:
          en: 'Can I close my account?'
          zh: 我可以关闭账户吗？
      alternates:
          en:
              - "how do I close it"   # double
              - 'delete my account'   # single
              - shut it down
          # a comment between languages
          zh:
              - 注销账户
      answer: {en: "Yes: ask Seller Support.", zh: "可以。"}   # flow mapping

    # second entry has no alternates at all
    - id: payment
      question:
          en: >-
              How will I get paid?
      answer:
          en: |
              Nothing changes.
              Really.
      tags: [pay]
# last comment
"""


def changed_lines(old: str, new: str) -> list[str]:
    diff = difflib.unified_diff(old.splitlines(True), new.splitlines(True))
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_adding_phrasings_changes_nothing_but_the_added_lines():
    new = add_alternates(ODD, {"close-account": {"en": ["close: it now", "yes"], "zh": ["關閉帳戶"]}})
    lines = changed_lines(ODD, new)
    assert lines and all(line.startswith("+") for line in lines)
    kb = parse_knowledge(new)
    assert kb.entry("close-account").alternates["en"][-2:] == ("close: it now", "yes")
    assert kb.entry("close-account").alternates["zh"][-1] == "關閉帳戶"


def test_a_new_phrasing_copies_the_quoting_of_its_list():
    new = add_alternates(ODD, {"close-account": {"en": ["it's closed"]}})
    assert [line[1:].strip() for line in changed_lines(ODD, new)] == ["- it's closed"]  # the last item is plain
    new = add_alternates(ODD, {"close-account": {"en": ["yes", "12"]}})  # plain, these would read back as a bool and a number
    assert [line[1:].strip() for line in changed_lines(ODD, new)] == ['- "yes"', '- "12"']


def test_an_entry_without_alternates_gets_them_after_its_question():
    new = add_alternates(ODD, {"payment": {"en": ["when is payday"]}})
    assert all(line.startswith("+") for line in changed_lines(ODD, new))
    kb = parse_knowledge(new)
    assert kb.entry("payment").alternates == {"en": ("when is payday",)}
    assert kb.entry("payment").answer["en"] == "Nothing changes.\nReally."


def test_drafts_are_appended_marked_draft_and_load_without_being_served():
    new = add_drafts(ODD, [DraftEntry("sponsored-ads", {"en": "how do I set up sponsored ads"}, {"en": ["ads setup"]})])
    assert all(line.startswith("+") for line in changed_lines(ODD, new))
    kb = parse_knowledge(new)
    assert [entry.id for entry in kb.entries] == ["close-account", "payment"]
    (draft,) = kb.drafts
    assert draft.id == "sponsored-ads" and draft.draft and draft.answer == {}
    assert draft.alternates == {"en": ("ads setup",)}


def test_a_flow_style_list_still_takes_the_phrasing():
    text = "version: 1\nentries:\n  - id: a\n    question: {en: Q}\n    alternates: {en: [x, 'y']}\n    answer: {en: A}\n"
    kb = parse_knowledge(add_alternates(text, {"a": {"en": ["z"]}}))
    assert kb.entry("a").alternates["en"] == ("x", "y", "z")


def test_unknown_ids_and_non_knowledge_bases_are_clear_errors():
    with pytest.raises(EditError, match="no entry with id 'nope'"):
        add_alternates(ODD, {"nope": {"en": ["x"]}})
    with pytest.raises(EditError, match="exists already"):
        add_drafts(ODD, [DraftEntry("payment", {"en": "x"})])
    with pytest.raises(EditError, match="not a knowledge base"):
        add_alternates("- just a list\n", {"a": {"en": ["x"]}})
    with pytest.raises(EditError, match="cannot read"):
        add_alternates("entries: [\n", {"a": {"en": ["x"]}})

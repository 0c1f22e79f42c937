"""Loading and validating knowledge bases: the shipped file, and every kind of problem with its line."""

import re
import textwrap

import pytest

from faq import Entry, KnowledgeBase, KnowledgeError, load_knowledge, parse_knowledge
from faq.normalize import has_han

FAQ_IDS = {
    "what-is-happening",
    "seller-impact",
    "apply-subcontractor",
    "listings",
    "seller-central-access",
    "background-check",
    "close-account",
    "payment",
    "contact-support",
}
SMALLTALK_IDS = {"greeting", "thanks", "help", "goodbye"}
PROBLEM_RE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<message>.+)$", re.S)


def problems_of(text: str, source: str = "kb.yaml") -> list[str]:
    """The problems ``parse_knowledge`` reports for dedented ``text`` (the test fails if it loads)."""
    with pytest.raises(KnowledgeError) as caught:
        parse_knowledge(textwrap.dedent(text), source)
    problems = caught.value.problems
    assert problems, "KnowledgeError raised with no problems"
    for problem in problems:
        assert PROBLEM_RE.match(problem), f"not file:line: message -> {problem!r}"
    assert str(caught.value) == "\n".join(problems)
    return problems


def line_of(problem: str) -> int:
    return int(PROBLEM_RE.match(problem).group("line"))


# ---------------------------------------------------------------- the shipped knowledge base


def test_shipped_knowledge_loads(shipped_kb):
    assert isinstance(shipped_kb, KnowledgeBase)
    assert shipped_kb.source.endswith("knowledge.yaml")
    assert shipped_kb.languages() == {"en", "zh"}


def test_shipped_ids(shipped_kb):
    ids = [entry.id for entry in shipped_kb.entries]
    assert len(ids) == len(set(ids))
    faq = {entry.id for entry in shipped_kb.entries if entry.kind == "faq"}
    smalltalk = {entry.id for entry in shipped_kb.entries if entry.kind == "smalltalk"}
    assert faq == FAQ_IDS
    assert smalltalk == SMALLTALK_IDS


@pytest.mark.parametrize("entry_id", sorted(FAQ_IDS))
def test_shipped_faq_entry_is_complete_in_both_languages(shipped_kb, entry_id):
    entry = shipped_kb.entry(entry_id)
    assert isinstance(entry, Entry)
    for lang in ("en", "zh"):
        assert entry.question.get(lang), f"{entry_id}: no {lang} question"
        assert entry.answer.get(lang), f"{entry_id}: no {lang} answer"
        assert len(entry.alternates.get(lang, ())) >= 6, f"{entry_id}: fewer than 6 {lang} alternates"
    assert has_han(entry.question["zh"]) and has_han(entry.answer["zh"])
    assert not has_han(entry.question["en"]) and not has_han(entry.answer["en"])


@pytest.mark.parametrize("entry_id", sorted(SMALLTALK_IDS))
def test_shipped_smalltalk_entry_has_both_languages(shipped_kb, entry_id):
    entry = shipped_kb.entry(entry_id)
    assert entry is not None and entry.kind == "smalltalk"
    assert set(entry.question) == set(entry.answer) == {"en", "zh"}


def test_shipped_entry_lines_point_at_their_id(shipped_kb, knowledge_path):
    lines = knowledge_path.read_text(encoding="utf-8").splitlines()
    for entry in shipped_kb.entries:
        assert lines[entry.line - 1].strip() == f"- id: {entry.id}"


def test_shipped_settings_and_messages(shipped_kb):
    assert shipped_kb.settings.support_contact == {"en": "Seller Support", "zh": "销售伙伴支持"}
    assert shipped_kb.settings.clarify_score <= shipped_kb.settings.answer_score
    for name in ("greeting", "help", "empty_question", "clarify", "escalate"):
        assert set(shipped_kb.messages[name]) == {"en", "zh"}
    assert any("close" in group and "注销" in group for group in shipped_kb.synonyms)


def test_unknown_entry_is_none(shipped_kb):
    assert shipped_kb.entry("no-such-entry") is None


# ---------------------------------------------------------------- a minimal valid file


MINIMAL = """\
    version: 1
    entries:
      - id: one
        question:
          en: "Question?"
          zh: "问题?"
        alternates:
          en: ["another way"]
        answer:
          en: "Answer."
          zh: "答案。"
    """


def test_minimal_file_parses():
    kb = parse_knowledge(textwrap.dedent(MINIMAL), "kb.yaml")
    assert kb.source == "kb.yaml"
    assert kb.version == "1"
    (entry,) = kb.entries
    assert entry.id == "one" and entry.kind == "faq" and entry.line == 3
    assert entry.question == {"en": "Question?", "zh": "问题?"}
    assert entry.alternates == {"en": ("another way",)}
    assert entry.answer["zh"] == "答案。"


def test_one_language_knowledge_base_is_valid():
    kb = parse_knowledge(
        textwrap.dedent(
            """\
            version: 1
            entries:
              - id: only-en
                question: {en: "Q?"}
                answer: {en: "A."}
            """
        )
    )
    assert kb.languages() == {"en"}


# ---------------------------------------------------------------- problems, each with its line


def test_yaml_syntax_error_reports_its_line():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: en: A
        """
    )
    assert problem.startswith("kb.yaml:5: ")
    assert "YAML syntax error" in problem


def test_yaml_syntax_error_unclosed_flow_sequence():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
          - id: [two
            question: {en: Q}
        """
    )
    assert "YAML syntax error" in problem
    assert line_of(problem) in (6, 7)


def test_unknown_key_in_entry():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
            colour: red
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "colour" in problem


def test_duplicate_id_mentions_first_line():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q1}
            answer: {en: A1}
          - id: two
            question: {en: Q2}
            answer: {en: A2}
          - id: one
            question: {en: Q3}
            answer: {en: A3}
        """
    )
    assert problem.startswith("kb.yaml:9: ")
    assert "duplicate id 'one'" in problem
    assert "line 3" in problem


def test_empty_answer():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer:
              en: ""
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "empty" in problem and "answer" in problem


def test_blank_answer_is_empty_too():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer:
              en: "   "
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "empty" in problem


def test_alternates_must_be_a_list():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            alternates:
              en: "not a list"
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "alternates.en" in problem and "list" in problem


def test_bad_alternate_items_each_reported():
    problems = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
            alternates:
              en:
                - fine
                - [nested]
                - ""
        """
    )
    assert [line_of(p) for p in problems] == [9, 10]


def test_question_must_be_a_mapping():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: "just text"
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:4: ")
    assert "mapping" in problem


def test_unknown_language_key():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question:
              en: Q
              fr: Quoi
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "'fr'" in problem


def test_question_needs_a_language():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {}
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:4: ")


def test_alternates_in_a_language_without_question():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            alternates:
              zh: ["问"]
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "zh" in problem


def test_missing_entries():
    (problem,) = problems_of("version: 1\n")
    assert problem.startswith("kb.yaml:1: ")
    assert "entries" in problem


def test_empty_entries_list():
    (problem,) = problems_of(
        """\
        version: 1
        entries: []
        """
    )
    assert problem.startswith("kb.yaml:2: ")
    assert "entries" in problem


def test_missing_version():
    (problem,) = problems_of(
        """\
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:1: ")
    assert "version" in problem


def test_entry_missing_answer():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
        """
    )
    assert problem.startswith("kb.yaml:3: ")
    assert "answer" in problem


def test_entry_must_be_a_mapping():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - just a string
        """
    )
    assert problem.startswith("kb.yaml:3: ")


def test_bad_kind():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            kind: chitchat
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:4: ")
    assert "kind" in problem and "faq" in problem and "smalltalk" in problem


def test_bad_id():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: Close Account
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert problem.startswith("kb.yaml:3: ")
    assert "kebab-case" in problem


def test_duplicate_key_in_entry():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
            answer: {en: B}
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "duplicate key 'answer'" in problem


def test_unknown_top_level_key():
    (problem,) = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        extra: 1
        """
    )
    assert problem.startswith("kb.yaml:6: ")
    assert "extra" in problem


def test_bad_settings():
    problems = problems_of(
        """\
        version: 1
        settings:
          answer_score: 120
          margin: lots
          speed: 3
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        """
    )
    by_line = {line_of(p): p for p in problems}
    assert sorted(by_line) == [3, 4, 5]
    assert "answer_score" in by_line[3] and "margin" in by_line[4] and "speed" in by_line[5]


def test_clarify_score_above_answer_score():
    (problem,) = problems_of(
        """\
        version: 1
        settings:
          answer_score: 20
          clarify_score: 40
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert "clarify_score" in problem
    assert 2 <= line_of(problem) <= 4


def test_synonym_groups_are_checked():
    problems = problems_of(
        """\
        version: 1
        synonyms:
          - [close]
          - close
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert [line_of(p) for p in problems] == [3, 4]


def test_all_problems_reported_at_once():
    problems = problems_of(
        """\
        version: 1
        entries:
          - id: one
            kind: chitchat
            question: {en: Q}
            answer: {en: ""}
            extra: 1
        """
    )
    assert len(problems) == 3
    assert sorted(line_of(p) for p in problems) == [4, 6, 7]


def test_problems_across_entries_reported_at_once():
    problems = problems_of(
        """\
        version: 1
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
          - id: two
            question: {en: Q}
          - id: one
            question: {fr: Q}
            answer: {en: A}
        """
    )
    assert len(problems) == 3
    assert sorted(line_of(p) for p in problems) == [6, 8, 9]


def test_empty_file():
    (problem,) = problems_of("")
    assert problem.startswith("kb.yaml:1: ")
    assert "empty" in problem


def test_top_level_must_be_a_mapping():
    (problem,) = problems_of("- a\n- b\n")
    assert problem.startswith("kb.yaml:1: ")


def test_source_name_is_used():
    problems = problems_of("version: 1\n", source="custom/name.yaml")
    assert problems[0].startswith("custom/name.yaml:1: ")


# ---------------------------------------------------------------- files


def test_load_from_file(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
    kb = load_knowledge(path)
    assert [entry.id for entry in kb.entries] == ["one"]
    assert kb.source == str(path)
    assert load_knowledge(str(path)).entries == kb.entries


def test_problems_from_a_file_name_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nentries:\n  - id: one\n    question: {en: Q}\n    answer: {en: A}\n    colour: red\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    assert caught.value.problems == [
        f"{path}:6: unknown key 'colour' in entries[0]"
        " (expected one of: alternates, answer, draft, id, keywords, kind, learned, links, question, tags)"
    ]


def test_missing_file_is_a_knowledge_error(tmp_path):
    path = tmp_path / "does-not-exist.yaml"
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:1: ")


def test_directory_is_a_knowledge_error(tmp_path):
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{tmp_path}:1: ")


def test_non_utf8_file_is_a_knowledge_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\nentries:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:1: ")


@pytest.mark.parametrize("number", ["0x10", "1:30", ".nan", ".inf", "0b11"])
def test_numbers_float_cannot_read_are_a_problem_not_a_traceback(number):
    (problem,) = problems_of(
        f"""\
        version: 1
        settings:
          answer_score: {number}
        entries:
          - id: one
            question: {{en: Q}}
            answer: {{en: A}}
        """
    )
    assert problem.startswith("kb.yaml:3: ") and "between 0 and 100" in problem


def test_misspelled_message_names_and_zero_choices_are_reported():
    problems = problems_of(
        """\
        version: 1
        settings:
          max_choices: 0
        messages:
          escalte: {en: "Passed on."}
        entries:
          - id: one
            question: {en: Q}
            answer: {en: A}
        """
    )
    assert [line_of(p) for p in problems] == [3, 5]
    assert "at least 1" in problems[0] and "unknown key 'escalte'" in problems[1]

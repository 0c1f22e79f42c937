"""A parsed knowledge base kept on disk: read back for the same bytes, parsed again for an edited or damaged one.

A file with a problem is never cached, so its ``file:line`` report is unchanged (checked through the real
``faqbot ask`` in a subprocess).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import child_environment
from bot.testkit.slack_traffic import faqbot_command
from faq import KnowledgeError, load_knowledge
from faq.knowledge_file import FOLDER

KB = textwrap.dedent("""\
    version: 1
    entries:
      - id: opening-hours
        question: {en: "When do you open?", zh: "你们几点开门?"}
        alternates: {en: ["opening hours"]}
        answer: {en: "Nine to six.", zh: "九点到六点。"}
      - id: delivery
        question: {en: "How long does delivery take?"}
        answer: {en: "Three to five days."}
    """)
#: the same file with an unclosed list on line 5
BROKEN = KB.replace('alternates: {en: ["opening hours"]}', 'alternates: {en: ["opening hours"}')


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "knowledge.yaml"
    path.write_text(KB, encoding="utf-8")
    return path


def saved_files(cache: Path) -> list[Path]:
    folder = cache / FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_same_file_is_read_back_equal(kb_file, tmp_path):
    cache = tmp_path / "cache"
    first = load_knowledge(kb_file, cache)
    (saved,) = saved_files(cache)
    before = saved.stat()
    again = load_knowledge(kb_file, cache)
    assert again == first == load_knowledge(kb_file)
    assert again.source == str(kb_file) and again.entry("opening-hours").answer["en"] == "Nine to six."
    after = saved.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # read, not written again


def test_an_edited_file_is_parsed_again(kb_file, tmp_path):
    cache = tmp_path / "cache"
    load_knowledge(kb_file, cache)
    kb_file.write_text(KB.replace("Nine to six.", "Eight to eight."), encoding="utf-8")
    assert load_knowledge(kb_file, cache).entry("opening-hours").answer["en"] == "Eight to eight."
    assert len(saved_files(cache)) == 2


def test_the_same_bytes_under_another_name_keep_their_own_source(kb_file, tmp_path):
    cache = tmp_path / "cache"
    other = tmp_path / "copy.yaml"
    other.write_bytes(kb_file.read_bytes())
    assert load_knowledge(kb_file, cache).source == str(kb_file)
    assert load_knowledge(other, cache).source == str(other)
    assert load_knowledge(kb_file, cache).source == str(kb_file)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", "cut short", "another object"])
def test_a_damaged_cache_file_is_ignored_and_written_again(kb_file, tmp_path, damage):
    cache = tmp_path / "cache"
    expected = load_knowledge(kb_file)
    load_knowledge(kb_file, cache)
    (saved,) = saved_files(cache)
    if damage == "cut short":
        damage = saved.read_bytes()[:100]
    elif damage == "another object":
        damage = pickle.dumps({"entries": ()})
    saved.write_bytes(damage)
    assert load_knowledge(kb_file, cache) == expected
    assert pickle.loads(saved.read_bytes()) == expected  # the file was written whole again


def test_a_file_with_a_problem_is_never_cached(kb_file, tmp_path):
    cache = tmp_path / "cache"
    kb_file.write_text(KB.replace("- id: delivery\n", "- kind: faq\n"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KnowledgeError) as raised:
            load_knowledge(kb_file, cache)
        assert raised.value.problems == [f"{kb_file}:7: entry is missing 'id'"]
    assert saved_files(cache) == []


def test_a_cached_load_imports_no_yaml_library(kb_file, tmp_path):
    script = ("import sys; from pathlib import Path; from faq import load_knowledge; "
              f"load_knowledge({str(kb_file)!r}, Path({str(tmp_path / 'cache')!r})); print('yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
            for _ in range(2)]
    assert runs == ["True", "False"]


def test_another_yaml_library_parses_again(kb_file, tmp_path):
    """A PyYAML upgrade may read a file differently: the key names the installed library (without importing it)."""
    other = tmp_path / "other-yaml" / "yaml"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("raise ImportError('only looked up')\n", encoding="utf-8")
    script = "from faq.knowledge_file import knowledge_key; print(knowledge_key(b'same bytes', 'kb.yaml'))"
    keys = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": path}).stdout.strip()
            for path in (str(tmp_path / "none"), str(other.parent), str(tmp_path / "none"))]
    assert keys[0] == keys[2] != keys[1]


def ask(kb_file: Path, cache_home: Path) -> subprocess.CompletedProcess:
    env = child_environment({"XDG_CACHE_HOME": str(cache_home)})
    return subprocess.run([*faqbot_command(), "ask", "--kb", str(kb_file), "--no-semantic", "When do you open?"],
                          cwd=kb_file.parent, env=env, capture_output=True, text=True, timeout=120)


def test_broken_yaml_still_reports_its_line_through_the_real_command(kb_file, tmp_path):
    cache_home = tmp_path / "cache-home"
    answered = ask(kb_file, cache_home)
    assert answered.returncode == 0 and "Nine to six." in answered.stdout
    (saved,) = saved_files(cache_home / "faqbot")
    kb_file.write_text(BROKEN, encoding="utf-8")
    for _ in range(2):  # the second run finds nothing cached for these bytes either
        broken = ask(kb_file, cache_home)
        assert broken.returncode == 1 and broken.stdout == ""
        assert broken.stderr.startswith(f"{kb_file}:5: YAML syntax error: ")
        assert "Traceback" not in broken.stderr
    assert saved_files(cache_home / "faqbot") == [saved]
    kb_file.write_text(KB, encoding="utf-8")
    assert "Nine to six." in ask(kb_file, cache_home).stdout
    assert os.path.exists(saved) and saved_files(cache_home / "faqbot") == [saved]

"""The README is the short page a newcomer reads first, and it stays true.

Its quick start is what CI runs, every command it shows runs as written under an English
and a Chinese locale (the ``faqbot ask`` examples print what it shows), every guide it links
exists and every link inside the guides resolves.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))
LOCALES = {"en": "C.UTF-8", "zh": "zh_CN.UTF-8"}


def code_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced code block."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def shown_commands() -> list[tuple[str, str | None]]:
    """Every ``faqbot`` command the README shows, with the output shown under it (``$`` examples) or None."""
    found: list[tuple[str, str | None]] = []
    for language, body in code_blocks(README):
        if language == "console":
            for example in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                command, _, output = example.partition("\n")
                found.append((command, output.strip()))
        elif language == "sh":
            found += [(line.split("#")[0].strip(), None) for line in body.splitlines() if line.startswith("faqbot ")]
    return found


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 200


def test_the_quick_start_is_what_ci_runs():
    sh = next(body for language, body in code_blocks(README) if language == "sh" and "pytest" in body)
    console, tests = [line for line in sh.splitlines() if line and not line.startswith("#")]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert tests == ci
    assert console == tests.replace("-e '.[test]'", "-e .").replace(".venv/bin/python -m pytest", ".venv/bin/faqbot console")


def test_the_readme_has_one_screenshot_and_every_picture_exists():
    assert len(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)) == 1
    for page in [ROOT / "README.md", *DOCS]:
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / image).is_file(), f"{page.name}: {image}"


def slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_every_link_resolves_and_every_guide_is_linked():
    for page in [ROOT / "README.md", *DOCS]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            assert linked.exists(), f"{page.name} links to {target}, which does not exist"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.MULTILINE)
                assert anchor in {slug(heading) for heading in headings}, f"{page.name}: no heading for #{anchor}"
    linked_pages = set(re.findall(r"\(docs/([\w-]+\.md)\)", README))
    assert {page.name for page in DOCS} <= linked_pages


@pytest.fixture(scope="module")
def workplace(tmp_path_factory) -> dict[str, str]:
    """Where the README's commands run: the repository, a throwaway database."""
    folder = tmp_path_factory.mktemp("readme")
    return {"FAQBOT_DB_URL": f"sqlite:///{folder / 'faq.sqlite3'}"}


@pytest.mark.parametrize("lang", sorted(LOCALES))
@pytest.mark.parametrize("command, shown", shown_commands(), ids=[command for command, _ in shown_commands()])
def test_every_command_the_readme_shows_runs_as_written(command, shown, lang, workplace):
    words = shlex.split(command)
    assert words[0] == "faqbot"
    env = {**os.environ, **workplace, "LANG": LOCALES[lang], "LC_ALL": LOCALES[lang], "COLUMNS": "100"}
    env.pop("LC_MESSAGES", None), env.pop("FAQBOT_KB", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", *words[1:]], input=":quit\n", capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if shown and words[1] == "ask" and lang == "en":
        *text, decision = shown.splitlines()
        *got, got_decision = done.stdout.strip().splitlines()
        assert got == text
        assert got_decision.rsplit(" ", 1)[0] == decision.rsplit(" ", 1)[0]  # the score may move a little

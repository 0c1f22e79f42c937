"""The agents' console on a real terminal: help fitted to its width in both languages, and no empty "best phrasing"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.textwidth import width
from screen import Screen


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'faq.sqlite3'}"


@pytest.mark.parametrize("lang, intro", [("en", "Commands:"), ("zh", "命令")])
@pytest.mark.parametrize("columns", [60, 100])
def test_help_fits_the_terminal_width(db, lang, intro, columns):
    screen = Screen("console", "--ui-lang", lang, "--db", db, columns=columns)
    try:
        screen.expect("> ")
        screen.type(":help")
        shown = screen.expect(":quit")
        shown += screen.expect("> ")
    finally:
        screen.close()
    lines = shown[shown.index(intro):].splitlines()[1:-1]
    assert len(lines) > 12
    assert max(width(line) for line in lines) < columns, "\n".join(lines)
    assert any(line.lstrip().startswith(":resolve N") for line in lines)
    described = [line for line in lines if line.startswith("  :")]
    assert all(line.startswith(" " * 4) or line.startswith("  :") for line in lines)  # text wraps under itself
    assert len(described) == 12


@pytest.mark.parametrize("lang, none", [("en", "best phrasing: none"), ("zh", "最佳问法:无")])
def test_nothing_matched_by_words_never_prints_an_empty_best_phrasing(db, lang, none):
    screen = Screen("console", "--ui-lang", lang, "--db", db)
    try:
        screen.expect("> ")
        screen.type("xyzzy qwerty")
        shown = screen.expect("> ")
    finally:
        screen.close()
    assert "''" not in shown and none in shown

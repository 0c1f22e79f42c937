"""Fitting text into the console's views: terminal width with East Asian wide characters, and long texts cut with a marker."""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth

from bot.console.texts import CONSOLE_TEXTS

#: Longest text a view prints whole; a 100,000-character question is cut here with a marker.
VIEW_LIMIT = 500


def width(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two; unprintable ones count as one)."""
    columns = wcswidth(text)
    if columns >= 0:
        return columns
    return sum(max(wcwidth(char), 1) if char >= " " else 1 for char in text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns."""
    return text + " " * max(columns - width(text), 0)


def clip(text: str, lang: str, limit: int = VIEW_LIMIT) -> str:
    """``text`` on one line, cut after ``limit`` characters with a marker saying how much was left out."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit] + CONSOLE_TEXTS.text("clipped", lang, count=len(flat) - limit)


def table(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned lines (the last column is not padded)."""
    if not rows:
        return []
    widths = [max(width(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
    return ["  ".join([*(pad(cell, w) for cell, w in zip(row, widths)), row[-1]]).rstrip() for row in rows]

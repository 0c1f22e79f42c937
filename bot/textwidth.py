"""Terminal width of text with East Asian wide characters, for every aligned table the tools print."""

from __future__ import annotations

from wcwidth import wcswidth, wcwidth


def width(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two; unprintable ones count as one)."""
    columns = wcswidth(text)
    if columns >= 0:
        return columns
    return sum(max(wcwidth(char), 1) if char >= " " else 1 for char in text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (left-aligned)."""
    return text + " " * max(columns - width(text), 0)


def table(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned lines, two spaces apart (the last column is not padded)."""
    if not rows:
        return []
    widths = [max(width(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
    return ["  ".join([*(pad(cell, w) for cell, w in zip(row, widths)), row[-1]]).rstrip() for row in rows]

"""Terminal width of text with East Asian wide characters, for every aligned table the tools print."""

from __future__ import annotations

import re

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


_NO_LINE_START = "，。；：、）！？"  # Chinese punctuation that must not begin a line
_PIECES = re.compile(rf"[!-~]+[{_NO_LINE_START}]*| +|.[{_NO_LINE_START}]*")  # an ASCII word or one other character


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, breaking at spaces or between CJK characters."""
    lines, line = [], ""
    for piece in _PIECES.findall(" ".join(text.split())):
        if line.strip() and width(line + piece) > columns:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines

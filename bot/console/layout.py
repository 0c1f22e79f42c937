"""Fitting text into the console's views: sellers' text escaped and long texts cut (:mod:`bot.terminal_text`),
widths from :mod:`bot.textwidth`."""

from __future__ import annotations

from bot.terminal_text import VIEW_LIMIT, clip
from bot.textwidth import pad, table, width, wrap

__all__ = ["VIEW_LIMIT", "clip", "help_lines", "pad", "table", "width"]


def help_lines(rows: list[tuple[str, str]], columns: int) -> list[str]:
    """Usages and their texts in two columns fitted to a terminal ``columns`` wide (CJK counted as two).

    The usage column is at most a third of the terminal: a longer usage gets its text
    on the next line. Texts wrap under themselves, so no line is wider than the terminal
    and the terminal never wraps one into the usage column.
    """
    column = min(max(width(usage) for usage, _ in rows), max(columns // 3, 12))
    indent = " " * (2 + column + 2)
    text_columns = max(columns - len(indent) - 1, 20)  # one column spare: a full line makes some terminals wrap
    lines: list[str] = []
    for usage, text in rows:
        wrapped = wrap(text, text_columns) or [""]
        if width(usage) <= column:
            lines.append(f"  {pad(usage, column)}  {wrapped[0]}".rstrip())
            wrapped = wrapped[1:]
        else:
            lines.append(f"  {usage}")
        lines += [indent + line for line in wrapped]
    return lines

"""Fitting text into the console's views: long texts cut with a marker (widths come from :mod:`bot.textwidth`)."""

from __future__ import annotations

from bot.clipping import clipped
from bot.textwidth import pad, table, width

__all__ = ["VIEW_LIMIT", "clip", "pad", "table", "width"]

#: Longest text a view prints whole; a 100,000-character question is cut here with a marker.
VIEW_LIMIT = 500


def clip(text: str, lang: str, limit: int = VIEW_LIMIT) -> str:
    """``text`` on one line, cut after ``limit`` characters with a marker saying how much was left out."""
    return clipped(" ".join(text.split()), lang, limit)

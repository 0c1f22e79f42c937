"""Fitting text into the console's views: sellers' text escaped and long texts cut (:mod:`bot.terminal_text`),
widths from :mod:`bot.textwidth`."""

from __future__ import annotations

from bot.terminal_text import VIEW_LIMIT, clip
from bot.textwidth import pad, table, width

__all__ = ["VIEW_LIMIT", "clip", "pad", "table", "width"]

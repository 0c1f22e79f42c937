"""Sellers' text on an agent's or author's terminal: control and bidi characters shown escaped, long texts cut.

A question is stored exactly as the seller typed it, but printed raw it can
drive the terminal that shows it: ``ESC]52;…BEL`` writes the agent's
clipboard, ``ESC[2J`` clears the screen, ``ESC[8m`` hides text, a right-to-left
override (U+202E) makes a line read backwards. :func:`shown` makes every such
character visible as an escape (``\\x1b``, ``\\u202e``) instead; :func:`clip`
also cuts a long text with the marker every view uses. Every terminal view of
sellers' text (the console's ``:queue`` and ``:case``, ``faqbot report``, the
``suggest`` summary) prints through them.
"""

from __future__ import annotations

import re

from bot.clipping import clipped

#: Longest text a view prints whole; a 100,000-character question is cut here with a marker.
VIEW_LIMIT = 500

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, zero-width and other invisible format characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def shown(text: str) -> str:
    """``text`` safe for a terminal: every control, bidi or invisible format character written as an escape."""
    return _UNSAFE.sub(_visible, text)


def clip(text: str, lang: str, limit: int = VIEW_LIMIT) -> str:
    """``text`` on one line and :func:`shown`, cut after ``limit`` characters with a marker saying how much was left out."""
    flat = " ".join(text.split())
    return shown(flat[:limit]) + clipped(flat, lang, limit)[limit:]

"""Block Kit as a terminal shows it: sections, fields, grey context lines, buttons as ``[ label ]``
and a select menu (the case card's "Resolve as…") as ``[ placeholder ▾ ]`` with its options listed.

Used by ``faqbot slack try`` to show what Slack would display. Only the block
types faqbot posts are drawn in full (``section``, ``context``, ``actions``,
``divider``, ``header``); any other is named, never dropped silently. Buttons
and menus get numbers to click them by; a menu's options are numbered under it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


class Style:
    """ANSI styles, or none (piped output, ``NO_COLOR``)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def button(self, text: str, style: str | None) -> str:
        return self._wrap({"primary": "32", "danger": "31"}.get(style or "", "36"), text)


def mrkdwn_to_text(text: str, names: Mapping[str, str], style: Style) -> str:
    """Slack mrkdwn as plain terminal text: mentions by name, links as ``label <url>``, *bold*, quotes."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target[:1] in "@#":
            name = names.get(target[1:], label or target[1:])
            return f"{target[0]}{name}"
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} <{target}>" if label else target

    text = _LINK.sub(link, text)
    text = _BOLD.sub(lambda m: style.bold(m.group(1)), text)
    lines = [("│ " + line[1:].lstrip()) if line.startswith(">") else line for line in text.split("\n")]
    return html.unescape("\n".join(lines))


def render_blocks(
    blocks: list[dict[str, Any]],
    names: Mapping[str, str],
    style: Style,
    number: Callable[[dict[str, Any], dict[str, Any]], int],
) -> list[str]:
    """The lines a terminal shows for ``blocks``; ``number(element, block)`` gives each button or menu its number."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "section":
            if block.get("text"):
                lines.extend(_text(block["text"], names, style).split("\n"))
            for field in block.get("fields") or []:
                title, _, value = _text(field, names, style).partition("\n")
                lines.append(f"  {title}: {value.replace(chr(10), ' ')}" if value else f"  {title}")
            if block.get("accessory", {}).get("type") == "button":
                lines.append("  " + _button(block["accessory"], style, lambda element: number(element, block)))
        elif kind == "context":
            parts = [_text(element, names, style) for element in block.get("elements") or [] if element.get("text")]
            lines.append(style.dim("  ".join(parts)))
        elif kind == "actions":
            elements = block.get("elements") or []
            shown = [_button(element, style, lambda element: number(element, block)) for element in elements
                     if element.get("type") == "button"]
            if shown:
                lines.append("  ".join(shown))
            for menu in (element for element in elements if element.get("type") == "static_select"):
                lines.extend(_menu(menu, style, number(menu, block)))
        elif kind == "divider":
            lines.append(style.dim("─" * 40))
        elif kind == "header":
            lines.append(style.bold(_text(block.get("text") or {}, names, style)))
        else:
            lines.append(style.dim(f"[{kind} block]"))
    return lines


def _text(obj: dict[str, Any], names: Mapping[str, str], style: Style) -> str:
    text = str(obj.get("text") or "")
    return mrkdwn_to_text(text, names, style) if obj.get("type") == "mrkdwn" else text


def _button(element: dict[str, Any], style: Style, number: Callable[[dict[str, Any]], int]) -> str:
    label = (element.get("text") or {}).get("text") or "?"
    return f"{number(element)} " + style.button(f"[ {label} ]", element.get("style"))


def menu_options(menu: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """A select menu's options in order, each with its group's label (None outside groups)."""
    found: list[tuple[str | None, dict[str, Any]]] = [(None, option) for option in menu.get("options") or []]
    for group in menu.get("option_groups") or []:
        label = (group.get("label") or {}).get("text")
        found += [(label, option) for option in group.get("options") or []]
    return found


def _menu(menu: dict[str, Any], style: Style, number: int) -> list[str]:
    """``N [ Resolve as… ▾ ]`` and, under it, each option as ``N.K label`` below its group's name."""
    placeholder = (menu.get("placeholder") or {}).get("text") or "…"
    lines = [f"{number} " + style.button(f"[ {placeholder} ▾ ]", None)]
    group: str | None = None
    for position, (label, option) in enumerate(menu_options(menu), start=1):
        if label is not None and label != group:
            lines.append(style.dim(f"    {label}"))
            group = label
        text = (option.get("text") or {}).get("text") or "?"
        lines.append(f"      {number}.{position} {text}")
    return lines

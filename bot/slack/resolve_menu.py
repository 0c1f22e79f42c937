"""The case card's "Resolve as…" menu: resolve a case and say what it was, for ``faqbot suggest``.

A Block Kit ``static_select`` in its own actions block: the case's closest
entries first, then "new topic" and "out of scope", then the other entries in
the knowledge base's order, at most 100 options in all (Slack's limit; a case
about a rarer entry is resolved from the console with ``:resolve N --entry ID``).
The actions block's id carries the case number and the link to the seller's
message (the Take / Resolve value), so the card can be redrawn without asking
Slack for the link again; an option's value is only what it labels.
"""

from __future__ import annotations

from typing import Any

from bot.slack.texts import say
from bot.slack.values import case_value, decode_case_value, shorten
from faq import Assistant

RESOLVE_AS = "case_resolve_as"
OPTIONS_MAX = 100  # a static_select's options, all groups together
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
BLOCK_ID_MAX = 255
_ENTRY_PREFIX = "entry:"
_SPECIAL = ("new_topic", "out_of_scope")


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": shorten(text, OPTION_TEXT_MAX) or "?", "emoji": True},
            "value": value}


def render_resolve_menu(assistant: Assistant, case: Any, permalink: str | None, lang: str) -> dict[str, Any]:
    """The actions block with the "Resolve as…" select for ``case`` (an ``Escalation``)."""
    kb = assistant.kb

    def entry_option(entry_id: str) -> dict[str, Any] | None:
        entry = kb.entry(entry_id)
        value = _ENTRY_PREFIX + entry_id
        if entry is None or len(value) > OPTION_VALUE_MAX:
            return None
        question = entry.text_in(entry.question, lang) or ""
        return _option(f"{entry.id} · {question}" if question else entry.id, value)

    closest_ids = list(dict.fromkeys(c.entry_id for c in case.candidates[:5]))
    closest = [o for o in (entry_option(i) for i in closest_ids) if o is not None]
    special = [_option(say(assistant, f"slack_resolve_{name}", lang), name) for name in _SPECIAL]
    room = OPTIONS_MAX - len(closest) - len(special)
    rest = [o for o in (entry_option(e.id) for e in kb.entries if e.id not in closest_ids) if o is not None][:room]
    groups = [
        {"label": {"type": "plain_text", "text": say(assistant, key, lang)}, "options": options}
        for key, options in (("slack_resolve_group_closest", closest), ("slack_resolve_group_other", special),
                             ("slack_resolve_group_entries", rest))
        if options
    ]
    select = {
        "type": "static_select",
        "action_id": RESOLVE_AS,
        "placeholder": {"type": "plain_text", "text": say(assistant, "slack_resolve_as", lang)},
        "option_groups": groups,
    }
    block_id = case_value(case.case, permalink)
    if len(block_id) > BLOCK_ID_MAX:
        block_id = case_value(case.case, None)
    return {"type": "actions", "block_id": block_id, "elements": [select]}


def decode_resolve_choice(action: dict) -> tuple[int, str | None, str, str | None]:
    """``(case, permalink, label, entry_id)`` from a "Resolve as…" selection; ``ValueError`` otherwise."""
    case, permalink = decode_case_value(action.get("block_id"))
    value = ((action.get("selected_option") or {}).get("value")) or ""
    if not isinstance(value, str):
        raise ValueError("not a resolve choice")
    if value.startswith(_ENTRY_PREFIX) and len(value) > len(_ENTRY_PREFIX):
        return case, permalink, "entry", value[len(_ENTRY_PREFIX):]
    if value in _SPECIAL:
        return case, permalink, value, None
    raise ValueError("not a resolve choice")

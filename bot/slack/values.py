"""What Slack buttons carry (the seller's :class:`Ref`, the support card's case value) and how long text is cut.

Slack echoes a button's ``value`` back on a click, so it is how a click finds
its question, entry and conversation again; values are JSON kept under Slack's
2,000-character limit, and anything we did not write is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

BUTTON_VALUE_MAX = 2000
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ELLIPSIS))]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never leave half an entity such as "&am"
    return cut.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Ref:
    """What a button click needs to know about the question it belongs to (carried in the button value).

    ``question_id`` points into the question log; ``question`` carries the text
    itself only when the log could not be written. ``message_ts``/``thread_ts``
    are the asker's message and thread (None for ``/faq``), ``asker`` their user id.
    """

    lang: str
    question_id: int | None = None
    entry_id: str | None = None
    asker: str | None = None
    channel: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    question: str | None = None
    score: int | None = None

    _KEYS = (("lang", "l"), ("question_id", "q"), ("entry_id", "e"), ("asker", "u"), ("channel", "c"),
             ("message_ts", "m"), ("thread_ts", "t"), ("question", "x"), ("score", "s"))
    _INTS = ("question_id", "score")

    def with_entry(self, entry_id: str | None, score: float | None = None) -> Ref:
        """This reference pointing at another entry (with that entry's score)."""
        return Ref(**{**self.__dict__, "entry_id": entry_id, "score": None if score is None else round(score)})

    def encode(self) -> str:
        """Compact JSON of the set fields, at most 2,000 characters (the question text is shortened)."""
        data = {short: getattr(self, name) for name, short in self._KEYS if getattr(self, name) is not None}
        value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        while len(value) > BUTTON_VALUE_MAX and data.get("x"):
            over = len(value) - BUTTON_VALUE_MAX
            data["x"] = shorten(data["x"], max(len(data["x"]) - over, 0))
            value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(value) > BUTTON_VALUE_MAX:
            raise ValueError("button reference does not fit in a button value")
        return value

    @classmethod
    def decode(cls, value: str | None) -> Ref:
        """The reference in a button value; ``ValueError`` for anything we did not write."""
        try:
            data = json.loads(value or "")
        except ValueError as exc:
            raise ValueError("not a faqbot button value") from exc
        if not isinstance(data, dict) or not isinstance(data.get("l"), str):
            raise ValueError("not a faqbot button value")
        fields = {name: data.get(short) for name, short in cls._KEYS}
        for name, found in fields.items():
            wanted = int if name in cls._INTS else str
            if found is not None and (not isinstance(found, wanted) or isinstance(found, bool)):
                raise ValueError(f"bad {name} in button value")
        return cls(**fields)


def case_value(case: int, permalink: str | None) -> str:
    """The value of the Take / Resolve buttons: the case number and the link to the seller's message."""
    data: dict[str, Any] = {"case": case}
    if permalink and len(permalink) < BUTTON_VALUE_MAX - 40:
        data["link"] = permalink
    return json.dumps(data, separators=(",", ":"))


def decode_case_value(value: str | None) -> tuple[int, str | None]:
    """``(case, permalink)`` from a Take / Resolve button value; ``ValueError`` otherwise."""
    try:
        data = json.loads(value or "")
        case = data["case"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError("not a case button value") from exc
    if not isinstance(case, int) or isinstance(case, bool):
        raise ValueError("not a case button value")
    link = data.get("link")
    return case, link if isinstance(link, str) else None



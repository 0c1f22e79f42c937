"""What Slack buttons carry (the seller's :class:`Ref`, the support card's case value) and how long text is cut.

Slack echoes a button's ``value`` back on a click, so it is how a click finds
its question, entry and conversation again; values are JSON kept under Slack's
2,000-character limit, and anything we did not write is refused.

A click's value comes from the clicker's Slack client, so it can be forged. The
seller's references are sealed with an HMAC (:class:`ButtonSeal`, keyed from the
bot token every process shares): a changed question id, asker or message is
refused. The case buttons carry only a case number, which is looked up in the
database (see :mod:`bot.desks.cases`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

BUTTON_VALUE_MAX = 2000
ELLIPSIS = "…"


def slack_length(text: str) -> int:
    """``text``'s length as Slack counts it against its limits: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters as Slack counts them, ending with an ellipsis when cut."""
    if len(text) <= limit // 2 or slack_length(text) <= limit:
        return text
    room = max(0, limit - slack_length(ELLIPSIS))
    cut = text.encode("utf-16-le")[: 2 * room].decode("utf-16-le", "ignore")  # never half an emoji
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never leave half an entity such as "&am"
    return cut.rstrip() + ELLIPSIS


SEAL_KEY = "h"
CASE_MAX = 2**63 - 1  # the largest case number any database can hold


class ButtonSeal:
    """Signs and checks button values with a key only our processes know.

    The key is derived from a secret every process of one deployment shares
    (the bot token), so any worker can check a value another one wrote; a new
    token makes older buttons stale (the clicker is asked to ask again).
    """

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a button seal needs a secret")
        self._key = hashlib.sha256(b"faqbot button seal\0" + secret.encode("utf-8")).digest()

    def mark(self, payload: str) -> str:
        """The seal of ``payload`` (22 URL-safe characters)."""
        digest = hmac.new(self._key, payload.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")

    def check(self, payload: str, mark: object) -> bool:
        """Whether ``mark`` is this seal's mark of ``payload``."""
        return isinstance(mark, str) and hmac.compare_digest(self.mark(payload), mark)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
    seal: ButtonSeal | None = field(default=None, compare=False, repr=False)  # signs encode(); set by decode

    _KEYS = (("lang", "l"), ("question_id", "q"), ("entry_id", "e"), ("asker", "u"), ("channel", "c"),
             ("message_ts", "m"), ("thread_ts", "t"), ("question", "x"), ("score", "s"))
    _INTS = ("question_id", "score")

    def with_entry(self, entry_id: str | None, score: float | None = None) -> Ref:
        """This reference pointing at another entry (with that entry's score)."""
        return Ref(**{**self.__dict__, "entry_id": entry_id, "score": None if score is None else round(score)})

    def encode(self) -> str:
        """Compact JSON of the set fields (sealed when ``seal`` is set), at most 2,000 characters (the question text is shortened)."""
        data = {short: getattr(self, name) for name, short in self._KEYS if getattr(self, name) is not None}
        value = self._sealed(data)
        while len(value) > BUTTON_VALUE_MAX and data.get("x"):
            over = len(value) - BUTTON_VALUE_MAX
            data["x"] = shorten(data["x"], max(len(data["x"]) - over, 0))
            value = self._sealed(data)
        if len(value) > BUTTON_VALUE_MAX:
            raise ValueError("button reference does not fit in a button value")
        return value

    def _sealed(self, data: dict[str, Any]) -> str:
        if self.seal is None:
            return _dumps(data)
        return _dumps({**data, SEAL_KEY: self.seal.mark(_dumps(data))})

    @classmethod
    def decode(cls, value: str | None, seal: ButtonSeal | None = None) -> Ref:
        """The reference in a button value; ``ValueError`` for anything we did not write.

        With ``seal``, a value whose seal is missing or does not match (forged or
        changed) raises :class:`ForgedValue`; the reference keeps the seal, so
        buttons drawn from it are sealed again.
        """
        try:
            data = json.loads(value or "")
        except ValueError as exc:
            raise ValueError("not a faqbot button value") from exc
        if not isinstance(data, dict) or not isinstance(data.get("l"), str):
            raise ValueError("not a faqbot button value")
        mark = data.pop(SEAL_KEY, None)
        fields = {name: data.get(short) for name, short in cls._KEYS}
        for name, found in fields.items():
            wanted = int if name in cls._INTS else str
            if found is not None and (not isinstance(found, wanted) or isinstance(found, bool)):
                raise ValueError(f"bad {name} in button value")
        if seal is not None and not seal.check(_dumps(data), mark):
            raise ForgedValue(data["l"])
        return cls(**fields, seal=seal)


class ForgedValue(ValueError):
    """A button value whose seal is missing or wrong; ``lang`` is what it claims (for a polite refusal)."""

    def __init__(self, lang: str) -> None:
        super().__init__("button value not sealed by us")
        self.lang = lang if lang in ("en", "zh") else "en"


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



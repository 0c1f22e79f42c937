"""One neutral request: who asks, where, what, and which action; what every channel turns its input into.

A channel parses its native input (a Slack event or click, a console line, a
JSON line) into a :class:`Request` and hands it to the front desk
(:mod:`bot.desks.front`). Nothing in it is channel-shaped except ``reply_to``,
the channel's own address for the answer (e.g. a response URL), which only
that channel's output reads. A request is plain data, so the durable inbox
stores it as JSON and replays it into the desks as it was received.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: What a request asks for. ``ask`` a question; ``pick`` a did-you-mean choice; ``none_of_these``;
#: ``feedback`` on an answer; ``share`` an answer with everyone where it was asked;
#: ``take``/``resolve``/``reopen`` a case; ``help``; ``tell``: say the notice named in ``text``
#: to the actor (a channel's own refusal, e.g. a forged button).
ACTIONS = ("ask", "pick", "none_of_these", "feedback", "share", "take", "resolve", "reopen", "help", "tell")


@dataclass(frozen=True)
class Request:
    """A parsed request.

    ``who`` acts (the asker, the clicker, the agent); ``asker`` is who asked the
    question behind a button (``who`` must be them). ``channel``/``thread``/
    ``message`` say where the question was asked; ``clicked`` is the message
    the action was taken on, and ``card`` the case card clicked
    (``channel:ts``). ``key`` is the case's idempotency key; ``event`` names
    the request in log lines; ``recorded`` is set by the inbox when it replays.
    """

    action: str
    source: str
    who: str | None = None
    text: str = ""
    lang: str | None = None
    explain: bool = False
    asker: str | None = None
    channel: str | None = None
    thread: str | None = None
    message: str | None = None
    clicked: str | None = None
    question_id: int | None = None
    entry_id: str | None = None
    score: float | None = None
    helpful: bool | None = None
    case: int | None = None
    label: str | None = None
    note: str = ""
    card: str | None = None
    key: str | None = None
    event: str | None = None
    reply_to: dict[str, Any] = field(default_factory=dict)
    recorded: bool = False

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}")

    def to_json(self) -> dict[str, Any]:
        """The request as JSON-ready data (``recorded`` is the inbox's to set, so it is left out)."""
        data = asdict(self)
        data.pop("recorded")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, recorded: bool = False) -> Request:
        """A request stored by :meth:`to_json`; unknown keys (a newer version's) are ignored."""
        known = {f.name for f in fields(cls)} - {"recorded"}
        return cls(**{name: value for name, value in data.items() if name in known}, recorded=recorded)

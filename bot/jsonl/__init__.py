"""A JSON-lines channel: one request per input line, one JSON object per answer; the smallest whole adapter.

It exists to prove that a channel is one folder: it parses its input into the
neutral :class:`~bot.desks.request.Request`, implements the
:class:`~bot.desks.output.Output` interface, and hands everything to the same
front desk as the console and Slack (asking, escalating, picking, feedback,
taking and resolving). Tests drive it; see ``ARCHITECTURE.md``, "Adding a channel".
"""

from bot.jsonl.channel import SOURCE, JsonLinesOutput, open_front_desk, parse_line, serve

__all__ = ["SOURCE", "JsonLinesOutput", "open_front_desk", "parse_line", "serve"]

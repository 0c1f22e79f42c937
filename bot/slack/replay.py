"""A parsed Slack request handed to the front desk, answered through Slack's output, with its one log line.

The same path serves a request handled at once, one replayed from the durable
inbox by another process after the first was killed, and one handled in memory
because the database would not record it: the stored request is already
parsed (:mod:`bot.slack.requests`), so replaying it is calling the desks again.
"""

from __future__ import annotations

import dataclasses
import time

from bot.desks.front import FrontDesk, Handled
from bot.desks.request import Request
from bot.inbox import stored_request
from bot.slack.context import SlackContext, log_line
from bot.slack.held_replies import ReplyOutbox
from bot.slack.output import SlackOutput
from bot.slack.posting import find_post
from bot.slack.texts import say
from bot.store import InboxRequest

#: Case refusals the log line names (the others leave no line: a value nobody should send).
_LOGGED_REFUSALS = {"not_an_agent": "refused", "store_failed": "failed"}


class SlackReplay:
    """Hands requests to ``front`` with a :class:`SlackOutput` each; held replies go to ``outbox``."""

    def __init__(self, ctx: SlackContext, front: FrontDesk, outbox: ReplyOutbox) -> None:
        self.ctx = ctx
        self.front = front
        self.outbox = outbox

    def handle(self, request: Request) -> None:
        """Handle one request. Raises only what is worth retrying (a recorded request's busy database, Slack down)."""
        started = time.perf_counter()
        if request.action == "resolve" and not request.note:
            note = say(self.ctx.assistant, "slack_case_resolution", self.ctx.support_lang)
            request = dataclasses.replace(request, note=note)
        output = SlackOutput(self.ctx, request, self.outbox)
        self._log(request, self.front.handle(request, output), output, started)

    def deliver(self, row: InboxRequest) -> None:
        """The inbox's deliverer: a recorded request, replayed."""
        self.handle(stored_request(row))

    def find(self, row: InboxRequest) -> str | None:
        """The ts of the reply to a recorded message already in Slack (a holder died after posting it), else None."""
        request = stored_request(row)
        where = request.reply_to
        if where.get("via") != "thread" or not request.channel:
            return None  # command and button answers are private (ephemeral): nothing to look at
        return find_post(self.ctx.client, request.channel, where.get("key") or row.key, request.thread)

    @staticmethod
    def _log(request: Request, handled: Handled, output: SlackOutput, started: float) -> None:
        """The one line per request: event id, kind, action, entry, score, language, case, latency."""
        kind = request.reply_to.get("kind") or "button"
        outcome = handled.question
        reply = outcome.reply if outcome is not None and request.action == "ask" else None
        case = outcome.case if outcome is not None else None
        if handled.case is not None:
            refusal = handled.case.refusal
            if refusal is not None and refusal not in _LOGGED_REFUSALS and not refusal.startswith(("taken", "already")):
                return
            said = request.action if refusal not in _LOGGED_REFUSALS else f"{request.action}_{_LOGGED_REFUSALS[refusal]}"
            log_line(request.event, kind, said, case=handled.case.case, started=started, error=handled.case.error)
            return
        if handled.said in ("refused", "ignored"):
            return
        said = "held" if output.held else ("error" if output.failed is not None else handled.said)
        log_line(request.event, kind, said, reply=reply, entry=handled.entry_id, case=case, started=started,
                 error=None if output.held else output.failed)

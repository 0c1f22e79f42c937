"""Handling a recorded Slack request: the stored body becomes the listener call it was acknowledged for.

The inbox (:mod:`bot.slack.inbox`) keeps each request's body; this module turns
it back into what the listeners take (the event, the clicked action, a
``respond`` for the response URL, the bot's user id) and calls the listener
for its kind or action id. The same path serves a request handled at once and
one finished by another process after the first was killed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond

from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.resolve_menu import RESOLVE_AS
from bot.slack.conversations import Conversations
from bot.slack.inbox import Handler
from bot.slack.seller_buttons import SellerButtons
from bot.slack.support_buttons import SupportButtons
from bot.store import InboxRequest

ACTIONS = (blocks.HELPFUL, blocks.NOT_HELPFUL, blocks.SHARE, blocks.CHOOSE_PATTERN, blocks.NONE_OF_THESE,
           blocks.TAKE, blocks.RESOLVE, RESOLVE_AS)


@dataclass(frozen=True)
class RecordedContext:
    """The part of bolt's context a listener reads later: the bot's own user id."""

    bot_user_id: str | None = None


def respond_for(body: dict[str, Any]) -> Respond:
    """A ``respond`` that posts to the request's response URL (valid for 30 minutes after the request)."""
    url = body.get("response_url") or next(
        (item.get("response_url") for item in body.get("response_urls") or [] if item.get("response_url")), None)
    return Respond(response_url=url)


class Replay:
    """The inbox's handlers: one per kind of request, calling the audience's listeners."""

    def __init__(self, ctx: SlackContext, conversations: Conversations, seller: SellerButtons,
                 support: SupportButtons) -> None:
        self.ctx = ctx
        self.conversations = conversations
        # Each listener as (body, action, client, respond, durable); durable ones may raise to be retried.
        self.actions: dict[Any, Callable[..., None]] = {
            blocks.HELPFUL: seller.on_helpful,
            blocks.NOT_HELPFUL: seller.on_not_helpful,
            blocks.SHARE: lambda body, action, client, respond, durable: seller.on_share(body, action, respond),
            blocks.CHOOSE_PATTERN: seller.on_choose,
            blocks.NONE_OF_THESE: seller.on_none_of_these,
            blocks.TAKE: lambda body, action, client, respond, durable: support.on_take(body, action, client),
            blocks.RESOLVE: lambda body, action, client, respond, durable: support.on_resolve(body, action, client),
            RESOLVE_AS: lambda body, action, client, respond, durable: support.on_resolve_as(body, action, client),
        }

    def handlers(self) -> dict[str, Handler]:
        """The handlers by request kind, for :class:`bot.slack.inbox.SlackInbox`."""
        return {"event": self.event, "command": self.command, "action": self.action}

    def event(self, request: InboxRequest, durable: bool) -> None:
        body = request.payload.get("body") or {}
        context = RecordedContext(request.payload.get("bot_user_id"))
        self.conversations.on_message(body, body.get("event") or {}, context, self.ctx.client, durable=durable)

    def command(self, request: InboxRequest, durable: bool) -> None:
        body = request.payload.get("body") or {}
        self.conversations.on_command(body, respond_for(body), durable=durable)

    def action(self, request: InboxRequest, durable: bool) -> None:
        body = request.payload.get("body") or {}
        for action in body.get("actions") or []:
            listener = self._listener(str(action.get("action_id") or ""))
            if listener is not None:
                listener(body, action, self.ctx.client, respond_for(body), durable=durable)

    def _listener(self, action_id: str) -> Callable[..., None] | None:
        """The listener of an action id: by name, or by the pattern it matches (the "did you mean" choices)."""
        for key, listener in self.actions.items():
            if key == action_id or (isinstance(key, re.Pattern) and key.match(action_id)):
                return listener
        return None

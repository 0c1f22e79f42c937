"""The Seller Support channel's buttons on a case card: Take, Resolve and the "Resolve as…" menu.

The store decides who wins (one agent per case, even across processes); the
card is then redrawn with the latest state under a per-case lock, so two clicks
handled at once never leave the card showing the older state. Refusals are
told to the clicking agent only (an ephemeral message) in the support
channel's language.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.context import SlackContext, clicker_of, log_line
from bot.slack.resolve_menu import decode_resolve_choice
from bot.slack.texts import say
from bot.store import InvalidTransition, UnknownCase

log = logging.getLogger("faqbot.slack")


class SupportButtons:
    """The listeners for Take and Resolve."""

    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx

    def on_take(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=True)

    def on_resolve(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=False)

    def on_resolve_as(self, body: dict, action: dict, client: WebClient) -> None:
        """"Resolve as…": resolve the case and label it (an entry, a new topic, out of scope) for ``faqbot suggest``."""
        try:
            case_number, permalink, label, entry_id = decode_resolve_choice(action)
        except ValueError:
            log.warning("ignoring a resolve choice we did not write")
            return
        self._case_button(body, {"value": blocks.case_value(case_number, permalink)}, client, take=False,
                          label=label, entry_id=entry_id)

    def _case_button(self, body: dict, action: dict, client: WebClient, *, take: bool,
                     label: str | None = None, entry_id: str | None = None) -> None:
        started = time.perf_counter()
        try:
            case_number, permalink = blocks.decode_case_value(action.get("value"))
        except ValueError:
            log.warning("ignoring a case button with a value we did not write")
            return
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if channel != self.ctx.support_channel:
            log.warning("ignoring a case button outside the support channel (%s)", channel)
            return
        agent = clicker_of(body) or "?"
        store, assistant, lang = self.ctx.store, self.ctx.assistant, self.ctx.support_lang

        def tell(name: str, **values: str) -> None:
            client.chat_postEphemeral(channel=channel, user=agent, text=say(assistant, name, lang, **values))

        if label == "entry" and assistant.kb.entry(entry_id or "") is None:  # the knowledge base changed since
            tell("slack_case_unknown_entry", case=str(case_number), entry=blocks.escape(entry_id or ""))
            return
        try:
            if take:
                if not store.take(case_number, agent, card_redrawn=True):
                    current = store.get(case_number)
                    tell("slack_case_already_taken", case=str(case_number),
                         agent=blocks.user_mention(current.agent if current else None))
            else:
                store.resolve(case_number, agent, say(assistant, "slack_case_resolution", lang), card_redrawn=True,
                              label=label, entry_id=entry_id)
        except UnknownCase:
            tell("slack_case_unknown", case=str(case_number))
            return
        except InvalidTransition:
            tell("slack_case_already_resolved", case=str(case_number))
        with self.ctx.card_lock(case_number):
            current = store.get(case_number)
            if current is not None and container.get("message_ts"):
                fallback, content = blocks.render_case(assistant, current, permalink, lang)
                client.chat_update(channel=channel, ts=container["message_ts"], text=fallback, blocks=content)
        log_line(body.get("trigger_id"), "button", "take" if take else "resolve", case=current, started=started)

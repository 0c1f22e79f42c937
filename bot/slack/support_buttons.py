"""The Seller Support channel's buttons on a case card: Take and Resolve.

The store decides who wins (one agent per case, even across processes); the
card is then redrawn with the latest state under a per-case lock, so two clicks
handled at once never leave the card showing the older state. Refusals are
told to the clicking agent only (an ephemeral message) in the support
channel's language, and so is a click the store could not carry out (a
locked database, a case number no database holds): nothing changed, try again.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.context import SlackContext, clicker_of, log_line
from bot.slack.texts import say
from bot.store import InvalidTransition, StoreError, UnknownCase

log = logging.getLogger("faqbot.slack")

LARGEST_CASE = 2**63 - 1  # no database holds a larger case number

class SupportButtons:
    """The listeners for Take and Resolve."""

    def __init__(self, ctx: SlackContext) -> None:
        self.ctx = ctx

    def on_take(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=True)

    def on_resolve(self, body: dict, action: dict, client: WebClient) -> None:
        self._case_button(body, action, client, take=False)

    def _case_button(self, body: dict, action: dict, client: WebClient, *, take: bool) -> None:
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

        try:
            if not 1 <= case_number <= LARGEST_CASE:
                raise UnknownCase(f"no case #{case_number}")
            if take:
                if not store.take(case_number, agent, card_redrawn=True):
                    current = store.get(case_number)
                    tell("slack_case_already_taken", case=str(case_number),
                         agent=blocks.user_mention(current.agent if current else None))
            else:
                store.resolve(case_number, agent, say(assistant, "slack_case_resolution", lang), card_redrawn=True)
        except UnknownCase:
            tell("slack_case_unknown", case=str(case_number))
            return
        except InvalidTransition:
            tell("slack_case_already_resolved", case=str(case_number))
        except StoreError as exc:
            log.error("case button on case %d failed: %s", case_number, exc)
            tell("slack_case_failed", case=str(case_number))
            return
        with self.ctx.card_lock(case_number):
            try:
                current = store.get(case_number)
            except StoreError as exc:  # the change is stored; the card catches up on the next redraw round
                log.warning("could not redraw the card of case %d: %s", case_number, exc)
                return
            if current is not None and container.get("message_ts"):
                fallback, content = blocks.render_case(assistant, current, permalink, lang)
                client.chat_update(channel=channel, ts=container["message_ts"], text=fallback, blocks=content)
        log_line(body.get("trigger_id"), "button", "take" if take else "resolve", case=current, started=started)

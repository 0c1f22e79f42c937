"""The Seller Support channel's buttons on a case card: Take, Resolve and the "Resolve as…" menu.

Only agents act on cases: a click by anyone not in the agent list
(:class:`bot.slack.agents.AgentList`) gets a polite refusal and changes
nothing. The button's value is not trusted: it only names a case, which is
looked up in the database and must be the case of the card that was clicked;
the link to the seller's message is asked of Slack from the stored case, never
taken from the value.

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
from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.context import SlackContext, clicker_of, log_line
from bot.slack.resolve_menu import decode_resolve_choice
from bot.slack.sink import SlackSink
from bot.slack.texts import say, say_both
from bot.slack.values import CASE_MAX
from bot.store import Escalation, InvalidTransition, StoreError, UnknownCase

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
            case_number, _untrusted_link = blocks.decode_case_value(action.get("value"))
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
        kind = "take" if take else "resolve"

        def tell(name: str, **values: str) -> None:
            client.chat_postEphemeral(channel=channel, user=agent, text=say(assistant, name, lang, **values))

        if not self.ctx.agents.allows(agent):
            log.warning("refused a case button: %s is not in the agent list", agent)
            # Not an agent, so the support channel's language may not be theirs: say it in both.
            client.chat_postEphemeral(channel=channel, user=agent, text=say_both(assistant, "slack_not_an_agent", lang))
            log_line(body.get("trigger_id"), "button", f"{kind}_refused", started=started)
            return
        if label == "entry" and assistant.kb.entry(entry_id or "") is None:  # the knowledge base changed since
            tell("slack_case_unknown_entry", case=str(case_number), entry=blocks.escape(entry_id or ""))
            return
        try:
            current = self._act(case_number, agent, channel, container.get("message_ts"), tell, take=take,
                                label=label, entry_id=entry_id)
        except StoreError as exc:  # locked or unreachable database: the agent must know nothing happened
            log.error("case button failed (case %d): %s", case_number, exc)
            tell("slack_case_failed", case=str(case_number))
            log_line(body.get("trigger_id"), "button", f"{kind}_failed", started=started, error=exc)
            return
        if current is None:
            return
        with self.ctx.card_lock(case_number):
            try:
                current = store.get(case_number)
            except StoreError as exc:  # the change is stored; the card catches up on the next redraw round
                log.warning("could not redraw the card of case %d: %s", case_number, exc)
                return
            if current is not None and container.get("message_ts"):
                fallback, content = blocks.render_case(assistant, current, self._permalink(client, current), lang)
                client.chat_update(channel=channel, ts=container["message_ts"], text=fallback, blocks=content)
        log_line(body.get("trigger_id"), "button", kind, case=current, started=started)

    def _act(self, case_number: int, agent: str, channel: str, message_ts: str | None,
             tell: Callable[..., None], *, take: bool, label: str | None = None,
             entry_id: str | None = None) -> Escalation | None:
        """Take or resolve the case, telling the agent why not; the case (None: nothing to redraw). Raises ``StoreError``."""
        store, assistant, lang = self.ctx.store, self.ctx.assistant, self.ctx.support_lang
        case = store.get(case_number) if 0 < case_number <= CASE_MAX else None  # 10**30 is no case, not an error
        if case is None:
            tell("slack_case_unknown", case=str(case_number))
            return None
        if not _is_card_of(case, channel, message_ts):
            log.warning("ignoring a case button whose case (%d) is not the clicked card's", case_number)
            return None
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
            return None
        except InvalidTransition:
            current = store.get(case_number)
            if current is not None and current.status == "taken":
                tell("slack_case_held", case=str(case_number), agent=blocks.user_mention(current.agent))
            else:
                tell("slack_case_already_resolved", case=str(case_number))
        return case

    def _permalink(self, client: WebClient, case: Escalation) -> str | None:
        """The link to the seller's message, from the stored case (None when Slack cannot say now)."""
        sink = SlackSink(client, self.ctx.support_channel, lambda: self.ctx.assistant, lang=self.ctx.support_lang)
        try:
            return sink.permalink(case)
        except Exception as exc:  # Slack down: the card is redrawn without the link this time
            log.warning("no permalink for case %d: %s", case.case, exc)
            return None


def _is_card_of(case: Escalation, channel: str, message_ts: str | None) -> bool:
    """Whether the clicked message is this case's card (unknown yet, just after posting, counts as yes)."""
    if not case.forward_ref or not message_ts:
        return True
    card_channel, _, card_ts = case.forward_ref.rpartition(":")
    return (card_channel, card_ts) == (channel, message_ts)

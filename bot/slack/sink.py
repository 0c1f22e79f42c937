"""The Seller Support channel as a forwarding ``Sink``: one card per case, with Take / Resolve buttons.

:class:`SlackSink` is what :class:`bot.delivery.Forwarder` hands each stored
case to. It looks up a link to the seller's message (``chat.getPermalink``)
and posts the card (``chat.postMessage``) to the support channel. Any failure
to post (Slack down, rate-limited past the client's retries, the bot not in the
channel) raises, so the forwarder keeps the case queued and tries again later;
a missing permalink alone does not stop the card.

Each card is tagged with its case (:mod:`bot.slack.posting`): a retry, or a post
whose outcome is unknown (a timeout), first looks in the channel, so a slow
Slack never shows a case twice.
"""

from __future__ import annotations

import logging
from typing import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import Undeliverable
from bot.slack.blocks import render_case, render_case_plain
from bot.slack.client import refused_for_good, slack_refused
from bot.slack.posting import find_post, post_once
from bot.store import Escalation
from faq import Assistant

log = logging.getLogger("faqbot.slack")


class SlackSink:
    """Posts escalations to ``channel`` with ``client``; texts come from the current ``Assistant`` in ``lang``."""

    def __init__(
        self, client: WebClient, channel: str, assistant: Callable[[], Assistant], *, lang: str = "en"
    ) -> None:
        self.client = client
        self.channel = channel
        self.assistant = assistant
        self.lang = lang

    def permalink(self, escalation: Escalation) -> str | None:
        """A link to the seller's message, or None (``/faq`` has no message; Slack may refuse)."""
        if not (escalation.channel and escalation.message_id):
            return None
        try:
            response = self.client.chat_getPermalink(channel=escalation.channel, message_ts=escalation.message_id)
        except SlackApiError as exc:
            if slack_refused(exc):
                log.warning("no permalink for case %d: %s", escalation.case, exc.response.get("error"))
                return None
            raise  # Slack is down or limiting us: try the whole card again later
        link = response.get("permalink")
        return link if isinstance(link, str) else None

    def refresh(self, escalation: Escalation) -> None:
        """Redraw a forwarded case's card with its current state (taken or resolved from the console). Raises when Slack refuses."""
        channel, _, ts = (escalation.forward_ref or "").rpartition(":")
        if not (channel and ts):
            return  # not a card this sink posted
        text, blocks = render_case(self.assistant(), escalation, self.permalink(escalation), self.lang)
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def forward(self, escalation: Escalation) -> str:
        """Post the case card (unless an earlier attempt's card is there); return ``"<channel>:<ts>"``.

        Raises when Slack refuses; a card whose content Slack refuses for good
        is posted once as plain text instead, and if that is refused too,
        :class:`bot.errors.Undeliverable` says so (the case is not retried).
        """
        text, blocks = render_case(self.assistant(), escalation, self.permalink(escalation), self.lang)
        try:
            posted = post_once(self.client, card_key(escalation), channel=self.channel, text=text, blocks=blocks,
                               look_first=escalation.forward_attempts > 0, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            refusal = refused_for_good(exc)
            if refusal is None:
                raise
            log.warning("case=%d: Slack refused its card (%s); posting it as plain text", escalation.case, refusal)
            posted = self._post_plain(escalation, refusal)
        log.info("case=%d action=forwarded channel=%s ts=%s", escalation.case, self.channel, posted["ts"])
        return f"{posted['channel']}:{posted['ts']}"

    def _post_plain(self, escalation: Escalation, refusal: str) -> dict:
        """The case as one plain-text message; :class:`Undeliverable` when Slack refuses that for good too."""
        text = render_case_plain(self.assistant(), escalation, refusal, self.lang)
        try:
            return post_once(self.client, card_key(escalation), channel=self.channel, text=text,
                             unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            again = refused_for_good(exc)
            if again is None:
                raise
            raise Undeliverable(f"Slack refused the card ({refusal}) and its plain-text version ({again})") from exc

    def find(self, escalation: Escalation) -> str | None:
        """``"<channel>:<ts>"`` of this case's card if an earlier, unconfirmed attempt posted it, else None."""
        ts = find_post(self.client, self.channel, card_key(escalation))
        return f"{self.channel}:{ts}" if ts else None


def card_key(escalation: Escalation) -> str:
    """The key a case's card is tagged with."""
    return f"case:{escalation.case}"


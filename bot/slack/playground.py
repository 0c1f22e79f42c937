"""The real Slack app on a local stand-in of Slack, for ``faqbot slack try``.

Nothing is imitated on the app's side: the real :class:`bot.slack.app.SlackBot`
(slack-bolt, the question desk, the store, the delivery worker) serves signed
HTTP requests on 127.0.0.1, exactly as Slack would send them, and posts its
replies to the test kit's fake Web API (:class:`bot.testkit.fake_slack.FakeSlack`),
also on 127.0.0.1. The playground plays the other side: it sends a seller's
direct messages, ``/faq`` commands and button clicks, and hands back the Web
API calls each one caused, so the caller can show what Slack would display.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.kb_reload import KnowledgeHolder
from bot.slack.app import SlackBot
from bot.slack.client import build_client
from bot.slack.server import make_http_server
from bot.store import SqlStore
from bot.testkit.fake_slack import BOT_USER_ID, TEAM_ID, Call, FakeSlack

SELLER, SELLER_DM = "U0SELLER", "D0SELLER"
AGENT, SUPPORT_CHANNEL, GENERAL = "U0AGENT", "C0SUPPORT", "C0GENERAL"
NAMES = {SELLER: "seller", AGENT: "agent", BOT_USER_ID: "faqbot", SUPPORT_CHANNEL: "seller-support",
         GENERAL: "general", SELLER_DM: "faqbot"}
SHOWN_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
QUIET = 0.3  # seconds without a new Web API call after which a step is taken as finished


@dataclass(frozen=True)
class Button:
    """A button the user can click: what it is and the message that carries it."""

    action_id: str
    value: str
    label: str
    channel: str
    message_ts: str | None  # None for a /faq answer (only a response URL)
    ephemeral: bool
    block_id: str = "b"
    options: tuple[tuple[str, str], ...] = ()  # a select menu's (label, value), in the order shown; () for a button


class Playground:
    """The app served on 127.0.0.1 against a fake Web API; ``dm``/``command``/``click`` return the calls they caused."""

    def __init__(self, kb_path: Path, db_url: str, *, support_lang: str = "en") -> None:
        knowledge = KnowledgeHolder(kb_path)  # a broken knowledge base fails here, before anything starts
        self.store = SqlStore.from_url(db_url)
        self.store.migrate()
        self.fake = FakeSlack().start()
        self._secret = secrets.token_hex(16)
        client = build_client("xoxb-local-try", self.fake.base_url, timeout=5, rate_limit_retries=1,
                              connection_retries=1, server_retries=1, backoff=0.05)
        self.bot = SlackBot(knowledge=knowledge, store=self.store, client=client,
                            support_channel=SUPPORT_CHANNEL, signing_secret=self._secret, workers=4,
                            forward_interval=0.2, forward_backoff=(0.2, 2.0), support_lang=support_lang)
        self._server = make_http_server(self.bot.wsgi(), "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="faqbot-try-http")
        self._thread.start()
        self.bot.ensure_background()
        self.url = f"http://127.0.0.1:{self._server.server_port}/slack/events"
        self._ids = itertools.count(1)
        self._seen = 0

    @property
    def api_url(self) -> str:
        """Where the stand-in of Slack's Web API listens."""
        return self.fake.base_url

    # --- what the user does ---------------------------------------------------------------------

    def dm(self, text: str) -> list[Call]:
        """The seller sends the bot a direct message."""
        ts = self._ts()
        event = {"type": "message", "channel_type": "im", "user": SELLER, "text": text, "ts": ts,
                 "channel": SELLER_DM, "event_ts": ts}
        envelope = {"token": "local", "team_id": TEAM_ID, "api_app_id": "ATRY", "event": event,
                    "type": "event_callback", "event_id": f"EvTRY{next(self._ids):06d}", "event_time": int(time.time()),
                    "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
        return self._send(json.dumps(envelope), "application/json")

    def command(self, text: str) -> list[Call]:
        """The seller types ``/faq text`` in #general."""
        body = urlencode({
            "token": "local", "team_id": TEAM_ID, "team_domain": "local", "channel_id": GENERAL,
            "channel_name": "general", "user_id": SELLER, "user_name": "seller", "command": "/faq", "text": text,
            "api_app_id": "ATRY", "response_url": self.fake.response_url(f"cmd{next(self._ids)}"),
            "trigger_id": f"trigger-{next(self._ids)}",
        })
        return self._send(body, "application/x-www-form-urlencoded")

    def click(self, button: Button, option: int | None = None) -> list[Call]:
        """Click ``button`` (or choose a menu's ``option``, counted from 0): as the agent in the support channel,
        as the seller anywhere else."""
        user = AGENT if button.channel == SUPPORT_CHANNEL else SELLER
        container: dict[str, Any] = {"type": "message", "channel_id": button.channel, "is_ephemeral": button.ephemeral}
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
            "api_app_id": "ATRY", "container": container, "channel": {"id": button.channel},
            "trigger_id": f"trigger-{next(self._ids)}", "response_url": self.fake.response_url(f"click{next(self._ids)}"),
            "actions": [{"type": "button", "action_id": button.action_id, "block_id": button.block_id,
                         "value": button.value, "action_ts": f"{time.time():.6f}"}],
        }
        if option is not None:  # a select menu sends the chosen option instead of a value
            label, value = button.options[option]
            payload["actions"][0] = {"type": "static_select", "action_id": button.action_id, "block_id": button.block_id,
                                     "selected_option": {"text": {"type": "plain_text", "text": label}, "value": value},
                                     "action_ts": f"{time.time():.6f}"}
        if button.message_ts:
            container["message_ts"] = button.message_ts
            if not button.ephemeral:
                payload["message"] = {"type": "message", "ts": button.message_ts, "user": BOT_USER_ID, "text": ""}
        return self._send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def close(self) -> None:
        """Let queued work finish, then stop the app, its server and the fake."""
        self._server.shutdown()
        self._server.server_close()
        self.bot.close(timeout=5)
        self.store.close()
        self.fake.stop()

    # --- plumbing -------------------------------------------------------------------------------

    def _ts(self) -> str:
        return f"{time.time():.6f}"

    def _send(self, body: str, content_type: str) -> list[Call]:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(self._secret).generate_signature(timestamp=stamp, body=body)
        request = urllib.request.Request(self.url, data=body.encode("utf-8"), method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        return self._new_calls()

    def _new_calls(self, first_within: float = 10.0, at_most: float = 15.0) -> list[Call]:
        """The Web API calls since the last step, once the app has gone quiet and every new case is posted."""
        start = time.monotonic()
        last_count, last_change = self._seen, start
        while True:
            now = time.monotonic()
            count = len(self.fake.calls)
            if count != last_count:
                last_count, last_change = count, now
            settled = count > self._seen and now - last_change >= QUIET and self._cases_posted()
            if settled or now - start > at_most or (count == self._seen and now - start > first_within):
                break
            time.sleep(0.02)
        calls, self._seen = self.fake.calls[self._seen:last_count], last_count
        return [call for call in calls if call.method in SHOWN_METHODS and call.ok]

    def _cases_posted(self) -> bool:
        return all(case.forwarded_at is not None for case in self.store.list(status="open"))

"""The Slack adapter's test harness: a real slack-bolt app over real HTTP, a fake Slack Web API on loopback.

Inbound requests are signed with the real algorithm; outbound Web API calls go to
``bot/testkit/fake_slack.py``. The store is a real SQLite file in ``tmp_path`` and the
knowledge base is a copy of the repository's ``knowledge.yaml``. Nothing sleeps
for a fixed time: tests wait on the fake's call log or poll with short timeouts.

Test modules import the helpers they use, and the fixtures (``clean_environment``,
autouse once imported; ``fake``; ``harness``) by name.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.kb_reload import KnowledgeHolder
from bot.slack.app import SlackBot
from bot.slack.cli import add_slack_parser
from bot.slack.client import build_client
from bot.slack.server import make_http_server
from bot.store import SqlStore
from bot.testkit.fake_slack import BOT_USER_ID, TEAM_ID, Call, FakeSlack

REPO = Path(__file__).resolve().parents[1]
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
SUPPORT = "CSUPPORT"
GENERAL = "CGENERAL"
ASKER = "UASKER"
AGENT = "UAGENT"
OUT_OF_SCOPE = "How much are FBA fulfillment fees?"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No test may pick up a real token or setting from the machine running it."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "FAQBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``predicate`` every 10 ms until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def action_elements(call: Call) -> list[dict]:
    return [el for block in call.params.get("blocks") or [] if block["type"] == "actions" for el in block["elements"]]


def action_ids(call: Call) -> list[str]:
    return [el["action_id"] for el in action_elements(call)]


def button(call: Call, action_id: str) -> dict:
    return next(el for el in action_elements(call) if el["action_id"] == action_id)


def in_channel(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("channel") == channel


class Harness:
    """The app served over HTTP on 127.0.0.1, with helpers that send signed Slack requests."""

    def __init__(self, fake: FakeSlack, bot: SlackBot, store: SqlStore, kb_path: Path, port: int) -> None:
        self.fake, self.bot, self.store, self.kb_path = fake, bot, store, kb_path
        self.base = f"http://127.0.0.1:{port}"
        self._ids = itertools.count(1)

    # raw HTTP ------------------------------------------------------------------------------------

    def post(self, body: str, content_type: str, *, headers: dict | None = None, secret: str = SECRET,
             timestamp: int | None = None) -> tuple[int, bytes]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        request = urllib.request.Request(
            self.base + "/slack/events", data=body.encode("utf-8"), method="POST",
            headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                     "X-Slack-Signature": signature, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return response.status, response.read()

    # Slack requests ------------------------------------------------------------------------------

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None, **options) -> int:
        envelope = event_envelope(event, event_id or f"Ev{next(self._ids):08d}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _ = self.post(json.dumps(envelope), "application/json", headers=headers, **options)
        return status

    def mention(self, text: str, *, ts: str, channel: str = GENERAL, user: str = ASKER,
                thread_ts: str | None = None, **options) -> int:
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
                 "channel": channel, "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **options)

    def dm(self, text: str, *, ts: str, channel: str = "DASKER", user: str = ASKER,
           thread_ts: str | None = None, **extra) -> int:
        event = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
                 "channel": channel, "event_ts": ts, **extra}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)

    def command(self, text: str, *, response: str = "cmd", user: str = ASKER, channel: str = GENERAL) -> int:
        body = urlencode({
            "token": "legacy", "team_id": TEAM_ID, "team_domain": "faq-test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "ana", "command": "/faq", "text": text,
            "api_app_id": "AFAQ", "response_url": self.fake.response_url(response),
            "trigger_id": f"trigger-{next(self._ids)}",
        })
        status, _ = self.post(body, "application/x-www-form-urlencoded")
        return status

    def click(self, action_id: str, value: str, *, user: str = ASKER, channel: str = GENERAL,
              message_ts: str | None = None, ephemeral: bool = False, response: str = "click") -> int:
        payload = block_actions(action_id, value, user=user, channel=channel, message_ts=message_ts,
                                ephemeral=ephemeral, response_url=self.fake.response_url(response))
        status, _ = self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        return status

    def finish(self) -> None:
        """Let every queued listener finish (and stop the background threads) before final assertions."""
        self.bot.close()


def event_envelope(event: dict, event_id: str) -> dict:
    return {
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "AFAQ", "event": event, "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def block_actions(action_id: str, value: str, *, user: str, channel: str, message_ts: str | None,
                  ephemeral: bool, response_url: str) -> dict:
    container: dict[str, Any] = {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral}
    if message_ts:
        container["message_ts"] = message_ts
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
        "api_app_id": "AFAQ", "container": container, "channel": {"id": channel}, "trigger_id": "trigger-click",
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    }
    if message_ts and not ephemeral:
        payload["message"] = {"type": "message", "ts": message_ts, "user": BOT_USER_ID, "text": "..."}
    return payload


def make_bot(fake: FakeSlack, tmp_path: Path, **options) -> tuple[SlackBot, SqlStore, Path]:
    kb_path = tmp_path / "knowledge.yaml"
    if not kb_path.exists():
        shutil.copy(REPO / "knowledge.yaml", kb_path)
    store = SqlStore.from_url(f"sqlite:///{(tmp_path / 'faqbot.sqlite3').as_posix()}")
    client = build_client(TOKEN, fake.base_url, timeout=5, rate_limit_retries=2, connection_retries=1,
                          server_retries=1, backoff=0.01)
    settings = dict(knowledge=KnowledgeHolder(kb_path, min_interval=0), store=store, client=client,
                    support_channel=SUPPORT, signing_secret=SECRET, workers=8, forward_interval=0.1,
                    forward_backoff=(0.05, 0.2))
    settings.update(options)
    return SlackBot(**settings), store, kb_path


@contextmanager
def serving(fake: FakeSlack, tmp_path: Path, **server_options: Any) -> Iterator[Harness]:
    """The app on a loopback HTTP server (``server_options`` go to ``make_http_server``) until the block ends."""
    bot, store, kb_path = make_bot(fake, tmp_path)
    server = make_http_server(bot.wsgi(), "127.0.0.1", 0, **server_options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Harness(fake, bot, store, kb_path, server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        bot.close()
        store.close()


@pytest.fixture
def harness(fake, tmp_path):
    with serving(fake, tmp_path) as served:
        yield served


def replies_to(fake: FakeSlack, channel: str = GENERAL, count: int = 1) -> list[Call]:
    return fake.wait_for("chat.postMessage", count, in_channel(channel))


def support_posts(fake: FakeSlack, count: int = 1) -> list[Call]:
    return fake.wait_for("chat.postMessage", count, in_channel(SUPPORT))


def recorded_requests(store: SqlStore) -> int:
    """How many Slack requests the inbox holds, handled or not (a dry-run prune: it only counts)."""
    return store.prune(before=datetime.now(timezone.utc) + timedelta(days=1), dry_run=True).slack_requests


def slack_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="faqbot")
    add_slack_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)

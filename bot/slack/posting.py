"""Posting to Slack exactly once: each message carries its own key, and we look before posting again.

A call that times out (or fails with a server error) may still have posted:
Slack took the message, but the answer never reached us. Posting again then
shows the message twice. So every message faqbot posts is tagged with a key of
its own in Slack's message ``metadata`` (``faqbot_post``: the Slack event it
answers, the case whose card it is, the held reply), and after an error whose
outcome is unknown, or before any retry, :func:`find_post` looks in the thread
(``conversations.replies``) or the channel (``conversations.history``), with
``include_all_metadata``, for a message with that key. Only when it is not
there is the message posted again.

A refusal (HTTP 200 with ``ok: false``) or a rate limit means nothing was
posted; those are not looked for. If Slack refuses the look itself (an app
installed without the ``*:history`` scopes), a retry posts without looking:
a possible double post is better than a reply that never arrives.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("faqbot.slack")

EVENT_TYPE = "faqbot_post"
LOOK_BACK = 200  # messages of the thread/channel searched for a key (the newest)
POSTING_METHODS = ("chat.postMessage",)


def tagged(key: str) -> dict[str, Any]:
    """The ``metadata`` argument that tags a message with ``key``."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def key_of(message: dict[str, Any]) -> str | None:
    """The key a posted message was tagged with, or None."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return key if isinstance(key, str) else None


def outcome_unknown(error: BaseException) -> bool:
    """Whether a failed call may still have posted: anything but Slack's refusal or rate limit."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code if error.response is not None else 0
        return status >= 500
    return not isinstance(error, ConnectionRefusedError) and not _refused_connection(error)


def _refused_connection(error: BaseException) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(reason, ConnectionRefusedError)


def find_post(client: WebClient, channel: str, key: str, thread_ts: str | None = None) -> str | None:
    """The ts of the message tagged ``key`` in the thread ``thread_ts`` (or the channel), else None. Raises when Slack does."""
    if thread_ts:
        response = client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True,
                                                limit=LOOK_BACK)
    else:
        response = client.conversations_history(channel=channel, include_all_metadata=True, limit=LOOK_BACK)
    for message in response.get("messages") or []:
        if key_of(message) == key:
            ts = message.get("ts")
            return ts if isinstance(ts, str) else None
    return None


def post_once(client: WebClient, key: str, *, channel: str, thread_ts: str | None = None, look_first: bool = False,
              **message: Any) -> dict[str, Any]:
    """Post a message tagged ``key`` unless it is already there; return ``{"channel", "ts", "found"}``.

    ``look_first`` looks before posting (a retry). After a timeout or server
    error the thread is searched: a message that did arrive is reported, not
    posted again; otherwise the error is raised for the caller to retry later.
    """
    if look_first:
        found = _look_if_allowed(client, channel, key, thread_ts)
        if found:
            log.info("post %s already in %s (%s); not posting again", key, channel, found)
            return {"channel": channel, "ts": found, "found": True}
    try:
        response = client.chat_postMessage(channel=channel, thread_ts=thread_ts, metadata=tagged(key), **message)
    except Exception as exc:
        if not outcome_unknown(exc):
            raise
        try:
            found = find_post(client, channel, key, thread_ts)
        except Exception as look_error:
            log.warning("could not look for post %s after %s: %s", key, type(exc).__name__, look_error)
            raise exc from None
        if not found:
            raise
        log.warning("post %s arrived although the call failed (%s); not posting again", key, type(exc).__name__)
        return {"channel": channel, "ts": found, "found": True}
    return {"channel": response.get("channel") or channel, "ts": response.get("ts"), "found": False}


def _look_if_allowed(client: WebClient, channel: str, key: str, thread_ts: str | None) -> str | None:
    """:func:`find_post`, or None (with a warning) when Slack refuses to let us look; raises when Slack is down."""
    try:
        return find_post(client, channel, key, thread_ts)
    except SlackApiError as exc:
        if exc.response is None or exc.response.status_code != 200:
            raise
        log.warning("cannot look for post %s in %s (%s); posting without looking", key, channel,
                    exc.response.get("error"))
        return None

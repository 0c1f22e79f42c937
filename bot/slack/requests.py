"""Slack's input side: a Slack event, ``/faq`` command or click parsed into one neutral request.

Runs on the request thread, before the acknowledgement: it only reads the
body (no database, no Web API), so the inbox can record the parsed
:class:`~bot.desks.request.Request` and acknowledge at once. What the request
means is the front desk's to decide; where the answer goes (the thread, the
response URL, the clicked message) travels in ``reply_to``, for
:class:`bot.slack.output.SlackOutput`.

A click's value comes from the clicker's client: only what is sealed
(:class:`~bot.slack.values.Ref` with the seal) or looked up by id later is
trusted. A forged or changed value becomes a polite ``tell``; a value we did
not write, or a case button outside the support channel, is ignored (None).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.desks.request import Request
from bot.slack import blocks
from bot.slack.resolve_menu import RESOLVE_AS, decode_resolve_choice
from bot.slack.values import ButtonSeal, ForgedValue, Ref

log = logging.getLogger("faqbot.slack")

SOURCE = "slack"
#: The seller's buttons: action id -> the request's action (and, for feedback, whether it helped).
SELLER_ACTIONS = {blocks.HELPFUL: ("feedback", True), blocks.NOT_HELPFUL: ("feedback", False),
                  blocks.SHARE: ("share", None), blocks.NONE_OF_THESE: ("none_of_these", None)}
CASE_ACTIONS = {blocks.TAKE: "take", blocks.RESOLVE: "resolve", RESOLVE_AS: "resolve"}
ACTIONS = (*SELLER_ACTIONS, blocks.CHOOSE_PATTERN, *CASE_ACTIONS)


def event_key(event_id: str | None, channel: str | None, ts: str | None) -> str | None:
    """An event's key: the message it carries when known (one key for both event types a message can
    arrive as), else its event id; None when neither is known. Replies are tagged with it too."""
    if channel and ts:
        return f"msg:{channel}:{ts}"
    if event_id:
        return f"evt:{event_id}"
    return None


def request_key(kind: str, body: dict[str, Any]) -> str:
    """The key that makes redeliveries of one request one row: the message, the command's trigger, the click."""
    if kind == "event":
        event = body.get("event") or {}
        key = event_key(body.get("event_id"), event.get("channel"), event.get("ts"))
        if key:
            return key
    elif kind == "command" and body.get("trigger_id"):
        return f"cmd:{body['trigger_id']}"
    elif kind == "action":
        action = (body.get("actions") or [{}])[0]
        user = (body.get("user") or {}).get("id")
        if action.get("action_ts"):
            return f"act:{user}:{action.get('action_id')}:{action['action_ts']}"[:255]
    return f"req:{uuid.uuid4().hex}"  # nothing identifies it: record it, without dedupe


def reply_thread(event: dict) -> str | None:
    """Where the reply to a message goes: its thread in a channel; in a DM, its thread only if it was in one."""
    if event.get("channel_type") == "im":
        return event.get("thread_ts")
    return event.get("thread_ts") or event.get("ts")


def from_event(body: dict[str, Any], bot_user_id: str | None) -> Request:
    """An @mention or a DM: a question, answered in its thread (a DM only threaded if it was)."""
    event = body.get("event") or {}
    channel, ts = event.get("channel"), event.get("ts")
    key = event_key(body.get("event_id"), channel, ts) or f"evt:{body.get('event_id')}"
    return Request("ask", SOURCE, who=event.get("user"), text=blocks.slack_to_plain(event.get("text") or "", bot_user_id),
                   channel=channel, thread=reply_thread(event), message=ts, event=body.get("event_id"),
                   reply_to={"via": "thread", "key": key, "kind": event.get("type", "event")})


def from_command(body: dict[str, Any]) -> Request:
    """``/faq QUESTION``: answered to the asker only; an empty one gets the help."""
    text = (body.get("text") or "").strip()
    trigger = body.get("trigger_id")
    return Request("ask" if text else "help", SOURCE, who=body.get("user_id"), text=text,
                   channel=body.get("channel_id"), key=f"slack:cmd:{trigger}" if trigger else None, event=trigger,
                   reply_to={"via": "respond", "response_url": response_url(body), "kind": "command"})


def from_action(body: dict[str, Any], action: dict[str, Any], seal: ButtonSeal | None,
                support_channel: str) -> Request | None:
    """A click: a seller's button (sealed reference) or a case card's; None for a value we did not write."""
    action_id = str(action.get("action_id") or "")
    container = body.get("container") or {}
    clicker = (body.get("user") or {}).get("id")
    where = {"via": "click", "kind": "button", "response_url": response_url(body),
             "channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
             "message_ts": container.get("message_ts"), "ephemeral": bool(container.get("is_ephemeral"))}
    if action_id in CASE_ACTIONS:
        return _case_request(CASE_ACTIONS[action_id], action, clicker, body.get("trigger_id"), where, support_channel)
    if action_id in SELLER_ACTIONS or blocks.CHOOSE_PATTERN.match(action_id):
        kind, helpful = SELLER_ACTIONS.get(action_id, ("pick", None))
        try:
            ref = Ref.decode(action.get("value"), seal)
        except ForgedValue as forged:
            log.warning("refused a seller button from %s: its value is not sealed by us", clicker)
            return Request("tell", SOURCE, who=clicker, text="slack_button_stale", lang=forged.lang, reply_to=where)
        except ValueError:
            log.warning("ignoring a button with a value we did not write")
            return None
        key = None if ref.message_ts else (f"slack:q:{ref.question_id}" if ref.question_id else None)
        return Request(kind, SOURCE, who=clicker, asker=ref.asker, text=ref.question or "", lang=ref.lang,
                       channel=ref.channel, thread=ref.thread_ts, message=ref.message_ts,
                       clicked=container.get("message_ts"), question_id=ref.question_id, entry_id=ref.entry_id,
                       score=ref.score, helpful=helpful, key=key, event=body.get("trigger_id"), reply_to=where)
    return None


def _case_request(kind: str, action: dict[str, Any], agent: str | None, trigger: str | None,
                  where: dict[str, Any], support_channel: str) -> Request | None:
    """Take / Resolve / "Resolve as…" on a card in the support channel; the value only names the case."""
    label = entry_id = None
    try:
        if action.get("action_id") == RESOLVE_AS:
            number, _link, label, entry_id = decode_resolve_choice(action)
        else:
            number, _untrusted_link = blocks.decode_case_value(action.get("value"))
    except ValueError:
        log.warning("ignoring a case button with a value we did not write")
        return None
    if where["channel"] != support_channel:
        log.warning("ignoring a case button outside the support channel (%s)", where["channel"])
        return None
    card = f"{where['channel']}:{where['message_ts']}" if where.get("message_ts") else None
    return Request(kind, SOURCE, who=agent or "?", case=number, label=label, entry_id=entry_id, card=card,
                   event=trigger, reply_to={**where, "via": "card"})


def response_url(body: dict[str, Any]) -> str | None:
    """Where a command's or click's private answer goes (valid for 30 minutes after the request)."""
    return body.get("response_url") or next(
        (item.get("response_url") for item in body.get("response_urls") or [] if item.get("response_url")), None)

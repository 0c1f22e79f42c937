"""The Slack app manifest for faqbot: paste it into "Create New App > From an app manifest".

``faqbot slack manifest`` prints it as YAML. By default the app uses Socket
Mode (no public URL needed); ``--url https://bot.example.com`` gives the HTTP
variant whose events, ``/faq`` command and button clicks go to
``https://bot.example.com/slack/events``.
"""

from __future__ import annotations

from typing import Any

import yaml

EVENTS_PATH = "/slack/events"

BOT_SCOPES = (
    "app_mentions:read",  # @faqbot in channels
    "chat:write",  # replies, the support channel card, updates after a click
    "chat:write.public",  # post to the support channel even before being invited
    "commands",  # /faq
    "channels:history",  # after a timeout, find our own post in a public channel's thread instead of posting twice
    "groups:history",  # the same in private channels (e.g. the support channel)
    "im:history",  # read direct messages sent to the bot
    "im:read",  # know which conversations are direct messages
    "usergroups:read",  # FAQBOT_AGENT_GROUP: who may take and resolve cases
)
BOT_EVENTS = ("app_mention", "message.im")


def manifest(url: str | None = None, name: str = "faqbot") -> dict[str, Any]:
    """The manifest as a dict: Socket Mode when ``url`` is None, else HTTP requests to ``url`` + ``/slack/events``."""
    request_url = f"{url.rstrip('/')}{EVENTS_PATH}" if url else None
    command: dict[str, Any] = {
        "command": "/faq",
        "description": "Ask the FAQ (only you see the answer) / 查询常见问题",
        "usage_hint": "[question / 问题]",
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        command["url"] = request_url
        events = {"request_url": request_url, **events}
        interactivity["request_url"] = request_url
    return {
        "display_information": {
            "name": name,
            "description": "Answers questions from the FAQ in English and Chinese;"
                           " hands the rest to your support team.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


AGENTS_NOTE = """\
# Who may take and resolve cases: anyone who can see the support channel can click its
# buttons (a public channel can be joined by anyone), so tell faqbot who the agents are:
#   FAQBOT_AGENTS=U0123ABC,U0456DEF     Slack user ids, comma-separated, and/or
#   FAQBOT_AGENT_GROUP=S0123ABC         a user group (read with usergroups:read, cached 5 minutes)
# With neither set, faqbot warns at start-up and lets everyone act on cases.
"""


def manifest_yaml(url: str | None = None, name: str = "faqbot") -> str:
    """The manifest as YAML text, after a comment on the agent list (comments are ignored by Slack)."""
    return AGENTS_NOTE + yaml.safe_dump(manifest(url, name), sort_keys=False, allow_unicode=True, width=100)

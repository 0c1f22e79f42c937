"""Configuration from the environment, read in one place (12-factor).

Everything else receives its settings as arguments; library code never reads
environment variables on its own.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

KB_ENV = "FAQBOT_KB"
DB_ENV = "FAQBOT_DB_URL"
BLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"
# The repository's copy (a source checkout or an editable install), else the copy an install puts in <prefix>/share.
_BUNDLED_KBS = (
    Path(__file__).resolve().parents[1] / "knowledge.yaml",
    Path(sys.prefix) / "share" / "faqbot" / "knowledge.yaml",
)


def one_blas_thread_by_default() -> None:
    """Tell OpenBLAS, before numpy loads, to start no pool of threads of its own (a value the user set is kept).

    faqbot multiplies with one BLAS thread everywhere (the encoder, the query path:
    ``faq.encoder.one_blas_thread``); so told, ``faqbot ask`` used about a fifth less CPU
    (the same wall time on an idle machine).
    """
    os.environ.setdefault(BLAS_THREADS_ENV, "1")


def knowledge_path(explicit: str | None = None) -> Path:
    """The knowledge base to load: ``--kb``, else ``$FAQBOT_KB``, else ``./knowledge.yaml``, else the bundled one."""
    if explicit:
        return Path(explicit)
    if os.environ.get(KB_ENV):
        return Path(os.environ[KB_ENV])
    local = Path("knowledge.yaml")
    if local.is_file():
        return local
    return next((path for path in _BUNDLED_KBS if path.is_file()), _BUNDLED_KBS[0])


def database_url() -> str:
    """Where escalations are stored: ``$FAQBOT_DB_URL``, else a SQLite file in the user's data directory."""
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    from bot.store import default_db_url

    return default_db_url()


def tool_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language of tool output for knowledge-base authors: ``--lang``, else the locale, else English.

    The locale is read the way gettext does: the first of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG`` that is set; ``zh_CN.UTF-8``, ``zh_TW`` and the like mean Chinese.
    """
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    return "zh" if locale.lower().startswith("zh") else "en"


def no_color(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``NO_COLOR`` is set (even empty): no colours in the console (https://no-color.org)."""
    return "NO_COLOR" in (os.environ if environ is None else environ)


def agent_name(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The agent's name on console cases: ``--agent``, else the login name (``USER``, ``USERNAME``), else ``agent``."""
    env = os.environ if environ is None else environ
    return explicit or env.get("USER") or env.get("USERNAME") or "agent"


# --- Slack ------------------------------------------------------------------------------------

BOT_TOKEN_ENV = "SLACK_BOT_TOKEN"
SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"
APP_TOKEN_ENV = "SLACK_APP_TOKEN"
SUPPORT_CHANNEL_ENV = "FAQBOT_SUPPORT_CHANNEL"
API_URL_ENV = "SLACK_API_URL"
SUPPORT_LANG_ENV = "FAQBOT_SUPPORT_LANG"
AGENTS_ENV = "FAQBOT_AGENTS"
AGENT_GROUP_ENV = "FAQBOT_AGENT_GROUP"


class ConfigError(Exception):
    """A required setting is missing or malformed; the message is one line naming the variable."""


@dataclass(frozen=True)
class SlackSettings:
    """What the Slack adapter needs from the environment. Secrets are kept out of ``repr``."""

    bot_token: str = field(repr=False)
    support_channel: str
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str | None = None
    support_lang: str = "en"
    agents: tuple[str, ...] = ()
    agent_group: str | None = None

    @property
    def socket_mode(self) -> bool:
        """Whether an app-level token is present, i.e. Socket Mode is possible."""
        return bool(self.app_token)


def slack_settings(
    environ: Mapping[str, str] | None = None, *, http: bool = False, need_secret: bool = True
) -> SlackSettings:
    """The Slack settings from ``environ`` (default ``os.environ``).

    Always required: ``SLACK_BOT_TOKEN`` (``xoxb-...``) and ``FAQBOT_SUPPORT_CHANNEL``
    (a channel id such as ``C0123456789``). HTTP mode (``http=True``) needs
    ``SLACK_SIGNING_SECRET``; Socket Mode needs ``SLACK_APP_TOKEN`` (``xapp-...``).
    ``SLACK_API_URL`` optionally points the Web API client at another base URL;
    ``FAQBOT_SUPPORT_LANG`` (``en`` or ``zh``, default ``en``) is the language of
    the support channel's case cards and of the agents' button feedback.
    ``FAQBOT_AGENTS`` (user ids, comma-separated) and/or ``FAQBOT_AGENT_GROUP`` (a
    user group id) say who may take and resolve cases; with neither, anyone can.
    Missing or malformed values raise one :class:`ConfigError` naming every such
    variable at once (one line each), never showing a secret's value. ``need_secret=False`` (posting only, as the
    console does) requires neither the signing secret nor the app token.
    """
    env = os.environ if environ is None else environ
    problems: list[str] = []  # every missing or malformed setting, reported together: one start to fix them all

    def value(name: str) -> str | None:
        text = (env.get(name) or "").strip()
        return text or None

    def required(name: str, what: str) -> str:
        found = value(name)
        if found is None:
            problems.append(f"{name} is not set: {what}")
        return found or ""

    bot_token = required(BOT_TOKEN_ENV, "the bot token (xoxb-...) from the Slack app's OAuth & Permissions page")
    if bot_token and not bot_token.startswith("xoxb-"):
        problems.append(f"{BOT_TOKEN_ENV} is not a bot token: it should start with xoxb-")
    channel = required(SUPPORT_CHANNEL_ENV, "the id of the support channel (e.g. C0123456789) where escalations are posted")
    signing_secret = value(SIGNING_SECRET_ENV)
    app_token = value(APP_TOKEN_ENV)
    if not need_secret:
        pass
    elif http:
        signing_secret = required(SIGNING_SECRET_ENV, "the signing secret from the Slack app's Basic Information page (needed by --http)")
    else:
        app_token = required(
            APP_TOKEN_ENV, "an app-level token (xapp-...) with connections:write is needed for Socket Mode; or run with --http"
        )
    if app_token and not app_token.startswith("xapp-"):
        problems.append(f"{APP_TOKEN_ENV} is not an app-level token: it should start with xapp-")
    api_url = value(API_URL_ENV)
    if api_url is not None:
        if not api_url.startswith(("http://", "https://")):
            problems.append(f"{API_URL_ENV} must be an http:// or https:// URL")
        api_url = api_url if api_url.endswith("/") else api_url + "/"
    support_lang = (value(SUPPORT_LANG_ENV) or "en").lower()
    if support_lang not in ("en", "zh"):
        problems.append(f"{SUPPORT_LANG_ENV} must be en or zh")
    try:
        agents, agent_group = _agent_settings(value(AGENTS_ENV), value(AGENT_GROUP_ENV))
    except ConfigError as error:
        problems.append(str(error))
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError("\n  ".join([f"{len(problems)} Slack settings need fixing:", *problems]))
    return SlackSettings(
        bot_token=bot_token, support_channel=channel, signing_secret=signing_secret,
        app_token=app_token, api_url=api_url, support_lang=support_lang, agents=agents, agent_group=agent_group,
    )


def _agent_settings(agents: str | None, group: str | None) -> tuple[tuple[str, ...], str | None]:
    """``FAQBOT_AGENTS`` (comma-separated Slack user ids) and ``FAQBOT_AGENT_GROUP`` (a user group id, ``S...``)."""
    ids = tuple(dict.fromkeys(part.strip() for part in (agents or "").split(",") if part.strip()))
    for user in ids:
        if not re.fullmatch(r"[UW][A-Z0-9]+", user):
            raise ConfigError(f"{AGENTS_ENV} must be Slack user ids separated by commas (e.g. U0123ABC,U0456DEF), "
                              f"not {user!r}")
    if group is not None and not re.fullmatch(r"S[A-Z0-9]+", group):
        raise ConfigError(f"{AGENT_GROUP_ENV} must be a Slack user group id (e.g. S0123ABC), not {group!r}")
    return ids, group


HTTP_HOST_ENV = "FAQBOT_HTTP_HOST"


def http_host(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Where ``faqbot slack --http`` listens: ``--host``, else ``$FAQBOT_HTTP_HOST``, else ``127.0.0.1``.

    The default serves this machine only (behind a reverse proxy on the same
    host); a container publishing the port sets ``0.0.0.0``.
    """
    env = os.environ if environ is None else environ
    return explicit or (env.get(HTTP_HOST_ENV) or "").strip() or "127.0.0.1"


def forwarding_settings(environ: Mapping[str, str] | None = None) -> SlackSettings | None:
    """What the console needs to post its cases to Slack itself, or None when it should leave them queued.

    Both ``SLACK_BOT_TOKEN`` and ``FAQBOT_SUPPORT_CHANNEL`` must be set (plus the
    optional ``SLACK_API_URL`` and ``FAQBOT_SUPPORT_LANG``); a malformed value
    raises :class:`ConfigError` like ``faqbot slack`` does.
    """
    env = os.environ if environ is None else environ
    if not ((env.get(BOT_TOKEN_ENV) or "").strip() and (env.get(SUPPORT_CHANNEL_ENV) or "").strip()):
        return None
    return slack_settings(env, http=True, need_secret=False)


SLACK_LEASE_ENV = "FAQBOT_SLACK_LEASE"
DEFAULT_SLACK_LEASE = 60.0


def slack_lease(environ: Mapping[str, str] | None = None) -> float:
    """``$FAQBOT_SLACK_LEASE``: seconds a Slack request (or a case card being posted) stays with the process that took it.

    It must exceed the longest one request takes to handle (default 60); after a
    crash, the work the dead process had acknowledged is finished this much later.
    """
    env = os.environ if environ is None else environ
    text = (env.get(SLACK_LEASE_ENV) or "").strip()
    if not text:
        return DEFAULT_SLACK_LEASE
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"{SLACK_LEASE_ENV} must be a number of seconds, not {text!r}") from None
    if not 0 < seconds <= 86400:
        raise ConfigError(f"{SLACK_LEASE_ENV} must be between 0 and 86400 seconds")
    return seconds


def child_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """The environment for a child ``faqbot`` process: ours without any Slack or faqbot setting, plus ``settings``.

    Test kits and benchmarks start real ``faqbot slack`` processes with it, so a
    token or database set on the machine running them never leaks in.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SLACK_", "FAQBOT_"))}
    env.update(settings)
    return env

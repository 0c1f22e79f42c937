"""Assembling the Slack app from settings, and serving it over HTTP.

``faqbot slack --http`` serves it with :func:`make_http_server`; in production
any WSGI server can import :func:`wsgi_app`::

    gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack:wsgi_app()'

(without ``--preload``: each worker builds its own app, database pool and threads).
"""

from __future__ import annotations

import logging
import sys
from typing import Callable, Mapping, NoReturn

from bot.kb_reload import KnowledgeHolder
from bot.slack.agents import AgentList
from bot.slack.app import SlackBot
from bot.slack.client import build_client
from bot.slack.http_server import HttpServer
from bot.slack.log_filter import configure_logging
from bot.store import SqlStore

log = logging.getLogger("faqbot.slack")


def create_bot(settings, *, kb_path, db_url: str, workers: int = 16, **options) -> SlackBot:
    """A :class:`SlackBot` from :class:`bot.config.SlackSettings`, a knowledge file and a database URL.

    Raises ``KnowledgeError`` (broken knowledge base), ``StoreError`` (database)
    or slack-bolt's ``BoltError`` (Slack rejected the bot token).
    """
    knowledge = KnowledgeHolder(kb_path)
    store = SqlStore.from_url(db_url)
    store.migrate()
    client = build_client(settings.bot_token, settings.api_url)
    agents = AgentList(client, settings.agents, settings.agent_group)
    bot = SlackBot(
        knowledge=knowledge, store=store, client=client, support_channel=settings.support_channel,
        signing_secret=settings.signing_secret, workers=workers, support_lang=settings.support_lang,
        agents=agents, **options,
    )
    if agents.warning():  # after the start-up checks, so a refusal to start stays one line
        log.warning("%s", agents.warning())
    return bot


def wsgi_app(environ: Mapping[str, str] | None = None) -> Callable:
    """The WSGI application configured from the environment, for a production server::

        gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack:wsgi_app()'

    Reads ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``FAQBOT_SUPPORT_CHANNEL``,
    optional ``SLACK_API_URL``, ``FAQBOT_KB`` and ``FAQBOT_DB_URL`` (through :mod:`bot.config`).
    A missing setting, a broken knowledge base, an unusable database or a rejected
    token is told on stderr in one line (per knowledge-base problem) like
    ``faqbot slack`` does, and the process exits with status 3, which gunicorn
    reads as "worker failed to boot" and stops instead of restarting workers in a loop.
    """
    from slack_bolt.error import BoltError

    from bot.config import ConfigError, database_url, knowledge_path, slack_lease, slack_settings, tool_language
    from bot.errors import StoreError
    from faq import KnowledgeError

    configure_logging()
    try:
        settings = slack_settings(environ, http=True)
        bot = create_bot(settings, kb_path=knowledge_path(), db_url=database_url(), lease=slack_lease(environ))
    except KnowledgeError as error:
        _boot_failed(*error.lines(tool_language()))
    except (ConfigError, StoreError) as error:
        _boot_failed(f"faqbot: {error}")
    except BoltError:
        _boot_failed("faqbot: Slack rejected SLACK_BOT_TOKEN (auth.test failed): check the token and that the app "
                     "is installed")
    except OSError as error:
        _boot_failed(f"faqbot: cannot reach the Slack Web API: {getattr(error, 'reason', None) or error}")
    bot.knowledge.install_sighup()
    bot.ensure_background()  # finish what a killed process acknowledged, without waiting for a request
    return bot.wsgi()


BOOT_FAILED = 3  # gunicorn's WORKER_BOOT_ERROR: the master stops rather than respawning the worker


def _boot_failed(*lines: str) -> NoReturn:
    sys.stderr.write("".join(line + "\n" for line in lines))
    sys.stderr.flush()
    raise SystemExit(BOOT_FAILED)


def make_http_server(application: Callable, host: str = "127.0.0.1", port: int = 3000, **limits) -> HttpServer:
    """The HTTP server for ``application`` (``port=0`` picks a free port: ``server.server_port``).

    ``limits`` are :class:`bot.slack.http_server.HttpServer`'s (threads, body size, timeouts).
    """
    return HttpServer(application, host, port, **limits)

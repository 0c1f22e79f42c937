"""Assembling the Slack app from settings, and serving it over HTTP.

``faqbot slack --http`` serves it with :func:`make_http_server`; in production
any WSGI server can import :func:`wsgi_app`::

    gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack:wsgi_app()'

(without ``--preload``: each worker builds its own app, database pool and threads).
"""

from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any, Callable, Mapping
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.kb_reload import KnowledgeHolder
from bot.slack.agents import AgentList
from bot.slack.app import SlackBot
from bot.slack.client import build_client
from bot.store import EscalationStore

log = logging.getLogger("faqbot.slack")


def create_bot(settings, *, kb_path, db_url: str, workers: int = 16, **options) -> SlackBot:
    """A :class:`SlackBot` from :class:`bot.config.SlackSettings`, a knowledge file and a database URL.

    Raises ``KnowledgeError`` (broken knowledge base), ``StoreError`` (database)
    or slack-bolt's ``BoltError`` (Slack rejected the bot token).
    """
    knowledge = KnowledgeHolder(kb_path)
    store = EscalationStore.from_url(db_url)
    store.migrate()
    client = build_client(settings.bot_token, settings.api_url)
    agents = AgentList(client, settings.agents, settings.agent_group)
    if agents.warning():
        log.warning("%s", agents.warning())
    return SlackBot(
        knowledge=knowledge, store=store, client=client, support_channel=settings.support_channel,
        signing_secret=settings.signing_secret, workers=workers, support_lang=settings.support_lang,
        agents=agents, **options,
    )


def wsgi_app(environ: Mapping[str, str] | None = None) -> Callable:
    """The WSGI application configured from the environment, for a production server::

        gunicorn -w 4 -b 0.0.0.0:3000 'bot.slack:wsgi_app()'

    Reads ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``FAQBOT_SUPPORT_CHANNEL``,
    optional ``SLACK_API_URL``, ``FAQBOT_KB`` and ``FAQBOT_DB_URL`` (through :mod:`bot.config`).
    """
    from bot.config import database_url, knowledge_path, slack_settings

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = slack_settings(environ, http=True)
    bot = create_bot(settings, kb_path=knowledge_path(), db_url=database_url())
    bot.knowledge.install_sighup()
    return bot.wsgi()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        log.debug("http: " + format, *args)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """``wsgiref``'s server with one thread per request (the standard library's one is serial)."""

    daemon_threads = True
    request_queue_size = 128


def make_http_server(application: Callable, host: str = "127.0.0.1", port: int = 3000) -> ThreadingWSGIServer:
    """A threaded WSGI server for ``application`` (``port=0`` picks a free port: ``server.server_port``)."""
    return make_server(host, port, application, server_class=ThreadingWSGIServer, handler_class=_QuietHandler)  # type: ignore[return-value]

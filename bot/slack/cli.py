"""``faqbot slack``: run the Slack bot, or print its app manifest.

    faqbot slack                      # Socket Mode (needs SLACK_APP_TOKEN; no public URL)
    faqbot slack --http [--port 3000] [--host 127.0.0.1]
                                      # HTTP Events API at /slack/events, health at /healthz
    faqbot slack manifest [--url URL] # the Slack app manifest (YAML)

``add_slack_parser`` adds the command to ``faqbot``'s parser and ``cmd_slack``
runs it. Every other ``faqbot`` command imports this module for its parser, so
what only a running bot needs (logging, signals, threads) is imported where used. Settings come from the environment (see :func:`bot.config.slack_settings`);
a missing one stops start-up with one line naming it. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.commands.cli_texts import help_texts

EXIT_OK, EXIT_FAILED = 0, 1


def add_slack_parser(subparsers, lang: str = "en") -> argparse.ArgumentParser:
    """Add ``slack`` (and ``slack manifest``) to ``faqbot``'s sub-command parsers, their help in ``lang``; return the ``slack`` parser."""
    t = help_texts(lang)
    slack = subparsers.add_parser("slack", help=t("slack"), description=t("slack_description"))
    slack.add_argument("--http", action="store_true", help=t("slack_http"))
    slack.add_argument("--port", type=_port, default=3000, metavar="N", help=t("slack_port"))
    slack.add_argument("--host", metavar="ADDRESS", help=t("slack_host"))
    slack.add_argument("--kb", metavar="FILE", help=t("kb"))
    slack.add_argument("--workers", type=_positive, default=16, metavar="N", help=t("slack_workers"))
    commands = slack.add_subparsers(dest="slack_command", metavar="SUBCOMMAND", parser_class=type(slack))
    manifest = commands.add_parser("manifest", help=t("manifest"))
    manifest.add_argument("--url", type=_base_url, metavar="URL", help=t("manifest_url"))
    manifest.add_argument("--name", default="faqbot", metavar="NAME", help=t("manifest_name"))
    trying = commands.add_parser("try", help=t("try"), description=t("try_description"))
    trying.add_argument("--kb", dest="try_kb", metavar="FILE", help=t("kb"))
    trying.add_argument("--lang", choices=["en", "zh"], help=t("try_lang"))
    trying.add_argument("--json", action="store_true", help=t("try_json"))
    trying.add_argument("--db", metavar="URL", help=t("try_db"))
    return slack


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {port}")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _base_url(text: str) -> str:
    """An ``https://`` (or ``http://``) URL with a host and nothing after the path: Slack calls it back."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not host or parts.query or parts.fragment or " " in text.strip():
        raise argparse.ArgumentTypeError(f"expected an https:// URL such as https://faq.example.com, got {text!r}")
    return text.strip().rstrip("/")


def cmd_slack(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Run ``faqbot slack`` (or ``faqbot slack manifest``); return the exit code.

    Knowledge-base problems raise ``KnowledgeError`` for ``faqbot``'s main to
    print; every other start-up failure is one line on stderr and exit code 1.
    """
    if getattr(args, "slack_command", None) == "manifest":
        from bot.slack.manifest import manifest_yaml

        stdout.write(manifest_yaml(args.url, args.name))
        return EXIT_OK
    if getattr(args, "slack_command", None) == "try":
        return _cmd_try(args, stdin, stdout)

    import logging
    from urllib.error import URLError

    from bot.config import ConfigError, database_url, http_host, knowledge_path, slack_lease, slack_settings
    from bot.errors import StoreError
    from bot.slack.log_filter import configure_logging

    try:
        settings = slack_settings(http=args.http)
        lease = slack_lease()
    except ConfigError as error:
        return _fail(str(error))
    configure_logging()

    from slack_bolt.error import BoltError

    from bot.slack.server import create_bot

    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # a start-up failure is reported below in one line, not per retry
    try:
        bot = create_bot(settings, kb_path=knowledge_path(args.kb), db_url=database_url(), workers=args.workers,
                         lease=lease)
    except StoreError as error:
        return _fail(str(error))
    except BoltError:
        return _fail("Slack rejected SLACK_BOT_TOKEN (auth.test failed): check the token and that the app is installed")
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        return _fail(f"cannot reach the Slack Web API ({settings.api_url or 'https://slack.com/api/'}): {reason}")
    finally:
        sdk_log.setLevel(level)
    bot.knowledge.install_sighup()
    _stop_on_sigterm()
    try:
        if args.http:
            return _serve_http(bot, http_host(args.host), args.port, stdout)
        return _serve_socket(bot, settings.app_token, stdout)
    finally:
        bot.close()


def _cmd_try(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from bot.config import knowledge_path, no_color, tool_language
    from bot.slack.try_repl import run_try

    lang = tool_language(getattr(args, "ui_lang", None) or args.lang)
    color = stdout.isatty() and not no_color()
    return run_try(knowledge_path(args.try_kb or args.kb), stdin, stdout, lang=lang, db_url=args.db,
                   color=color, show_json=args.json, support_lang=lang)


def _serve_http(bot, host: str, port: int, stdout: TextIO) -> int:
    from bot.slack.server import make_http_server

    try:
        server = make_http_server(bot.wsgi(), host, port)
    except OSError as error:
        return _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    bot.ensure_background()
    shown = f"http://{host}:{server.server_port}"
    stdout.write(f"faqbot: Slack HTTP mode at {shown}/slack/events (health: {shown}/healthz); Ctrl-C stops\n")
    stdout.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _serve_socket(bot, app_token: str, stdout: TextIO) -> int:
    import threading
    from urllib.error import URLError

    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    handler = SocketModeHandler(bot.app, app_token, web_client=bot.client)
    try:
        handler.connect()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "error"
        return _fail(f"Slack rejected SLACK_APP_TOKEN (apps.connections.open: {code})")
    except (URLError, OSError) as error:
        return _fail(f"cannot open a Socket Mode connection: {getattr(error, 'reason', None) or error}")
    bot.ensure_background()
    stdout.write("faqbot: connected to Slack in Socket Mode; Ctrl-C stops\n")
    stdout.flush()
    forever = threading.Event()
    try:
        while not forever.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
    return EXIT_OK


def _stop_on_sigterm() -> None:
    """SIGTERM (a process manager stopping us) ends the server like Ctrl-C."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def on_term(_signum, _frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)


def _fail(message: str) -> int:
    sys.stderr.write(f"faqbot: {message}\n")
    return EXIT_FAILED

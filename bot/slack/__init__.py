"""The Slack adapter.

- ``app``: the bolt app and its wiring (``SlackBot``);
- ``conversations``, ``seller_buttons``, ``support_buttons``: the listeners, by audience;
- ``context``: what the listeners share;
- ``workers``: background threads (forwarding, held replies, card redraws);
- ``blocks`` and ``texts``: Block Kit rendering and the adapter's own words;
- ``inbox`` and ``replay``: every request recorded before the acknowledgement, then handled
  once (by any process, if the one that took it dies): the inbox's key is what dedupes
  Slack's redeliveries; ``posting``: each post tagged with its own key and looked for before
  posting again;
- ``sink``: the support channel as a forwarding sink;
- ``client``: the Web API client; ``server``: assembling and serving over HTTP;
- ``manifest`` and ``cli``: ``faqbot slack`` and ``faqbot slack manifest``.

``wsgi_app`` is the entry point for WSGI servers (``gunicorn 'bot.slack:wsgi_app()'``);
it is imported lazily so ``import bot.slack`` stays cheap.
"""

from __future__ import annotations

from typing import Callable, Mapping


def wsgi_app(environ: Mapping[str, str] | None = None) -> Callable:
    """The WSGI application configured from the environment (see :func:`bot.slack.server.wsgi_app`)."""
    from bot.slack.server import wsgi_app as build

    return build(environ)


__all__ = ["wsgi_app"]

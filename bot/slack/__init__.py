"""The Slack adapter.

- ``app``: the bolt app and its wiring (``SlackBot``);
- ``requests``: the input side: an event, ``/faq`` or a click parsed into a neutral request
  (and the key that dedupes Slack's redeliveries in the durable inbox, ``bot.inbox``);
- ``output``: the output side: the desks' answers, choices, notices and case cards as Block Kit;
- ``replay``: a request (at once, or replayed from the inbox) into the front desk, with its log line;
- ``context``: what the parts share;
- ``workers``: background threads (forwarding, held replies, card redraws, the inbox's sweeper);
  ``held_replies``: replies Slack refused, kept and posted again;
- ``blocks`` and ``texts``: Block Kit rendering and the adapter's own words;
- ``posting``: each post tagged with its own key and looked for before posting again;
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

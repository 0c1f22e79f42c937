"""What stands between the open port and slack-bolt: size limits, body checks, and logs without bodies.

slack-bolt parses a request body before it checks the signature, and a body it
cannot parse (``{"bad``, ``payload=[1]``, a JSON string) ends in a 500 with a
traceback. :func:`guard_events` reads the body first, within a limit, and
answers what bolt would choke on itself:

- a body larger than Slack ever sends (``MAX_BODY``, 1 MB) gets 413 before a
  byte of it is read (any WSGI server: ``faqbot slack --http``'s own refuses it
  earlier still, gunicorn does not);
- a body that is not UTF-8, not a JSON object, or a form whose ``payload`` is
  not a JSON object, or whose ``event`` is not one, gets 400, signed or not;
- nothing from a body is ever logged (a forged body with a newline must not
  write a line of its own into the log): only its size and what was wrong.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

log = logging.getLogger("faqbot.slack")

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; 1 MB leaves room and stops floods
WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def plain(start_response: Callable, status: str, text: str, exc_info=None) -> list[bytes]:
    """A short text/plain answer (no request data echoed back)."""
    body = text.encode("utf-8")
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers, *([exc_info] if exc_info else []))
    return [body]


def body_problem(body: bytes, content_type: str | None) -> str | None:
    """Why bolt could not parse ``body`` (mirroring how it decides between JSON and a form), or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if not text:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/json" or text.startswith("{"):
        return _json_object_problem(text, "JSON body")
    if "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        return None if payload is None else _json_object_problem(payload, "form payload")
    return None


def _json_object_problem(text: str, what: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return f"{what} is not valid JSON"
    if not isinstance(data, dict):
        return f"{what} is not a JSON object"
    if "event" in data and not isinstance(data["event"], dict):  # bolt reads event["type"]: a TypeError, a 500
        return f"{what}'s event is not a JSON object"
    return None


def guard_events(application: WsgiApp, *, max_body: int = MAX_BODY) -> WsgiApp:
    """``application`` behind the checks above; only ``POST`` requests with a body are inspected."""

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return application(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            log.warning("http: refused a request with a bad Content-Length")
            return plain(start_response, "400 Bad Request", "bad Content-Length\n")
        if length > max_body or length < 0:
            log.warning("http: refused a %d-byte body (limit %d)", length, max_body)
            return plain(start_response, "413 Request Entity Too Large", "request body too large\n")
        body = environ["wsgi.input"].read(length) if length else b""
        problem = body_problem(body, environ.get("CONTENT_TYPE"))
        if problem is not None:
            log.warning("http: refused a malformed %d-byte request: %s", len(body), problem)
            return plain(start_response, "400 Bad Request", f"{problem}\n")
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        try:
            return application(environ, start_response)
        except Exception as exc:  # never a traceback (or a body) in the log or the response
            log.error("http: request failed: %s", type(exc).__name__)
            log.debug("http: request failure", exc_info=True)
            return plain(start_response, "500 Internal Server Error", "internal error\n", sys.exc_info())

    return guarded

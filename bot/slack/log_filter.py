"""Logging for ``faqbot slack``: one line per record, never a request body, for every logger in the process.

The libraries under us log more than we promise to keep out of the log:
slack-bolt logs the whole body of a request that fails the signature check (an
attacker's forged lines, or a real seller's question after a secret rotation),
slack-sdk logs request and response bodies at DEBUG, and any of them may put a
newline from outside into a message. :class:`BodyFreeLog` sits on the handlers
:func:`configure_logging` installs (so it sees the records of every logger,
bolt's, the SDK's and waitress's included) and rewrites each record:

- the signature failure becomes one line with the body's size only;
- anything a library logs after ``body:`` (or a request printed whole) is cut;
- control characters are shown escaped (``\\n``), so no record writes a line
  of its own, and a message is cut after ``MAX_MESSAGE`` characters.
"""

from __future__ import annotations

import logging
import re
import sys

MAX_MESSAGE = 2000
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SIGNATURE_FAILURE = re.compile(r"^Invalid request signature detected .*?body: (?P<body>.*)\)$", re.DOTALL)
_BODY = re.compile(r"(\b(?:body|body_params|json_body|data)\s*[:=]\s*).*", re.DOTALL)
_WHOLE_REQUEST = re.compile(r"(for the request )\(.*\)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    return ascii(match.group(0))[1:-1]


def body_free(message: str) -> str:
    """``message`` as it may be logged: no request body, control characters escaped, at most ``MAX_MESSAGE`` long."""
    refused = _SIGNATURE_FAILURE.match(message)
    if refused:
        message = (f"http: refused a request with a bad signature or a stale timestamp "
                   f"({len(refused.group('body'))}-character body not logged)")
    else:
        message = _WHOLE_REQUEST.sub(r"\1(not logged)", _BODY.sub(r"\1(not logged)", message))
    message = _CONTROL.sub(_escaped, message)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"... ({len(message) - MAX_MESSAGE} more characters not logged)"
    return message


class BodyFreeLog(logging.Filter):
    """Rewrites every record that passes a handler with :func:`body_free` (tracebacks are left to the formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's broken format string: log what it meant, not a second traceback
            message = str(record.msg)
        cleaned = body_free(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def configure_logging() -> None:
    """Log to stderr at INFO (unless the host configured logging), every handler behind :class:`BodyFreeLog`."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=FORMAT)
    for handler in root.handlers:
        if not any(isinstance(existing, BodyFreeLog) for existing in handler.filters):
            handler.addFilter(BodyFreeLog())
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth N" at every burst: the pool is bounded on purpose

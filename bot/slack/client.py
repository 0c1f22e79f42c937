"""The Slack Web API client faqbot uses, and how to read its errors.

slack-sdk's retry handlers absorb short outages (429 with ``Retry-After``,
connection errors, 500/503); what still fails after them goes to the delivery
worker, which retries from the database. A post is never retried blindly
after a server error or a dropped connection: it may have arrived, so the
error goes back to :func:`bot.slack.posting.post_once`, which looks for it
before posting again. Only a connection that was refused (nothing was sent)
is retried here.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.slack.posting import POSTING_METHODS, outcome_unknown


class _PostsAreLookedFor:
    """A retry handler that leaves a post whose outcome is unknown to ``post_once``, which looks before resending."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        posting = any(request.url.endswith(method) for method in POSTING_METHODS)
        if posting and (response is not None or error is None or outcome_unknown(error)):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)  # type: ignore[misc]


class LookingServerErrorRetryHandler(_PostsAreLookedFor, ServerErrorRetryHandler):
    """slack-sdk's 500/503 retry, except for posts: a post that failed with 500 may have arrived."""


class LookingConnectionErrorRetryHandler(_PostsAreLookedFor, ConnectionErrorRetryHandler):
    """slack-sdk's connection-error retry, except for posts whose connection dropped after it was sent."""


def build_client(
    token: str,
    base_url: str | None = None,
    *,
    timeout: float = 10.0,
    rate_limit_retries: int = 3,
    connection_retries: int = 2,
    server_retries: int = 2,
    backoff: float = 0.5,
) -> WebClient:
    """A Web API client with slack-sdk's retry handlers: 429 (honours ``Retry-After``), connection errors, 500/503.

    ``base_url`` (``SLACK_API_URL``) points it at another Slack-compatible server.
    """
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        LookingConnectionErrorRetryHandler(max_retry_count=connection_retries, interval_calculator=interval),
        LookingServerErrorRetryHandler(max_retry_count=server_retries, interval_calculator=interval),
    ]
    options: dict[str, Any] = {"token": token, "timeout": int(max(1, timeout)), "retry_handlers": handlers}
    if base_url:
        options["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(**options)


def slack_refused(error: SlackApiError) -> bool:
    """Whether Slack answered and said no, so that trying again will not help.

    That is HTTP 200 with ``ok: false`` (no such message, not in the channel);
    anything else means Slack was down or limiting us, and a later try may work.
    """
    return error.response is not None and error.response.status_code == 200


#: Slack's refusals of a message's content: sending the same message again is refused again.
CONTENT_REFUSALS = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_attachments",
    "too_many_attachments", "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
    "invalid_arguments",
})


def refused_for_good(error: SlackApiError) -> str | None:
    """Slack's error code when it refused a message's content (HTTP 200, ``ok: false``), else None.

    Those never succeed on a retry; a refusal about the channel (``not_in_channel``)
    may, once someone invites the bot, and is retried like an outage.
    """
    if not slack_refused(error):
        return None
    code = error.response.get("error")
    return code if code in CONTENT_REFUSALS else None


class _DropTokenNotice(logging.Filter):
    """slack-bolt warns that ``$SLACK_BOT_TOKEN`` is unused whenever a client is injected; that is intended here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


def quiet_injected_client_notice() -> None:
    """Silence slack-bolt's notice about the injected client (once per process; called when an app is built)."""
    bolt_logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropTokenNotice) for f in bolt_logger.filters):
        bolt_logger.addFilter(_DropTokenNotice())

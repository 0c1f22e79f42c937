"""What the Slack adapter's parts share: the engine, the store, the client, the support channel, and the log line.

The output (:mod:`bot.slack.output`), the replay and the workers each hold one
:class:`SlackContext` instead of reaching into the app object.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field


from slack_sdk import WebClient

from bot.kb_reload import KnowledgeHolder
from bot.slack.agents import AgentList
from bot.slack.blocks import Ref
from bot.slack.cards import CardLocks
from bot.slack.values import ButtonSeal
from bot.store import Escalation, Store
from faq import Assistant, Reply

log = logging.getLogger("faqbot.slack")


@dataclass
class SlackContext:
    """The shared parts of the Slack adapter."""

    knowledge: KnowledgeHolder
    store: Store  # the desks' cases and questions, and the workers' queues
    client: WebClient
    support_channel: str
    support_lang: str = "en"
    card_lock: CardLocks = field(default_factory=CardLocks)
    agents: AgentList = field(default_factory=AgentList)  # who may take/resolve cases (default: anyone)
    seal: ButtonSeal | None = None  # signs the seller's button values (None: unsigned, tests of rendering only)

    @property
    def assistant(self) -> Assistant:
        """The current engine (reloaded when knowledge.yaml changes)."""
        return self.knowledge.assistant


def answer_of(assistant: Assistant, ref: Ref) -> str | None:
    """The answer of the entry a button refers to, in the asker's language; None if the entry is gone."""
    entry = assistant.kb.entry(ref.entry_id) if ref.entry_id else None
    return entry.text_in(entry.answer, ref.lang) if entry else None


def kind_of(body: dict) -> str:
    """What a request was (event type, request type or command), for log lines."""
    return (body.get("event") or {}).get("type") or body.get("type") or body.get("command") or "request"


def log_line(
    event_id: str | None,
    kind: str,
    action: str,
    *,
    reply: Reply | None = None,
    entry: str | None = None,
    case: Escalation | None = None,
    started: float,
    error: BaseException | None = None,
) -> None:
    """The one line per event: event id, kind, action, entry, score, language, case, latency.

    ``entry`` is the answered entry, or for an escalation the out-of-scope topic that sent it (its score is
    that topic's); an escalation nothing matched has ``entry=-``.
    """
    if entry is None and reply is not None and (reply.action != "escalate" or reply.kind == "out_of_scope"):
        entry = reply.entry_id
    parts = [
        f"event={event_id or '-'}", f"kind={kind}", f"action={action}", f"entry={entry or '-'}",
        f"score={reply.score:.1f}" if reply is not None else "score=-",
        f"lang={reply.lang}" if reply is not None else "lang=-",
        f"case={case.case}" if case is not None else "case=-",
        f"latency_ms={(time.perf_counter() - started) * 1000:.1f}",
    ]
    if error is not None:
        parts.append(f"error={type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        log.warning(" ".join(parts))
    else:
        log.info(" ".join(parts))

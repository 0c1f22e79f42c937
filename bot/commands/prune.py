"""``faqbot prune --older-than 90d [--dry-run]``: the question log's retention, for operators.

The deleting is the store's (:class:`bot.store.RetentionStore`, in SQL ``bot.store.retention``); this
module turns the age into a moment (the one syntax of ``bot.commands.durations``),
asks the store and prints one line per kind of row in the operator's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TextIO

from bot.commands.durations import parse_moment
from bot.store.retention import PruneCounts
from faq.catalog import Catalog

PRUNE_TEXTS = Catalog({
    "prune_header": {
        "en": "Deleted what was older than {cutoff} (UTC):",
        "zh": "已删除早于 {cutoff}(UTC)的记录:",
    },
    "prune_header_dry": {
        "en": "Dry run: nothing deleted. Older than {cutoff} (UTC), these would be deleted:",
        "zh": "试运行:未删除任何内容。早于 {cutoff}(UTC)的以下记录将被删除:",
    },
    "prune_questions": {"en": "logged questions", "zh": "问题记录"},
    "prune_cases": {"en": "resolved cases", "zh": "已解决的案例"},
    "prune_feedback": {"en": "feedback votes", "zh": "反馈"},
    "prune_held_replies": {"en": "held Slack replies", "zh": "待重发的 Slack 回复"},
    "prune_slack_requests": {"en": "recorded Slack requests", "zh": "已记录的 Slack 请求"},
    "prune_picks": {"en": "sellers' did-you-mean picks", "zh": "卖家的候选选择"},
    "prune_kept": {
        "en": "Open and taken cases are always kept.",
        "zh": "未解决和已接手的案例始终保留。",
    },
})


def cutoff_from(text: str, now: datetime | None = None) -> datetime:
    """``--older-than``: a duration before ``now`` (``90d``, ``12w``, ``48h``, ``30m``) or an ISO date, in UTC.

    ``UsageError`` for anything else, a zero age included.
    """
    from bot.commands.cli_parser import UsageError

    try:
        moment = parse_moment(text, now)
    except (ValueError, OverflowError):
        raise UsageError(f"--older-than: expected an age such as 30m, 24h, 90d, 12w or an ISO date, got {text!r}") from None
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def cutoff_for(age: timedelta, now: datetime | None = None) -> datetime:
    """The moment ``age`` ago (UTC), rounded down to the second."""
    moment = (now or datetime.now(timezone.utc)) - age
    return moment.replace(microsecond=0)


def write_counts(counts: PruneCounts, cutoff: datetime, out: TextIO, lang: str, *, dry_run: bool) -> None:
    """What was (or would be) deleted, one line per kind, in ``lang``."""
    header = "prune_header_dry" if dry_run else "prune_header"
    out.write(PRUNE_TEXTS.text(header, lang, cutoff=cutoff.strftime("%Y-%m-%d %H:%M:%S")) + "\n")
    labels = {kind: PRUNE_TEXTS.text(f"prune_{kind}", lang) for kind, _ in counts.items()}
    width = max(len(str(count)) for _, count in counts.items())
    for kind, count in counts.items():
        out.write(f"  {count:>{width}}  {labels[kind]}\n")
    out.write(PRUNE_TEXTS.text("prune_kept", lang) + "\n")

"""One way to say "when" on the command line, for ``--since`` and ``--older-than`` alike.

``30m``, ``24h``, ``7d`` and ``2w`` are minutes, hours, days and weeks before now, in
every command; an ISO date or date-time (``2026-01-31``, ``2026-01-31T09:00``, UTC
unless it says otherwise) is that moment. One parser, so ``1m`` can never be a minute
in one command and refused (or a month) in another.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d`` or ``2w`` as a positive duration; ValueError otherwise (zero included)."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    duration = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if duration <= timedelta(0):
        raise ValueError(f"a duration must be more than zero, got {text!r}")
    return duration


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A duration before ``now`` (default: the current time, UTC) or an ISO date/time; ValueError otherwise."""
    now = now or datetime.now(timezone.utc)
    if _DURATION.match(text.strip().lower()):
        return now - parse_duration(text)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"neither a duration nor an ISO date: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

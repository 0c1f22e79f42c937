"""The loop behind every background thread: do a round of work, wait, repeat until told to stop.

Forwarding cases, posting held replies and refreshing case cards all keep
their state in the database, so a failed round loses nothing: it is logged and
the next round tries again.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("faqbot.background")


def run_periodically(stop_event: threading.Event, poll_interval: float, work: Callable[[], object], what: str) -> None:
    """Call ``work()`` every ``poll_interval`` seconds until ``stop_event`` is set (a thread target)."""
    while not stop_event.is_set():
        try:
            work()
        except Exception:
            log.exception("%s failed; retrying in %.1f s", what, poll_interval)
        stop_event.wait(poll_interval)

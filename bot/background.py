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


def run_periodically(
    stop_event: threading.Event,
    poll_interval: float,
    work: Callable[[], object],
    what: str,
    *,
    wake: threading.Event | None = None,
) -> None:
    """Call ``work()`` every ``poll_interval`` seconds until ``stop_event`` is set (a thread target).

    With ``wake``, setting it starts the next round at once; whoever stops the
    loop should set ``wake`` too, so the loop notices without waiting out the interval.
    """
    while not stop_event.is_set():
        try:
            work()
        except Exception:
            log.exception("%s failed; retrying in %.1f s", what, poll_interval)
        if wake is None:
            stop_event.wait(poll_interval)
        else:
            wake.wait(poll_interval)
            wake.clear()

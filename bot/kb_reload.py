"""The current knowledge base of a long-running adapter, reloaded when ``knowledge.yaml`` changes.

:class:`KnowledgeHolder` loads the file once at start (a broken file stops
start-up with its problems) and then hands out the current ``Assistant``. Two
things trigger a reload, neither needing a restart:

- an edit: :meth:`KnowledgeHolder.poll` compares the file's modification time,
  size and inode with the loaded one (one ``stat`` call, at most once per
  ``min_interval`` seconds; reading :attr:`assistant` calls it), and reloads in
  a background thread so no question waits for the index to build;
- ``SIGHUP`` (:meth:`install_sighup`), the usual "re-read your configuration".

A broken edit keeps the last good knowledge base and logs each problem
(``file:line: message``); the same broken file is not retried until it changes
again. The swap is a single reference assignment, so a question in flight
finishes on the knowledge base it started with.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Callable

from faq import Assistant, KnowledgeBase, KnowledgeError, load_knowledge

log = logging.getLogger("faqbot.kb")

Signature = tuple[int, int, int]


def _signature(path: Path) -> Signature | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


class KnowledgeHolder:
    """Holds the ``Assistant`` for one knowledge-base file and swaps in a new one when the file changes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        load: Callable[[Path], KnowledgeBase] = load_knowledge,
        build: Callable[[KnowledgeBase], Assistant] = Assistant,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self._load = load
        self._build = build
        self.min_interval = float(min_interval)
        self._clock = clock
        self._lock = threading.Lock()  # one reload at a time
        self._signature = _signature(self.path)
        self._assistant = build(load(self.path))  # a broken file at start-up raises KnowledgeError
        self._failed: Signature | None = None
        self._checked_at = clock()
        self._reloading = False
        self.reloads = 0  # successful reloads since start (for tests and /healthz)

    @property
    def assistant(self) -> Assistant:
        """The current ``Assistant`` (checks the file for changes first, cheaply)."""
        self.poll()
        return self._assistant

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use now (no file check)."""
        return self._assistant.kb

    def poll(self) -> None:
        """Start a background reload if the file changed since it was last loaded (rate-limited ``stat``)."""
        now = self._clock()
        if now - self._checked_at < self.min_interval:
            return
        self._checked_at = now
        signature = _signature(self.path)
        if signature is None or signature in (self._signature, self._failed) or self._reloading:
            return
        self._reloading = True
        threading.Thread(target=self._reload_in_background, name="faqbot-kb-reload", daemon=True).start()

    def _reload_in_background(self) -> None:
        try:
            while True:  # the file may have changed again while it was loading
                self.reload()
                signature = _signature(self.path)
                if signature is None or signature in (self._signature, self._failed):
                    break
        finally:
            self._reloading = False

    def reload(self) -> bool:
        """Load the file now; swap it in and return True if it is valid, else log its problems and keep the old one."""
        with self._lock:
            signature = _signature(self.path)
            try:
                kb = self._load(self.path)
                assistant = self._build(kb)
            except KnowledgeError as error:
                self._failed = signature
                log.error(
                    "knowledge base %s has %d problem(s); still using version %s with %d entries",
                    self.path, len(error.problems), self.kb.version, len(self.kb.entries),
                )
                for problem in error.problems:
                    log.error("%s", problem)
                return False
            except OSError as error:
                self._failed = signature
                log.error("cannot read knowledge base %s: %s; keeping the loaded one",
                          self.path, error.strerror or error)
                return False
            except Exception:  # a bug in loading must not take the running bot down
                self._failed = signature
                log.exception("reloading knowledge base %s failed; keeping the loaded one", self.path)
                return False
            self._assistant = assistant
            self._signature = signature
            self._failed = None
            self.reloads += 1
            log.info("reloaded knowledge base %s: version %s, %d entries", self.path, kb.version, len(kb.entries))
            return True

    def install_sighup(self) -> bool:
        """Reload on ``SIGHUP`` (in a thread, off the signal handler); False where that is impossible.

        Only the main thread may install signal handlers, and Windows has no ``SIGHUP``.
        """
        hup = getattr(signal, "SIGHUP", None)
        if hup is None or threading.current_thread() is not threading.main_thread():
            return False

        def on_hup(_signum, _frame) -> None:
            threading.Thread(target=self.reload, name="faqbot-kb-sighup", daemon=True).start()

        signal.signal(hup, on_hup)
        return True

    def health(self) -> dict:
        """What ``/healthz`` reports about the knowledge base."""
        kb = self.kb
        return {"entries": len(kb.entries), "version": str(kb.version), "reloads": self.reloads}

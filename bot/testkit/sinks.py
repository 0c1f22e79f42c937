"""Escalation sinks for tests: a JSON-lines file (shared by processes) and a text stream.

:class:`JsonlFileSink` is what a test forwards to when it must count what
arrived: with ``dedupe=False`` every delivery is one line, so a case sent twice
shows up twice; its :meth:`JsonlFileSink.find` lets the delivery worker ask
whether an unconfirmed earlier attempt arrived, as a Slack sink would search
the channel.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TextIO

from bot.store import Escalation

try:  # POSIX: lock the sink file across processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per sink file
    fcntl = None  # type: ignore[assignment]


def escalation_payload(escalation: Escalation) -> dict:
    """What a sink needs to show a case: its number, question, asker, where it came from, candidates."""
    return {
        "case": escalation.case,
        "created_at": escalation.created_at.isoformat(),
        "lang": escalation.lang,
        "question": escalation.question,
        "asker": escalation.asker,
        "source": escalation.source,
        "channel": escalation.channel,
        "thread": escalation.thread,
        "message_id": escalation.message_id,
        "best_entry_id": escalation.best_entry_id,
        "best_score": escalation.best_score,
        "candidates": [{"entry_id": c.entry_id, "score": c.score} for c in escalation.candidates],
    }


class JsonlFileSink:
    """Appends one JSON line per delivered case to a file; with ``dedupe`` (the default) each case at most once.

    Safe across threads and processes (an exclusive ``flock`` while checking and
    appending). Each line is fsynced before ``forward`` returns. A line torn by a
    crash is left as it is (readers skip it) and the case is written again whole.
    """

    def __init__(self, path: str | os.PathLike[str], *, dedupe: bool = True) -> None:
        self.path = Path(path)
        self.dedupe = dedupe
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._offset = 0
        self._identity: tuple[int, int] | None = None

    def _ref(self, escalation: Escalation) -> str:
        return f"{self.path.name}#{escalation.case}"

    def forward(self, escalation: Escalation) -> str:
        """Append the case (unless deduping and the file has it); return ``"<file name>#<case>"``."""
        line = json.dumps(escalation_payload(escalation), ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock, open(self.path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                torn = self._catch_up(handle)
                if self.dedupe and escalation.case in self._seen:
                    return self._ref(escalation)
                handle.write((b"\n" if torn else b"") + line)
                handle.flush()
                os.fsync(handle.fileno())
                self._offset = handle.tell()
                self._seen.add(escalation.case)
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return self._ref(escalation)

    def find(self, escalation: Escalation) -> str | None:
        """The reference of an earlier delivery of this case already in the file, or None."""
        cases = {record["case"] for record in self.read(self.path)}
        return self._ref(escalation) if escalation.case in cases else None

    def _catch_up(self, handle) -> bool:
        """Read lines appended since last time (by anyone); return whether the file ends mid-line."""
        status = os.fstat(handle.fileno())
        identity = (status.st_dev, status.st_ino)
        if identity != self._identity or status.st_size < self._offset:
            self._identity, self._offset, self._seen = identity, 0, set()
        handle.seek(self._offset)
        data = handle.read()
        end = data.rfind(b"\n") + 1
        for raw in data[:end].splitlines():
            case = _case_of(raw)
            if case is not None:
                self._seen.add(case)
        self._offset += end
        return end < len(data)

    @staticmethod
    def read(path: str | os.PathLike[str]) -> list[dict]:
        """Every complete, well-formed record in a sink file, in file order."""
        try:
            raw_lines = Path(path).read_bytes().splitlines()
        except FileNotFoundError:
            return []
        records = []
        for raw in raw_lines:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("case"), int):
                records.append(record)
        return records


def _case_of(raw: bytes) -> int | None:
    try:
        case = json.loads(raw).get("case")
    except (ValueError, AttributeError):
        return None
    return case if isinstance(case, int) else None


class StreamSink:
    """Prints each case as one line on a text stream."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def forward(self, escalation: Escalation) -> None:
        """Write ``[case N] (lang) question (asker)`` and flush."""
        who = f" ({escalation.asker})" if escalation.asker else ""
        self.stream.write(f"[case {escalation.case}] ({escalation.lang}) {escalation.question}{who}\n")
        self.stream.flush()
        return None

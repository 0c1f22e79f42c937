"""``faqbot escalations export``: every case as CSV or JSON lines, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from typing import TextIO

from bot.store import Escalation

COLUMNS = [f.name for f in fields(Escalation)]


def export_escalations(escalations: list[Escalation], fmt: str, out: TextIO) -> int:
    """Write ``escalations`` to ``out`` as ``csv`` or ``jsonl``; return how many were written."""
    rows = [escalation.to_json() for escalation in escalations]
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row["candidates"] = json.dumps(row["candidates"], ensure_ascii=False)
        writer.writerow({name: _inert(value) for name, value in row.items()})
    return len(rows)


def _inert(value: object) -> object:
    """A seller's text that starts like a formula (=, +, -, @) is quoted so spreadsheets show, not run, it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

"""Hardening, round two, on real files through the real ``faqbot`` command: hostile YAML, atomic writes, modes,
line endings, secrets in database URLs, terminal escapes and long questions in every view.

Every command runs as a subprocess with a clean environment (no Slack or faqbot
setting from the machine), on files in a fresh temporary folder.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import child_environment
from bot.testkit.slack_traffic import faqbot_command

REPO = Path(__file__).resolve().parents[1]


def limited_memory() -> None:
    """Run the child with at most 2 GB of address space, so a runaway parse cannot take the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


def faqbot(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
           stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*faqbot_command(), *args], cwd=cwd, env=child_environment(env or {}), input=stdin,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=limited_memory)


# --- 3. an alias bomb is refused in one line, quickly ---------------------------------------------------------

BOMB_IN_KEY = """version: "1"
a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
? *a8
: 1
entries: []
"""


def phrasing_flood(entries: int = 2000, phrasings: int = 300) -> str:
    """A ~150 KB file whose entries all point at one list of phrasings: ``entries * phrasings`` of them."""
    listed = "\n".join(f"  - how do I close my account, way {n}?" for n in range(phrasings))
    rows = "\n".join(f"  - {{id: e{n}, question: {{en: q{n}}}, alternates: {{en: *all}}, answer: {{en: a}}}}"
                     for n in range(entries))
    return f"version: \"1\"\nshared: &all\n{listed}\nentries:\n{rows}\n"


@pytest.mark.parametrize("text", [BOMB_IN_KEY, phrasing_flood()], ids=["bomb-in-a-key", "phrasing-flood"])
def test_an_alias_bomb_is_refused_in_one_line_within_seconds(tmp_path, text):
    (tmp_path / "knowledge.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    done = faqbot("check", "--kb", "knowledge.yaml", cwd=tmp_path, timeout=60)
    assert time.monotonic() - started < 20
    assert done.returncode != 0 and "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    said = (done.stdout + done.stderr).strip().splitlines()
    assert any("alias" in line.lower() for line in said), said[:5]
    assert len(said) <= 3, said[:5]

"""Configuration from the environment, read in one place (12-factor).

Everything else receives its settings as arguments; library code never reads
environment variables on its own.
"""

from __future__ import annotations

import os
from pathlib import Path

KB_ENV = "FAQBOT_KB"
DB_ENV = "FAQBOT_DB_URL"
_BUNDLED_KB = Path(__file__).resolve().parents[1] / "knowledge.yaml"


def knowledge_path(explicit: str | None = None) -> Path:
    """The knowledge base to load: ``--kb``, else ``$FAQBOT_KB``, else ``./knowledge.yaml``, else the bundled one."""
    if explicit:
        return Path(explicit)
    if os.environ.get(KB_ENV):
        return Path(os.environ[KB_ENV])
    local = Path("knowledge.yaml")
    return local if local.is_file() else _BUNDLED_KB


def database_url() -> str:
    """Where escalations are stored: ``$FAQBOT_DB_URL``, else a SQLite file in the user's data directory."""
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    from bot.store import default_db_url

    return default_db_url()

"""The PostgreSQL guide (docs/escalations.md) works: its URL form opens the store, and the extra installs the driver."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.store import SqlStore
from faq.model import Reply

pytest_plugins = ["postgres"]  # postgres_server

ROOT = Path(__file__).resolve().parents[1]
README_URL = re.compile(r"FAQBOT_DB_URL='(postgresql\+psycopg://[^']+)'")


def readme_url() -> str:
    found = README_URL.findall((ROOT / "docs" / "escalations.md").read_text(encoding="utf-8"))
    assert found, "the PostgreSQL guide gives no FAQBOT_DB_URL example"
    return found[0]


def test_the_postgres_extra_installs_the_driver_the_url_names():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("psycopg[binary]") for requirement in extras["postgres"])
    assert make_url(readme_url()).get_driver_name() == "psycopg"


def test_the_readme_url_form_reaches_a_real_server(postgres_server):
    """The guide's example with the throwaway server's host, port, user and database filled in."""
    server = make_url(postgres_server)
    example = make_url(readme_url())
    url = example.set(host=server.host, port=server.port, username=server.username, database=server.database)
    store = SqlStore.from_url(url.render_as_string(hide_password=False))
    try:
        assert store.backend == "postgresql"
        reply = Reply(question="readme check", lang="en", action="escalate", text="...", entry_id=None, score=1.0)
        case, created = store.open_escalation(reply, source="console", asker="readme")
        assert created and store.get(case.case).question == "readme check"
        assert "secret" not in store.url  # the password is never shown
    finally:
        store.close()


def test_the_cli_reports_an_unreachable_server_in_one_line(tmp_path):
    url = readme_url().replace("db.example.com", "127.0.0.1").replace(":5432/", ":1/")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "prune", "--older-than", "90d", "--dry-run", "--db", url],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "secret" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_postgres_driver_names_the_extra():
    from bot.store import StoreError

    with pytest.raises(StoreError, match=r"pip install 'faqbot\[postgres\]'"):
        SqlStore.from_url("postgresql+pg8000://faqbot@127.0.0.1/faqbot")  # a driver faqbot does not install

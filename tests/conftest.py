"""Shared fixtures: the knowledge base shipped at the repository root.

The engine caches phrasing vectors and an uncompressed copy of the model's
weights in the user's cache directory; the tests use a throwaway one
(``XDG_CACHE_HOME``, read by platformdirs, is inherited by CLI subprocesses, and by
pytest-xdist's workers: they share the one their controller made, so the model's arrays
and the bundled knowledge base's vectors are written once per run, not once per worker).
"""

import os
import tempfile
from pathlib import Path

import pytest

from faq import load_knowledge

if "PYTEST_XDIST_WORKER" not in os.environ:  # a worker keeps the directory its controller chose
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="faqbot-test-cache-")

KNOWLEDGE_PATH = Path(__file__).resolve().parents[1] / "knowledge.yaml"


@pytest.fixture(scope="session")
def knowledge_path() -> Path:
    """The path of the repository's own knowledge.yaml."""
    return KNOWLEDGE_PATH


@pytest.fixture(scope="session")
def shipped_kb(knowledge_path):
    """The shipped knowledge base, loaded (and validated) once per test run."""
    return load_knowledge(knowledge_path)


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Tool output follows the locale; tests expect English unless they choose otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")

"""``faqbot docs [NAME]``: the guides (``docs/*.md``) printed from wherever faqbot is installed.

A source checkout reads them from its ``docs/`` folder; an installed package has
its copies in ``<prefix>/share/faqbot/docs`` (``pyproject.toml``'s data-files,
like the bundled ``knowledge.yaml``). So every hint that names a guide
(``faqbot init``'s "next" lines, the starter knowledge base) names a command
that works on every install, rather than a file a wheel lacks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from faq.catalog import Catalog

#: The source checkout's guides first (an editable install), then an installed package's copies.
GUIDE_FOLDERS = (Path(__file__).resolve().parents[2] / "docs", Path(sys.prefix) / "share" / "faqbot" / "docs")

GUIDE_TEXTS = Catalog({
    "guides": {
        "en": "Guides (print one with: faqbot docs NAME):",
        "zh": "使用指南(用 faqbot docs 名称 查看其中一篇;指南为英文):",
    },
    "unknown": {
        "en": "no guide called {name}; the guides are: {names}",
        "zh": "没有名为 {name} 的指南;现有指南:{names}",
    },
    "missing": {
        "en": "the guides are not installed here (looked in {folders})",
        "zh": "此处没有安装使用指南(查找了 {folders})",
    },
})


class GuideError(Exception):
    """No such guide, or no guides installed: one line for the user."""


def guides() -> dict[str, Path]:
    """Every guide by name (``knowledge-base`` for ``knowledge-base.md``), from the first folder that has any."""
    for folder in GUIDE_FOLDERS:
        pages = sorted(folder.glob("*.md"))
        if pages:
            return {page.stem: page for page in pages}
    return {}


def title(page: Path) -> str:
    """A guide's first heading, without its ``#``."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return page.stem


def write_guide(name: str | None, lang: str, out: TextIO) -> None:
    """Print the guide ``name``, or with no name the list of guides and their titles."""
    found = guides()
    if not found:
        raise GuideError(GUIDE_TEXTS.text("missing", lang, folders=", ".join(str(folder) for folder in GUIDE_FOLDERS)))
    if name is None:
        out.write(GUIDE_TEXTS.text("guides", lang) + "\n")
        width = max(len(each) for each in found)
        for each, page in found.items():
            out.write(f"  {each:<{width}}  {title(page)}\n")
        return
    page = found.get(name.removesuffix(".md").removeprefix("docs/"))
    if page is None:
        raise GuideError(GUIDE_TEXTS.text("unknown", lang, name=name, names=", ".join(found)))
    out.write(page.read_text(encoding="utf-8"))

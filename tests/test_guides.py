"""``faqbot docs``: the guides ship with the package, and every hint that names one names a command that works."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from bot.cli import main
from bot.commands import guides

ROOT = Path(__file__).resolve().parents[1]


def faqbot(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_docs_lists_every_guide_and_prints_one(tmp_path):
    listing = faqbot("docs", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    for page in (ROOT / "docs").glob("*.md"):
        assert f"  {page.stem} " in listing.stdout
    guide = faqbot("docs", "knowledge-base", cwd=tmp_path)
    assert guide.stdout == (ROOT / "docs" / "knowledge-base.md").read_text(encoding="utf-8")
    chinese = faqbot("docs", "--ui-lang", "zh", "nope", cwd=tmp_path)
    assert chinese.returncode == 1 and chinese.stderr.startswith("faqbot: 没有名为 nope 的指南") and "knowledge-base" in chinese.stderr


def test_an_installed_package_reads_its_own_copies(tmp_path, monkeypatch, capsys):
    installed = tmp_path / "share" / "faqbot" / "docs"
    installed.mkdir(parents=True)
    (installed / "knowledge-base.md").write_text("# Writing a knowledge base\nthe installed copy\n", encoding="utf-8")
    monkeypatch.setattr(guides, "GUIDE_FOLDERS", (tmp_path / "no-checkout" / "docs", installed))
    out = io.StringIO()
    assert main(["docs", "knowledge-base"], stdout=out) == 0
    assert out.getvalue().endswith("the installed copy\n")
    monkeypatch.setattr(guides, "GUIDE_FOLDERS", (tmp_path / "nowhere",))
    assert main(["docs"], stdout=io.StringIO()) == 1
    assert "not installed here" in capsys.readouterr().err


def test_init_names_a_guide_that_faqbot_docs_prints(tmp_path):
    done = faqbot("init", str(tmp_path / "kb"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "docs/" not in done.stdout and "faqbot docs knowledge-base" in done.stdout
    assert "docs/" not in (tmp_path / "kb" / "knowledge.yaml").read_text(encoding="utf-8")
    assert faqbot("docs", "knowledge-base", cwd=tmp_path).returncode == 0


def test_the_wheel_carries_every_guide_where_an_installed_faqbot_looks(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("faqbot-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    installed = guides.GUIDE_FOLDERS[1].relative_to(sys.prefix).as_posix()
    for page in (ROOT / "docs").glob("*.md"):
        assert any(name.endswith(f".data/data/{installed}/{page.name}") for name in names), page.name

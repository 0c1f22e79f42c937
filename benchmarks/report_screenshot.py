"""Render the HTML report from synthetic traffic and screenshot it with headless Chromium (Debian's package).

    python benchmarks/report_screenshot.py [--lang en|zh] [--html report.html] [--png docs/images/report.png]

Re-run it after changing the report's look; it needs ``chromium`` on the PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from faq import Assistant, load_knowledge  # noqa: E402
from faq.coverage import load_cases, run_coverage  # noqa: E402

from bot.learning.html_report import render_html  # noqa: E402
from bot.learning.report_data import report_data  # noqa: E402
from synthetic_traffic import synthetic_traffic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--questions", type=int, default=6000)
    parser.add_argument("--html", help="also keep the HTML page here")
    parser.add_argument("--png", default=str(ROOT / "docs" / "images" / "report.png"))
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (Debian: apt-get install -y chromium)")
    kb = load_knowledge(ROOT / "knowledge.yaml")
    traffic, cases = synthetic_traffic(kb, args.questions, days=21)
    coverage = run_coverage(Assistant(kb), load_cases(ROOT / "tests" / "coverage" / "seed_cases.yaml"))
    page = render_html(report_data(traffic, cases, coverage, top=8), args.lang)
    with tempfile.TemporaryDirectory() as scratch:
        html = Path(args.html) if args.html else Path(scratch) / "report.html"
        html.write_text(page, encoding="utf-8")
        png = Path(args.png)
        png.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={Path(scratch) / 'profile'}", "--window-size=820,1700", f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ], check=True, capture_output=True, timeout=120)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()

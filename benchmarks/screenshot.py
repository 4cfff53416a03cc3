"""The README's screenshot: the seeds' graph page in headless Chromium, one entity selected.

Run by hand after a change to the page: ``python benchmarks/screenshot.py [-o FILE.png]``.
Builds ``seeds/`` into a temporary folder, opens graph.html in Debian's ``/usr/bin/chromium``
(through Playwright), searches for 乡村振兴战略, selects it (neighbourhood highlighted, side
panel filled), clears the search and saves a PNG of the page. When Debian's ``pngquant`` is
installed the PNG is quantised to 256 colours, which keeps it small in the repository.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from policykg.output.api import build

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ENTITY = "乡村振兴战略"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=760)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        result = build([ROOT / "seeds"], tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(result.graph_html.as_uri())
        page.wait_for_selector("html[data-pkg-ready]", state="attached")
        page.fill("#pkg-search", ENTITY)
        page.get_by_role("button", name=ENTITY, exact=True).click()
        page.fill("#pkg-search", "")
        page.wait_for_selector("#pkg-results", state="hidden")
        page.wait_for_timeout(500)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
        browser.close()
    if shutil.which("pngquant"):
        subprocess.run(
            ["pngquant", "--force", "--skip-if-larger", "--output", str(args.out), str(args.out)],
            check=False,
        )
    print(f"Wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

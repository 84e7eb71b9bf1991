"""Re-make the README's pictures: docs/overlay-seed.png (the QA overlay of
scans/seed-page.png) and docs/report-page.png (the report's page view of it,
in headless Chromium).

    .venv/bin/python docs/make_images.py [OUT]

OUT (default: a temporary folder) receives `magscan convert scans/seed-page.png`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(out: Path) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run([sys.executable, "-m", "pipeline", "convert", str(ROOT / "scans" / "seed-page.png"),
                    "-o", str(out), "-j", "1"], check=True, env=env, cwd=ROOT)
    from pipeline.outputs.report import write_report

    overlay = cv2.imread(str(out / "seed-page" / "page-0001.overlay.png"))
    cv2.imwrite(str(DOCS / "overlay-seed.png"), overlay, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    result = write_report(out)
    view = next((out / "report" / "pages").glob("seed-page--page-0001.html"))

    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 860})
        tab.goto(view.as_uri())
        # the second body column selected: its rectangle and its text light up
        body = tab.locator("li.tb.k-body").nth(1).get_attribute("data-b")
        tab.click(f'.blk[data-b="{body}"]')
        tab.wait_for_timeout(800)  # the smooth scroll to the text
        tab.screenshot(path=str(DOCS / "report-page.png"))
        browser.close()
    print(f"wrote {DOCS / 'overlay-seed.png'} and {DOCS / 'report-page.png'} "
          f"(report: {result.index})")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp) / "out")

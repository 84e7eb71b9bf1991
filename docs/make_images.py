"""Re-make the README's pictures: docs/overlay-seed.png (the QA overlay of
scans/seed-page.png) and, in headless Chromium, the report on scans/:
docs/report-index.png (the index), docs/report-page.png (the seed page's
view, a block selected) and docs/report-zoom.png (the same view zoomed in on
its low-confidence line, with the line's picture beside its text).

    .venv/bin/python docs/make_images.py [OUT]

OUT (default: a temporary folder) receives `magscan convert scans`.
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
    subprocess.run([sys.executable, "-m", "pipeline", "convert", str(ROOT / "scans"),
                    "-o", str(out), "-j", "2"], check=True, env=env, cwd=ROOT)
    from pipeline.outputs.report import write_report

    overlay = cv2.imread(str(out / "seed-page" / "page-0001.overlay.png"))
    cv2.imwrite(str(DOCS / "overlay-seed.png"), overlay, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    result = write_report(out)
    view = next((out / "report" / "pages").glob("seed-page--page-0001.html"))

    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 860})
        tab.goto(result.index.as_uri())
        tab.screenshot(path=str(DOCS / "report-index.png"))
        tab.goto(view.as_uri())
        # the second body column selected: its rectangle and its text light up
        body = tab.locator("li.tb.k-body").nth(1).get_attribute("data-b")
        tab.click(f'.blk[data-b="{body}"]')
        tab.wait_for_timeout(800)  # the smooth scroll to the text
        tab.screenshot(path=str(DOCS / "report-page.png"))
        # the first line below the threshold: its picture and text, the page zoomed to it
        tab.goto(view.as_uri())
        low = tab.locator("li.lowline").first
        low.scroll_into_view_if_needed()
        low.click()
        tab.wait_for_timeout(800)
        tab.screenshot(path=str(DOCS / "report-zoom.png"))
        browser.close()
    print(f"wrote {DOCS / 'overlay-seed.png'}, report-index.png, report-page.png and "
          f"report-zoom.png (report: {result.index})")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp) / "out")

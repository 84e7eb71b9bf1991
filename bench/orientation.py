"""Orientation detection on generated pages turned four ways (no OCR of the page).

Renders the first pages of every layout family of the benchmark set
(``pipeline.synth.families``), turns each by 0, 90, 180 and 270 degrees and
runs ``pipeline.orientation.detect`` on every turn: how many turns it finds,
how many it flags as uncertain, the smallest margin by which the right turn
read better than the next, and the seconds per detection.

    .venv/bin/python bench/orientation.py            # 1 page per family
    .venv/bin/python bench/orientation.py --per-family 2
    .venv/bin/python bench/orientation.py --images ../shared/realpages/*.jpg ../shared/devpages/*.png

``--images`` adds scans of your own, each turned four ways as well. The table
also says how many turns a read of a crop as it stands settled (upright
pages taken without reading the other turns; the darkest window first, then
a window of running text) and the highest mean word confidence either crop
gave on a page that was NOT upright (of reads with at least
``UPRIGHT_MIN_WORDS`` words) (the upright-read
threshold, ``orientation.UPRIGHT_MEAN_CONF``, must stay clear above it).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from PIL import Image  # noqa: E402

from pipeline.orientation import SECOND_CROP, UPRIGHT_MIN_WORDS, _crop_for_reading, _glyph_crop, detect, reads_upright, turn  # noqa: E402
from pipeline.synth import render_page  # noqa: E402
from pipeline.synth.families import FAMILIES, family_spec  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-family", type=int, default=1)
    ap.add_argument("--images", nargs="*", default=[], help="scans (upright) to turn four ways as well")
    a = ap.parse_args(argv)
    rows, secs, margins, wrong_conf = [], [], [], []

    def pages():
        for fam in FAMILIES:
            if fam == "rotated":
                continue   # its pages are turned already: the others are turned here
            for i in range(a.per_family):
                img, _truth = render_page(family_spec(fam, i))
                yield fam, i, np.asarray(img.convert("L") if hasattr(img, "convert") else img)
        for path in a.images:
            yield Path(path).name, 0, np.asarray(Image.open(path).convert("L"))

    for fam, i, page in pages():
            for angle in (0, 90, 180, 270):
                turned = turn(page, angle)
                if not angle:
                    ok, first = reads_upright(_crop_for_reading(turned), "chi_sim")
                    if not ok:
                        print(f"{fam}-{i} upright, its first crop did not settle it: mean conf "
                              f"{first.mean_conf:.1f} ({first.words} words)")
                if angle:
                    second = _glyph_crop(turned)
                    for which, crop in (("first", _crop_for_reading(turned)), ("second", second)):
                        if crop is None:
                            continue
                        _ok, read = reads_upright(crop, "chi_sim")
                        if read.words >= UPRIGHT_MIN_WORDS:   # fewer never settle a page
                            wrong_conf.append(read.mean_conf)
                        if read.mean_conf >= 35:
                            print(f"{fam}-{i} turned {angle}: {which} crop read as it stands at mean "
                                  f"conf {read.mean_conf:.1f} ({read.words} words)")
                t = time.perf_counter()
                o = detect(turned)
                secs.append((angle, time.perf_counter() - t))
                right = (o.angle + angle) % 360 == 0
                if o.method == "upright-read" and not right:
                    print(f"{fam}-{i} turned {angle}: taken as upright from one read (mean conf {o.confidence})")
                if o.method == "reading" and right:
                    margins.append(o.confidence or 0.0)
                rows.append((fam, i, angle, o.angle, right, o.uncertain, o.method, o.reason))
    found = sum(r[4] and not r[5] for r in rows)
    wrong = sum(not r[4] and not r[5] for r in rows)
    unsure = sum(r[5] for r in rows)
    for r in rows:
        if not r[4] or r[5]:
            print(f"{r[0]}-{r[1]} turned {r[2]}: answered {r[3]} ({'uncertain' if r[5] else 'wrong'}, {r[6]})")
    one = sum(r[6] == "upright-read" for r in rows)
    second = sum(r[6] == "upright-read" and r[7] == SECOND_CROP for r in rows)
    upright = sum(r[2] == 0 for r in rows)
    print("| turns | found | wrong | uncertain (flagged) | least margin | settled by an upright read "
          "| highest mean conf of a wrong turn | s per page upright / turned |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {len(rows)} | {found} | {wrong} | {unsure} | {min(margins) if margins else float('nan'):.2f}x "
          f"| {one} of {upright} upright ({second} on the second crop) | {max(wrong_conf) if wrong_conf else float('nan'):.1f} "
          f"| {np.mean([t for a, t in secs if a == 0]):.2f} / {np.mean([t for a, t in secs if a]):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

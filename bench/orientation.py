"""Orientation detection on generated pages turned four ways (no OCR of the page).

Renders the first pages of every layout family of the benchmark set
(``pipeline.synth.families``), turns each by 0, 90, 180 and 270 degrees and
runs ``pipeline.orientation.detect`` on every turn: how many turns it finds,
how many it flags as uncertain, the smallest margin by which the right turn
read better than the next, and the seconds per detection.

    .venv/bin/python bench/orientation.py            # 1 page per family
    .venv/bin/python bench/orientation.py --per-family 2
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

from pipeline.orientation import detect, turn  # noqa: E402
from pipeline.synth import render_page  # noqa: E402
from pipeline.synth.families import FAMILIES, family_spec  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-family", type=int, default=1)
    a = ap.parse_args(argv)
    rows, secs, margins = [], [], []
    for fam in FAMILIES:
        if fam == "rotated":
            continue   # its pages are turned already: the others are turned here
        for i in range(a.per_family):
            spec = family_spec(fam, i)
            img, _truth = render_page(spec)
            page = np.asarray(img)
            for angle in (0, 90, 180, 270):
                t = time.perf_counter()
                o = detect(turn(page, angle))
                secs.append(time.perf_counter() - t)
                right = (o.angle + angle) % 360 == 0
                if o.method == "reading" and right:
                    margins.append(o.confidence or 0.0)
                rows.append((fam, i, angle, o.angle, right, o.uncertain, o.method))
    found = sum(r[4] and not r[5] for r in rows)
    wrong = sum(not r[4] and not r[5] for r in rows)
    unsure = sum(r[5] for r in rows)
    for r in rows:
        if not r[4] or r[5]:
            print(f"{r[0]}-{r[1]} turned {r[2]}: answered {r[3]} ({'uncertain' if r[5] else 'wrong'}, {r[6]})")
    print(f"| turns | found | wrong | uncertain (flagged) | least margin | s per page |")
    print(f"|---:|---:|---:|---:|---:|---:|")
    print(f"| {len(rows)} | {found} | {wrong} | {unsure} | {min(margins) if margins else float('nan'):.2f}x "
          f"| {sum(secs) / len(secs):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

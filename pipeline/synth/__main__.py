"""python -m pipeline.synth OUTDIR [--seed-page] [--samples] [--count N --seed S]"""
from __future__ import annotations

import argparse
import sys
import time

from .layout import random_spec, sample_specs, seed_spec
from .pages import render_page
from .truth import write_page


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.synth",
                                 description="Write synthetic magazine pages with ground truth.")
    ap.add_argument("outdir")
    ap.add_argument("--seed-page", action="store_true", help="render the seed page as 'seed-page'")
    ap.add_argument("--samples", action="store_true", help="the committed sample pages (scans/)")
    ap.add_argument("--count", type=int, default=0, help="number of random pages")
    ap.add_argument("--seed", type=int, default=0, help="first seed of the random pages")
    a = ap.parse_args(argv)
    jobs = []
    if a.samples:
        jobs += list(sample_specs().items())
    elif a.seed_page:
        jobs.append(("seed-page", seed_spec()))
    jobs += [(f"synth_{s:05d}", random_spec(s)) for s in range(a.seed, a.seed + a.count)]
    if not jobs:
        ap.error("nothing to do: give --seed-page, --samples or --count N")
    for name, spec in jobs:
        t = time.perf_counter()
        img, truth = render_page(spec)
        path = write_page(a.outdir, name, img, truth)
        print(f"{path}  {len(truth['blocks'])} blocks  {time.perf_counter() - t:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

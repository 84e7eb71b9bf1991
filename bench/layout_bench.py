"""Geometry-only benchmark of layout analysis and reading order (no OCR).

Generates the fixed, seeded benchmark set (``pipeline.synth.families``) into a
folder once, then runs spread split + preprocess + layout + reading order on
every page and compares the detected blocks and their order with the truth
block boxes (``pipeline.evaluate.layout``). Seconds per page, not minutes:
the tool for iterating on layout code.

    .venv/bin/python bench/layout_bench.py                  # the 44-page set
    .venv/bin/python bench/layout_bench.py --family sidebar -v
    .venv/bin/python bench/layout_bench.py --gold ../shared/devpages
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from pipeline.convert import layout_source  # noqa: E402
from pipeline.evaluate.layout import CHECKED_KINDS, score_layout  # noqa: E402
from pipeline.ingest.files import SourcePage  # noqa: E402
from pipeline.options import Options  # noqa: E402
from pipeline.synth.families import bench_specs, family_of  # noqa: E402

DEFAULT_DIR = Path("/tmp/magscan-layout-set")


def _generator_hash() -> str:
    """Changes whenever the page generator's code does (stale pages are re-rendered)."""
    src = sorted((ROOT / "pipeline" / "synth").glob("*.py"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in src)).hexdigest()[:16]


def ensure_set(folder: Path, per_family: int = 4, family: str | None = None,
               start: int = 0) -> list[str]:
    """Render the benchmark pages that are missing or whose spec or generator
    changed; their names."""
    from pipeline.synth import render_page, write_page

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    gen = _generator_hash()
    for name, spec in bench_specs(per_family, start).items():
        if family and family_of(name) not in family.split(","):
            continue
        names.append(name)
        gt = folder / f"{name}.gt.json"
        if gt.is_file() and (folder / f"{name}.png").is_file():
            old = json.loads(gt.read_text(encoding="utf-8"))
            if old.get("spec") == spec.to_dict() and old.get("generator") == gen:
                continue
        img, truth = render_page(spec)
        truth["spec"] = spec.to_dict()
        truth["generator"] = gen
        write_page(folder, name, img, truth)
    return names


def run_one(folder: str, name: str) -> dict:
    folder = Path(folder)
    truth = json.loads((folder / f"{name}.gt.json").read_text(encoding="utf-8"))
    arr = np.asarray(Image.open(folder / f"{name}.png").convert("L"))
    t = time.perf_counter()
    pages = [p.page for p in layout_source(SourcePage(folder / f"{name}.png", 1, arr, 300), Options())]
    sec = time.perf_counter() - t
    s = score_layout(name, pages, truth)
    return {"name": name, "order": s.order, "line_order": s.line_order, "merged": s.merged,
            "columns_ok": s.columns_ok, "split_ok": s.split_ok, "kinds": s.kinds,
            "flags": s.flags, "seconds": sec,
            "columns": [len(p.columns) for p in pages], "ncol": truth.get("layout", {}).get("ncol")}


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def report(rows: list[dict], verbose: bool) -> str:
    out = []
    if verbose:
        out.append(f"{'page':22} {'order':>6} {'lines':>6} {'merged':>6} cols  flags")
        for r in rows:
            cols = "ok" if r["columns_ok"] else f"{r['columns']}!={r['ncol']}"
            if not r["split_ok"]:
                cols += " (spread not split)"
            out.append(f"{r['name']:22} {r['order']:6.3f} {r['line_order']:6.3f} {r['merged']:6d} "
                       f"{cols:5} {'; '.join(r['flags'])[:100]}")
        out.append("")
    fams: dict[str, list[dict]] = {}
    for r in rows:
        fams.setdefault(family_of(r["name"]), []).append(r)
    head = f"{'family':14} {'pages':>5} {'order':>6} {'lines':>6} {'merged':>6} {'cols':>5} " + \
        " ".join(f"{k[:7]:>7}" for k in CHECKED_KINDS) + f" {'s/page':>6}"
    out.append(head)

    def line(label, rs):
        kinds = []
        for k in CHECKED_KINDS:
            got = sum(r["kinds"].get(k, [0, 0])[0] for r in rs)
            tot = sum(r["kinds"].get(k, [0, 0])[1] for r in rs)
            kinds.append(f"{got}/{tot}" if tot else "-")
        return (f"{label:14} {len(rs):5d} {_mean(r['order'] for r in rs):6.3f} "
                f"{_mean(r['line_order'] for r in rs):6.3f} {sum(r['merged'] for r in rs):6d} "
                f"{sum(r['columns_ok'] and r['split_ok'] for r in rs):2d}/{len(rs):<2d} "
                + " ".join(f"{k:>7}" for k in kinds) + f" {_mean(r['seconds'] for r in rs):6.2f}")
    for fam, rs in fams.items():
        out.append(line(fam, rs))
    out.append(line("all", rows))
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the generated set lives")
    ap.add_argument("--per-family", type=int, default=4)
    ap.add_argument("--family", help="only this family (or these, comma-separated)")
    ap.add_argument("--start", type=int, default=0,
                    help="first page index in each family (e.g. 100: a held-out set)")
    ap.add_argument("--gold", type=Path, help="score NAME.png + NAME.gt.json pages of this folder instead")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.gold:
        folder = a.gold
        names = sorted(p.name[:-len(".gt.json")] for p in folder.glob("*.gt.json")
                       if (folder / (p.name[:-len(".gt.json")] + ".png")).is_file())
    else:
        folder = a.dir
        names = ensure_set(folder, a.per_family, a.family, a.start)
    t = time.perf_counter()
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as pool:
            rows = list(pool.map(run_one, [str(folder)] * len(names), names))
    else:
        rows = [run_one(str(folder), n) for n in names]
    print(report(rows, a.verbose))
    print(f"\n{len(rows)} pages in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

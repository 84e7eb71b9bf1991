"""End-to-end benchmark on the fixed, seeded layout set: magscan against
``tesseract --psm 3``, on the same images, in one run.

Generates the benchmark pages (``pipeline.synth.families``: 11 layout families,
4 pages each by default, two-page spreads included) into a folder, runs
``magscan convert -j 2`` on all of them and ``tesseract IMG - --psm 3 -l chi_sim``
on each (two at a time, ``OMP_THREAD_LIMIT=1``), scores both with
``pipeline.evaluate.text`` (CER, bag-of-characters error, reading-order score; main
text without running heads) and prints them side by side per layout family and
overall; the table also goes to ``bench/LAYOUT-RESULTS.md``.

    .venv/bin/python bench/layout_eval.py                 # the 44-image set
    .venv/bin/python bench/layout_eval.py --family sidebar --no-write
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from layout_bench import ensure_set  # noqa: E402

from pipeline.evaluate.text import PageScore, evaluate_dirs  # noqa: E402
from pipeline.synth.families import family_of  # noqa: E402

DEFAULT_DIR = Path("/tmp/magscan-layout-set")
RESULTS = ROOT / "bench" / "LAYOUT-RESULTS.md"


def run_magscan(gold: Path, names: list[str], out: Path, jobs: int) -> float:
    # a fresh folder: convert would resume pages an older build of the code did
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    cmd = [str(ROOT / ".venv" / "bin" / "magscan"), "convert",
           *[str(gold / f"{n}.png") for n in names], "-o", str(out), "-j", str(jobs), "--no-overlays"]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"magscan convert failed ({r.returncode}):\n{r.stderr[-2000:]}")
    if r.returncode == 1:   # scored as empty text, but say so
        print(f"WARNING: some pages failed (see magscan status {out}):\n{r.stderr[-2000:]}",
              file=sys.stderr)
    return time.perf_counter() - t


def run_psm3(gold: Path, names: list[str], out: Path, jobs: int) -> float:
    out.mkdir(parents=True, exist_ok=True)

    def one(name: str) -> None:
        r = subprocess.run(["tesseract", str(gold / f"{name}.png"), "-", "--psm", "3", "-l", "chi_sim"],
                           capture_output=True, text=True, timeout=900)
        (out / f"{name}.txt").write_text(r.stdout, encoding="utf-8")

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, names))
    return time.perf_counter() - t


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def table(ours: list[PageScore], psm3: list[PageScore]) -> str:
    by = {s.name: s for s in psm3}
    fams: dict[str, list[str]] = {}
    for s in ours:
        fams.setdefault(family_of(s.name), []).append(s.name)
    mine = {s.name: s for s in ours}
    head = ("| family | images | chars | magscan CER | bag | order | psm 3 CER | bag | order |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []

    def row(label: str, names: list[str]) -> str:
        a = [mine[n] for n in names]
        b = [by[n] for n in names if n in by]
        return (f"| {label} | {len(a)} | {sum(s.n_chars for s in a)} | "
                f"{_mean(s.cer for s in a):.4f} | {_mean(s.bag_error for s in a):.4f} | "
                f"{_mean(s.order_score for s in a):.3f} | {_mean(s.cer for s in b):.4f} | "
                f"{_mean(s.bag_error for s in b):.4f} | {_mean(s.order_score for s in b):.3f} |")
    for fam, names in fams.items():
        rows.append(row(fam, names))
    rows.append(row("**all (mean over images)**", [s.name for s in ours]))
    return "\n".join([head] + rows)


def per_page(ours: list[PageScore], psm3: list[PageScore]) -> str:
    by = {s.name: s for s in psm3}
    lines = ["| image | chars | magscan CER | order | psm 3 CER | order |", "|---|---:|---:|---:|---:|---:|"]
    for s in ours:
        p = by.get(s.name)
        lines.append(f"| {s.name}{'' if s.found else ' (missing)'} | {s.n_chars} | {s.cer:.4f} | "
                     f"{s.order_score:.3f} | {p.cer if p else float('nan'):.4f} | "
                     f"{p.order_score if p else float('nan'):.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the generated set lives")
    ap.add_argument("--out", type=Path, default=Path("/tmp/magscan-layout-eval"))
    ap.add_argument("--per-family", type=int, default=4)
    ap.add_argument("--start", type=int, default=0, help="first page index in each family")
    ap.add_argument("--family", help="only this family (or these, comma-separated)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--no-psm3", action="store_true", help="skip Tesseract psm 3 (reuse its last texts)")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    a = ap.parse_args(argv)
    names = ensure_set(a.dir, a.per_family, a.family, a.start)
    ours_dir, psm3_dir = a.out / "magscan", a.out / "psm3"
    t_ours = run_magscan(a.dir, names, ours_dir, a.jobs)
    t_psm3 = 0.0 if a.no_psm3 else run_psm3(a.dir, names, psm3_dir, a.jobs)
    ours = [s for s in evaluate_dirs(a.dir, ours_dir) if s.name in names]
    psm3 = [s for s in evaluate_dirs(a.dir, psm3_dir) if s.name in names]
    summary = table(ours, psm3)
    mean_ours, mean_psm3 = _mean(s.cer for s in ours), _mean(s.cer for s in psm3)
    verdict = (f"mean reading order {_mean(s.order_score for s in ours):.3f} (target >= 0.98); "
               f"mean CER {mean_ours:.4f} vs psm 3 {mean_psm3:.4f} "
               f"(ratio {mean_ours / mean_psm3 if mean_psm3 else float('nan'):.2f}, target <= 0.50)")
    timing = (f"{len(names)} images; magscan convert -j {a.jobs}: {t_ours:.0f} s; "
              f"tesseract --psm 3 ({a.jobs} at a time): {t_psm3:.0f} s")
    print(summary)
    print()
    print(verdict)
    print(timing)
    if not a.no_write:
        RESULTS.write_text(
            "# Layout benchmark: magscan vs tesseract --psm 3\n\n"
            "Generated by `.venv/bin/python bench/layout_eval.py` (seeded pages from "
            "`pipeline/synth/families.py`, written to "
            f"`{a.dir}`; main text without running heads; CER and bag-of-characters error "
            "after NFKC and white-space removal; order = fraction of consecutive gold blocks in "
            "order; spreads scored left page then right page).\n\n"
            f"{summary}\n\n{verdict}.\n\n{timing}.\n\n## Per image\n\n{per_page(ours, psm3)}\n",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

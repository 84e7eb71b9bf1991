"""Speed benchmark (not a test): magscan against the tools users would pick
instead, on the same generated pages, in one run.

    .venv/bin/python bench/speed.py [--set families|random] [--pages 12] [--seed 500]
                                    [--work bench/_work]

Page sets: ``families`` (default) is the layout benchmark's fixed set
(``pipeline.synth.families``), the first ``--pages`` of each layout family,
so figures, sidebars, spreads and degraded scans are in it as in an archive;
``random`` is ``--pages`` pages of ``python -m pipeline.synth --count``
(random layouts from ``--seed``). Results go to bench/RESULTS.md (families)
or bench/RESULTS-random.md.

Times, one after another on an otherwise idle machine:
  - `tesseract IMG - --psm 3 -l chi_sim` per page, OMP_THREAD_LIMIT=1
  - OCRmyPDF --sidecar on the same pages as one image PDF, --jobs 1
  - `magscan convert --jobs 1` and `--jobs 2`
and prints seconds per page, pages per minute, speed against Tesseract, peak
memory per process (per worker for magscan) and the character error rate of
each against the ground truth. Writes the table to bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate.text import cer  # noqa: E402

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")
BIN = Path(sys.executable).parent


def run_timed(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS MB of the process and its children, result)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = p.communicate()
    wall = time.perf_counter() - t
    import resource
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak, subprocess.CompletedProcess(cmd, p.returncode, out, err)


def make_pages(work: Path, n: int, seed: int) -> list[Path]:
    pages = work / "pages"
    if not pages.is_dir() or len(list(pages.glob("*.png"))) != n:
        shutil.rmtree(pages, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pipeline.synth", str(pages), "--count", str(n),
                        "--seed", str(seed)], cwd=ROOT, check=True, capture_output=True)
    return sorted(pages.glob("*.png"))


def family_pages(work: Path, per_family: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from layout_bench import ensure_set
    folder = work / f"families-{per_family}"
    names = ensure_set(folder, per_family)
    return [folder / f"{n}.png" for n in names]


def gold(png: Path) -> str:
    return png.with_name(png.name.replace(".png", ".gt.txt")).read_text(encoding="utf-8")


def bench_tesseract(pages: list[Path]) -> dict:
    total, cers, peak = 0.0, [], 0.0
    for png in pages:
        # a fresh child per page: RUSAGE_CHILDREN is a running maximum, so
        # measure the peak in a throwaway wrapper process
        wall, _, r = run_timed([sys.executable, "-c", _PEAK_WRAPPER, "tesseract", str(png), "-",
                                "--psm", "3", "-l", "chi_sim"])
        text, mb = r.stdout.decode("utf-8").rsplit("\n@@PEAK ", 1)
        peak = max(peak, float(mb))
        total += wall
        cers.append(cer(gold(png), text))
    return {"seconds": total, "peak_mb": peak, "cer": sum(cers) / len(cers)}


# Runs a command, passes its stdout through, then prints the child's peak RSS.
_PEAK_WRAPPER = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True)
sys.stdout.buffer.write(r.stdout)
print("\\n@@PEAK", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def bench_ocrmypdf(pages: list[Path], work: Path) -> dict:
    from PIL import Image
    pdf = work / "pages.pdf"
    imgs = [Image.open(p).convert("L") for p in pages]
    imgs[0].save(pdf, save_all=True, append_images=imgs[1:], resolution=300)
    sidecar = work / "ocrmypdf.txt"
    wall, _, r = run_timed([sys.executable, "-c", _PEAK_WRAPPER, str(BIN / "ocrmypdf"),
                            "-l", "chi_sim", "--jobs", "1", "--output-type", "pdf", "--sidecar",
                            str(sidecar), str(pdf), str(work / "ocrmypdf-out.pdf")])
    peak = float(r.stdout.decode().rsplit("@@PEAK ", 1)[1])
    if r.returncode != 0 or not sidecar.exists():
        return {"seconds": wall, "peak_mb": peak, "cer": float("nan"), "error": r.stderr[-300:]}
    texts = sidecar.read_text(encoding="utf-8").split("\f")
    cers = [cer(gold(p), t) for p, t in zip(pages, texts)]
    return {"seconds": wall, "peak_mb": peak, "cer": sum(cers) / len(cers)}


def bench_magscan(pages: list[Path], work: Path, jobs: int, extra: list[str] = (),
                  name: str = "") -> dict:
    out = work / (name or f"magscan-j{jobs}")
    shutil.rmtree(out, ignore_errors=True)
    wall, _, r = run_timed([str(BIN / "magscan"), "convert", str(pages[0].parent), "-o", str(out),
                            "-j", str(jobs), "-q", "--no-overlays", *extra])
    if r.returncode != 0:
        raise SystemExit(f"magscan failed: {r.stderr.decode()[-500:]}")
    db = sqlite3.connect(out / "manifest.sqlite")
    peak = max(x[0] or 0 for x in db.execute("SELECT peak_mb FROM pages"))
    cers = []
    for png in pages:
        text = (out / f"{png.stem}.txt").read_text(encoding="utf-8")
        cers.append(cer(gold(png), text))
    return {"seconds": wall, "peak_mb": peak, "cer": sum(cers) / len(cers)}


def bench_dask(pages: list[Path], work: Path) -> dict:
    """The same conversion on a two-worker LocalCluster (one thread each)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as c:
            return bench_magscan(pages, work, 1, ["--executor", "dask", "--scheduler",
                                                  c.scheduler_address], name="magscan-dask")


def table(results: dict, n: int) -> str:
    base = results["tesseract --psm 3"]["seconds"]
    rows = ["| tool | s/page | pages/min | speed vs tesseract | peak MB per process | CER |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        spp = r["seconds"] / n
        rows.append(f"| {name} | {spp:.2f} | {60 / spp:.1f} | {base / r['seconds']:.2f}x | "
                    f"{r['peak_mb']:.0f} | {r['cer']:.4f} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("families", "random"), default="families")
    ap.add_argument("--pages", type=int, default=1,
                    help="per layout family (--set families) or in all (--set random)")
    ap.add_argument("--seed", type=int, default=500)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "_work")
    ap.add_argument("--skip", default="", help="comma list of: tesseract,ocrmypdf,j1,j2,dask")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    pages = family_pages(a.work, a.pages) if a.set == "families" else make_pages(a.work, a.pages, a.seed)
    skip = set(a.skip.split(","))
    results = {}
    steps = [("tesseract --psm 3", "tesseract", lambda: bench_tesseract(pages)),
             ("OCRmyPDF --sidecar", "ocrmypdf", lambda: bench_ocrmypdf(pages, a.work)),
             ("magscan --jobs 1", "j1", lambda: bench_magscan(pages, a.work, 1)),
             ("magscan --jobs 2", "j2", lambda: bench_magscan(pages, a.work, 2)),
             ("magscan on Dask (2 workers)", "dask", lambda: bench_dask(pages, a.work))]
    for name, key, fn in steps:
        if key in skip:
            continue
        print(f"running {name} on {len(pages)} pages ...", file=sys.stderr, flush=True)
        results[name] = fn()
        print(f"  {results[name]['seconds']:.1f} s", file=sys.stderr, flush=True)
    if "tesseract --psm 3" not in results:
        print(json.dumps(results, indent=1))
        return
    t = table(results, len(pages))
    extra = ""
    if "magscan --jobs 1" in results and "magscan --jobs 2" in results:
        s = results["magscan --jobs 1"]["seconds"] / results["magscan --jobs 2"]["seconds"]
        extra = f"\n`--jobs 2` is {s:.2f}x as fast as `--jobs 1` ({os.cpu_count()} cores).\n"
    print(t + "\n" + extra)
    if a.set == "families":
        what = (f"{len(pages)} images of the layout benchmark set ({a.pages} per layout family of "
                "`pipeline/synth/families.py`: 2 to 4 columns, narrow gutters, partial titles, "
                "figures, sidebars, headings, borders, degraded scans, one two-page spread)")
        cmd, dest = f"--pages {a.pages}", "RESULTS.md"
    else:
        what = (f"{len(pages)} random generated pages (`python -m pipeline.synth --count {len(pages)} "
                f"--seed {a.seed}`)")
        cmd, dest = f"--set random --pages {len(pages)} --seed {a.seed}", "RESULTS-random.md"
    md = (f"# Speed benchmark\n\n{what}; A4, 300 dpi; {os.cpu_count()} cores; measured "
          f"{time.strftime('%Y-%m-%d')} in one run with `.venv/bin/python bench/speed.py {cmd}`. "
          "Seconds per page are wall-clock seconds per image over the whole run. CER is against "
          "each page's ground truth (running heads included), in reading order, so tools that "
          "read across columns score badly.\n\n" + t + "\n" + extra)
    (ROOT / "bench" / dest).write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()

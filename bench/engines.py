"""Benchmark the OCR engines on the same pages in one run.

    .venv/bin/python bench/engines.py [--count 8] [--seed 700] [--gold scans] [--gold DIR ...]
                                      [--engines tesseract,ppocr] [--work /tmp/magscan-bench]

Generates ``--count`` pages with ``python -m pipeline.synth`` (random layouts
and degradation profiles from clean to heavy; kept in WORK/synth-SEED-COUNT
and reused when already there), then converts those pages and every
``--gold`` folder (NAME.png with NAME.gt.txt; default: scans/ and, when
present, ../shared/devpages/) with each engine and prints, per engine and
page set: mean CER and bag-of-characters error (pipeline.evaluate), wall and
CPU seconds per page, and the peak resident memory of the process.

Each engine runs in a child process of its own, one page after the other
with one thread, so the peak RSS is that engine's alone and the seconds are
what one worker of ``magscan convert --jobs N`` spends per page. CPU seconds
are the fairer speed figure on a shared machine; wall seconds include
waiting for a busy core.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_engine(name: str, options):
    if name == "ppocr":
        from pipeline.ocr_ppocr import PpocrEngine
        return PpocrEngine(options)
    from pipeline.ocr import make_engine as make
    return make(options)


def worker(engine_name: str, pages: list[str], out_dir: Path) -> dict:
    """Convert ``pages`` with one engine in this process; timings per page."""
    from pipeline.convert import convert_page
    from pipeline.export import write_page
    from pipeline.ingest import load_pages
    from pipeline.options import Options

    def cpu() -> float:   # this process and its children (the tesseract program)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    options = Options(engine=engine_name)
    t0, c0 = time.perf_counter(), cpu()
    engine = make_engine(engine_name, options)
    engine.check()
    per_page, failed = {}, {}
    for path in pages:
        src = next(iter(load_pages(path, options)))
        t, c = time.perf_counter(), cpu()
        try:
            pimg = convert_page(src, options, engine)
        except Exception as e:  # noqa: BLE001 - a failed page is scored as empty, not fatal
            failed[Path(path).stem] = f"{type(e).__name__}: {e}"
            continue
        per_page[Path(path).stem] = {"wall": time.perf_counter() - t, "cpu": cpu() - c,
                                     "ocr_wall": pimg.page.timings.get("ocr", 0.0),
                                     "engine": pimg.page.engine}
        write_page(out_dir / Path(path).stem, pimg.page)
    return {"engine": engine_name, "pages": per_page, "failed": failed,
            "total_wall": time.perf_counter() - t0, "total_cpu": cpu() - c0,
            # the largest of this process and any program it ran (tesseract-cli)
            "peak_rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024,
            "stats": getattr(engine, "stats", {})}


def run_engine(engine_name: str, pages: list[Path], out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--worker", engine_name, "--out", str(out_dir),
           *map(str, pages)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"{engine_name} worker failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def synth_pages(work: Path, count: int, seed: int) -> Path:
    d = work / f"synth-{seed}-{count}"
    if len(list(d.glob("synth_*.gt.txt"))) < count:
        subprocess.run([sys.executable, "-m", "pipeline.synth", str(d), "--count", str(count),
                        "--seed", str(seed)], check=True, cwd=ROOT, capture_output=True)
    return d


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=8, help="generated pages")
    ap.add_argument("--seed", type=int, default=700, help="first seed of the generated pages")
    ap.add_argument("--gold", action="append",
                    help="folder of NAME.png + NAME.gt.txt (repeatable; default scans/ and ../shared/devpages/)")
    ap.add_argument("--engines", default="tesseract,ppocr")
    ap.add_argument("--work", default="/tmp/magscan-bench")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("pages", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.pages, Path(a.out))))
        return 0

    from pipeline.evaluate import evaluate_dirs

    work = Path(a.work)
    sets = {}
    if a.count:
        sets[f"generated (synth --count {a.count} --seed {a.seed})"] = synth_pages(work, a.count, a.seed)
    golds = a.gold if a.gold is not None else [
        d for d in (ROOT / "scans", ROOT.parent / "shared" / "devpages") if d.is_dir()]
    for d in map(Path, golds):
        sets[f"{d.name}/"] = d
    rows = []
    for label, gold in sets.items():
        pages = sorted(p for p in gold.glob("*.png") if (gold / f"{p.stem}.gt.txt").is_file())
        per_engine = {}
        for eng in a.engines.split(","):
            out = work / "out" / gold.name / eng
            res = run_engine(eng, pages, out)
            scores = evaluate_dirs(gold, out)
            per_engine[eng] = {s.name: s for s in scores}
            n = max(1, len(res["pages"]))
            for name, err in res["failed"].items():
                print(f"{label} {eng}: {name} FAILED (scored as empty): {err}", file=sys.stderr)
            rows.append((label, eng, f"{len(res['pages'])}" + (f" ({len(res['failed'])} failed)"
                                                                 if res["failed"] else ""),
                         sum(s.n_chars for s in scores),
                         sum(s.cer for s in scores) / len(scores),
                         sum(s.bag_error for s in scores) / len(scores),
                         sum(p["wall"] for p in res["pages"].values()) / n,
                         sum(p["cpu"] for p in res["pages"].values()) / n,
                         res["peak_rss_mb"], res["stats"]))
            print(f"{label} {eng}: done in {res['total_wall']:.0f} s", file=sys.stderr, flush=True)
        print(f"\n{label}: per page CER")
        engines = list(per_engine)
        print("| page | " + " | ".join(engines) + " |")
        print("|---|" + "---:|" * len(engines))
        for name in sorted(per_engine[engines[0]]):
            print(f"| {name} | " + " | ".join(f"{per_engine[e][name].cer:.4f}" for e in engines) + " |")
    print("\n| pages | engine | n | chars | mean CER | mean bag error | wall s/page | CPU s/page | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, eng, n, chars, c, b, w, cpu, rss, _ in rows:
        print(f"| {label} | {eng} | {n} | {chars} | {c:.4f} | {b:.4f} | {w:.1f} | {cpu:.1f} | {rss:.0f} |")
    for label, eng, *_, stats in rows:
        if stats:
            print(f"{label} {eng}: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

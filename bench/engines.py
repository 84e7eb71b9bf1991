"""Benchmark the OCR engines on the same pages in one run.

    .venv/bin/python bench/engines.py [--count 8] [--seed 700] [--gold scans] [--gold DIR ...]
                                      [--engines tesseract,ppocr] [--work /tmp/magscan-bench]

Generates ``--count`` pages with ``python -m pipeline.synth`` (random layouts
and degradation profiles from clean to heavy; kept in WORK/synth-SEED-COUNT
and reused when already there), then converts those pages and every
``--gold`` folder (NAME.png with NAME.gt.txt; default: scans/ and, when
present, ../shared/devpages/) with each engine and prints, per engine and
page set: mean CER and bag-of-characters error (pipeline.evaluate.text), wall and
CPU seconds per page, and the peak resident memory of the process.

An engine is a name that pipeline.recognition.stage.make_engine knows (tesseract,
tesseract-cli, ...) or ``ppocr``, optionally with PpocrEngine settings:
``--engines ppocr,ppocr:rec_height=48,ppocr:detector=always``.

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
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_engine(spec: str, options):
    """An engine by name; ``ppocr:rec_height=48:detector=never`` passes
    settings to PpocrEngine, for measuring its design choices."""
    name, *settings = spec.split(":")
    if name == "ppocr":
        from pipeline.recognition.ppocr.engine import PpocrEngine
        kw = dict(s.split("=", 1) for s in settings)
        kw = {k: v if k == "detector" else int(v) for k, v in kw.items()}
        return PpocrEngine(options, **kw)
    from pipeline.recognition.stage import make_engine as make
    return make(options)


def worker(engine_name: str, pages: list[str], out_dir: Path) -> dict:
    """Convert ``pages`` with one engine in this process; timings per page."""
    from pipeline.convert import convert_source
    from pipeline.outputs.files import write_document_text, write_page
    from pipeline.ingest.files import load_pages
    from pipeline.options import Options

    def cpu() -> float:   # this process and its children (the tesseract program)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    options = Options(engine=engine_name.split(":")[0])
    t0, c0 = time.perf_counter(), cpu()
    engine = make_engine(engine_name, options)
    engine.check()
    per_page, failed = {}, {}
    for path in pages:
        src = next(iter(load_pages(path, options)))
        t, c = time.perf_counter(), cpu()
        stem = Path(path).stem
        try:
            pimgs = convert_source(src, options, engine)   # a spread gives two pages
        except Exception as e:  # noqa: BLE001 - a failed page is scored as empty, not fatal
            failed[stem] = f"{type(e).__name__}: {e}"
            continue
        per_page[stem] = {"wall": time.perf_counter() - t, "cpu": cpu() - c,
                          "engines": sorted({p.page.engine for p in pimgs})}
        texts = [write_page(out_dir / stem, p.page)["txt"].read_text(encoding="utf-8") for p in pimgs]
        write_document_text(out_dir, stem, ["\f\n".join(texts)])
    return {"engine": engine_name, "pages": per_page, "failed": failed,
            "total_wall": time.perf_counter() - t0, "total_cpu": cpu() - c0,
            # the largest of this process and any program it ran (tesseract-cli)
            "peak_rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024,
            "stats": getattr(engine, "stats", {})}


def run_engine(engine_name: str, pages: list[Path], out_dir: Path) -> dict:
    shutil.rmtree(out_dir, ignore_errors=True)   # a page that fails now must not score an old output
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--worker", engine_name, "--out", str(out_dir),
           *map(str, pages)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"{engine_name} worker failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float("nan")


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
    ap.add_argument("--no-write", dest="write", action="store_false", help="do not write bench/ENGINES.md")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("pages", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.pages, Path(a.out))))
        return 0

    from pipeline.evaluate.text import evaluate_dirs

    report: list[str] = []

    def emit(line: str = "") -> None:
        print(line)
        report.append(line)

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
        results, scores = {}, {}
        for eng in a.engines.split(","):
            out = work / "out" / gold.name / eng.replace(":", "_")
            results[eng] = run_engine(eng, pages, out)
            scores[eng] = {s.name: s for s in evaluate_dirs(gold, out)}
            for name, err in results[eng]["failed"].items():
                print(f"{label} {eng}: {name} FAILED (scored as empty): {err}", file=sys.stderr)
            print(f"{label} {eng}: done in {results[eng]['total_wall']:.0f} s", file=sys.stderr, flush=True)
        engines = list(results)
        common = [p.stem for p in pages if all(p.stem in results[e]["pages"] for e in engines)]
        emit(f"\n{label}: CER per page")
        emit("| page | " + " | ".join(engines) + " |")
        emit("|---|" + "---:|" * len(engines))
        for p in pages:
            emit(f"| {p.stem} | " + " | ".join(
                f"{scores[e][p.stem].cer:.4f}" if p.stem in results[e]["pages"] else "failed"
                for e in engines) + " |")
        for e in engines:
            res, sc = results[e], list(scores[e].values())
            done = list(res["pages"].values())
            rows.append((label, e, len(pages), len(res["failed"]), sum(x.n_chars for x in sc),
                         _mean([x.cer for x in sc]), _mean([scores[e][n].cer for n in common]),
                         _mean([x.bag_error for x in sc]), _mean([d["wall"] for d in done]),
                         _mean([d["cpu"] for d in done]), res["peak_rss_mb"], res["stats"]))
    emit("\nmean CER: a page an engine failed on counts as empty (CER 1); "
          "'common': only pages every engine converted")
    emit("\n| pages | engine | pages (failed) | chars | mean CER | mean CER common | mean bag error "
          "| wall s/page | CPU s/page | peak RSS MB |")
    emit("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, e, n, nf, chars, c, cc, b, w, cpu, rss, _ in rows:
        emit(f"| {label} | {e} | {n}" + (f" ({nf})" if nf else "") +
              f" | {chars} | {c:.4f} | {cc:.4f} | {b:.4f} | {w:.1f} | {cpu:.1f} | {rss:.0f} |")
    for label, e, *_, stats in rows:
        if stats:
            emit(f"{label} {e}: {stats}")
    if a.write:
        (ROOT / "bench" / "ENGINES.md").write_text(
            "# OCR engines on the same pages\n\nMeasured " + time.strftime("%Y-%m-%d") +
            " on 2 cores in one run with `.venv/bin/python bench/engines.py " + " ".join(argv or sys.argv[1:]) +
            "` (each engine in a process of its own, one page after the other, one thread).\n" +
            "\n".join(report) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

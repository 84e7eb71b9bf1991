"""Real scans: magscan (each engine) against ``tesseract --psm 3``, in one run.

Reads folders of real pages with gold text in human reading order
(``NAME.jpg``/``NAME.png`` beside ``NAME.gold_body.txt``, the convention of
``../shared/realpages/README.md``), converts them with ``magscan convert``
once per engine, runs ``tesseract IMG - --psm 3 -l chi_sim`` on each, and
prints per page and per folder: CER, bag-of-characters error (order-free) and
seconds per page. The images are read where they lie and never copied.

    .venv/bin/python bench/realpages.py                       # ../shared/realpages
    .venv/bin/python bench/realpages.py DIR [DIR ...] --engines tesseract
    .venv/bin/python bench/realpages.py --convert-args '--layout geometric' 

Folders are kept apart in every table. The headline is the mean over the
pages whose gold can be trusted: a page whose README row carries the flag
``gold-noisy`` (unproofread OCR as gold) is shown but left out of the mean.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate.text import bag_error, cer, find_outputs  # noqa: E402

DEFAULT_DIRS = [ROOT.parent / "shared" / "realpages"]
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
RESULTS = ROOT / "bench" / "REALPAGES.md"


@dataclass
class Score:
    cer: float
    bag: float
    seconds: float
    ok: bool = True


def pages_in(folder: Path) -> list[tuple[str, Path, str]]:
    """(name, image, gold text) of every page with gold in ``folder``."""
    out = []
    for gold in sorted(folder.glob("*.gold_body.txt")):
        name = gold.name[: -len(".gold_body.txt")]
        img = next((folder / f"{name}{e}" for e in IMAGE_EXT if (folder / f"{name}{e}").is_file()), None)
        if img is not None:
            out.append((name, img, gold.read_text(encoding="utf-8")))
    return out


def noisy_gold(folder: Path) -> set[str]:
    """Pages the folder's README flags ``gold-noisy`` (a table row naming the page)."""
    readme = folder / "README.md"
    if not readme.is_file():
        return set()
    names = set()
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`?([\w.-]+)`?\s*\|", line)
        if m and "gold-noisy" in line:
            names.add(m.group(1))
    return names


def run_magscan(images: list[Path], out: Path, engine: str, jobs: int, extra: list[str]) -> float:
    cmd = [str(ROOT / ".venv" / "bin" / "magscan"), "convert", *map(str, images), "-o", str(out),
           "-j", str(jobs), "--no-overlays", "-q", "--engine", engine, *extra]
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"magscan convert failed ({r.returncode}):\n{r.stderr[-2000:]}")
    if r.returncode == 1:
        print(f"WARNING: pages failed ({engine}):\n{r.stderr[-1500:]}", file=sys.stderr)
    return time.perf_counter() - t


def page_seconds(out: Path) -> dict[str, float]:
    """Seconds per input image from the manifest (a spread's two halves summed)."""
    db = out / "manifest.sqlite"
    if not db.is_file():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT input, seconds FROM pages").fetchall()
    finally:
        con.close()
    secs: dict[str, float] = {}
    for inp, s in rows:
        name = Path(inp).stem
        secs[name] = secs.get(name, 0.0) + float(s or 0.0)
    return secs


def score_magscan(pages, out: Path) -> dict[str, Score]:
    secs = page_seconds(out)
    res = {}
    for name, _img, gold in pages:
        outs = find_outputs(out, name)
        hyp = "\n".join(p.read_text(encoding="utf-8") for p in outs)
        res[name] = Score(cer(gold, hyp), bag_error(gold, hyp), secs.get(name, float("nan")), bool(outs))
    return res


def run_psm3(pages, jobs: int) -> dict[str, Score]:
    def one(p) -> tuple[str, Score]:
        name, img, gold = p
        t = time.perf_counter()
        r = subprocess.run(["tesseract", str(img), "-", "--psm", "3", "-l", "chi_sim"],
                           capture_output=True, text=True, timeout=900)
        dt = time.perf_counter() - t
        return name, Score(cer(gold, r.stdout), bag_error(gold, r.stdout), dt, r.returncode == 0)
    with ThreadPoolExecutor(jobs) as pool:
        return dict(pool.map(one, pages))


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float("nan")


def table(folder: Path, pages, results: dict[str, dict[str, Score]], noisy: set[str]) -> tuple[str, dict]:
    tools = list(results)
    head = "| page | chars | " + " | ".join(f"{t} CER / bag / s" for t in tools) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(tools)]
    from pipeline.evaluate.text import normalise
    for name, _img, gold in pages:
        cells = []
        for t in tools:
            s = results[t][name]
            cells.append(f"{s.cer:.3f} / {s.bag:.3f} / {s.seconds:.1f}" + ("" if s.ok else " (failed)"))
        flag = " (gold-noisy)" if name in noisy else ""
        lines.append(f"| {name}{flag} | {len(normalise(gold))} | " + " | ".join(cells) + " |")
    trusted = [n for n, _i, _g in pages if n not in noisy]
    means = {t: (_mean(results[t][n].cer for n in trusted), _mean(results[t][n].bag for n in trusted),
                 _mean(results[t][n].seconds for n in trusted)) for t in tools}
    lines.append(f"| **mean ({len(trusted)}{', gold-noisy left out' if noisy & {n for n, *_ in pages} else ''})** | | "
                 + " | ".join(f"**{c:.3f}** / {b:.3f} / {s:.1f}" for c, b, s in means.values()) + " |")
    return f"### {folder}\n\n" + "\n".join(lines), means


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    ap.add_argument("--engines", default="tesseract,ppocr")
    ap.add_argument("--out", type=Path, default=Path("/tmp/magscan-realpages"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--no-psm3", action="store_true")
    ap.add_argument("--write", action="store_true", help=f"also write {RESULTS.name}")
    ap.add_argument("--convert-args", default="",
                    help="extra options for magscan convert, e.g. '--layout geometric'")
    a = ap.parse_args(argv)
    extra = a.convert_args.split()
    sections, summary = [], []
    for folder in a.dirs:
        folder = folder.resolve()
        pages = pages_in(folder)
        if not pages:
            print(f"no page with gold in {folder}", file=sys.stderr)
            continue
        noisy = noisy_gold(folder)
        results: dict[str, dict[str, Score]] = {}
        if not a.no_psm3:
            results["psm 3"] = run_psm3(pages, a.jobs)
        for engine in [e for e in a.engines.split(",") if e]:
            out = a.out / folder.name / engine
            if out.exists():
                subprocess.run(["rm", "-rf", str(out)], check=True)
            run_magscan([img for _n, img, _g in pages], out, engine, a.jobs, extra)
            results[f"magscan {engine}"] = score_magscan(pages, out)
        text, means = table(folder, pages, results, noisy)
        sections.append(text)
        if "psm 3" in means:
            base = means["psm 3"][0]
            for t, (c, _b, _s) in means.items():
                if t != "psm 3":
                    summary.append(f"{folder.name}: {t} mean CER {c:.3f} = {c / base:.2f} of psm 3's {base:.3f}")
        worse = [f"{n} ({t})" for t, r in results.items() if t != "psm 3" and "psm 3" in results
                 for n, s in r.items() if n not in noisy and s.cer > results["psm 3"][n].cer]
        if worse:
            summary.append(f"{folder.name}: worse than psm 3 on " + ", ".join(worse))
    report = "\n\n".join(sections + ["\n".join(summary)])
    print(report)
    if a.write:
        RESULTS.write_text("# Real pages: magscan against tesseract --psm 3\n\n"
                           "Generated by `.venv/bin/python bench/realpages.py --write` (CER and bag-of-characters "
                           "error after NFKC and white-space removal; seconds per page from the manifest, psm 3 "
                           "timed per call).\n\n" + report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

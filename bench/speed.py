"""Speed benchmark (not a test): magscan against the tools users would pick
instead, on the same pages, in one run, with the ratios the speed targets
are stated in.

    .venv/bin/python bench/speed.py [--per-family 1] [--sets generated,devpages,realpages]
                                    [--skip ocrmypdf,dask,...] [--work bench/_work] [--no-write]

Page sets, kept apart in every row:
  - generated: the layout benchmark's fixed set (``pipeline.synth.families``)
    at ``--per-family`` images a family: one of each of the 11 horizontal
    layout families (figures, sidebars, a spread, degraded scans among them)
    and the direction families' own minimum (6 rotated, 5 each of vertical,
    vertical-title, vertical-mixed): 32 pages at the default of 1;
  - devpages: the six pages of ../shared/devpages (independent generator);
  - realpages: the real scans of ../shared/realpages (read in place, never
    copied; their gold is the body text only).

Tools, one after the other on each set (so that the load of the machine
falls on all of them alike):
  - `tesseract IMG - --psm 3 -l chi_sim`, one process per page;
  - OCRmyPDF (``--jobs 1 --output-type pdf --sidecar``) on the set as one PDF;
  - `magscan convert` with the tesseract and the ppocr engine, `--jobs 1` and 2,
    and the ppocr-openvino engine (the same models run by OpenVINO) at `--jobs 1`;
  - `magscan convert --executor dask` on a `dask scheduler` with one and with
    two stock `dask worker` processes (one thread each) on loopback;
and, once, the text-layer path: a 50-page born-digital PDF (devpages 000 and
004 alternating) with `--jobs 2`, its text checked against the pdfminer
reading of the same characters.

Every figure: wall seconds per page over the whole run (start-up included),
pages per minute, CPU seconds per page (all processes of the run), peak
resident memory per worker (magscan: the largest page's high-water mark of
the process that ran it, models loaded; others: the largest process), mean
CER after NFKC and white-space removal. Overlays are off for magscan.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate.text import cer  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
ENV.update(OMP_THREAD_LIMIT="1", PYTHONPATH=str(ROOT))
BIN = Path(sys.executable).parent
SHARED = ROOT.parent / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")

# Runs a command and prints its children's CPU seconds and peak RSS (MB) as
# the last line of stdout: RUSAGE_CHILDREN holds every descendant reaped
# below it, worker processes included.
_WRAPPER = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
sys.stdout.buffer.write(r.stdout)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("\\n@@RUSAGE", u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, r.returncode)
"""


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    cer: float
    pages: int
    texts: dict = field(default_factory=dict)
    note: str = ""
    stages: dict = field(default_factory=dict)   # magscan: seconds per stage, summed over pages
    page_seconds: list = field(default_factory=list)   # magscan: each page's own seconds


def wrapped(cmd: list[str], **kw) -> tuple[float, float, float, int, bytes, bytes]:
    """(wall s, CPU s, peak MB, return code, stdout, stderr) of ``cmd`` and its descendants."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], env=ENV, capture_output=True, **kw)
    wall = time.perf_counter() - t
    _reaped_before(resource.getrusage(resource.RUSAGE_CHILDREN))
    out, _, tail = p.stdout.rpartition(b"\n@@RUSAGE ")
    cpu, peak, code = tail.split()
    return wall, float(cpu), float(peak), int(code), out, p.stderr


# ------------------------------------------------------------------ page sets

def gold(path: Path) -> str:
    for suffix in (".gt.txt", ".gold_body.txt"):
        g = path.with_name(path.stem + suffix)
        if g.is_file():
            return g.read_text(encoding="utf-8")
    raise SystemExit(f"no ground truth beside {path}")


def page_sets(work: Path, per_family: int, wanted: list[str]) -> dict[str, list[Path]]:
    sets = {}
    if "generated" in wanted:
        sys.path.insert(0, str(ROOT / "bench"))
        from layout_bench import ensure_set
        folder = work / f"families-{per_family}"
        sets["generated"] = [folder / f"{n}.png" for n in ensure_set(folder, per_family)]
    if "devpages" in wanted:
        sets["devpages"] = sorted((SHARED / "devpages").glob("page_*[0-9].png"))
    if "realpages" in wanted:
        sets["realpages"] = sorted((SHARED / "realpages").glob("*.jpg"))
    return {k: v for k, v in sets.items() if v}


def mean_cer(pages: list[Path], texts: dict[str, str]) -> float:
    return sum(cer(gold(p), texts.get(p.stem, "")) for p in pages) / len(pages)


# ------------------------------------------------------------------ tools

def bench_psm3(pages: list[Path], work: Path) -> Run:
    wall = cpu = peak = 0.0
    texts = {}
    for png in pages:
        w, c, m, code, out, err = wrapped(["tesseract", str(png), "-", "--psm", "3", "-l", "chi_sim"])
        if code != 0:
            raise SystemExit(f"tesseract failed on {png}: {err.decode()[-300:]}")
        wall, cpu, peak = wall + w, cpu + c, max(peak, m)
        texts[png.stem] = out.decode("utf-8")
    return Run(wall, cpu, peak, mean_cer(pages, texts), len(pages), texts)


def bench_ocrmypdf(pages: list[Path], work: Path) -> Run:
    from PIL import Image
    pdf = work / "ocrmypdf-in.pdf"
    imgs = [Image.open(p).convert("L") for p in pages]
    res = [float((Image.open(p).info.get("dpi") or (300, 300))[0]) or 300.0 for p in pages]
    imgs[0].save(pdf, save_all=True, append_images=imgs[1:], resolution=res[0])
    sidecar = work / "ocrmypdf.txt"
    sidecar.unlink(missing_ok=True)
    wall, cpu, peak, code, _, err = wrapped(
        [str(BIN / "ocrmypdf"), "-l", "chi_sim", "--jobs", "1", "--output-type", "pdf",
         "--optimize", "0", "--sidecar", str(sidecar), str(pdf), str(work / "ocrmypdf-out.pdf")])
    if code != 0 or not sidecar.exists():
        return Run(wall, cpu, peak, float("nan"), len(pages), note=err.decode()[-200:])
    parts = sidecar.read_text(encoding="utf-8").split("\f")
    texts = {p.stem: t for p, t in zip(pages, parts)}
    return Run(wall, cpu, peak, mean_cer(pages, texts), len(pages), texts)


def magscan_texts(out: Path, pages: list[Path]) -> dict[str, str]:
    return {p.stem: (out / f"{p.stem}.txt").read_text(encoding="utf-8")
            if (out / f"{p.stem}.txt").is_file() else "" for p in pages}


def manifest_peak(out: Path) -> float:
    db = sqlite3.connect(out / "manifest.sqlite")
    try:
        return max((x[0] or 0.0 for x in db.execute("SELECT peak_mb FROM pages")), default=0.0)
    finally:
        db.close()


def manifest_seconds(out: Path) -> list[float]:
    db = sqlite3.connect(out / "manifest.sqlite")
    try:
        return [float(x[0] or 0.0) for x in db.execute("SELECT seconds FROM pages WHERE status = 'done'")]
    finally:
        db.close()


def manifest_stages(out: Path) -> dict[str, float]:
    """Each stage's seconds summed over the run's pages (the JSON `timings`)."""
    db = sqlite3.connect(out / "manifest.sqlite")
    try:
        total: dict[str, float] = {}
        for (t,) in db.execute("SELECT timings FROM pages WHERE status = 'done'"):
            for k, v in json.loads(t or "{}").items():
                # a spread's halves time their stages as Lrecognition, Rlayout, ...
                k = k[1:] if k[:1] in ("L", "R") and k[1:2].islower() else k
                total[k] = total.get(k, 0.0) + float(v)
        return total
    finally:
        db.close()


def tree_cpu(pids: list[int], seen: dict[int, float]) -> None:
    """Note the CPU seconds so far of these processes and all their descendants."""
    import psutil
    for pid in pids:
        try:
            p = psutil.Process(pid)
            for q in [p, *p.children(recursive=True)]:
                try:
                    t = q.cpu_times()
                    seen[q.pid] = t.user + t.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass


def polled(cmd: list[str], **kw) -> tuple[float, float, int, bytes]:
    """(wall s, CPU s, return code, stderr) of ``cmd``: the CPU of its whole
    process tree, sampled every 0.1 s. (Worker processes started by a
    forkserver are never reaped by the command, so its rusage misses them.)"""
    import tempfile
    seen: dict[int, float] = {}
    # processes reaped before this run (a Dask cluster just stopped) are not its CPU
    _reaped_before(resource.getrusage(resource.RUSAGE_CHILDREN))
    with tempfile.TemporaryFile() as errf:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=errf, **kw)
        while p.poll() is None:
            tree_cpu([p.pid], seen)
            time.sleep(0.1)
        wall = time.perf_counter() - t
        u = resource.getrusage(resource.RUSAGE_CHILDREN)
        errf.seek(0)
        err = errf.read()
    # the command itself was reaped: its exact own time replaces the last sample
    seen.pop(p.pid, None)
    return wall, sum(seen.values()) + (u.ru_utime + u.ru_stime) - _reaped_before(u), p.returncode, err


_REAPED = [0.0]


def _reaped_before(u) -> float:
    """CPU of the children reaped before this one (RUSAGE_CHILDREN only grows)."""
    prev = _REAPED[0]
    _REAPED[0] = u.ru_utime + u.ru_stime
    return prev


def bench_magscan(pages: list[Path], work: Path, name: str, args: list[str],
                  extra_cpu=None) -> Run:
    out = work / name
    shutil.rmtree(out, ignore_errors=True)
    before = extra_cpu() if extra_cpu else 0.0
    wall, cpu, code, err = polled([sys.executable, "-m", "pipeline", "convert",
                                   *map(str, pages), "-o", str(out), "-q",
                                   "--no-overlays", *args], cwd=ROOT)
    if extra_cpu:
        cpu += extra_cpu() - before
    if code not in (0, 1):
        raise SystemExit(f"magscan {name} failed ({code}): {err.decode()[-500:]}")
    texts = magscan_texts(out, pages)
    note = "" if code == 0 else "some pages failed: " + err.decode().strip().splitlines()[-1][:120]
    return Run(wall, cpu, manifest_peak(out), mean_cer(pages, texts), len(pages), texts, note,
               manifest_stages(out), manifest_seconds(out))


class Cluster:
    """`dask scheduler` and n stock `dask worker` processes on loopback."""

    def __init__(self, n: int, logs: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(BIN / "dask")
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                        "--no-dashboard"], env=ENV, stdout=subprocess.DEVNULL,
                                       stderr=open(logs / "scheduler.log", "w"))]
        for i in range(n):
            self.procs.append(subprocess.Popen(
                [dask, "worker", self.address, "--nthreads", "1", "--no-dashboard"], env=ENV,
                stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{i}.log", "w")))
        from distributed import Client
        with Client(self.address, timeout="60s") as c:
            c.wait_for_workers(n, timeout=180)

    def cpu(self) -> float:
        """CPU seconds so far of the cluster's processes and all their descendants."""
        seen: dict[int, float] = {}
        tree_cpu([p.pid for p in self.procs], seen)
        return sum(seen.values())

    def close(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def bench_dask(pages: list[Path], work: Path, workers: int) -> Run:
    c = Cluster(workers, work / f"dask-logs-{workers}")
    try:
        return bench_magscan(pages, work, f"magscan-dask{workers}",
                             ["--executor", "dask", "--scheduler", c.address], extra_cpu=c.cpu)
    finally:
        c.close()


# ------------------------------------------------------------------ text layer

def pdfminer_text(path: Path, n: int) -> str:
    """The page's text as magscan read it through pdfminer before PDFium: the
    reference the text-layer path must still give."""
    import pdfplumber

    from pipeline.text.assemble import page_text
    from pipeline.convert_boxes import page_from_boxes
    from pipeline.layout.boxes import lines_from_chars
    k = 300 / 72.0
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[n - 1]
        ox, oy = float(page.bbox[0]), float(page.bbox[1])
        atoms = [(((c["x0"] - ox) * k, (c["top"] - oy) * k, (c["x1"] - ox) * k, (c["bottom"] - oy) * k),
                  c["text"]) for c in page.chars if c.get("text", "").strip()]
        w, h = float(page.width) * k, float(page.height) * k
    return page_text(page_from_boxes(lines_from_chars(atoms), source=str(path), page_number=n,
                                     width=w, height=h, dpi=300, engine="pdf-text-layer"))


def bench_text_layer(work: Path, n_pages: int = 50) -> dict:
    import pypdfium2 as pdfium
    sources = [SHARED / "devpages" / "page_000.pdf", SHARED / "devpages" / "page_004.pdf"]
    pdf = work / f"textlayer-{n_pages}.pdf"
    doc = pdfium.PdfDocument.new()
    for i in range(n_pages):
        src = pdfium.PdfDocument(str(sources[i % 2]))
        doc.import_pages(src)
    doc.save(str(pdf))
    out = work / "magscan-textlayer"
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu, code, err = polled([sys.executable, "-m", "pipeline", "convert", str(pdf),
                                   "-o", str(out), "-j", "2", "-q", "--no-overlays"], cwd=ROOT)
    if code != 0:
        raise SystemExit(f"text-layer run failed: {err.decode()[-300:]}")
    ref = {i: pdfminer_text(s, 1) for i, s in enumerate(sources)}
    same = sum((out / pdf.stem / f"page-{n:04d}.txt").read_text(encoding="utf-8") == ref[(n - 1) % 2]
               for n in range(1, n_pages + 1))
    db = sqlite3.connect(out / "manifest.sqlite")
    engines = {e for (e,) in db.execute("SELECT engine FROM pages")}
    return {"pages": n_pages, "seconds": wall, "cpu": cpu, "pages_per_s": n_pages / wall,
            "same_text": same, "engines": sorted(engines)}


# ------------------------------------------------------------------ report

TOOLS = [  # (row name, key for --skip, runner)
    ("tesseract --psm 3", "psm3", lambda pages, work: bench_psm3(pages, work)),
    ("OCRmyPDF --jobs 1", "ocrmypdf", lambda pages, work: bench_ocrmypdf(pages, work)),
    ("magscan tesseract --jobs 1", "tj1", lambda p, w: bench_magscan(p, w, "tj1", ["-j", "1"])),
    ("magscan tesseract --jobs 2", "tj2", lambda p, w: bench_magscan(p, w, "tj2", ["-j", "2"])),
    ("magscan ppocr --jobs 1", "pj1", lambda p, w: bench_magscan(p, w, "pj1", ["-j", "1", "--engine", "ppocr"])),
    ("magscan ppocr --jobs 2", "pj2", lambda p, w: bench_magscan(p, w, "pj2", ["-j", "2", "--engine", "ppocr"])),
    ("magscan ppocr-openvino --jobs 1", "oj1",
     lambda p, w: bench_magscan(p, w, "oj1", ["-j", "1", "--engine", "ppocr-openvino"])),
    ("magscan tesseract, Dask 1 worker", "dask1", lambda p, w: bench_dask(p, w, 1)),
    ("magscan tesseract, Dask 2 workers", "dask2", lambda p, w: bench_dask(p, w, 2)),
]


def ratio(results: dict, a: str, b: str) -> str:
    if a in results and b in results:
        return f"{results[b].seconds / results[a].seconds:.2f}x"
    return "-"


def table(all_results: dict[str, dict[str, Run]]) -> str:
    rows = ["| set | tool | pages | s/page | pages/min | CPU s/page | peak MB per worker | CER | speed vs psm 3 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for set_name, results in all_results.items():
        base = results.get("tesseract --psm 3")
        for name, r in results.items():
            spp = r.seconds / r.pages
            vs = f"{base.seconds / r.seconds:.2f}x" if base else "-"
            rows.append(f"| {set_name} | {name} | {r.pages} | {spp:.2f} | {60 / spp:.1f} | "
                        f"{r.cpu / r.pages:.2f} | {r.peak_mb:.0f} | {r.cer:.4f} | {vs} |"
                        + (f" {r.note}" if r.note else ""))
    return "\n".join(rows)


def totals(all_results: dict[str, dict[str, Run]]) -> dict[str, Run]:
    out: dict[str, Run] = {}
    for results in all_results.values():
        for name, r in results.items():
            t = out.setdefault(name, Run(0.0, 0.0, 0.0, 0.0, 0))
            t.cer = (t.cer * t.pages + r.cer * r.pages) / (t.pages + r.pages)
            t.seconds += r.seconds
            t.cpu += r.cpu
            t.peak_mb = max(t.peak_mb, r.peak_mb)
            t.pages += r.pages
            t.texts.update(r.texts)   # (no page_seconds: each set is its own batch)
            for k, v in r.stages.items():
                t.stages[k] = t.stages.get(k, 0.0) + v
    return out


def ratios(results: dict[str, Run]) -> list[str]:
    lines = []
    pairs = [("magscan tesseract --jobs 1", "tesseract --psm 3", "as fast as `tesseract --psm 3` (target 1.45x, lower CER)"),
             ("magscan ppocr --jobs 1", "tesseract --psm 3", "as fast as `tesseract --psm 3` (target 2x, lower CER)"),
             ("magscan ppocr-openvino --jobs 1", "tesseract --psm 3",
              "as fast as `tesseract --psm 3` (the same models run by OpenVINO; not the default)"),
             ("magscan ppocr-openvino --jobs 1", "magscan ppocr --jobs 1", "as fast as onnxruntime"),
             ("magscan tesseract --jobs 2", "magscan tesseract --jobs 1", "as fast as `--jobs 1` (target 1.85x)"),
             ("magscan ppocr --jobs 2", "magscan ppocr --jobs 1", "as fast as `--jobs 1` (target 1.85x)"),
             ("magscan tesseract, Dask 2 workers", "magscan tesseract, Dask 1 worker", "as fast as one worker (target 1.8x)"),
             ("magscan tesseract --jobs 1", "OCRmyPDF --jobs 1", "as fast as OCRmyPDF")]
    for a, b, what in pairs:
        if a in results and b in results:
            ra, rb = results[a], results[b]
            bound = ""
            if ("--jobs 2" in a or "2 workers" in a) and rb.page_seconds:
                # two workers cannot finish before the longest page does
                tot = sum(rb.page_seconds)
                bound = (f"; the pages' own seconds bound two workers at "
                         f"{tot / max(max(rb.page_seconds), tot / 2):.2f}x")
            lines.append(f"- {a}: {rb.seconds / ra.seconds:.2f}x {what} (CPU seconds: "
                         f"{rb.cpu / ra.cpu:.2f}x); CER {ra.cer:.4f} against {rb.cer:.4f}{bound}")
    # what the engine targets allow: recognition alone (the engine reading the
    # lines magscan found) against psm 3's whole page
    base = results.get("tesseract --psm 3")
    for a in ("magscan tesseract --jobs 1", "magscan ppocr --jobs 1", "magscan ppocr-openvino --jobs 1"):
        r = results.get(a)
        if base and r and r.stages.get("recognition"):
            rec = r.stages["recognition"] / r.pages
            rest = sum(v for k, v in r.stages.items() if k != "recognition") / r.pages
            split = ", ".join(f"{k} {v / r.pages:.2f}" for k, v in r.stages.items() if v / r.pages >= 0.005)
            lines.append(f"- {a}, seconds a page by stage: {split}; recognition alone is "
                         f"{rec:.2f} s against psm 3's {base.seconds / base.pages:.2f} s for the whole page: "
                         f"with the other stages ({rest:.2f} s) free it would be at most "
                         f"{base.seconds / base.pages / rec:.2f}x as fast")
    for a, b in (("magscan tesseract, Dask 1 worker", "magscan tesseract, Dask 2 workers"),
                 ("magscan tesseract --jobs 1", "magscan tesseract --jobs 2"),
                 ("magscan tesseract --jobs 1", "magscan tesseract, Dask 2 workers"),
                 ("magscan ppocr --jobs 1", "magscan ppocr --jobs 2")):
        if a in results and b in results:
            same = sum(results[a].texts[k] == results[b].texts.get(k) for k in results[a].texts)
            lines.append(f"- identical text, {a} and {b}: {same} of {len(results[a].texts)} pages")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-family", type=int, default=1, help="generated images per layout family")
    ap.add_argument("--sets", default="generated,devpages,realpages")
    ap.add_argument("--skip", default="", help="comma list of: " + ",".join(k for _, k, _ in TOOLS) + ",textlayer")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "_work")
    ap.add_argument("--max-pages", type=int, default=0, help="at most this many pages per set (a smoke run)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/SPEED.md alone")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    sets = page_sets(a.work, a.per_family, a.sets.split(","))
    if a.max_pages:
        sets = {k: v[:a.max_pages] for k, v in sets.items()}
    t_start = time.time()
    all_results: dict[str, dict[str, Run]] = {}
    for set_name, pages in sets.items():
        work = a.work / set_name
        work.mkdir(parents=True, exist_ok=True)
        results = all_results.setdefault(set_name, {})
        for name, key, fn in TOOLS:
            if key in skip:
                continue
            print(f"{set_name}: {name} on {len(pages)} pages ...", file=sys.stderr, flush=True)
            results[name] = fn(pages, work)
            r = results[name]
            print(f"  {r.seconds:.1f} s, CPU {r.cpu:.1f} s, CER {r.cer:.4f} {r.note}", file=sys.stderr, flush=True)
    tl = None if "textlayer" in skip else bench_text_layer(a.work)
    total = totals(all_results)
    t = table({**all_results, "all": total})
    lines = [t, ""]
    for set_name, results in {**all_results, "all": total}.items():
        rs = ratios(results)
        if rs:
            lines += [f"Ratios, {set_name}:", *rs, ""]
    if tl:
        lines.append(f"Text-layer PDF: {tl['pages']} pages in {tl['seconds']:.2f} s with `--jobs 2` "
                     f"({tl['pages_per_s']:.1f} pages/s, CPU {tl['cpu']:.2f} s, engine "
                     f"{', '.join(tl['engines'])}); text identical to the pdfminer reading on "
                     f"{tl['same_text']} of {tl['pages']} pages.")
    report = "\n".join(lines)
    print(report)
    if a.no_write:
        return
    cmd = "bench/speed.py" + (f" --per-family {a.per_family}" if a.per_family != 1 else "") \
        + (f" --sets {a.sets}" if a.sets != "generated,devpages,realpages" else "") \
        + (f" --max-pages {a.max_pages}" if a.max_pages else "") \
        + (f" --skip {a.skip}" if a.skip else "")
    load = os.getloadavg()
    md = (f"# Speed benchmark\n\nMeasured {time.strftime('%Y-%m-%d %H:%M', time.gmtime(t_start))} UTC "
          f"in one run of `.venv/bin/python {cmd}` ({time.time() - t_start:.0f} s) on "
          f"{os.cpu_count()} cores, load average at the end {load[0]:.1f} (other jobs shared the "
          "machine: absolute times are noisy, the ratios come from the same run, tools interleaved "
          "per set). Seconds per page are wall-clock over each tool's whole run, start-up "
          "and model loading included; CPU seconds count every process of the run; peak MB per "
          "worker is the largest page's resident high-water mark in the process that ran it (all "
          "default components loaded), for other tools the largest process. CER after NFKC and "
          "white-space removal, against each page's full ground truth (generated, devpages) or "
          "its body text (realpages). Overlays off.\n\n" + report + "\n")
    (ROOT / "bench" / "SPEED.md").write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()

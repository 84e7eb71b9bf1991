"""Does `magscan repair` help or hurt on real engines' output? (not a test)

    .venv/bin/python bench/repair_eval.py [-v] [--write] [--seed-synthetic] [--baseline REV]
                                          [--work /tmp/magscan-repair-set] [--per-family 3]

Runs Tesseract (hOCR and ALTO, ``--psm 3``) and RapidOCR (its full pipeline,
``[box, text, score]`` JSON) on generated, development and real pages (see
``bench/repair_inputs.py``; the outputs are kept in the work folder), then
scores, per engine and page kind, the text in the engine's own order
("input") and after ``magscan repair`` ("repaired") against the gold body
text: CER and bag-of-characters error after NFKC and white-space removal
(``pipeline.evaluate.text``). ``worse``: pages whose CER rose by more than 0.005.

The input keeps the engine's running heads and page numbers, which the gold
body leaves out; repair drops what it types as header or footer. The bag
error shows how much of a difference that is (it ignores order).

``--seed-synthetic`` also prints the old figures, on input built from the
seed page's ground truth (not engine output): a text-layer PDF of it, and
hOCR, ALTO and glued PaddleOCR-style JSON typeset from its truth lines.
``--baseline REV`` adds the mean CER (and pages made worse) of the repair
code at git revision REV on the same engine output (before/after).
``--write`` puts the tables (and the per-page lines) in ``bench/REPAIR-RESULTS.md``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from repair_inputs import ENGINES, BenchPage, ensure_outputs, generated_pages, shared_pages  # noqa: E402

from pipeline.text.assemble import page_text  # noqa: E402
from pipeline.evaluate.text import bag_error, cer  # noqa: E402
from pipeline.convert_boxes import repair_file  # noqa: E402
from pipeline.ingest.ocr_files import read_input  # noqa: E402

DEFAULT_WORK = Path("/tmp/magscan-repair-set")
KINDS = ("generated", "devpages", "realpages")
WORSE = 0.005


@dataclass
class Row:
    kind: str
    name: str
    engine: str
    cer_in: float
    cer_out: float
    bag_in: float
    bag_out: float
    flags: str
    cer_base: float | None = None   # repaired by the code at --baseline REV


def score(page: BenchPage, engine: str, path: Path) -> Row:
    gold = page.gold.read_text(encoding="utf-8")
    given = "\n".join(ln.text for ln in read_input(path).lines)
    rep = repair_file(path)
    got = page_text(rep)
    flags = "; ".join([rep.diagnostics["layout"].get("order", "")] + rep.flags)
    return Row(page.kind, page.name, engine, cer(gold, given), cer(gold, got),
               bag_error(gold, given), bag_error(gold, got), flags)


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def table(rows: list[Row], baseline: str | None = None) -> str:
    base = f" CER repaired at {baseline} (worse) |" if baseline else ""
    out = ["| pages | engine output | n | CER input | CER repaired | bag input | bag repaired | worse |" + base,
           "|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if baseline else "")]
    for kind in KINDS:
        for eng in ENGINES:
            rs = [r for r in rows if r.kind == kind and r.engine == eng]
            if not rs:
                continue
            worse = sum(r.cer_out > r.cer_in + WORSE for r in rs)
            line = (f"| {kind} | {eng} | {len(rs)} | {_mean(r.cer_in for r in rs):.3f} | "
                    f"{_mean(r.cer_out for r in rs):.3f} | {_mean(r.bag_in for r in rs):.3f} | "
                    f"{_mean(r.bag_out for r in rs):.3f} | {worse} |")
            if baseline:
                bworse = sum(r.cer_base > r.cer_in + WORSE for r in rs)
                line += f" {_mean(r.cer_base for r in rs):.3f} ({bworse}) |"
            out.append(line)
    return "\n".join(out)


_BASELINE_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
try:
    from pipeline.text.assemble import page_text
    from pipeline.convert_boxes import repair_file
except ImportError:   # a revision from before the package was split along the flow
    from pipeline.assemble import page_text
    from pipeline.repair import repair_file
print(json.dumps({p: page_text(repair_file(p)) for p in sys.argv[2:]}, ensure_ascii=False))
"""


def baseline_texts(rev: str, paths: list[Path]) -> dict[str, str]:
    """Repaired texts by the ``pipeline`` package as it was at git revision
    ``rev`` (run in a child process, so that its modules do not mix with these)."""
    import subprocess
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        archive = subprocess.run(["git", "archive", rev, "pipeline"], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        tar = Path(d) / "old.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as t:
            t.extractall(d, filter="data")
        r = subprocess.run([sys.executable, "-c", _BASELINE_SCRIPT, d, *map(str, paths)],
                           capture_output=True, text=True, check=True, cwd=d)
    return json.loads(r.stdout)


def detail(rows: list[Row]) -> str:
    out = [f"{'kind':10} {'page':24} {'engine':15} {'CER in':>7} {'out':>7} {'bag in':>7} {'out':>7}  flags"]
    for r in rows:
        mark = " WORSE" if r.cer_out > r.cer_in + WORSE else ""
        out.append(f"{r.kind:10} {r.name:24} {r.engine:15} {r.cer_in:7.3f} {r.cer_out:7.3f} "
                   f"{r.bag_in:7.3f} {r.bag_out:7.3f}  {r.flags[:60]}{mark}")
    return "\n".join(out)


def seed_synthetic() -> str:
    """Secondary figures on the seed page, input built from its ground truth
    (not engine output): a text-layer PDF of it (pdfplumber's own
    extract_text() and magscan's text-layer path), and hOCR, ALTO and glued
    PaddleOCR-style JSON typeset from its truth lines (a check of the
    splitting code alone)."""
    import tempfile

    import pdfplumber

    sys.path.insert(0, str(ROOT / "tests"))
    from test_repair import GOLD_BODY, alto_doc, hocr_doc, paddle_json, seed_lines
    from test_textlayer import make_pdf

    from pipeline.options import Options
    from pipeline.convert_boxes import page_from_text_layer

    lines, size = seed_lines()
    out = ["Secondary, seed page, input built from its ground truth (not engine output):",
           "| input | CER as given | CER magscan |", "|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as d:
        pdf = make_pdf(Path(d) / "seed.pdf")
        with pdfplumber.open(pdf) as doc:
            naive = doc.pages[0].extract_text()
        t = time.perf_counter()
        page = page_from_text_layer(pdf, 1, Options())
        secs = time.perf_counter() - t
        out.append(f"| text-layer PDF (pdfplumber extract_text(); magscan text layer, {secs:.2f} s) | "
                   f"{cer(GOLD_BODY, naive):.4f} | {cer(GOLD_BODY, page_text(page)):.4f} |")
        for name, content in [("seed.json", json.dumps(paddle_json(lines), ensure_ascii=False)),
                              ("seed.hocr", hocr_doc(lines, size)), ("seed.xml", alto_doc(lines, size))]:
            src = Path(d) / name
            src.write_text(content, encoding="utf-8")
            given = "\n".join(ln.text for ln in read_input(src).lines)
            out.append(f"| {name} (`magscan repair`) | {cer(GOLD_BODY, given):.4f} | "
                       f"{cer(GOLD_BODY, page_text(repair_file(src))):.4f} |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="engine outputs and generated pages")
    ap.add_argument("--per-family", type=int, default=3, help="generated pages per layout family")
    ap.add_argument("--kind", choices=KINDS, action="append", help="only these page kinds")
    ap.add_argument("--seed-synthetic", action="store_true", help="also the old ground-truth-built figures")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per page and engine")
    ap.add_argument("--write", action="store_true", help="also write bench/REPAIR-RESULTS.md")
    ap.add_argument("--baseline", metavar="REV",
                    help="also score the repair code of this git revision on the same input (e.g. 9905df5)")
    a = ap.parse_args(argv)
    kinds = a.kind or list(KINDS)
    pages = [p for p in shared_pages() if p.kind in kinds]
    if "generated" in kinds:
        pages = generated_pages(a.work / "generated", a.per_family) + pages
    t = time.perf_counter()
    rows, paths = [], []
    for p in pages:
        outs = ensure_outputs(p, a.work)
        rows += [score(p, eng, outs[eng]) for eng in ENGINES]
        paths += [outs[eng] for eng in ENGINES]
    if a.baseline:
        old = baseline_texts(a.baseline, paths)
        for r, path, p in zip(rows, paths, [p for p in pages for _ in ENGINES]):
            r.cer_base = cer(p.gold.read_text(encoding="utf-8"), old[str(path)])
    cmd = " ".join([".venv/bin/python bench/repair_eval.py", *(argv if argv is not None else sys.argv[1:])])
    report = [f"Measured {date.today()} at {_commit()}: `{cmd}`",
              "", table(rows, a.baseline)]
    if a.seed_synthetic:
        report += ["", seed_synthetic()]
    report += ["", "Per page (CER and bag error, input order and repaired; the order repair used):",
               "", "```", detail(rows), "```"]
    text = "\n".join(report) + "\n"
    print(text if a.verbose else text.split("\nPer page")[0])
    if a.write:
        (ROOT / "bench" / "REPAIR-RESULTS.md").write_text("# `magscan repair` on real engines' output\n\n"
                                                          + text, encoding="utf-8")
    print(f"{len(pages)} pages in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return 0


def _commit() -> str:
    import subprocess
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() or "unknown commit"


if __name__ == "__main__":
    sys.exit(main())

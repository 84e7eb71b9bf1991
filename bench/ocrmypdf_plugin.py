"""OCRmyPDF with its own engine (Tesseract, `-l chi_sim`) against OCRmyPDF
with magscan's engine plugin, on PDFs of the generated pages in scans/:
the character error rate of each output's text layer, read in the order the
file holds it (pdfium, as copy and paste reads it), against the ground truth
in reading order, and the bag-of-characters error (the same ignoring order).

    .venv/bin/python bench/ocrmypdf_plugin.py [--pages scans/*.png]

Both runs are real `ocrmypdf` processes (`-j 1`), one after the other.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate.text import bag_error, cer  # noqa: E402


def stream_text(path: Path) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def run(src: Path, out: Path, plugin: bool) -> float:
    exe = Path(sys.executable).parent / "ocrmypdf"
    cmd = [str(exe), "-l", "chi_sim", "-j", "1", str(src), str(out)]
    if plugin:
        cmd[1:1] = ["--plugin", "pipeline.ocrmypdf_plugin"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_THREAD_LIMIT="1")
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=900)
    return time.perf_counter() - t0


def main() -> None:
    import img2pdf

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", nargs="*", type=Path,
                    default=sorted((ROOT / "scans").glob("*.png")))
    args = ap.parse_args()
    print("| page | ocrmypdf (tesseract) CER | bag | s | ocrmypdf + magscan plugin CER | bag | s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    sums = [0.0, 0.0]
    bags = [0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        for png in args.pages:
            gt = png.with_name(png.stem + ".gt.txt").read_text(encoding="utf-8")
            src = Path(tmp) / f"{png.stem}.pdf"
            src.write_bytes(img2pdf.convert(str(png)))
            row = [png.stem]
            for i, plugin in enumerate((False, True)):
                out = Path(tmp) / f"{png.stem}.{i}.pdf"
                secs = run(src, out, plugin)
                text = stream_text(out)
                c, b = cer(gt, text), bag_error(gt, text)
                sums[i] += c
                bags[i] += b
                row += [f"{c:.4f}", f"{b:.4f}", f"{secs:.1f}"]
            print("| " + " | ".join(row) + " |", flush=True)
    n = max(1, len(args.pages))
    print(f"| **mean** | {sums[0] / n:.4f} | {bags[0] / n:.4f} | | {sums[1] / n:.4f} | "
          f"{bags[1] / n:.4f} | |")


if __name__ == "__main__":
    main()

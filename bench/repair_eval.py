"""Figures for text that is already there (not a test): the seed page as a
text-layer PDF and as other engines' OCR output, built by the same helpers
the tests use, scored against the seed page's ground truth.

    .venv/bin/python bench/repair_eval.py

Prints the CER of pdfplumber's own extract_text(), of magscan's text-layer
path (and its pages per second), and of `magscan repair` on hOCR, ALTO and
PaddleOCR-style JSON with neighbouring columns' lines glued and sorted by height.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pdfplumber  # noqa: E402

from pipeline.evaluate import cer  # noqa: E402
from pipeline.options import Options  # noqa: E402
from pipeline.repair import repair_file  # noqa: E402
from pipeline.textlayer import page_from_text_layer  # noqa: E402
from test_repair import GOLD_BODY, alto_doc, hocr_doc, paddle_json, page_text_of, seed_lines  # noqa: E402
from test_textlayer import make_pdf  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        pdf = make_pdf(d / "seed.pdf")
        with pdfplumber.open(pdf) as doc:
            naive = doc.pages[0].extract_text()
        t = time.perf_counter()
        page = page_from_text_layer(pdf, 1, Options())
        secs = time.perf_counter() - t
        rows = [("pdfplumber extract_text() on the text-layer PDF", cer(GOLD_BODY, naive)),
                ("magscan text layer on the same PDF", cer(GOLD_BODY, page_text_of(page)))]
        lines, size = seed_lines()
        glued = paddle_json(lines)
        rows.append(("PaddleOCR-style JSON, glued lines, as given", cer(GOLD_BODY, "\n".join(r[1] for r in glued))))
        for name, content in [("seed.json", json.dumps(glued, ensure_ascii=False)),
                              ("seed.hocr", hocr_doc(lines, size)), ("seed.xml", alto_doc(lines, size))]:
            src = d / name
            src.write_text(content, encoding="utf-8")
            rows.append((f"magscan repair {name}", cer(GOLD_BODY, page_text_of(repair_file(src)))))
    print("| input | CER |\n|---|---:|")
    for label, c in rows:
        print(f"| {label} | {c:.4f} |")
    print(f"\ntext-layer page: {secs:.2f} s ({1 / secs:.2f} pages/s), no OCR")


if __name__ == "__main__":
    main()

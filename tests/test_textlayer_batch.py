"""A PDF mixing a born-digital page and a scanned page: each page goes through
the right path (text layer or OCR), and the manifest records which."""
import json
import sqlite3

from PIL import Image

from conftest import run_magscan
from pipeline.evaluate.text import cer
from test_repair import GOLD_BODY
from test_textlayer import make_pdf


def test_mixed_pdf_routes_each_page_and_records_it(tmp_path, small_page):
    mixed = make_pdf(tmp_path / "mixed.pdf", scanned_page=True,
                     scan_image=Image.open(small_page).convert("L"))

    out = tmp_path / "out"
    r = run_magscan("convert", mixed, "-o", out, "-j", "2")
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(out / "manifest.sqlite")
    engines = dict(db.execute("SELECT page_number, engine FROM pages"))
    assert engines == {1: "pdf-text-layer", 2: "tesseract"}
    p1 = (out / "mixed" / "page-0001.txt").read_text(encoding="utf-8")
    assert cer(GOLD_BODY, p1) <= 0.005
    assert "产业工人" in (out / "mixed" / "page-0002.txt").read_text(encoding="utf-8")
    page1 = json.loads((out / "mixed" / "page-0001.json").read_text(encoding="utf-8"))
    assert page1["engine"] == "pdf-text-layer"
    assert (out / "mixed" / "page-0001.overlay.png").is_file()

    # --text-layer never: both pages OCRed; only: the scanned page fails with its reason
    r = run_magscan("convert", mixed, "-o", tmp_path / "only", "--text-layer", "only", "-j", "2")
    assert r.returncode == 1 and "no text layer" in r.stderr
    db = sqlite3.connect(tmp_path / "only" / "manifest.sqlite")
    assert dict(db.execute("SELECT page_number, status FROM pages")) == {1: "done", 2: "failed"}

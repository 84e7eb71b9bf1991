"""magscan inside OCRmyPDF (issue 18): a real `ocrmypdf --plugin
pipeline.ocrmypdf_plugin` run on a PDF of a generated three-column page
gives OCRmyPDF's PDF/A whose text, read in the order the file holds it, is
magscan's text of that page, columns one after the other."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_magscan
from pipeline.assemble import page_text
from pipeline.evaluate import cer
from pipeline.export import read_page

SEED = ROOT / "scans" / "seed-page.png"  # generated: three columns, a title, a running foot


def _ocrmypdf() -> str:
    exe = Path(sys.executable).parent / "ocrmypdf"
    if exe.exists():
        return str(exe)
    found = shutil.which("ocrmypdf")
    if not found:
        pytest.fail("ocrmypdf is not installed: pip install 'ocrmypdf>=17' (a test dependency)")
    return found


def _stream_text(path: Path) -> str:
    """The text in content-stream order (pdfium), as copy-and-paste reads it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_ocrmypdf_with_the_magscan_engine_gives_magscans_text_in_order(tmp_path):
    import img2pdf
    from pikepdf.pdfa import validate_written

    src = tmp_path / "in.pdf"
    src.write_bytes(img2pdf.convert(str(SEED)))
    out_pdf, sidecar = tmp_path / "out.pdf", tmp_path / "out.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_THREAD_LIMIT="1")
    r = subprocess.run([_ocrmypdf(), "--plugin", "pipeline.ocrmypdf_plugin", "-l", "chi_sim",
                        "-j", "1", "--sidecar", str(sidecar), str(src), str(out_pdf)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert validate_written(out_pdf, "2b").passed  # OCRmyPDF's PDF/A, as without the plugin

    # magscan's own reading of the same page, every region (the hOCR has them all)
    out = tmp_path / "magscan"
    c = run_magscan("convert", SEED, "-o", out, "-j", "1", "--no-overlays")
    assert c.returncode == 0, c.stderr
    page = read_page(out / "seed-page" / "page-0001.json")
    ours = page_text(page, keep_headers=True)
    theirs = _stream_text(out_pdf)
    gt = (ROOT / "scans" / "seed-page.gt.txt").read_text(encoding="utf-8")
    print(f"\nocrmypdf+magscan PDF text: CER {cer(ours, theirs):.4f} against magscan's text, "
          f"{cer(gt, theirs):.4f} against the ground truth")
    assert cer(ours, theirs) <= 0.01
    assert cer(page_text(page), sidecar.read_text(encoding="utf-8")) <= 0.01
    # the columns in order: the first body column's text before the second's
    bodies = [b.text for b in page.ordered_blocks() if b.kind == "body"]
    flat = re.sub(r"\s", "", theirs)
    starts = [flat.find(re.sub(r"\s", "", b)[:12]) for b in bodies]
    assert len(starts) == 3 and -1 not in starts and starts == sorted(starts)

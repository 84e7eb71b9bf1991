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
from pipeline.text.assemble import page_text
from pipeline.evaluate.text import cer
from pipeline.outputs.files import read_page

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
    # each column's text lies over that column of the page
    import pypdfium2

    from pipeline.outputs.formats.geometry import source_frame
    frame = source_frame(page)
    doc = pypdfium2.PdfDocument(str(out_pdf))
    tp, height = doc[0].get_textpage(), doc[0].get_height()
    k = doc[0].get_width() / frame.width  # the PDF's points per scan pixel (img2pdf's dpi)
    for b in (b for b in page.ordered_blocks() if b.kind == "body"):
        x0, y0, x1, y1 = frame.box(b.bbox)
        inside = tp.get_text_bounded(x0 * k, height - y1 * k, x1 * k, height - y0 * k)
        assert cer(b.text, inside) <= 0.05, (b.text[:20], inside[:40])
    doc.close()
    # the columns in order: the first body column's text before the second's
    bodies = [b.text for b in page.ordered_blocks() if b.kind == "body"]
    flat = re.sub(r"\s", "", theirs)
    starts = [flat.find(re.sub(r"\s", "", b)[:12]) for b in bodies]
    assert len(starts) == 3 and -1 not in starts and starts == sorted(starts)


def test_a_spreads_halves_become_one_hocr_page_left_first(tmp_path):
    """Both halves of a two-page scan in one hOCR page, as OCRmyPDF's own
    parser reads it: the left page's lines, then the right page's."""
    from PIL import Image
    from ocrmypdf.hocrtransform.hocr_parser import HocrParser

    from pipeline.outputs.formats.hocr import hocr_html
    from pipeline.model import BBox, Block, Line, Page
    from pipeline.ocrmypdf_plugin import _merged

    scan = tmp_path / "spread.png"
    Image.new("L", (1600, 800), 255).save(scan, dpi=(300, 300))
    halves = []
    for part, dx, text in (("L", 0, "左页文字"), ("R", 800, "右页文字")):
        b = Block(0, "body", BBox(100, 100, 300, 140), order=0, text=text,
                  lines=[Line(BBox(100, 100, 300, 140), text, 90.0)])
        halves.append(Page(source=str(scan), page_number=1, width=800, height=800, dpi=300,
                           blocks=[b], part=part, options={"lang": "chi_sim"},
                           transform=[[1.0, 0.0, float(dx)], [0.0, 1.0, 0.0]]))
    path = tmp_path / "page.hocr"
    path.write_text(_merged([hocr_html(p) for p in halves]), encoding="utf-8")
    page = HocrParser(path).parse()
    lines = [ln for par in page.children for ln in par.children]
    assert ["".join(w.text for w in ln.children) for ln in lines] == ["左页文字", "右页文字"]
    assert [ln.bbox.left for ln in lines] == [100, 900]

"""Text-layer PDFs (issue 7): the seed page typeset in three columns with a
real CJK TrueType font; pdfplumber's own extraction interleaves the columns,
``page_from_text_layer`` must not -- and must never call an OCR engine."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from pipeline.evaluate.text import cer
from pipeline.options import Options
from pipeline.errors import InputError

sys.path.insert(0, str(Path(__file__).parent))
from test_repair import GOLD_BODY, seed_lines, page_text_of  # noqa: E402

FONTS = [("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
         ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)]


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    for p, idx in FONTS:
        if Path(p).exists():
            pdfmetrics.registerFont(TTFont("CJK", p, subfontIndex=idx))
            return "CJK"
    pytest.fail("no embeddable CJK TrueType font: run `make test`, which installs fonts-wqy-microhei")


def make_pdf(path: Path, scanned_page: bool = False, scan_image=None) -> Path:
    """The seed page as a born-digital PDF; optionally a second, image-only page
    (blank, or `scan_image`)."""
    from reportlab.pdfgen import canvas
    from reportlab.lib.utils import ImageReader
    from PIL import Image
    font = _font()
    lines, (w, h) = seed_lines()
    k = 72 / 300
    c = canvas.Canvas(str(path), pagesize=(w * k, h * k))
    for ln in lines:
        size = ln["height"] * k
        base = (h - ln["top"] - 0.88 * ln["height"]) * k
        c.setFont(font, size)
        for x0, _, ch in ln["chars"]:
            c.drawString(x0 * k, base, ch)
    c.showPage()
    if scanned_page:
        img = scan_image if scan_image is not None else Image.new("L", (400, 560), 255)
        c.setPageSize((img.width * k, img.height * k))
        c.drawImage(ImageReader(img), 0, 0, img.width * k, img.height * k)
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    return make_pdf(tmp_path_factory.mktemp("tl") / "seed.pdf", scanned_page=True)


@pytest.fixture
def no_ocr(monkeypatch):
    """Make the OCR engines unimportable: the text path must not touch them."""
    for mod in ("pytesseract", "tesserocr", "pipeline.recognition.tesseract", "pipeline.recognition.stage"):
        monkeypatch.setitem(sys.modules, mod, None)


def test_naive_extraction_interleaves(seed_pdf):
    import pdfplumber
    with pdfplumber.open(seed_pdf) as pdf:
        naive = pdf.pages[0].extract_text()
    assert cer(GOLD_BODY, naive) > 0.5


def test_text_layer_reads_columns_in_order(seed_pdf, no_ocr):
    from pipeline.convert_boxes import page_from_text_layer
    page = page_from_text_layer(seed_pdf, 1, Options())
    assert page is not None and page.engine == "pdf-text-layer"
    assert len(page.columns) == 3
    assert cer(GOLD_BODY, page_text_of(page)) <= 0.005


def test_scanned_page_falls_back(seed_pdf, no_ocr):
    from pipeline.convert_boxes import page_from_text_layer
    assert page_from_text_layer(seed_pdf, 2, Options()) is None
    assert page_from_text_layer(seed_pdf, 1, Options(text_layer="never")) is None
    with pytest.raises(InputError, match="page 2 has no text layer"):
        page_from_text_layer(seed_pdf, 2, Options(text_layer="only"))


def test_text_layer_is_fast(seed_pdf):
    from pipeline.convert_boxes import page_from_text_layer
    t = time.perf_counter()
    for _ in range(3):
        page_from_text_layer(seed_pdf, 1, Options())
    per_page = (time.perf_counter() - t) / 3
    print(f"page_from_text_layer: {per_page:.3f} s/page")
    assert per_page < 5.0


def _pdfminer_page(path, n: int, options=Options()):
    """The text path as it was read before PDFium (pdfplumber's characters),
    kept here as the reference the PDFium reader must match."""
    import pdfplumber

    from pipeline.convert_boxes import page_from_boxes
    from pipeline.layout.boxes import lines_from_chars
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[n - 1]
        k = options.dpi / 72.0
        ox, oy = float(page.bbox[0]), float(page.bbox[1])
        atoms = [(((c["x0"] - ox) * k, (c["top"] - oy) * k, (c["x1"] - ox) * k, (c["bottom"] - oy) * k),
                  c["text"]) for c in page.chars if c.get("text", "").strip()]
        w, h = float(page.width) * k, float(page.height) * k
    return page_from_boxes(lines_from_chars(atoms), source=str(path), page_number=n, width=w,
                           height=h, dpi=options.dpi, engine="pdf-text-layer")


DEVPAGES = Path("/work/shared/devpages")


@pytest.mark.parametrize("which", ["seed", "page_000", "page_004"])
def test_pdfium_reader_gives_the_text_pdfminer_gave(which, seed_pdf, no_ocr):
    from pipeline.text.assemble import page_text
    from pipeline.convert_boxes import page_from_text_layer
    path = seed_pdf if which == "seed" else DEVPAGES / f"{which}.pdf"
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared devpages are part of the test set-up")
    ours = page_from_text_layer(path, 1, Options())
    ref = _pdfminer_page(path, 1)
    # the text, not the blocks: boxes agree to 0.03 px, and the seed page has
    # a line whose overlap with the one above is half its width to the
    # rounding, where either reader may start a block (the text is the same)
    assert page_text(ours) == page_text(ref)
    assert ours.columns == ref.columns
    assert list(ours.timings) == ["decode", "layout", "ordering"]


def test_invisible_text_over_a_scan_is_ocred_visible_text_is_read(tmp_path, no_ocr):
    """An OCR layer (render mode 3) under a full-page image is somebody's OCR:
    the page goes to OCR. The same text drawn visibly is a text layer."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from pipeline.convert_boxes import page_from_text_layer
    font = _font()
    lines, (w, h) = seed_lines()
    k = 72 / 300
    for mode, expect in ((3, None), (0, "text")):
        path = tmp_path / f"mode{mode}.pdf"
        c = canvas.Canvas(str(path), pagesize=(w * k, h * k))
        c.drawImage(ImageReader(Image.new("L", (200, 280), 230)), 0, 0, w * k, h * k)
        for ln in lines:
            t = c.beginText()
            t.setTextRenderMode(mode)
            t.setFont(font, ln["height"] * k)
            for x0, _, ch in ln["chars"]:
                t.setTextOrigin(x0 * k, (h - ln["top"] - 0.88 * ln["height"]) * k)
                t.textOut(ch)
            c.drawText(t)
        c.showPage()
        c.save()
        page = page_from_text_layer(path, 1, Options())
        if expect is None:
            assert page is None
            with pytest.raises(InputError, match="no text layer"):
                page_from_text_layer(path, 1, Options(text_layer="only"))
        else:
            assert page is not None and cer(GOLD_BODY, page_text_of(page)) <= 0.05


def test_damaged_and_short_pdfs_say_why(tmp_path):
    from pipeline.convert_boxes import page_from_text_layer
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n%garbage, no objects\n")
    with pytest.raises(InputError, match="cannot read PDF"):
        page_from_text_layer(bad, 1, Options())

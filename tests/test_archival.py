"""Outputs an archive can keep (issue 18): the searchable PDF keeps the scan
(an image input's own image, in colour, at its size and resolution; a PDF
input's own page, vector content and all), PDF/A-2b on request checked by
pikepdf's PDF/A validator; every region in every layout format, typed, with
ALTO valid against the ALTO 4.2 schema and hOCR passing hocr-spec; formats
rewritten or removed when a page is re-run, and listed in the manifest.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, make_pages, rows, run_magscan
from pipeline.outputs.files import write_page
from pipeline.outputs.formats import write_document_formats
from pipeline.outputs.formats.alto import NS as ALTO_NS
from pipeline.outputs.formats.alto import alto_xml
from pipeline.outputs.formats.hocr import hocr_html
from pipeline.outputs.formats.pagexml import NS as PAGE_NS
from pipeline.outputs.formats.pagexml import page_xml
from pipeline.model import BBox, Block, Line, Page, Word

ALTO_XSD = Path(__file__).parent / "data" / "alto" / "alto-4-2.xsd"
XLINK_XSD = Path(__file__).parent / "data" / "alto" / "xlink.xsd"
XLINK_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"


# ----------------------------------------------------------------- helpers

def _line(x0, y0, text, h=40) -> Line:
    chars = [c for c in text if c != " "]
    ws = [Word(BBox(x0 + i * h, y0, x0 + (i + 1) * h, y0 + h), c, 90.0)
          for i, c in enumerate(chars)]
    return Line(BBox(x0, y0, x0 + max(1, len(chars)) * h, y0 + h), text, 90.0, ws)


def _block(bid, kind, bbox, lines, order) -> Block:
    b = Block(id=bid, kind=kind, bbox=BBox(*bbox), order=order, lines=lines, conf=88.0)
    b.text = "".join(ln.text for ln in lines)
    return b


def _every_kind_page(scan: Path, **kw) -> Page:
    """One block of every kind, with a page number in the running foot."""
    blocks = [
        _block(0, "header", (100, 20, 500, 60), [_line(100, 20, "杂志名称")], 0),
        _block(1, "title", (100, 100, 900, 160), [_line(100, 100, "大标题")], 1),
        _block(2, "heading", (100, 180, 600, 220), [_line(100, 180, "小标题")], 2),
        _block(3, "body", (100, 240, 600, 400), [_line(100, 240, "正文第一行"),
                                                 _line(100, 290, "正文第二行")], 3),
        _block(4, "figure", (650, 240, 1100, 600), [], 4),
        _block(5, "caption", (650, 610, 1100, 650), [_line(650, 610, "图片说明")], 5),
        _block(6, "table", (100, 700, 600, 800), [_line(100, 700, "表格内容")], 6),
        _block(7, "sidebar", (650, 700, 1100, 800), [_line(650, 700, "边栏文字")], 7),
        _block(8, "equation", (100, 820, 600, 900), [], 8),
        _block(9, "footnote", (100, 1300, 800, 1340), [_line(100, 1300, "注释文字")], 9),
        _block(10, "footer", (500, 1500, 600, 1540), [_line(500, 1500, "63")], 10),
    ]
    p = Page(source=str(scan), page_number=1, width=1200, height=1600, dpi=300, blocks=blocks,
             engine="test", options={"lang": "chi_sim+eng", "dpi": 300, **kw})
    return p


def _scan(tmp_path, w=1200, h=1600, colour=(200, 40, 40), name="scan.png", dpi=300) -> Path:
    img = np.full((h, w, 3), 255, np.uint8)
    img[240:400, 100:600] = colour
    path = tmp_path / name
    Image.fromarray(img).save(path, dpi=(dpi, dpi))
    return path


def alto_schema():
    from lxml import etree

    class Local(etree.Resolver):  # ALTO imports xlink by URL: answer from the fixture
        def resolve(self, url, pubid, context):
            if url == XLINK_URL:
                return self.resolve_filename(str(XLINK_XSD), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.parse(str(ALTO_XSD), parser))


def _assert_alto_valid(xml: str):
    from lxml import etree

    schema = alto_schema()
    doc = etree.fromstring(xml.encode("utf-8"))
    if not schema.validate(doc):
        pytest.fail("ALTO does not validate:\n" + "\n".join(
            f"line {e.line}: {e.message}" for e in list(schema.error_log)[:10]))
    return doc


def _hocr_spec(path: Path) -> None:
    exe = Path(sys.executable).parent / "hocr-spec"
    if not exe.exists():
        found = shutil.which("hocr-spec")
        if not found:
            pytest.fail("hocr-spec not found: pip install hocr-spec (a test dependency)")
        exe = Path(found)
    r = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=120)
    # hocr-spec 0.2 predates hOCR 1.2's x_size (which Tesseract writes, and
    # so do we): its "no attribute 'x_size'" is the checker's gap, any other
    # error is ours
    errors = [ln for ln in (r.stdout + r.stderr).splitlines()
              if "[ERROR]" in ln and "attribute 'x_size'" not in ln]
    assert not errors, "\n".join(errors[:10])
    assert "[ERROR]" in r.stdout or r.returncode == 0


def _pdf_words_in_order(path: Path) -> str:
    """The text layer in the order the file holds it (pdfium reads the
    content stream in order; pdfminer's layout analysis regroups it)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


# ----------------------------------------------------------------- the PDF keeps the scan

def test_pdf_of_a_colour_image_is_that_image_at_its_size_with_our_text(tmp_path):
    import pikepdf
    import pdfplumber

    scan = _scan(tmp_path, dpi=200)
    page = _every_kind_page(scan)
    page.dpi = 200
    out = tmp_path / "out"
    write_page(out / "scan", page)
    pdf_path = write_document_formats(out, "scan", ("pdf",))["pdf"]
    with pikepdf.open(pdf_path) as pdf:
        (pg,) = pdf.pages
        (img,) = [x for x in pg.Resources.XObject.values() if x.Subtype == "/Image"]
        assert (int(img.Width), int(img.Height)) == (1200, 1600)
        assert img.ColorSpace == "/DeviceRGB"
        assert [float(v) for v in pg.MediaBox] == pytest.approx([0, 0, 1200 * 72 / 200,
                                                                 1600 * 72 / 200])
        pixels = np.asarray(pikepdf.PdfImage(img).as_pil_image())
    with Image.open(scan) as im:
        assert np.array_equal(pixels, np.asarray(im.convert("RGB")))  # not a pixel changed
    with pdfplumber.open(pdf_path) as pdf:
        p = pdf.pages[0]
        body = p.within_bbox((100 * 0.36 - 1, 240 * 0.36 - 1, 600 * 0.36 + 1, 400 * 0.36 + 1))
        assert body.extract_text().replace("\n", "") == "正文第一行正文第二行"
    text = re.sub(r"\s", "", _pdf_words_in_order(pdf_path))
    # every region, in reading order, running head and page number too
    assert text == "杂志名称大标题小标题正文第一行正文第二行图片说明表格内容边栏文字注释文字63"


def test_a_jpeg_goes_in_as_it_is(tmp_path):
    import pikepdf

    scan = tmp_path / "scan.jpg"
    Image.open(_scan(tmp_path)).save(scan, quality=85, dpi=(300, 300))
    out = tmp_path / "out"
    write_page(out / "scan", _every_kind_page(scan))
    pdf_path = write_document_formats(out, "scan", ("pdf",))["pdf"]
    with pikepdf.open(pdf_path) as pdf:
        (img,) = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        assert img.Filter == "/DCTDecode"
        assert img.read_raw_bytes() == scan.read_bytes()


def test_deskewed_page_text_lands_on_the_skewed_scan(tmp_path):
    """The page was straightened by 2 degrees: its text is mapped back through
    the transform, so it sits over the print in the scan, tilted as it is."""
    import pdfplumber

    scan = _scan(tmp_path)
    page = _every_kind_page(scan)
    a = np.deg2rad(2.0)
    page.transform = [[np.cos(a), -np.sin(a), 30.0], [np.sin(a), np.cos(a), 10.0]]
    out = tmp_path / "out"
    write_page(out / "scan", page)
    pdf_path = write_document_formats(out, "scan", ("pdf",))["pdf"]
    with pdfplumber.open(pdf_path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"] in "正文第一行"]
    first = chars[0]
    x, y = 100, 240 + 40  # the body's first line, bottom-left, in page pixels
    sx = (np.cos(a) * x - np.sin(a) * y + 30.0) * 72 / 300
    sy = (np.sin(a) * x + np.cos(a) * y + 10.0) * 72 / 300
    assert first["x0"] == pytest.approx(sx, abs=2.5)
    assert first["bottom"] == pytest.approx(sy, abs=2.5)
    m = first["matrix"]  # tilted with the print: 2 degrees, down to the right on the page
    assert m[1] / m[0] == pytest.approx(-np.tan(a), abs=1e-3)


def test_pdf_input_keeps_its_page_and_vector_content(tmp_path):
    """A PDF input (here with vector text and a drawn rule, a rotated crop
    box too) is kept as it was: its own content stream and resources stay,
    only our invisible text is added, over where the page shows the line."""
    import pikepdf
    import pdfplumber
    from reportlab.pdfgen import canvas

    src = tmp_path / "in.pdf"
    c = canvas.Canvas(str(src), pagesize=(400, 600))
    c.setFont("Helvetica", 20)
    c.drawString(50, 500, "Vector words")
    c.line(50, 480, 350, 480)
    c.bookmarkPage("p1")
    c.addOutlineEntry("第一章", "p1")
    c.showPage()
    c.save()
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        before = pdf.pages[0].Contents.read_bytes()
        pdf.save(src)
    with pdfplumber.open(src) as pdf:
        w, h = pdf.pages[0].to_image(resolution=150).original.size
    b = _block(0, "body", (100, 200, 400, 240), [_line(100, 200, "中文")], 0)
    page = Page(source=str(src), page_number=1, width=w, height=h, dpi=150, blocks=[b],
                engine="test", options={"dpi": 150, "lang": "chi_sim"})
    out = tmp_path / "out"
    write_page(out / "in", page)
    pdf_path = write_document_formats(out, "in", ("pdf",))["pdf"]
    with pikepdf.open(pdf_path) as pdf:
        pg = pdf.pages[0]
        streams = pg.Contents if isinstance(pg.Contents, pikepdf.Array) else [pg.Contents]
        assert any(s.read_bytes() == before for s in streams)  # the page's own drawing
        assert [float(v) for v in pg.MediaBox] == [0, 0, 400, 600]
        with pdf.open_outline() as outline:  # the whole input was converted: all of it kept
            assert [item.title for item in outline.root] == ["第一章"]
    with pdfplumber.open(pdf_path) as pdf:
        p = pdf.pages[0]
        assert "Vector words" in p.extract_text()
        assert p.lines  # the rule is still a vector line
        han = [ch for ch in p.chars if ch["text"] in "中文"]
        assert han[0]["x0"] == pytest.approx(100 * 72 / 150, abs=0.1)
        assert han[0]["top"] == pytest.approx(200 * 72 / 150, abs=0.5)


def test_pdfa_passes_the_validator_with_fonts_embedded(tmp_path):
    import pikepdf
    from ocrmypdf.pdfa import file_claims_pdfa, find_nonembedded_fonts
    from pikepdf.pdfa import validate_written

    scan = _scan(tmp_path)
    out = tmp_path / "out"
    write_page(out / "scan", _every_kind_page(scan))
    pdf_path = write_document_formats(out, "scan", ("pdf",), pdfa=True)["pdf"]
    report = validate_written(pdf_path, "2b")
    assert report.passed, report.summary()
    claim = file_claims_pdfa(pdf_path)
    assert claim["pass"] and claim["conformance"] == "PDF/A-2b", claim
    with pikepdf.open(pdf_path) as pdf:
        assert not find_nonembedded_fonts(pdf)
        fonts = list(pdf.pages[0].Resources.Font.values())
        assert fonts and all(f.DescendantFonts[0].FontDescriptor.FontFile2 for f in fonts)
    # and the plain PDF, asked for without --pdfa, is not claimed PDF/A
    plain = write_document_formats(out, "scan", ("pdf",))["pdf"]
    first = plain.read_bytes()
    assert write_document_formats(out, "scan", ("pdf",))["pdf"].read_bytes() == first  # no dates
    assert not file_claims_pdfa(plain)["pass"]
    assert not validate_written(plain, "2b").passed


# ----------------------------------------------------------------- every region, typed

def test_every_region_is_in_every_layout_format_typed(tmp_path):
    from lxml import etree

    from test_formats import _ocrd_validate  # PAGE: as the other tests check it

    scan = _scan(tmp_path)
    for keep in (False, True):
        page = _every_kind_page(scan, keep_headers=keep)
        alto = _assert_alto_valid(alto_xml(page))
        a = {"a": ALTO_NS}
        tags = {t.get("ID"): t.get("LABEL") for t in alto.iterfind(".//a:StructureTag", a)}
        typed = [(el.tag.split("}")[1], tags[el.get("TAGREFS")],
                  "".join(s.get("CONTENT") for s in el.iterfind(".//a:String", a)))
                 for el in alto.iterfind(".//a:Page//*[@TAGREFS]", a)]
        assert typed == [
            ("TextBlock", "header", "杂志名称"), ("TextBlock", "page-number", "63"),
            ("TextBlock", "title", "大标题"), ("TextBlock", "heading", "小标题"),
            ("TextBlock", "body", "正文第一行正文第二行"), ("Illustration", "figure", ""),
            ("TextBlock", "caption", "图片说明"), ("TextBlock", "table", "表格内容"),
            ("TextBlock", "sidebar", "边栏文字"), ("Illustration", "equation", ""),
            ("TextBlock", "footnote", "注释文字")]
        assert alto.find(".//a:TopMargin", a) is not None
        assert "".join(e.get("CONTENT") for e in alto.iterfind(".//a:BottomMargin//a:String", a)) \
            == "63"

        path = tmp_path / "p.hocr"
        path.write_text(hocr_html(page), encoding="utf-8")
        _hocr_spec(path)
        doc = etree.parse(str(path))
        h = {"h": "http://www.w3.org/1999/xhtml"}
        areas = [(d.get("class"), re.sub(r"\s", "", "".join(d.itertext())))
                 for d in doc.iterfind(".//h:div[@class]", h) if d.get("class") != "ocr_page"]
        assert areas == [
            ("ocr_header", "杂志名称"), ("ocr_carea", "大标题"), ("ocr_carea", "小标题"),
            ("ocr_carea", "正文第一行正文第二行"), ("ocr_photo", ""), ("ocr_carea", "图片说明"),
            ("ocr_table", "表格内容"), ("ocr_carea", "边栏文字"), ("ocr_math", ""),
            ("ocr_carea", "注释文字"), ("ocr_pageno", "63")]
        caps = doc.find(".//h:meta[@name='ocr-capabilities']", h).get("content").split()
        used = {e.get("class") for e in doc.iter() if (e.get("class") or "").startswith("ocr")}
        assert used <= set(caps)
        assert {"ocr_header", "ocr_textfloat", "ocr_photo", "ocr_footer", "ocr_table"} <= set(caps)
        assert doc.find(".//h:meta[@name='ocr-langs']", h).get("content") == "chi_sim eng"

        xml = page_xml(page)
        (tmp_path / "p.page.xml").write_text(xml, encoding="utf-8")
        _ocrd_validate(tmp_path / "p.page.xml")
        pc = {"pc": PAGE_NS}
        root = etree.fromstring(xml.encode())
        types = [r.get("type") for r in root.iterfind(".//pc:TextRegion", pc)]
        assert types == ["header", "heading", "heading", "paragraph", "caption", "other",
                         "floating", "footnote", "page-number"]
        assert root.find(".//pc:TableRegion/pc:TextRegion", pc) is not None
        assert root.find(".//pc:MathsRegion", pc) is not None


def test_page_xml_with_every_kind_validates(tmp_path, page_schema):
    from test_formats import _assert_valid

    for keep in (False, True):
        _assert_valid(page_schema, page_xml(_every_kind_page(_scan(tmp_path), keep_headers=keep)))


@pytest.fixture(scope="module")
def page_schema():
    import ocrd_validators
    from lxml import etree

    xsd = Path(ocrd_validators.__file__).parent / "page.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


# ----------------------------------------------------------------- re-runs and the manifest

def _files_naming(out: Path, word: str) -> list[str]:
    found = []
    for p in out.rglob("*"):
        if p.is_file() and not p.name.startswith("manifest") and word.encode() in p.read_bytes():
            found.append(p.relative_to(out).as_posix())
    return sorted(found)


def test_rerun_with_another_engine_leaves_no_file_naming_the_old(tmp_path):
    make_pages(tmp_path / "in", 2)
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "in", "-o", out, "-j", "1",
                    "--formats", "page,alto,hocr,md,pdf")
    assert r.returncode == 0, r.stderr
    assert _files_naming(out, "tesseract")  # PAGE, ALTO, hOCR and JSON say it
    assert {x["formats"] for x in rows(out)} == {"txt,json,overlay,page,alto,hocr,md,pdf"}

    r = run_magscan("rerun", out, "--pages", "p001", "--engine", "ppocr", "-j", "1")
    assert r.returncode == 0, r.stderr
    assert not [f for f in _files_naming(out, "tesseract") if f.startswith("p001")]
    hocr = (out / "p001" / "page-0001.hocr").read_text(encoding="utf-8")
    assert "ppocr" in hocr
    # the document PDF was rewritten with the page's new text
    assert re.sub(r"\s", "", _pdf_words_in_order(out / "p001.pdf")) == \
        re.sub(r"\s", "", (out / "p001" / "page-0001.txt").read_text(encoding="utf-8"))

    # a re-run asked for fewer formats removes the others
    r = run_magscan("rerun", out, "--pages", "p002", "--formats", "txt,json,hocr",
                    "--no-overlays", "-j", "1")
    assert r.returncode == 0, r.stderr
    left = sorted(p.name for p in (out / "p002").iterdir())
    assert left == ["page-0001.hocr", "page-0001.json", "page-0001.txt"]
    got = {x["doc"]: x["formats"] for x in rows(out)}
    # p002's PDF is its document's: still there, rewritten, and listed
    assert got == {"p001": "txt,json,overlay,page,alto,hocr,md,pdf", "p002": "txt,json,hocr,pdf"}


def test_pdfa_through_the_command_line_is_recorded(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "in", "-o", out, "-j", "1", "--pdfa")
    assert r.returncode == 0, r.stderr
    from pikepdf.pdfa import validate_written
    assert validate_written(out / "p001.pdf", "2b").passed
    assert rows(out)[0]["formats"] == "txt,json,overlay,pdfa"


def test_rerun_of_pages_that_do_not_exist_fails_with_a_message(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    assert run_magscan("convert", tmp_path / "in", "-o", out, "-j", "1").returncode == 0
    before = rows(out)
    r = run_magscan("rerun", out, "--pages", "p001:2-3")
    assert r.returncode == 2
    assert "has no pages 2 to 3" in r.stderr and "its pages: 1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert rows(out) == before  # nothing was touched


def test_repair_page_xml_names_the_image_not_the_hocr(tmp_path):
    from lxml import etree

    scan = _scan(tmp_path, name="scan.png")
    page = _every_kind_page(scan)
    hocr = tmp_path / "engine.hocr"
    hocr.write_text(hocr_html(page), encoding="utf-8")
    scan.unlink()  # named by the hOCR, but not there: still the image it names
    out = tmp_path / "out"
    r = run_magscan("repair", hocr, "-o", out, "--formats", "page")
    assert r.returncode == 0, r.stderr
    xml = (out / "engine" / "page-0001.page.xml").read_bytes()
    img = etree.fromstring(xml).find(f"{{{PAGE_NS}}}Page").get("imageFilename")
    assert img.endswith("scan.png") and not img.endswith(".hocr")


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_pdf_input_text_lands_on_its_print_whatever_the_rotation_and_crop(tmp_path, rotate):
    """A PDF page with a crop box and /Rotate: ingest sees it as shown; the
    text for what it saw there lands on the same mark of the kept page."""
    import pikepdf
    import pdfplumber
    from reportlab.pdfgen import canvas

    src = tmp_path / "in.pdf"
    c = canvas.Canvas(str(src), pagesize=(400, 600))
    c.rect(100, 300, 120, 30, fill=1)
    c.showPage()
    c.save()
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = rotate
        pdf.pages[0].CropBox = [10, 20, 390, 580]
        pdf.save(src)
    with pdfplumber.open(src) as pdf:  # as ingest renders it
        shown = np.asarray(pdf.pages[0].to_image(resolution=150).original.convert("L"))
        rect = pdf.pages[0].rects[0]
    ys, xs = np.nonzero(shown < 128)
    bb = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    b = Block(0, "body", BBox(*bb), lines=[Line(BBox(*bb), "中文", 90.0)], text="中文", order=0)
    page = Page(source=str(src), page_number=1, width=shown.shape[1], height=shown.shape[0],
                dpi=150, blocks=[b], engine="test", options={"dpi": 150})
    out = tmp_path / "out"
    write_page(out / "in", page)
    pdf_path = write_document_formats(out, "in", ("pdf",))["pdf"]
    with pdfplumber.open(pdf_path) as pdf:
        cs = [ch for ch in pdf.pages[0].chars if ch["text"] in "中文"]
    got = (min(ch["x0"] for ch in cs), min(ch["top"] for ch in cs),
           max(ch["x1"] for ch in cs), max(ch["bottom"] for ch in cs))
    assert got == pytest.approx((rect["x0"], rect["top"], rect["x1"], rect["bottom"]), abs=1.5)


def test_export_adds_its_formats_to_the_manifest(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    assert run_magscan("convert", tmp_path / "in", "-o", out, "-j", "1",
                       "--no-overlays").returncode == 0
    assert rows(out)[0]["formats"] == "txt,json"
    r = run_magscan("export", out, "--formats", "alto,pdf", "--pdfa")
    assert r.returncode == 0, r.stderr
    assert rows(out)[0]["formats"] == "txt,json,alto,pdfa"

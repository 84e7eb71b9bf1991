"""Searchable PDF of one input document: the original scan, untouched, with
invisible text (render mode 3) over the printed lines, written in our
reading order.

What is kept is what an archive needs:

- an image input becomes its own image, as the file holds it (a JPEG is
  not re-encoded; PNG and TIFF data go in losslessly through img2pdf), in
  colour, at its pixel size, the page sized from its resolution (the
  file's, or the one magscan measured or assumed: ``Page.dpi``);
- a PDF input keeps its pages as they are (vector content, fonts, images),
  only a text layer is added; pages read from their own text layer get
  none (they have text already). When every page was converted the file
  is the input itself (its outline, links and metadata too); otherwise the
  converted pages are copied into a new one.

Our coordinates are those of the deskewed, cropped page; ``Page.transform``
maps them to the scan's pixels, and the scan's pixels map to the PDF page
(its resolution, and for a PDF input the rendered crop box and rotation).
Each line is one run of text whose text matrix is that whole chain, so it
lies over the printed line, skew and all, and the characters are stretched
over the line's width (Han characters get no gaps that extraction would
turn into spaces).

Text order is the point: a reader that takes text in the order the file
holds it (copy and paste in most viewers, ``pdftotext -raw``, pdfminer,
pdfplumber's ``extract_text(use_text_flow=True)``) gets the columns one
after the other. Readers that rebuild lines from positions instead
(pdfplumber's default ``extract_text()``, which sorts by height first) merge
lines that share a baseline across columns, whatever order the file has: no
honest placement avoids that, so we do not bend the text layer to it.

The font is embedded and glyphless (``pdffont``). ``pdfa=True`` makes the
file PDF/A-2b (pikepdf declares it, adds the sRGB output intent and the XMP
metadata, and validates the bytes it wrote); a document that cannot be made
PDF/A (a PDF input with fonts that are not embedded, say) raises
MagscanError naming the reason.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ...errors import MagscanError
from ...model import Page
from .flow import page_flow
from .pdffont import DESCENT, encode, type0_font

__all__ = ["document_pdf", "text_matrices", "TEXT_ENGINE_SKIPPED"]

# pages read from the PDF's own text layer already carry their text
TEXT_ENGINE_SKIPPED = "pdf-text-layer"
_FONT_KEY = "/MagscanText"


def _sort_key(p: Page) -> tuple:
    return (p.page_number, {"": 0, "L": 1, "R": 2}.get(p.part, 3), p.part)


def _affine(m) -> np.ndarray:
    a = np.eye(3)
    a[:2, :] = np.asarray(m, dtype=np.float64)
    return a


def text_matrices(page: Page, to_pdf: np.ndarray):
    """(text, PDF text matrix) of each line of the page's text, in reading
    order; ``to_pdf`` (3x3) maps scan pixels to PDF user space."""
    chain = to_pdf @ _affine(page.transform)
    for fb in page_flow(page):  # every region: running heads and page numbers too
        for ln in fb.lines:
            bb = ln.bbox
            codes, shown = encode(ln.text)
            if not shown or bb.width <= 0 or bb.height <= 0:
                continue
            size = float(bb.height)
            # text space (1 em = 1 unit, y up) -> page pixels (y down)
            line = np.array([[bb.width / len(shown), 0.0, bb.x0],
                             [0.0, -size, bb.y1 - DESCENT * size], [0.0, 0.0, 1.0]])
            m = chain @ line
            yield shown, codes, (m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])


def _num(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _text_stream(items) -> bytes:
    out = [f"BT 3 Tr {_FONT_KEY} 1 Tf"]
    for _, codes, m in items:
        out.append(" ".join(_num(v) for v in m) + f" Tm <{codes.hex().upper()}> Tj")
    out.append("ET")
    return ("\n".join(out) + "\n").encode("ascii")


def _pixels_to_pdf(k: float, box, rotate: int) -> np.ndarray:
    """Scan pixels (top-left origin, y down, ``k`` pt each) of the page as
    displayed (the crop box ``box`` turned by /Rotate) -> PDF user space."""
    x0, y0, x1, y1 = box
    m = {0: [[k, 0, x0], [0, -k, y1]],
         90: [[0, k, x0], [k, 0, y0]],
         180: [[-k, 0, x1], [0, k, y0]],
         270: [[0, -k, x1], [-k, 0, y1]]}[rotate % 360]
    return _affine(m)


class _Doc:
    """The output document and the characters its text layer uses."""

    def __init__(self) -> None:
        import pikepdf

        self.pdf = pikepdf.new()
        self.chars: set[str] = set()
        self.text_pages: list = []   # pages whose /Font needs the font
        # source files whose pages were copied: open until the output is written
        self.sources: list = []

    def add_text(self, pg, items: list) -> None:
        import pikepdf

        if not items:
            return
        for shown, _, _ in items:
            self.chars.update(shown)
        pg.contents_add(pikepdf.Stream(self.pdf, b"q\n"), prepend=True)
        pg.contents_add(pikepdf.Stream(self.pdf, b"\nQ\n" + _text_stream(items)))
        self.text_pages.append(pg)

    def finish(self) -> None:
        from pikepdf import Dictionary, Name

        if not self.text_pages:
            return
        font = type0_font(self.pdf, self.chars)
        for pg in self.text_pages:
            if Name.Resources not in pg.obj:
                pg.obj.Resources = Dictionary()
            res = pg.obj.Resources
            if Name.Font not in res:
                res.Font = Dictionary()
            res.Font[_FONT_KEY] = font


def _image_xobjects(source: Path, dpi: float) -> list:
    """One image XObject per frame of the scan, as img2pdf embeds it (the
    JPEG as it is, PNG/TIFF data without loss); frames img2pdf refuses (an
    alpha channel) are flattened on white first, as ingest reads them."""
    import img2pdf
    import pikepdf

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    try:
        data = img2pdf.convert(str(source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError, TypeError,
            NotImplementedError):
        data = img2pdf.convert(*_flattened_frames(source), layout_fun=layout)
    src = pikepdf.open(io.BytesIO(data))
    images = []
    for pg in src.pages:
        xobjs = [x for x in pg.obj.Resources.XObject.values() if x.get("/Subtype") == "/Image"]
        if len(xobjs) != 1:
            raise MagscanError(f"{source}: a frame did not convert to one image")
        images.append(xobjs[0])
    return src, images


def _flattened_frames(source: Path) -> list[bytes]:
    from PIL import Image, ImageSequence

    out = []
    with Image.open(source) as im:
        for frame in ImageSequence.Iterator(im):
            f = frame.convert("RGBA")
            bg = Image.new("RGBA", f.size, (255, 255, 255, 255))
            flat = Image.alpha_composite(bg, f).convert("RGB")
            if frame.mode in ("L", "LA", "1", "I;16", "I"):
                flat = flat.convert("L")
            buf = io.BytesIO()
            flat.save(buf, format="PNG")
            out.append(buf.getvalue())
    return out


def _image_document(doc: _Doc, source: Path, by_number: dict[int, list[Page]]) -> None:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    dpi = float(next(iter(by_number.values()))[0].dpi)
    src, images = _image_xobjects(source, dpi)
    doc.sources.append(src)
    for n in sorted(by_number):
        if n > len(images):
            raise MagscanError(f"{source}: has no page {n} any more "
                               "(the scan changed since it was converted)")
        pages = by_number[n]
        img = doc.pdf.copy_foreign(images[n - 1])
        w_px, h_px = int(img.Width), int(img.Height)
        k = 72.0 / float(pages[0].dpi)
        w_pt, h_pt = w_px * k, h_px * k
        content = pikepdf.Stream(doc.pdf, f"q {_num(w_pt)} 0 0 {_num(h_pt)} 0 0 cm /Scan Do Q\n"
                                 .encode("ascii"))
        pg_obj = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, w_pt, h_pt]),
                            Resources=Dictionary(XObject=Dictionary(Scan=img)),
                            Contents=content)
        doc.pdf.pages.append(pikepdf.Page(doc.pdf.make_indirect(pg_obj)))
        pg = doc.pdf.pages[-1]
        to_pdf = _pixels_to_pdf(k, (0, 0, w_pt, h_pt), 0)
        doc.add_text(pg, [it for p in pages for it in text_matrices(p, to_pdf)])


def _pdf_document(doc: _Doc, source: Path, by_number: dict[int, list[Page]]) -> None:
    import pikepdf

    src = pikepdf.open(source)
    doc.sources.append(src)
    whole = sorted(by_number) == list(range(1, len(src.pages) + 1))
    if whole:  # every page converted: the input itself (outline, links, metadata kept)
        doc.pdf = src
    for n in sorted(by_number):
        if n > len(src.pages):
            raise MagscanError(f"{source}: has no page {n} any more "
                               "(the scan changed since it was converted)")
        if whole:
            pg = src.pages[n - 1]
        else:  # some pages failed: those that did not are copied
            doc.pdf.pages.append(src.pages[n - 1])
            pg = doc.pdf.pages[-1]
        pages = [p for p in by_number[n] if p.engine != TEXT_ENGINE_SKIPPED]
        if not pages:
            continue
        # ingest rendered the crop box, turned by /Rotate, at the options' dpi
        raster = float(pages[0].options.get("dpi") or pages[0].dpi)
        box = [float(v) for v in pg.cropbox]
        rotate = int(pg.obj.get("/Rotate", 0))
        to_pdf = _pixels_to_pdf(72.0 / raster, box, rotate)
        doc.add_text(pg, [it for p in pages for it in text_matrices(p, to_pdf)])


def document_pdf(pages: list[Page], title: str = "", pdfa: bool = False) -> bytes:
    """The PDF of one document's pages (all from one scan file), as bytes.

    Raises MagscanError naming the scan when it cannot be read again or no
    longer has a page the results refer to, or why PDF/A could not be made.
    """
    import pikepdf

    if not pages:
        raise MagscanError("no pages to write")
    pages = sorted(pages, key=_sort_key)
    sources = {p.source for p in pages}
    if len(sources) != 1:
        raise MagscanError(f"pages come from several scans: {', '.join(sorted(sources))}")
    source = Path(pages[0].source)
    by_number: dict[int, list[Page]] = {}
    for p in pages:
        by_number.setdefault(p.page_number, []).append(p)
    doc = _Doc()
    try:
        try:
            if source.suffix.lower() == ".pdf":
                _pdf_document(doc, source, by_number)
            else:
                _image_document(doc, source, by_number)
        except MagscanError:
            raise
        except Exception as e:  # noqa: BLE001 - img2pdf, PIL and qpdf fail in many ways
            reason = getattr(e, "strerror", None) or f"{type(e).__name__}: {e}"
            raise MagscanError(f"cannot read the scan again: {source}: {reason}") from e
        doc.finish()
        if pikepdf.Name.Title not in doc.pdf.docinfo:
            doc.pdf.docinfo[pikepdf.Name.Title] = title or source.stem
        doc.pdf.docinfo[pikepdf.Name.Creator] = "magscan"
        return _save(doc.pdf, pdfa, source)
    finally:
        for s in doc.sources:
            s.close()


def _save(pdf, pdfa: bool, source: Path) -> bytes:
    buf = io.BytesIO()
    if not pdfa:
        pdf.save(buf, deterministic_id=True, compress_streams=True)
        return buf.getvalue()
    from pikepdf.pdfa import PdfaError, save

    try:
        save(pdf, buf, "2b", output_intent="sRGB", deterministic_id=True)
    except PdfaError as e:
        found = e.report.violations or e.report.unsupported  # the rules broken first
        what = "; ".join(sorted({f.message for f in found})[:3])
        raise MagscanError(f"{source}: cannot be written as PDF/A-2b (pikepdf's validator: "
                           f"{what or e})") from e
    return buf.getvalue()

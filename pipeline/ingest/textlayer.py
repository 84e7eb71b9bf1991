"""PDF pages with a usable text layer: characters and boxes from PDFium's text
page API (pypdfium2, which pdfplumber installs), no OCR. The characters go
through the box layout (layout.boxes), the same reading-order resolver and
the same text assembly as OCRed pages (``convert_boxes.page_from_text_layer``).

PDFium parses a page's content in C; pdfminer (under pdfplumber) did it in
Python and took most of a text-layer page's time (about 1.5 s a page
against a few milliseconds). Each character's box is PDFium's *loose* box:
the advance width across and the font's ascent to descent up and down, the
metrics pdfminer's boxes come from, so the layout sees the same rows and
gutters as before.

Auto rule (``options.text_layer == "auto"``), page by page:

* at least ``MIN_CHARS`` visible characters (non-space), and
* not an OCR layer hidden under a scan: if the page has an image covering
  most of it (>= 50 %) *and* most characters are drawn invisibly (text
  render mode 3, as OCRmyPDF/Tesseract write them, or zero-size), the layer
  is somebody's OCR whose order we cannot trust the glyph boxes of -- OCR
  the page instead.

Coordinates: PDF points from the top-left of the page's crop box, scaled by
dpi/72, so a text-layer page and a scanned page of the same PDF share one
pixel space.
"""
from __future__ import annotations

import ctypes
import math

from ..errors import InputError
from ..options import Options

MIN_CHARS = 20          # fewer visible characters: treat the page as scanned
IMAGE_COVER = 0.5       # an image covering this much of the page may hide the real text
_INVISIBLE_MODE = 3     # PDF text render mode "neither fill nor stroke"

__all__ = ["text_layer_atoms", "page_chars", "MIN_CHARS"]


def _open(path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise InputError(path, "encrypted PDF (a password is needed)") from e
        raise InputError(path, f"cannot read PDF: {msg}") from e
    except OSError as e:
        raise InputError(path, f"cannot read PDF: {e}") from e


def page_chars(page, modes: bool = True) -> tuple[list[tuple], tuple[float, float]]:
    """The characters of a pypdfium2 page as (x0, top, x1, bottom, text,
    invisible) in points from the crop box's top-left corner, and that box's
    (width, height). White space is left out (with it the spaces and line
    breaks PDFium infers between words, which pdfminer never had).
    ``modes=False`` skips the look-up of how each character is drawn
    (``invisible`` is then False): it is needed only on a page under a scan."""
    import pypdfium2.raw as raw

    x0c, y0c, x1c, y1c = page.get_cropbox()
    tp = page.get_textpage()
    try:
        n = raw.FPDFText_CountChars(tp)
        box, m = raw.FS_RECTF(), raw.FS_MATRIX()
        by_object = hasattr(raw, "FPDFText_GetTextObject")
        out = []
        for i in range(n):
            u = raw.FPDFText_GetUnicode(tp, i)   # the whole code point, outside the BMP too
            ch = chr(u) if 0 < u <= 0x10FFFF and not 0xD800 <= u < 0xE000 else ""
            if not ch.strip() or not raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(box)):
                continue
            invisible = False
            if modes:
                # (FPDFText_GetTextObject is in pypdfium2's PDFium since 2023)
                obj = raw.FPDFText_GetTextObject(tp, i) if by_object else None
                invisible = bool((obj and raw.FPDFTextObj_GetTextRenderMode(obj) == _INVISIBLE_MODE)
                                 or raw.FPDFText_GetFontSize(tp, i) <= 0.1)
            # pdfminer's height: the font size through the text's matrix, from
            # the descent up (PDFium's loose top also takes in a glyph that
            # sticks out above the em, so lines would vary in height)
            bottom = min(box.top, box.bottom)
            size = raw.FPDFText_GetFontSize(tp, i)
            if size > 0 and raw.FPDFText_GetMatrix(tp, i, ctypes.byref(m)):
                top = bottom + size * math.hypot(m.c, m.d)
            else:
                top = max(box.top, box.bottom)
            out.append((box.left - x0c, y1c - top, box.right - x0c, y1c - bottom, ch, invisible))
    finally:
        tp.close()
    return out, (x1c - x0c, y1c - y0c)


def _image_cover(page, size: tuple[float, float]) -> float:
    """The share of the page covered by images (each clipped to the page),
    images inside form XObjects included. Through the raw API: wrapping every
    page object in Python (a text page has thousands) costs more than the
    characters."""
    import pypdfium2.raw as raw

    x0c, y0c, _, _ = page.get_cropbox()
    w, h = size
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    covered = 0.0

    def visit(count, get, depth):
        nonlocal covered
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_IMAGE and raw.FPDFPageObj_GetBounds(
                    obj, ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t)):
                covered += (max(0.0, min(r.value - x0c, w) - max(l.value - x0c, 0.0))
                            * max(0.0, min(t.value - y0c, h) - max(b.value - y0c, 0.0)))
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 3:
                visit(raw.FPDFFormObj_CountObjects(obj),
                      lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j), depth + 1)

    visit(raw.FPDFPage_CountObjects(page), lambda i: raw.FPDFPage_GetObject(page, i), 1)
    return covered / (float(w * h) or 1.0)


def _usable(chars, under_scan: bool) -> bool:
    if len(chars) < MIN_CHARS:
        return False
    # a page under a scan whose characters are mostly invisible: somebody's OCR
    return not (under_scan and sum(c[5] for c in chars) > 0.5 * len(chars))


def text_layer_atoms(path, page_number: int, options: Options):
    """The characters of the PDF page's text layer, as ((x0, y0, x1, y1), char)
    in page pixels at ``options.dpi``, and the page's size in those pixels;
    None when the page has no usable layer (the caller OCRs it).
    ``options.text_layer``: "never" -> None; "only" -> InputError instead of None."""
    if options.text_layer == "never":
        return None
    pdf = _open(path)
    try:
        if not 1 <= page_number <= len(pdf):
            raise InputError(path, f"page {page_number} out of range (1..{len(pdf)})")
        page = pdf[page_number - 1]
        try:
            x0c, y0c, x1c, y1c = page.get_cropbox()
            under_scan = _image_cover(page, (x1c - x0c, y1c - y0c)) >= IMAGE_COVER
            chars, size = page_chars(page, modes=under_scan)
            usable = _usable(chars, under_scan)
        finally:
            page.close()
    finally:
        pdf.close()
    if not usable:
        if options.text_layer == "only":
            raise InputError(path, f"page {page_number} has no text layer (--text-layer only)")
        return None
    k = options.dpi / 72.0
    atoms = [((x0 * k, top * k, x1 * k, bottom * k), ch) for x0, top, x1, bottom, ch, _ in chars]
    return atoms, (size[0] * k, size[1] * k)

"""PDF pages with a usable text layer: characters and boxes from pdfplumber,
no OCR. The characters go through the box layout (layout_boxes), the same
reading-order resolver and the same text assembly as OCRed pages.

Auto rule (``options.text_layer == "auto"``), page by page:

* at least ``MIN_CHARS`` visible characters (non-space), and
* not an OCR layer hidden under a scan: if the page has an image covering
  most of it (>= 50 %) *and* most characters are drawn invisibly (text
  render mode 3, as OCRmyPDF/Tesseract write them; pdfminer does not expose
  the mode, so we approximate with "no fill and no stroke colour" /
  zero-size fonts), the layer is somebody's OCR whose order we cannot trust
  the glyph boxes of -- OCR the page instead.

Coordinates: PDF points scaled by dpi/72, top-left origin (pdfplumber's
``top`` is already measured from the top), so a text-layer page and a scanned
page of the same PDF share one pixel space.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..layout.boxes import lines_from_chars, page_from_boxes
from ..options import Options

MIN_CHARS = 20          # fewer visible characters: treat the page as scanned
IMAGE_COVER = 0.5       # an image covering this much of the page may hide the real text

__all__ = ["page_from_text_layer", "MIN_CHARS"]


def _invisible(c: dict) -> bool:
    return (c.get("size", 1) <= 0.1
            or (c.get("non_stroking_color") is None and c.get("stroking_color") is None
                and c.get("fill") is False))


def _usable(page, chars: list[dict]) -> bool:
    visible = [c for c in chars if c.get("text", "").strip()]
    if len(visible) < MIN_CHARS:
        return False
    area = float(page.width * page.height) or 1.0
    covered = sum(max(0.0, (min(i["x1"], page.width) - max(i["x0"], 0)))
                  * max(0.0, (min(i["bottom"], page.height) - max(i["top"], 0)))
                  for i in page.images)
    if covered / area >= IMAGE_COVER:
        hidden = sum(_invisible(c) for c in visible)
        if hidden > 0.5 * len(visible):
            return False
    return True


def page_from_text_layer(path, page_number: int, options: Options):
    """The Page from the PDF's text layer, or None when the page has no usable
    one (the caller OCRs it). ``options.text_layer``: "never" -> None;
    "only" -> InputError instead of None."""
    if options.text_layer == "never":
        return None
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(str(path))
    except (PDFSyntaxError, OSError, ValueError) as e:
        raise InputError(path, f"cannot read PDF: {e}") from e
    with pdf:
        if not 1 <= page_number <= len(pdf.pages):
            raise InputError(path, f"page {page_number} out of range (1..{len(pdf.pages)})")
        page = pdf.pages[page_number - 1]
        chars = page.chars
        if not _usable(page, chars):
            if options.text_layer == "only":
                raise InputError(path, f"page {page_number} has no text layer (--text-layer only)")
            return None
        k = options.dpi / 72.0
        ox, oy = float(page.bbox[0]), float(page.bbox[1])
        atoms = [(((c["x0"] - ox) * k, (c["top"] - oy) * k, (c["x1"] - ox) * k, (c["bottom"] - oy) * k),
                  c["text"]) for c in chars if c.get("text", "").strip()]
        width, height = float(page.width) * k, float(page.height) * k
    lines = lines_from_chars(atoms)
    return page_from_boxes(lines, source=str(path), page_number=page_number, width=width,
                           height=height, dpi=options.dpi, engine="pdf-text-layer",
                           options={**options.to_dict(), "fingerprint": options.fingerprint()})

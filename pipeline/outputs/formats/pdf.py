"""Searchable PDF of one input document: each page's scan, straightened and
cropped the way we read it, with invisible text (render mode 3) over the
lines, written in our reading order.

Text order is the point: a reader that takes text in the order the file
holds it (copy and paste in most viewers, ``pdftotext -raw``, pdfplumber's
``extract_text(use_text_flow=True)``) gets the columns one after the other.
Each line is one run of text stretched (horizontal scaling) over the
line's box, so characters sit over their glyphs and Han characters have no
gaps that extraction would turn into spaces.

Readers that rebuild lines from positions instead (pdfplumber's default
``extract_text()``, which sorts by height first) merge lines that share a
baseline across columns, whatever order the file has: no honest placement
avoids that, so we do not bend the text layer to it.

The font is the built-in CID font STSong-Light (Adobe-GB1): readers know it
without embedding, so the text layer costs a few kilobytes per page.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import cv2
import numpy as np

from ...errors import MagscanError
from ...model import Page
from ...options import Options
from .flow import page_flow

__all__ = ["document_pdf", "page_image", "FONT", "JPEG_QUALITY"]

FONT = "STSong-Light"
JPEG_QUALITY = 70
# pdfminer (and most viewers) box a glyph from baseline + descent to that plus
# the font size; STSong-Light's descent is -0.271 em, so the baseline goes
# that far above the line's bottom for the glyph box to match the line box.
_DESCENT = 0.271
# Characters outside the Basic Multilingual Plane cannot be encoded in
# UniGB-UCS2-H; the geta mark is the typesetter's stand-in for a missing glyph.
_GETA = "〓"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _encodable(text: str) -> str:
    return "".join(c if ord(c) <= 0xFFFF else _GETA for c in text)


def page_image(page: Page, scan: np.ndarray) -> np.ndarray:
    """The scan warped into the page's pixel frame (deskewed, cropped, one
    half of a spread): ``Page.transform`` maps page pixels to scan pixels."""
    m = np.array(page.transform, dtype=np.float64)
    paper = int(np.percentile(scan[::8, ::8], 90)) if scan.size else 255
    return cv2.warpAffine(scan, m, (page.width, page.height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=paper)


def _options(page: Page) -> Options:
    known = {f.name for f in fields(Options)}
    d = {k: v for k, v in page.options.items() if k in known}
    d["dpi"] = page.dpi  # rasterise a PDF input exactly as it was for OCR
    return Options.from_dict(d)


def _draw_page(c, page: Page, jpeg: bytes) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth

    s = 72.0 / page.dpi
    w_pt, h_pt = page.width * s, page.height * s
    c.setPageSize((w_pt, h_pt))
    c.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, w_pt, h_pt)
    font = _font()
    for fb in page_flow(page):
        if not fb.in_text:
            continue
        for ln in fb.lines:
            text = _encodable(ln.text)
            bb = ln.bbox
            if not text or bb.width <= 0 or bb.height <= 0:
                continue
            size = max(1.0, bb.height * s)
            natural = stringWidth(text, font, size)
            t = c.beginText()
            t.setTextRenderMode(3)
            t.setFont(font, size)
            if natural > 0:
                t.setHorizScale(100.0 * bb.width * s / natural)
            t.setTextOrigin(bb.x0 * s, h_pt - bb.y1 * s + _DESCENT * size)
            t.textOut(text)
            c.drawText(t)
    c.showPage()


@contextmanager
def _binary_streams():
    """reportlab wraps every stream, JPEGs too, in ASCII85 (+25% bytes)
    unless its process-wide ``useA85`` is off: off while we write, then back."""
    from reportlab import rl_config

    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _sort_key(p: Page) -> tuple:
    return (p.page_number, {"": 0, "L": 1, "R": 2}.get(p.part, 3), p.part)


def document_pdf(pages: list[Page], title: str = "") -> bytes:
    """The PDF of one document's pages (all from one scan file), as bytes.

    Raises MagscanError naming the scan when it cannot be read again or no
    longer has a page the results refer to.
    """
    from reportlab.pdfgen import canvas

    from ...errors import InputError
    from ...ingest.files import load_pages

    if not pages:
        raise MagscanError("no pages to write")
    pages = sorted(pages, key=_sort_key)
    sources = {p.source for p in pages}
    if len(sources) != 1:
        raise MagscanError(f"pages come from several scans: {', '.join(sorted(sources))}")
    source = pages[0].source
    buf = io.BytesIO()
    # invariant: no creation date or random ID, so a re-export is byte-identical
    c = canvas.Canvas(buf, pageCompression=1, invariant=1)
    c.setTitle(title or Path(source).stem)
    c.setCreator("magscan")
    todo = list(pages)
    with _binary_streams():
        try:
            for src in load_pages(source, _options(pages[0])):
                while todo and todo[0].page_number == src.page_number:
                    page = todo.pop(0)
                    ok, jpg = cv2.imencode(".jpg", page_image(page, src.image),
                                           [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
                    if not ok:
                        raise MagscanError(f"{source}: page {page.page_number}: "
                                           "image could not be encoded")
                    _draw_page(c, page, jpg.tobytes())
                if not todo:
                    break
        except InputError as e:
            raise MagscanError(f"cannot read the scan again: {e}") from e
        if todo:
            raise MagscanError(f"{source}: has no page {todo[0].page_number} any more "
                               "(the scan changed since it was converted)")
        c.save()
    return buf.getvalue()

"""Coordinates for the layout formats: the original scan's pixels.

PAGE, ALTO and hOCR name an image and give coordinates in it; the image a
reader has is the scan we were given, not our deskewed, border-cropped page
(which we never write). So every box is mapped through ``Page.transform``
(page pixels -> scan pixels): PAGE gets the exact quadrilateral, ALTO and hOCR
the axis-aligned box around it, as Tesseract reports boxes on a skewed input.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ...model import BBox, Page

__all__ = ["SourceFrame", "source_frame", "image_ref"]


@dataclass(frozen=True)
class SourceFrame:
    filename: str
    width: int
    height: int
    affine: tuple[tuple[float, float, float], tuple[float, float, float]]
    size_known: bool = True  # False: the scan could not be read; size from the page extent

    def point(self, x: float, y: float) -> tuple[float, float]:
        (a, b, c), (d, e, f) = self.affine
        return a * x + b * y + c, d * x + e * y + f

    def _clamp(self, x: float, y: float) -> tuple[int, int]:
        return (min(max(int(round(x)), 0), self.width), min(max(int(round(y)), 0), self.height))

    def quad(self, bb: BBox) -> list[tuple[int, int]]:
        """The box's corners in the scan, clockwise from top-left."""
        corners = ((bb.x0, bb.y0), (bb.x1, bb.y0), (bb.x1, bb.y1), (bb.x0, bb.y1))
        return [self._clamp(*self.point(x, y)) for x, y in corners]

    def box(self, bb: BBox) -> tuple[int, int, int, int]:
        """Axis-aligned (x0, y0, x1, y1) around the box in the scan."""
        q = self.quad(bb)
        xs, ys = [p[0] for p in q], [p[1] for p in q]
        return min(xs), min(ys), max(xs), max(ys)

    def baseline(self, bb: BBox) -> tuple[tuple[int, int], tuple[int, int]]:
        """The bottom edge of a line box in the scan (left end, right end)."""
        return (self._clamp(*self.point(bb.x0, bb.y1)), self._clamp(*self.point(bb.x1, bb.y1)))

    @property
    def rotation(self) -> float:
        """Degrees the page content is turned counter-clockwise in the scan."""
        (a, _, _), (d, _, _) = self.affine
        return -math.degrees(math.atan2(d, a))


def _image_size(path: Path, page_number: int) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        if page_number > 1:
            im.seek(page_number - 1)
        return im.size


def _pdf_size(path: Path, page_number: int, dpi: int) -> tuple[int, int]:
    # The size pdfplumber's rendering gives at this dpi (pypdfium2 rounds up).
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        w, h = doc[page_number - 1].get_size()
    finally:
        doc.close()
    return math.ceil(w * dpi / 72), math.ceil(h * dpi / 72)


def image_ref(source: str, out_dir: Path | None) -> str:
    """The scan's path as the output file should name it: relative to the
    folder the file is written to, so that a viewer opening the file finds
    the scan (and the pair survives moving OUT together with the inputs)."""
    if out_dir is None:
        return source
    try:
        src = Path(source).resolve(strict=True)
        out = Path(out_dir).resolve()
        if Path(os.path.commonpath([src, out])) == Path(src.anchor):
            return str(src)  # nothing in common but the root: absolute reads better
        return os.path.relpath(src, out)
    except (OSError, ValueError):  # gone, or on another drive: keep it as given
        return source


def source_frame(page: Page, out_dir: Path | None = None) -> SourceFrame:
    """The scan's name and size, and the page-to-scan affine.

    The size comes from the file's header (nothing is decoded); if the scan
    is gone or unreadable it is estimated from where the page's corners land.
    """
    ref = image_ref(page.source, out_dir)
    m = page.transform
    affine = (tuple(float(v) for v in m[0]), tuple(float(v) for v in m[1]))
    path = Path(page.source)
    try:
        if path.suffix.lower() == ".pdf":
            w, h = _pdf_size(path, page.page_number, page.dpi)
        else:
            w, h = _image_size(path, page.page_number)
        return SourceFrame(ref, int(w), int(h), affine)
    except (OSError, ValueError, RuntimeError, SyntaxError, EOFError, IndexError):
        pass  # PIL and pdfium fail in all these ways; any of them means "size unknown"
    probe = SourceFrame(ref, 1 << 30, 1 << 30, affine)
    corners = probe.quad(BBox(0, 0, page.width, page.height))
    w = max(1, max(p[0] for p in corners))
    h = max(1, max(p[1] for p in corners))
    return SourceFrame(ref, w, h, affine, size_known=False)

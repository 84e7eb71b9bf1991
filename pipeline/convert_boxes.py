"""Pages from text boxes instead of pixels: a PDF's text layer and other
engines' OCR output (hOCR, ALTO, PaddleOCR/RapidOCR JSON). The boxes go
through the box layout (``layout.boxes``), the reading order
(``readingorder.input_order``: the engine's own where it is sound) and the
same text assembly as a scanned page, which ``convert`` takes through pixels.
"""
from __future__ import annotations

import math
import time

from .ingest.ocr_files import OcrInput, read_input
from .ingest.textlayer import text_layer_atoms
from .layout.boxes import layout_from_boxes, unturn_blocks
from .layout.box_text import lines_from_chars
from .model import Flag, Page, TextBox
from .options import Options
from .readingorder.input_order import order_blocks
from .text.assemble import assemble_blocks

__all__ = ["page_from_boxes", "page_from_text_layer", "repair_file", "repair_input"]


def page_from_boxes(lines: list[TextBox], *, source: str, page_number: int, width: float,
                    height: float, dpi: int, engine: str, options: dict | None = None,
                    timings: dict | None = None):
    """The whole text path without pixels: layout, reading order, block text -> Page.
    ``timings``, when given, gets the seconds of ``layout`` and ``ordering``."""
    t0 = time.perf_counter()
    lay = layout_from_boxes(lines, width, height)
    t1 = time.perf_counter()
    page = Page(source=str(source), page_number=page_number, width=int(round(width)),
                height=int(round(height)), dpi=dpi, columns=lay.columns, engine=engine,
                options=dict(options or {}))
    blocks, flags, order = order_blocks(lay.blocks, lay.rank, lay.unit_of_piece)
    unturn_blocks(blocks, lay.tilt)
    page.blocks = blocks
    page.flags.extend(flags)
    if lay.n_split:
        page.flags.append(Flag("glued-lines-split", lay.n_split))
    if not page.blocks:
        page.flags.append(Flag("no-text-found"))
    page.diagnostics["layout"] = {"char_height": round(lay.em, 1), "gutters": len(lay.gutters),
                                  "skew_deg": round(math.degrees(math.atan(lay.tilt)), 2), "order": order,
                                  "source": "boxes"}
    assemble_blocks(page)
    for b in page.blocks:
        if b.lines:
            b.conf = sum(ln.conf for ln in b.lines) / len(b.lines)
    if timings is not None:
        timings["layout"] = round(t1 - t0, 3)
        timings["ordering"] = round(time.perf_counter() - t1, 3)
    return page


def page_from_text_layer(path, page_number: int, options: Options) -> Page | None:
    """The Page from the PDF's text layer, or None when the page has no usable
    one (the caller OCRs it). ``options.text_layer``: "never" -> None;
    "only" -> InputError instead of None. The page's ``timings`` say how long
    reading its characters (``decode``), the box layout (``layout``) and the
    reading order and text (``ordering``) took."""
    t0 = time.perf_counter()
    got = text_layer_atoms(path, page_number, options)
    if got is None:
        return None
    atoms, (width, height) = got
    t1 = time.perf_counter()
    lines = lines_from_chars(atoms)
    timings: dict[str, float] = {}
    page = page_from_boxes(lines, source=str(path), page_number=page_number, width=width,
                           height=height, dpi=options.dpi, engine="pdf-text-layer",
                           options={**options.to_dict(), "fingerprint": options.fingerprint()},
                           timings=timings)
    page.timings = {"decode": round(t1 - t0, 3), **timings}
    return page


def repair_file(path, options=None, fmt: str | None = None):
    """One OCR output file -> one Page in reading order (engine "repair:<format>")."""
    return repair_input(read_input(path, fmt), options)


def repair_input(src: OcrInput, options=None):
    """The Page of an OCR output already read. Its ``source`` is the page image
    the file names, whether it is there or not (so overlays, the report and
    the PDF find the scan as for a converted page, and PAGE/ALTO/hOCR name
    the image, not the OCR file), else the file itself."""
    options = options or Options()
    lines, size = src.lines, src.size
    if size is None:  # the boxes' extent, with the left/top margin mirrored
        size = (max(ln.bbox[2] for ln in lines) + min(ln.bbox[0] for ln in lines),
                max(ln.bbox[3] for ln in lines) + min(ln.bbox[1] for ln in lines))
    # the image the file names, found or not: layout formats name it as their
    # image (never the hOCR or ALTO file itself)
    source = src.image if src.image is not None else src.path
    return page_from_boxes(lines, source=str(source), page_number=1, width=size[0], height=size[1],
                           dpi=src.dpi or options.dpi, engine=f"repair:{src.fmt}",
                           options={**options.to_dict(), "fingerprint": options.fingerprint(),
                                    "repaired_from": str(src.path)})

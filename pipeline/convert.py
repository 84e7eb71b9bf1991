"""The per-page flow: preprocess -> layout -> OCR -> reading order -> text."""
from __future__ import annotations

import time

from .assemble import assemble_blocks
from .ingest import SourcePage
from .layout import analyse_layout
from .model import Page
from .ocr import OcrEngine, recognize_blocks
from .options import Options
from .preprocess import PageImage, preprocess
from .readingorder import resolve_order


def convert_source(src: SourcePage, options: Options, engine: OcrEngine) -> list[PageImage]:
    """One scanned image -> its pages: one, or two for a two-page spread (left, right)."""
    return [convert_page(src, options, engine)]


def convert_page(src: SourcePage, options: Options, engine: OcrEngine, part: str = "") -> PageImage:
    """Run every stage on one page image; returns the page and its images."""
    page = Page(source=str(src.source), page_number=src.page_number,
                width=int(src.image.shape[1]), height=int(src.image.shape[0]), dpi=src.dpi,
                options=options.to_dict(), part=part)
    timings = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = round(now - t, 3)
        t = now

    pimg = preprocess(page, src.image, options)
    lap("preprocess")
    try:
        pimg = analyse_layout(pimg, options)
    except Exception as e:  # noqa: BLE001 - never drop a page: fall back to one block
        from .model import BBox, Block
        page.blocks = [Block(id=0, kind="body", bbox=BBox(0, 0, page.width, page.height),
                             column=0, span=(0, 1))]
        page.flags.append(f"layout-fallback: {type(e).__name__}: {e}")
    lap("layout")
    pimg = recognize_blocks(pimg, engine, options)
    lap("ocr")
    result = resolve_order(page.blocks)
    page.blocks = result.blocks
    page.flags.extend(result.flags)
    assemble_blocks(page)
    lap("order_text")
    page.options = {**options.to_dict(), "fingerprint": options.fingerprint(),
                    "layout": page.options.get("layout", {})}
    page.timings = timings
    return pimg

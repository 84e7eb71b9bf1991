"""The per-page flow: [spread split] -> preprocess -> layout -> OCR -> reading order -> text."""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Callable

import numpy as np

from .text.assemble import assemble_blocks
from .errors import MagscanError, is_out_of_memory
from .ingest.files import SourcePage, load_page
from .layout.pixels import SCREEN_DPI, analyse_layout
from .layout.check import check_layout
from .layout.fallback import fall_back, use_learned
from .model import Flag, Page
from .recognition.stage import OcrEngine, recognize_blocks
from .options import Options
from .orientation import orient_source, record_orientation
from .vertical.regions import find_and_hide
from .vertical.blocks import add_to_layout
from .vertical import blocks as _vertical   # resolve (mirrored), assemble
from .image.preprocess import PageImage, preprocess
from .readingorder import resolve_order
from .image.spread import compose, split_spread
from .layout.tables import retype_tables

log = logging.getLogger(__name__)


def split_source(src: SourcePage, options: Options,
                 engine: OcrEngine | None = None) -> list[tuple[str, SourcePage, np.ndarray | None]]:
    """``(part, page image, affine to the scan)``: one whole page, or the two halves of a spread."""
    # the fold's width is judged in inches only where the file says how big an
    # inch is (a screen default of 72 or 96 says nothing); else in characters
    trusted = src.dpi_known and src.dpi not in SCREEN_DPI
    src, turned = orient_source(src, options, engine)
    halves = split_spread(src.image, options.max_skew, src.dpi if trusted else None)
    if not halves:
        log.debug("one page (no fold of a two-page spread found)")
        return [("", src, turned)]
    log.debug("a two-page spread: split at its fold into %s", " and ".join(h.part for h in halves))
    return [(h.part, replace(src, image=h.image),
             h.to_scan if turned is None else compose(turned, h.to_scan)) for h in halves]


def convert_source(src: SourcePage, options: Options, engine: OcrEngine) -> list[PageImage]:
    """One scanned image -> its pages: one, or two for a two-page spread (left, right)."""
    return [convert_page(s, options, engine, part, to_scan)
            for part, s, to_scan in split_source(src, options, engine)]


def layout_source(src: SourcePage, options: Options) -> list[PageImage]:
    """Everything but OCR: the pages of one scan with blocks found and ordered
    (for geometry-only benchmarks and tests)."""
    out = []
    for part, s, to_scan in split_source(src, options):
        pimg = analyse_page(s, options, part, to_scan)
        result = _vertical.resolve(pimg.page, resolve_order)
        pimg.page.blocks = result.blocks
        pimg.page.flags.extend(result.flags)
        out.append(pimg)
    return out


def analyse_page(src: SourcePage, options: Options, part: str = "",
                 to_scan: np.ndarray | None = None) -> PageImage:
    """Preprocess and layout of one page. A layout that fails its own checks
    is replaced by the best-measured of the other layouts of the page
    (``layout_fallback``), and the page is flagged."""
    page = Page(source=str(src.source), page_number=src.page_number,
                width=int(src.image.shape[1]), height=int(src.image.shape[0]), dpi=src.dpi,
                options=options.to_dict(), part=part, lang=options.lang)
    page.diagnostics["dpi_source"] = "file" if src.dpi_known else "assumed"
    record_orientation(page, src.orientation)
    what = f"page{part and ' ' + part}"
    log.debug("%s: %dx%d px at %d dpi (%s)", what, page.width, page.height, src.dpi,
              "stated by the file" if src.dpi_known else "assumed: --dpi; the file states none")
    t0 = time.perf_counter()
    pimg = preprocess(page, src.image, options)
    t1 = time.perf_counter()
    log.debug("%s: deskewed by %.2f degrees%s", what, page.deskew_angle,
              "" if options.deskew else " (--no-deskew)")
    page.timings["preprocess"] = round(t1 - t0, 3)
    vertical = find_and_hide(pimg)
    if vertical is not None and vertical.page_is_vertical:
        # what is left to the horizontal layout (a title, running heads, a
        # folio) is too little to tell the body size by: the title's display
        # type would pass as body type, and the running heads as specks
        pimg.body_ch = vertical.body_ch
    if to_scan is not None:   # a spread's half: map back through the split to the whole scan
        page.transform = [[round(float(v), 6) for v in row]
                          for row in compose(to_scan, np.asarray(page.transform))]
    regions = _regions(pimg, options)
    t2 = time.perf_counter()
    if regions is not None:
        page.timings["detector"] = round(t2 - t1, 3)
    try:
        pimg = analyse_layout(pimg, options, regions)
        page.diagnostics["layout_used"] = options.layout if options.layout != "auto" else "geometric+learned"
        if options.layout == "learned":
            use_learned(pimg, regions or [])
        problems = check_layout(pimg)
    except Exception as e:  # noqa: BLE001 - never drop a page: other layouts follow
        if is_out_of_memory(e):
            raise  # not a layout problem: its fallback's text would be recorded as done
        page.blocks = []
        problems = [f"nonsense: {type(e).__name__}: {e}"]
    severe = [p for p in problems if p.startswith("nonsense")]
    if vertical is not None and vertical.page_is_vertical:
        # the horizontal layout saw only the few lines round the columns
        # (title, running heads): nothing to fall back from
        severe = []
    if severe:
        log.debug("%s: the %s layout fails its checks (%s); falling back", what,
                  page.diagnostics.get("layout_used", options.layout), severe[0])
        page.diagnostics["layout_used"] = fall_back(pimg, regions, severe[0], options.lang,
                                                    options.ocr_timeout)
    for p in problems:
        if p not in severe:
            log.debug("%s: layout suspect: %s", what, p)
    page.flags.extend(Flag("layout-suspect", p) for p in problems if p not in severe)
    add_to_layout(pimg, vertical)
    log.debug("%s: layout %s: %d column(s), %d block(s)%s", what,
              page.diagnostics.get("layout_used", "?"), len(page.columns), len(page.blocks),
              "" if regions is not None else " (--layout geometric: no detector)")
    page.timings["layout"] = round(time.perf_counter() - t2, 3)
    return pimg


def _regions(pimg: PageImage, options: Options):
    """The learned detector's proposals for the page, or None (``--layout geometric``)."""
    straight, pimg.straight = pimg.straight, None   # only the detector needs it
    if options.layout == "geometric":
        return None
    from .layout.regions import detector
    return detector().detect(straight if straight is not None else pimg.gray)


class _BlockGuard:
    """An engine whose failure on one block costs that block's text, not the page.

    tesserocr raises a bare RuntimeError ("No text returned") when Tesseract
    leaves a word without text, e.g. on the "——" of a subtitle. Errors the
    engine knows (missing model, timeout: MagscanError) still end the page.
    """

    def __init__(self, engine: OcrEngine, flags: list[Flag]):
        self.engine, self.flags = engine, flags
        self.name = engine.name
        self.max_line_px = getattr(engine, "max_line_px", None)
        self.min_line_px = getattr(engine, "min_line_px", None)
        self.line_chars = getattr(engine, "line_chars", None)

    def check(self) -> None:
        self.engine.check()

    def recognize(self, crop, kind: str, n_lines: int):
        try:
            return self.engine.recognize(crop, kind, n_lines)
        except MagscanError:
            raise
        except RuntimeError as e:
            self.flags.append(Flag("ocr-error", f"a {kind} block of {n_lines} line(s): {e}"))
            return []


def convert_page(src: SourcePage, options: Options, engine: OcrEngine, part: str = "",
                 to_scan: np.ndarray | None = None) -> PageImage:
    """Run every stage on one page image; returns the page and its images."""
    pimg = analyse_page(src, options, part, to_scan)
    page = pimg.page
    timings = dict(page.timings)
    t = time.perf_counter()
    pimg = recognize_blocks(pimg, _BlockGuard(engine, page.flags), options)
    timings["recognition"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    if pimg.geometry is not None:
        found = retype_tables(page, pimg.geometry.segs, float(page.diagnostics["layout"]["char_height"]))
        if found:
            page.diagnostics["layout"]["tables_of_figures"] = found
    result = _vertical.resolve(page, resolve_order)
    page.blocks = result.blocks
    page.flags.extend(result.flags)
    assemble_blocks(page)
    _vertical.assemble(page)
    timings["ordering"] = round(time.perf_counter() - t, 3)
    page.options = {**options.to_dict(), "fingerprint": options.fingerprint()}
    page.timings = timings
    return pimg


def convert_input_page(path, page_number: int, options: Options,
                       engine_for: Callable[[Options], OcrEngine],
                       images: bool = True) -> list[tuple[Page, np.ndarray | None]]:
    """Page ``page_number`` of one input file -> its pages (two for a spread),
    each with its grayscale picture (None for a text-layer page when
    ``images`` is False): what ``magscan convert`` and ``pipeline.convert_file``
    both run. A PDF page whose text layer covers its text is read from it,
    no OCR (``--text-layer auto|only``); every other page is recognised by
    the engine ``engine_for(options)`` gives (made only when needed). The
    pages carry the flags of text magscan doubts (``text/plausibility.py``)."""
    from .text.plausibility import implausibility

    pages = _text_layer_pages(str(path), page_number, options, images)
    if pages is not None:
        log.debug("read from the PDF's text layer (--text-layer %s), no OCR", options.text_layer)
    else:
        log.debug("OCR with %s (%s)", options.engine, options.lang)
        t = time.perf_counter()
        src = load_page(path, page_number, options)
        decode = round(time.perf_counter() - t, 3)
        pages = [(p.page, p.gray) for p in convert_source(src, options, engine_for(options))]
        # the scan is decoded once for both halves of a spread: counted on the first
        first = pages[0][0]
        first.timings = {"decode": decode, **first.timings}
    for page, _ in pages:
        page.flags.extend(implausibility(page))
    return pages


def _text_layer_pages(path: str, page_number: int, options: Options, images: bool):
    """The page from a PDF's text layer where it covers the text, with the
    rendered page when ``images``; None sends the page to OCR."""
    if options.text_layer == "never" or not path.lower().endswith(".pdf"):
        return None
    from .convert_boxes import page_from_text_layer

    page = page_from_text_layer(path, page_number, options)
    if page is None:
        return None
    gray = None
    if images:  # the overlay needs the page's picture: render it
        gray = load_page(path, page_number, options).image
        if gray.shape != (page.height, page.width):  # rounding of points to pixels
            import cv2
            gray = cv2.resize(gray, (page.width, page.height), interpolation=cv2.INTER_AREA)
    return [(page, gray)]

"""Stage 3: recognise the text of each block.

Engines sit behind `OcrEngine`: given a grayscale crop, return lines with
words in crop coordinates. The stage crops, pads, calls the engine and maps
the boxes back to page coordinates, so a second engine only has to
implement `recognize`.
"""
from __future__ import annotations

import copy
from typing import Protocol

import cv2
import numpy as np

from . import tesseract
from .markers import attach_lone_markers, find_dashes, find_marker, paint_out, put_back, put_dash
from ..model import BBox, Block, Line, Word
from ..options import Options, split_lang
from .crops import _fit_line_height, _line  # noqa: F401 - the engines' shared helpers
from ..image.preprocess import PageImage
from .clean import clean_text

PAD = 12  # white border around a crop: Tesseract misses glyphs touching the edge


class OcrEngine(Protocol):
    name: str
    # optional: the text-line height (px) the engine reads best; taller crops
    # are scaled down to it before `recognize` (None: left as they are), and
    # crops whose lines are under ``min_line_px`` are scaled up to it
    max_line_px: int | None
    min_line_px: int | None
    # optional: the most characters a line the engine reads fastest per
    # character may hold; a vertical column set out as a line is read in
    # pieces of at most this many (None: whole)
    line_chars: int | None

    def check(self) -> None:
        """Raise EngineMissing when the engine cannot run here."""

    def recognize(self, crop: np.ndarray, kind: str, n_lines: int) -> list[Line]:
        """Lines (with words) of one block crop, in crop pixel coordinates."""


def _psm(forced: int | None, n_lines: int) -> int:
    if forced is not None:
        return forced
    # 7 = one text line, 6 = one uniform block; Tesseract's own page
    # segmentation (3) would re-split the block we already found.
    return 7 if n_lines == 1 else 6


# Tesseract's LSTM reads text lines about 36 px high best: on display type
# (titles 90-120 px high) it misreads every other character ("技能" -> "拉有能")
# and drops lines, and scaled down to this height it reads them right.
TESSERACT_LINE_PX = 36
# Below this it loses the strokes of Han characters (a low-resolution scan's
# 10-12 px body text): such crops are scaled up to TESSERACT_LINE_PX.
TESSERACT_MIN_LINE_PX = 24


class _Tesseract:
    """What both ways of running Tesseract share: the models asked for and the
    line heights it reads best."""

    max_line_px = TESSERACT_LINE_PX
    min_line_px = TESSERACT_MIN_LINE_PX

    def __init__(self, options: Options):
        # horizontal models; a *_vert model reads vertical columns (vertical/read.py)
        self.lang, self.vert_lang = split_lang(options.lang)
        self.psm = options.psm
        self.timeout = options.ocr_timeout

    @property
    def models(self) -> str:
        """Every model the run needs, horizontal and vertical."""
        return "+".join(p for p in (self.lang, self.vert_lang) if p)


class TesseractEngine(_Tesseract):
    """Tesseract `chi_sim` through its API (tesserocr): the model is loaded once
    per worker and each block costs one in-process call."""

    name = "tesseract"

    def __init__(self, options: Options):
        super().__init__(options)
        self._api: tesseract.TessApi | None = None

    def check(self) -> None:
        tesseract.check_models(self.models)
        self._load()

    def tess_api(self, lang: str) -> "tesseract.TessApi | None":
        """The loaded model, for other readers of the page (orientation) in ``lang``."""
        return self._load() if lang == self.lang else None

    def _load(self) -> "tesseract.TessApi":
        if self._api is None:
            self._api = tesseract.TessApi(self.lang)
        return self._api

    def recognize(self, crop: np.ndarray, kind: str, n_lines: int) -> list[Line]:
        api, psm = self._load(), _psm(self.psm, n_lines)
        found = api.recognize(crop, psm, self.timeout)
        if not found:
            # a crop the layout found ink in: Tesseract 5.5 drops some lines of
            # bold display type as noise rows ("才发展通道" of a two-line title)
            found = api.recognize(crop, psm, self.timeout, reject_noise_rows=False)
        lines = []
        for _box, words in found:
            ws = [Word(BBox(*box), text.strip(), conf) for box, text, conf in words if text.strip()]
            if ws:
                lines.append(_line(ws))
        return lines


class TesseractCliEngine(_Tesseract):
    """Tesseract through the `tesseract` program (pytesseract), one process per
    block: slower, for machines where tesserocr cannot be installed."""

    name = "tesseract-cli"

    def check(self) -> None:
        tesseract.check_installed(self.models)

    def recognize(self, crop: np.ndarray, kind: str, n_lines: int) -> list[Line]:
        data = tesseract.image_to_data(crop, self.lang, _psm(self.psm, n_lines), self.timeout)
        lines: dict[tuple, list[Word]] = {}
        for i, text in enumerate(data["text"]):
            text = (text or "").strip()
            conf = float(data["conf"][i])
            if not text or conf < 0:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
            lines.setdefault(key, []).append(Word(BBox(x, y, x + w, y + h), text, conf))
        return [_line(lines[key]) for key in sorted(lines)]


ENGINES = ("tesseract", "tesseract-cli", "ppocr", "ppocr-openvino")


def make_engine(options: Options) -> OcrEngine:
    if options.engine == "tesseract":
        # Without tesserocr the program still works, only slower
        return TesseractEngine(options) if tesseract.api_available() else TesseractCliEngine(options)
    if options.engine == "tesseract-cli":
        return TesseractCliEngine(options)
    if options.engine in ("ppocr", "ppocr-openvino"):
        from .ppocr.engine import ENGINE_RUNTIMES, PpocrEngine
        return PpocrEngine(options, runtime=ENGINE_RUNTIMES[options.engine])
    if ":" in options.engine:
        # A plug-in engine, "package.module:Class", built like ours from Options
        import importlib
        mod, _, cls = options.engine.partition(":")
        try:
            return getattr(importlib.import_module(mod), cls)(options)
        except (ImportError, AttributeError) as e:
            raise ValueError(f"cannot load OCR engine {options.engine!r}: {e}") from e
    raise ValueError(f"unknown OCR engine {options.engine!r}; available: {', '.join(ENGINES)}")


def _crop(gray: np.ndarray, box: BBox, pad_in: int) -> tuple[np.ndarray, int, int]:
    h, w = gray.shape
    x0, y0 = max(0, box.x0 - pad_in), max(0, box.y0 - pad_in)
    x1, y1 = min(w, box.x1 + pad_in), min(h, box.y1 + pad_in)
    crop = gray[y0:y1, x0:x1]
    out = np.full((crop.shape[0] + 2 * PAD, crop.shape[1] + 2 * PAD), 255, np.uint8)
    out[PAD:PAD + crop.shape[0], PAD:PAD + crop.shape[1]] = crop
    return out, x0 - PAD, y0 - PAD


def _to_page(ln: Line, f: float, dx: int, dy: int) -> Line:
    """A line found in a crop scaled by ``f`` whose corner sits at (dx, dy) of the page."""
    g = 1 / f

    def box(b: BBox) -> BBox:
        if f == 1.0:
            return b.shift(dx, dy)
        return BBox(round(b.x0 * g) + dx, round(b.y0 * g) + dy, round(b.x1 * g) + dx, round(b.y1 * g) + dy)
    return Line(bbox=box(ln.bbox), text=ln.text, conf=ln.conf,
                words=[Word(box(w.bbox), w.text, w.conf) for w in ln.words])


def _only_lines(gray: np.ndarray, block: Block, others: list[BBox], ch: int) -> np.ndarray:
    """The page with everything of ``others`` that lies in the block's box but
    off its own lines painted white: a paragraph wrapped round a picture has
    the picture inside its box, and the recogniser would read its strokes."""
    g = max(4, ch // 4) + 1   # the crop's own margin (``_read``)
    h, w = gray.shape
    box = BBox(max(0, block.bbox.x0 - g), max(0, block.bbox.y0 - g),
               min(w, block.bbox.x1 + g), min(h, block.bbox.y1 + g))
    inside = [o for o in others if o.x_overlap(box) > 0 and o.y_overlap(box) > 0]
    if not inside or not block.lines:
        return gray
    keep = np.zeros((box.height, box.width), bool)
    pv, ph = max(2, ch // 6), max(2, ch // 2)
    for ln in block.lines:
        b = ln.bbox
        keep[max(0, b.y0 - pv - box.y0):max(0, b.y1 + pv - box.y0),
             max(0, b.x0 - ph - box.x0):max(0, b.x1 + ph - box.x0)] = True
    off = np.zeros((box.height, box.width), bool)
    for o in inside:
        off[max(0, o.y0 - box.y0):max(0, o.y1 - box.y0), max(0, o.x0 - box.x0):max(0, o.x1 - box.x0)] = True
    paint = off & ~keep
    if not paint.any():
        return gray
    out = gray.copy()
    region = out[box.y0:box.y1, box.x0:box.x1]
    region[paint[:region.shape[0], :region.shape[1]]] = 255
    return out


def _read(gray: np.ndarray, box: BBox, ch: int, engine: OcrEngine, kind: str, n_lines: int) -> list[Line]:
    """Lines of the text in ``box`` of the page, in page coordinates."""
    crop, dx, dy = _crop(gray, box, max(4, ch // 4))
    crop, f = _fit_line_height(crop, ch, getattr(engine, "max_line_px", None),
                               getattr(engine, "min_line_px", None))
    return [_to_page(ln, f, dx, dy) for ln in engine.recognize(crop, kind, n_lines)]


# A line of a few characters read this unsure is a speck, a piece of a picture
# or of a display glyph (the dots of 点 read as "AR"), or a folio misread
# ("有" for 17): of the lines of 3 characters or fewer read under 20 on 375
# generated pages and on the development and real pages, none was right.
NOISE_CONF = 20.0
NOISE_CHARS = 3


def is_noise(ln: Line) -> bool:
    return ln.conf < NOISE_CONF and len("".join(ln.text.split())) <= NOISE_CHARS


def _clip(b: BBox, to: BBox) -> BBox:
    x0, y0 = min(max(b.x0, to.x0), to.x1), min(max(b.y0, to.y0), to.y1)
    return BBox(x0, y0, max(x0, min(b.x1, to.x1)), max(y0, min(b.y1, to.y1)))


def _missed(found: list[Line], expected: list[Line]) -> list[Line]:
    """Layout lines that no recognised line overlaps by half their height."""
    def covered(e: BBox) -> bool:
        return any(min(e.y1, r.bbox.y1) - max(e.y0, r.bbox.y0) >= 0.5 * e.height for r in found)
    return [e for e in expected if e.bbox.height > 0 and not covered(e.bbox)]


def recognize_blocks(pimg: PageImage, engine: OcrEngine, options: Options) -> PageImage:
    """Stage 3: OCR every text block; figures are left alone."""
    page = pimg.page
    page.engine = engine.name
    page.blocks = attach_lone_markers(page.blocks, pimg.binary)
    base = pimg.gray
    if pimg.rule_ink is not None and pimg.rule_ink.any():
        # rules beside text (column rules, frames, dotted rules, underlines)
        # read as strokes: painted out with their grey fringe, which left
        # alone reads as "|" beside a column rule; never inside a text line,
        # where the fringe would take the feet of small glyphs with it
        body = float(page.diagnostics.get("layout", {}).get("char_height", 30) or 30)
        r = max(1, round(body / 20))
        paint = cv2.dilate(pimg.rule_ink.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
        for b in page.blocks:
            for ln in b.lines if b.is_text else ():
                paint[ln.bbox.y0:ln.bbox.y1, ln.bbox.x0:ln.bbox.x1] = False
        base = pimg.gray.copy()
        base[paint] = 255
    painted: np.ndarray | None = None   # the page with line-opening markers painted out
    # the vertical blocks' columns as the layout found them: a block read
    # before another has its columns replaced by the lines read from them
    found = {id(b): copy.copy(b) for b in page.blocks if b.is_text and b.direction != "ltr"}
    for block in page.blocks:
        if not block.is_text:
            continue
        if block.direction != "ltr":   # vertical columns: pipeline/vertical/
            from ..vertical.read import read_block
            block.lines = read_block(base, pimg.binary_full if pimg.binary_full is not None
                                     else pimg.binary, block, engine, options.lang, options.ocr_timeout,
                                     [b for k, b in found.items() if k != id(block)])
            for ln in block.lines:
                ln.text = clean_text(ln.text)
            block.conf = float(np.mean([ln.conf for ln in block.lines])) if block.lines else 0.0
            continue
        n_lines = max(1, len(block.lines))
        ch = max(8, int(np.median([ln.bbox.height for ln in block.lines])) if block.lines else 20)
        marks = [m for m in (find_marker(pimg.binary, ln.bbox) for ln in block.lines) if m]
        dashes = [d for ln in block.lines for d in find_dashes(pimg.binary, ln.bbox)]
        gray = base
        if marks or dashes:
            painted = base.copy() if painted is None else painted
            for box in [b for _, b in marks] + dashes:
                paint_out(painted, box)
            gray = painted
        others = [o.bbox for o in page.blocks if o is not block]
        lines = _read(_only_lines(gray, block, others, ch), block.bbox, ch, engine, block.kind, n_lines)
        if n_lines > 1:
            # Tesseract 5.5 sometimes returns only the first lines of a block
            # (seen on two-line display titles); read the lines it skipped alone
            for miss in _missed(lines, block.lines):
                lines += _read(gray, miss.bbox, max(8, miss.bbox.height), engine, block.kind, 1)
            lines.sort(key=lambda ln: (ln.bbox.y0 + ln.bbox.y1) / 2)
        for box in dashes:
            lines = put_dash(lines, box)
        for ln in lines:
            ln.text = clean_text(ln.text)
            # the engine's box of a line on a scaled crop may stick out of the
            # block by a few pixels; the block holds its lines
            ln.bbox = _clip(ln.bbox, block.bbox)
        lines = [ln for ln in lines if ln.text and not is_noise(ln)]
        for mark, box in marks:
            lines = put_back(lines, mark, box)
        block.lines = lines
        block.conf = float(np.mean([ln.conf for ln in block.lines])) if block.lines else 0.0
    return pimg

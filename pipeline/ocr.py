"""Stage 3: recognise the text of each block.

Engines sit behind `OcrEngine`: given a grayscale crop, return lines with
words in crop coordinates. The stage crops, pads, calls the engine and maps
the boxes back to page coordinates, so a second engine only has to
implement `recognize`.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from . import tesseract
from .model import BBox, Block, Line, Word
from .options import Options
from .preprocess import PageImage
from .textclean import clean_text

PAD = 12  # white border around a crop: Tesseract misses glyphs touching the edge


class OcrEngine(Protocol):
    name: str

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


def _line(words: list[Word]) -> Line:
    return Line(bbox=BBox.enclosing(w.bbox for w in words), text=" ".join(w.text for w in words),
                conf=float(np.mean([w.conf for w in words])), words=words)


class TesseractEngine:
    """Tesseract `chi_sim` through its API (tesserocr): the model is loaded once
    per worker and each block costs one in-process call."""

    name = "tesseract"

    def __init__(self, options: Options):
        self.lang = options.lang
        self.psm = options.psm
        self.timeout = options.ocr_timeout
        self._api: tesseract.TessApi | None = None

    def check(self) -> None:
        self._load()

    def _load(self) -> "tesseract.TessApi":
        if self._api is None:
            self._api = tesseract.TessApi(self.lang)
        return self._api

    def recognize(self, crop: np.ndarray, kind: str, n_lines: int) -> list[Line]:
        found = self._load().recognize(crop, _psm(self.psm, n_lines), self.timeout)
        lines = []
        for _box, words in found:
            ws = [Word(BBox(*box), text.strip(), conf) for box, text, conf in words if text.strip()]
            if ws:
                lines.append(_line(ws))
        return lines


class TesseractCliEngine:
    """Tesseract through the `tesseract` program (pytesseract), one process per
    block: slower, for machines where tesserocr cannot be installed."""

    name = "tesseract-cli"

    def __init__(self, options: Options):
        self.lang = options.lang
        self.psm = options.psm
        self.timeout = options.ocr_timeout

    def check(self) -> None:
        tesseract.check_installed(self.lang)

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


ENGINES = ("tesseract", "tesseract-cli", "ppocr")


def make_engine(options: Options) -> OcrEngine:
    if options.engine == "tesseract":
        # Without tesserocr the program still works, only slower
        return TesseractEngine(options) if tesseract.api_available() else TesseractCliEngine(options)
    if options.engine == "tesseract-cli":
        return TesseractCliEngine(options)
    if options.engine == "ppocr":
        from .ocr_ppocr import PpocrEngine
        return PpocrEngine(options)
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


def _shift_line(ln: Line, dx: int, dy: int) -> Line:
    return Line(bbox=ln.bbox.shift(dx, dy), text=ln.text, conf=ln.conf,
                words=[Word(w.bbox.shift(dx, dy), w.text, w.conf) for w in ln.words])


def recognize_blocks(pimg: PageImage, engine: OcrEngine, options: Options) -> PageImage:
    """Stage 3: OCR every text block; figures are left alone."""
    page = pimg.page
    page.engine = engine.name
    for block in page.blocks:
        if not block.is_text:
            continue
        n_lines = max(1, len(block.lines))
        ch = max(8, int(np.median([ln.bbox.height for ln in block.lines])) if block.lines else 20)
        crop, dx, dy = _crop(pimg.gray, block.bbox, max(4, ch // 4))
        lines = engine.recognize(crop, block.kind, n_lines)
        lines = [_shift_line(ln, dx, dy) for ln in lines]
        for ln in lines:
            ln.text = clean_text(ln.text)
        block.lines = [ln for ln in lines if ln.text]
        block.conf = float(np.mean([ln.conf for ln in block.lines])) if block.lines else 0.0
    return pimg

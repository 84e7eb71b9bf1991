"""Which way up a scan is: 0, 90, 180 or 270 degrees, found before layout.

The recogniser itself is the judge: a square crop of the page where the text
is densest is read in all four turns, and the turn read best (by the sum of
word confidences: upright text reads as many confident characters, text on
its side or upside down as a few marks and much nothing) is taken when it
reads clearly better than the next. This judges the characters, so a page
set in vertical columns (upright characters) is told apart from a horizontal
page on its side. Tesseract's own orientation detection (OSD, `--psm 0` with
osd.traineddata) was measured first and is slower (1.3 to 2.8 s a page
against 1.4 s for the four reads) and wrong on degraded pages (upside down
read as upright at confidence 0.8; at a smaller scale 270 read as 90 at
confidence 2.1), so it only decides where the reading does not
(bench/orientation.py measures the detection on every layout family).

A page neither can judge is left as it is and flagged
``orientation-uncertain`` when it has text at all: its text may be read
sideways or upside down, so it is never recorded `done` without a flag
(doubt.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .recognition import tesseract
from .errors import EngineMissing, MagscanError
from .model import Flag

FLAG_UNCERTAIN = "orientation-uncertain"
# OSD's confidence below which its answer is no better than a guess: its
# wrong answers on generated pages scored 0.6 to 2.1, right ones mostly over 2.5
MIN_CONFIDENCE = 2.5
OSD_LONG_SIDE = 1800          # px: A4 at about 150 dpi, body type 15 to 25 px high
OSD_TIMEOUT = 30.0
# a page with less ink than this in glyph-sized marks has no text to orient by
MIN_TEXT_INK = 0.002


@dataclass(frozen=True)
class Orientation:
    angle: int                 # degrees the scan must be turned clockwise to stand upright
    # "reading": how many times better the best turn read than the next;
    # "osd": Tesseract's OSD confidence; None: not measured
    confidence: float | None
    method: str = ""
    uncertain: bool = False
    reason: str = ""

    def to_dict(self) -> dict:
        return {"angle": self.angle, "confidence": None if self.confidence is None
                else round(self.confidence, 2), "method": self.method,
                "uncertain": self.uncertain, "reason": self.reason}


def turn(image: np.ndarray, angle: int) -> np.ndarray:
    """``image`` turned ``angle`` degrees clockwise (a multiple of 90)."""
    k = (angle // 90) % 4
    return np.ascontiguousarray(np.rot90(image, -k)) if k else image


def to_scan_affine(angle: int, width: int, height: int) -> np.ndarray:
    """2x3 affine from the turned image's pixels back to the scan's
    (``width`` x ``height`` is the scan's size)."""
    k = (angle // 90) % 4
    if k == 0:
        return np.array([[1.0, 0, 0], [0, 1.0, 0]])
    if k == 1:   # turned clockwise: (x', y') = (h - y, x)  ->  x = y', y = h - x'
        return np.array([[0, 1.0, 0], [-1.0, 0, float(height)]])
    if k == 2:
        return np.array([[-1.0, 0, float(width)], [0, -1.0, float(height)]])
    return np.array([[0, -1.0, float(width)], [1.0, 0, 0]])


def _has_text(image: np.ndarray) -> bool:
    """Some ink in marks of glyph size: a blank page or a picture alone has
    no orientation to doubt."""
    small = _scaled(image)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() / 255 > 0.5:
        return False
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return False
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    glyph = (w >= 3) & (h >= 3) & (w <= 60) & (h <= 60)
    return bool(area[glyph].sum() / ink.size > MIN_TEXT_INK and glyph.sum() >= 30)


def _scaled(image: np.ndarray) -> np.ndarray:
    f = OSD_LONG_SIDE / max(image.shape[:2])
    small = image if f >= 1 else cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    # binarised: OSD takes scanner noise and uneven paper for blobs
    return cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _text_crop(image: np.ndarray, side: int) -> np.ndarray:
    """The ``side`` x ``side`` window of the page with the most ink in glyph
    strokes (text, not pictures: grey mid-tones count against it)."""
    h, w = image.shape[:2]
    side = min(side, h, w)
    small = cv2.resize(image, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    dark = (small < 110).astype(np.float32) - 2.0 * ((small >= 110) & (small < 200))
    k = max(1, side // 8)
    score = cv2.boxFilter(dark, -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT)
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    y0 = int(min(max(0, y * 8 - side // 2), h - side))
    x0 = int(min(max(0, x * 8 - side // 2), w - side))
    return image[y0:y0 + side, x0:x0 + side]


def _read_confidence(crop: np.ndarray, lang: str, timeout: float, engine=None) -> float:
    """Mean word confidence of the recogniser on ``crop`` (one uniform block)."""
    if tesseract.api_available():
        shared = getattr(engine, "tess_api", None)
        api = (shared(lang) if shared else None) or _api(lang)
        found = api.recognize(crop, 6, timeout)
        confs = [c for _box, words in found for _b, t, c in words if t.strip()]
    else:
        data = tesseract.image_to_data(crop, lang, 6, timeout)
        confs = [float(c) for c, t in zip(data["conf"], data["text"]) if (t or "").strip() and float(c) >= 0]
    # many confident characters beat a few: upside-down text reads as a few
    # confident marks and much nothing
    return float(np.sum(confs)) / 100.0


_APIS: dict = {}


def _api(lang: str):
    if lang not in _APIS:
        _APIS[lang] = tesseract.TessApi(lang)
    return _APIS[lang]


def by_reading(image: np.ndarray, lang: str, timeout: float = OSD_TIMEOUT,
               crop_px: int = 0, engine=None) -> tuple[int, float]:
    """The turn under which the recogniser reads a crop of the page's text
    best: ``(angle, margin)``, margin the best score over the runner-up's
    (1.0: no better). For pages OSD is unsure of; four reads of a small crop."""
    side = crop_px or max(300, min(image.shape[:2]) // 3)
    # a small image is read whole: a crop would cut its few lines in pieces
    crop = image if image.size <= 2 * side * side else _text_crop(image, side)
    scores = {a: _read_confidence(turn(crop, a), lang, timeout, engine) for a in (0, 90, 180, 270)}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, s1), (_a2, s2) = ranked[0], ranked[1]
    if s1 < MIN_READ_SCORE:   # a few confident marks say nothing
        return best, 1.0
    return best, min(10.0, s1 / max(s2, MIN_READ_SCORE / 4))


# the best turn must read this much better than the next to be taken: on
# generated pages of every layout family, clean to heavily degraded, the
# right turn read at least twice as well as the next (bench/orientation.py)
MIN_READ_MARGIN = 1.5
# the best turn must have read at least this many characters' worth of
# confidence (a word at 100 counts 1)
MIN_READ_SCORE = 4.0


def detect(image: np.ndarray, dpi: int = 300, timeout: float = OSD_TIMEOUT,
           lang: str = "chi_sim", engine=None) -> Orientation:
    """The page's orientation: the turn under which ``lang`` reads a crop of
    the page's text clearly best; where no turn does, Tesseract's OSD on a
    scaled-down copy; where that is unsure too, upright and uncertain."""
    try:
        angle, margin = by_reading(image, _horizontal(lang), timeout, engine=engine)
    except EngineMissing:
        raise
    except MagscanError as e:
        angle, margin, why = 0, 1.0, f"reading failed: {e}"
    else:
        why = f"no turn reads clearly best ({margin:.2f}x the next)"
    if margin >= MIN_READ_MARGIN:
        return Orientation(angle, round(margin, 2), "reading")
    o = _by_osd(image, dpi, timeout)
    return Orientation(o.angle, o.confidence, "osd", o.uncertain, f"{why}; {o.reason or 'OSD sure'}")


def _horizontal(lang: str) -> str:
    """The horizontal models of ``lang`` (chi_tra_vert -> chi_tra)."""
    parts = [p[:-5] if p.endswith("_vert") else p for p in lang.split("+")]
    return "+".join(dict.fromkeys(parts))


def _by_osd(image: np.ndarray, dpi: int, timeout: float) -> Orientation:
    small = _scaled(image)
    f = small.shape[0] / image.shape[0]
    try:  # noqa: SIM105
        osd = tesseract.detect_osd(small, timeout, dpi=max(70, round(dpi * f)))
    except EngineMissing:
        raise
    except MagscanError as e:   # a time-out or a crash of OSD: the page is read upright
        return Orientation(0, None, uncertain=_has_text(image), reason=f"OSD failed: {e}")
    if osd is None:
        return Orientation(0, None, uncertain=_has_text(image), reason="OSD found too little text")
    try:
        angle = int(osd.get("Rotate", "0")) % 360
        conf = float(osd.get("Orientation confidence", "0"))
    except ValueError:
        return Orientation(0, None, uncertain=_has_text(image), reason="OSD answer unreadable")
    if angle not in (0, 90, 180, 270):
        return Orientation(0, conf, uncertain=True, reason=f"OSD said {angle} degrees")
    if conf < MIN_CONFIDENCE:
        # too unsure to turn the page on its word; upright is the likeliest
        uncertain = _has_text(image)
        return Orientation(0, conf, uncertain=uncertain,
                           reason=f"OSD confidence {conf:.2f} for {angle} degrees" if uncertain else "")
    return Orientation(angle, conf)


def orient_source(src, options, engine=None) -> tuple[object, np.ndarray | None]:
    """``src`` (an ingest.SourcePage) turned upright, with the orientation
    found recorded on it, and the affine from the turned image back to the
    scan (None when it was not turned)."""
    from dataclasses import replace

    if not getattr(options, "orient", True):
        return src, None
    o = detect(src.image, src.dpi, min(OSD_TIMEOUT, options.ocr_timeout), options.lang, engine)
    h, w = src.image.shape[:2]
    if o.angle == 0:
        return replace(src, orientation=o), None
    return replace(src, image=turn(src.image, o.angle), orientation=o), to_scan_affine(o.angle, w, h)


def record_orientation(page, o: "Orientation | None") -> None:
    """The orientation on the page model: its angle, how it was found, and the
    flag of a page whose orientation is in doubt."""
    if o is None:
        return
    page.orientation = o.angle
    page.diagnostics["orientation"] = o.to_dict()
    if o.uncertain:
        page.flags.append(Flag(FLAG_UNCERTAIN, o.reason))

"""Which way up a scan is: 0, 90, 180 or 270 degrees, found before layout.

The recogniser itself is the judge: a square crop of the page where the text
is densest is read as it stands, and a crop that reads clearly as upright text
settles the page with that one read (most scans are upright; wrong turns
never read so well). Where the densest ink was a photo or a title, a window
of running text is read as it stands next. Otherwise the crop is read in the other three turns, and the turn read best (by the sum of
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

import time
from dataclasses import dataclass

import cv2
import numpy as np

from .recognition import tesseract
from .errors import EngineMissing, MagscanError
from .image.ink import component_stats
from .model import Flag

FLAG_UNCERTAIN = "orientation-uncertain"
# the reason of a page settled by its second crop (``_glyph_crop``)
SECOND_CROP = "settled on a window of running text"
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
    # "upright-read": the mean word confidence (0-100) of the one read that
    # settled an upright page; "osd": Tesseract's OSD confidence; None: not measured
    confidence: float | None
    method: str = ""
    uncertain: bool = False
    reason: str = ""
    # words the reading crop gave at CONFIDENT or better, turned upright:
    # text the page's own reading must not lose (None: not read)
    confident_words: int | None = None
    seconds: float = 0.0        # the time the detection took (the page's timings)

    def to_dict(self) -> dict:
        return {"angle": self.angle, "confidence": None if self.confidence is None
                else round(self.confidence, 2), "method": self.method,
                "uncertain": self.uncertain, "reason": self.reason,
                "confident_words": self.confident_words}


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


@dataclass(frozen=True)
class Reading:
    """What the recogniser made of a crop under one turn."""
    score: float       # summed word confidence / 100: a word read at 100 counts 1
    words: int
    mean_conf: float   # 0-100
    confident: int = 0  # words read at CONFIDENT or better


def _read(crop: np.ndarray, lang: str, timeout: float, engine=None) -> Reading:
    """The recogniser's words on ``crop`` read as one uniform block."""
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
    return Reading(float(np.sum(confs)) / 100.0, len(confs), float(np.mean(confs)) if confs else 0.0,
                   sum(c >= CONFIDENT for c in confs))


_APIS: dict = {}


def _api(lang: str):
    if lang not in _APIS:
        _APIS[lang] = tesseract.TessApi(lang)
    return _APIS[lang]


def _marks(image: np.ndarray) -> tuple[float, tuple[int, int], np.ndarray, np.ndarray, float]:
    """The page's marks on its copy scaled for OSD: the scale, that copy's
    shape, each mark's stats and centre, and the usual size of a glyph-sized
    mark there (its longer side, so a page on its side measures the same;
    0 with fewer than 20 such marks)."""
    f = min(1.0, OSD_LONG_SIDE / max(image.shape[:2]))
    _, ink = cv2.threshold(_scaled(image), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _n, _lab, st, centres = component_stats(ink)
    side = np.maximum(st[1:, 2], st[1:, 3])
    glyph = side[(side >= 6) & (side <= 120)]
    return f, ink.shape, st[1:], centres[1:], float(np.median(glyph)) if glyph.size >= 20 else 0.0


def _glyph_px(image: np.ndarray) -> float:
    """The usual size of a glyph-sized mark on the page, in the page's pixels."""
    f, _shape, _st, _c, g = _marks(image)
    return g / f


def _glyph_crop(image: np.ndarray) -> np.ndarray | None:
    """The window of CROP_GLYPHS glyphs a side where glyph-sized marks lie
    densest, or None on a page too small for a window or without text.

    ``_text_crop`` looks for the most dark ink, which a photo's shadow or a
    display title's heavy strokes can give; counting marks of body-glyph size
    finds running text instead, at the cost of one more connected-component
    pass, so it is the second crop read."""
    f, shape, st, centres, g = _marks(image)
    if not g:
        return None
    w, h, area = st[:, 2], st[:, 3], st[:, 4]
    size = np.maximum(w, h)
    side = max(300, int(CROP_GLYPHS * g / f))   # page pixels
    if image.size <= 2 * side * side:
        return None
    # a glyph (or a whole radical of one); solid blots of that size are no text
    glyph = (size >= 0.4 * g) & (size <= 1.6 * g) & (area < 0.75 * w * h)
    cell = 4
    grid = np.zeros((shape[0] // cell + 1, shape[1] // cell + 1), np.float32)
    c = centres[glyph]
    np.add.at(grid, ((c[:, 1] / cell).astype(int), (c[:, 0] / cell).astype(int)), 1.0)
    k = max(1, int(side * f / cell))
    score = cv2.boxFilter(grid, -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT)
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    ih, iw = image.shape[:2]
    y0 = int(min(max(0, (y + 0.5) * cell / f - side // 2), ih - side))
    x0 = int(min(max(0, (x + 0.5) * cell / f - side // 2), iw - side))
    return image[y0:y0 + side, x0:x0 + side]


def _crop_for_reading(image: np.ndarray, crop_px: int = 0) -> np.ndarray:
    # a third of the page, and at least a dozen glyphs a side: a slide's or a
    # poster's large type would leave a fixed window a few characters to read
    side = crop_px or max(300, min(image.shape[:2]) // 3, int(CROP_GLYPHS * _glyph_px(image)))
    # a small image is read whole: a crop would cut its few lines in pieces
    return image if image.size <= 2 * side * side else _text_crop(image, side)


def reads_upright(crop: np.ndarray, lang: str, timeout: float = OSD_TIMEOUT,
                  engine=None) -> tuple[bool, Reading]:
    """Whether ``crop`` reads clearly as upright text, from one read.

    Most scans are upright, and one read tells so: text on its side or upside
    down reads as marks of mean confidence 35 at most (every turn of every
    page of bench/orientation.py's families, the devpages and the real pages),
    upright text of a clean page 70 to 92. Only a crop that does not read
    clearly upright pays for the other three turns.
    """
    r = _read(crop, lang, timeout, engine)
    return (r.mean_conf >= UPRIGHT_MEAN_CONF and r.words >= UPRIGHT_MIN_WORDS
            and r.score >= MIN_READ_SCORE), r


def by_reading(image: np.ndarray, lang: str, timeout: float = OSD_TIMEOUT,
               crop_px: int = 0, engine=None,
               upright: "Reading | None" = None,
               crop: "np.ndarray | None" = None) -> tuple[int, float, Reading]:
    """The turn under which the recogniser reads a crop of the page's text
    best: ``(angle, margin, its reading)``, margin the best score over the
    runner-up's (1.0: no better). Four reads of a small crop (three when
    ``upright``, the read of ``crop`` as it stands, is given)."""
    crop = _crop_for_reading(image, crop_px) if crop is None else crop
    reads = {a: _read(turn(crop, a), lang, timeout, engine) for a in (90, 180, 270)}
    reads[0] = upright if upright is not None else _read(crop, lang, timeout, engine)
    ranked = sorted(reads.items(), key=lambda kv: (-kv[1].score, kv[0]))
    (best, r1), (_a2, r2) = ranked[0], ranked[1]
    if r1.score < MIN_READ_SCORE:   # a few confident marks say nothing
        return best, 1.0, r1
    return best, min(10.0, r1.score / max(r2.score, MIN_READ_SCORE / 4)), r1


# a word read at this confidence or better is text the page must give back
# (text/plausibility.py: text_missed)
CONFIDENT = 50.0
# the best turn must read this much better than the next to be taken: on
# generated pages of every layout family, clean to heavily degraded, the
# right turn read at least twice as well as the next (bench/orientation.py)
MIN_READ_MARGIN = 1.5
# the best turn must have read at least this many characters' worth of
# confidence (a word at 100 counts 1)
MIN_READ_SCORE = 4.0
# one read of the crop as it stands settles an upright page when its words
# read at this mean confidence (wrong turns: 35 at most, see reads_upright)
UPRIGHT_MEAN_CONF = 60.0
UPRIGHT_MIN_WORDS = 8
# a page is turned on the reading only when its best turn reads at least
# this well: wrong turns read at 35 at most, while a slide's few big
# characters cut by the crop let a wrong turn win on a handful of marks
MIN_TURN_MEAN_CONF = 40.0
# the reading crop's side in glyphs, at least (it is a third of the page's
# shorter side where that is more)
CROP_GLYPHS = 14


def detect(image: np.ndarray, dpi: int = 300, timeout: float = OSD_TIMEOUT,
           lang: str = "chi_sim", engine=None) -> Orientation:
    """The page's orientation: the turn under which ``lang`` reads a crop of
    the page's text clearly best; where no turn does, Tesseract's OSD on a
    scaled-down copy; where that is unsure too, upright and uncertain."""
    hlang = _horizontal(lang)
    first = None
    try:
        crop = _crop_for_reading(image)
        upright, first = reads_upright(crop, hlang, timeout, engine)
        if upright:
            return Orientation(0, round(first.mean_conf, 1), "upright-read", confident_words=first.confident)
        # where the darkest window was a picture or a title, a window of
        # running text may settle the page before three more reads and OSD
        second = _glyph_crop(image)
        if second is not None:
            upright, r = reads_upright(second, hlang, timeout, engine)
            if upright:
                return Orientation(0, round(r.mean_conf, 1), "upright-read", reason=SECOND_CROP,
                                   confident_words=r.confident)
        angle, margin, best = by_reading(image, hlang, timeout, engine=engine, upright=first, crop=crop)
    except EngineMissing:
        raise
    except MagscanError as e:
        angle, margin, why = 0, 1.0, f"reading failed: {e}"
    else:
        why = f"no turn reads clearly best ({margin:.2f}x the next)"
    if margin >= MIN_READ_MARGIN and (angle == 0 or best.mean_conf >= MIN_TURN_MEAN_CONF):
        return Orientation(angle, round(margin, 2), "reading", confident_words=best.confident)
    if margin >= MIN_READ_MARGIN:
        why = (f"the best turn ({angle} degrees) read at mean confidence {best.mean_conf:.0f}, "
               f"too poor to turn the page on")
    o = _by_osd(image, dpi, timeout)
    # the crop as it stands was read upright when OSD leaves the page so
    seen = first.confident if o.angle == 0 and first is not None else None
    return Orientation(o.angle, o.confidence, "osd", o.uncertain, f"{why}; {o.reason or 'OSD sure'}", seen)


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
    t = time.perf_counter()
    o = detect(src.image, src.dpi, min(OSD_TIMEOUT, options.ocr_timeout), options.lang, engine)
    o = replace(o, seconds=round(time.perf_counter() - t, 3))
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
    if page.part != "R":   # found once for both halves of a spread: counted on the first
        page.timings["orientation"] = o.seconds
    if o.uncertain:
        page.flags.append(Flag(FLAG_UNCERTAIN, o.reason))

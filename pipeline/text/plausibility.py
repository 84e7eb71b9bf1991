"""Which pages magscan has reason to doubt, and one check of its own.

A page keeps every flag its stages raised (`page.flags`, strings
"code: detail"). Most are notes for a reviewer; the codes in `DOUBT_CODES`
mean the text itself may be wrong, so the page is recorded as flagged in the
manifest, listed by `magscan status` and taken by `magscan rerun --flagged`:

- layout-fallback: the layout made no sense and was replaced by the best
  of the page's other layouts (``layout_fallback``), which may still read
  columns across;
- ocr-error: the engine failed on a block, whose text is missing;
- text-implausible: the text reads wrong by one of the checks below.

A third check compares the page with the crop orientation.py read: a page
cannot give back fewer characters than that crop's confident words.

The checks compare a page with itself, not with tuned figures for some
pages: most of its lines crossing one of its own column gutters (columns
read across, not down), or most of its text far below the confidence its
own best lines reach (one kind of scan, one kind of type, so the good lines
say what the page should score).
"""
from __future__ import annotations

from ..model import Line, Page

FLAG_IMPLAUSIBLE = "text-implausible"
# orientation-uncertain: no turn of the page read clearly best (orientation.py)
DOUBT_CODES = frozenset({"layout-fallback", "ocr-error", FLAG_IMPLAUSIBLE, "orientation-uncertain"})

MIN_LINES = 4         # fewer lines say too little to judge a page by
MOST = 0.5            # "most lines", "most of the text"
CONF_GAP = 30.0       # points below the page's good lines that no good line falls
GOOD_QUANTILE = 0.75  # the page's good lines: its upper quartile
MIN_SEEN_WORDS = 8    # confident words of the orientation crop that make a page's missing text telling


def code(flag: str) -> str:
    return flag.split(":", 1)[0].strip()


def doubts(flags: list[str]) -> list[str]:
    """The flags among `flags` that put the page's text in doubt."""
    return [f for f in flags if code(f) in DOUBT_CODES]


def _text_lines(page: Page) -> list[Line]:
    return [ln for b in page.blocks if b.is_text for ln in b.lines if ln.text.strip()]


def _gutters(page: Page) -> list[tuple[float, int, int]]:
    """The column separators the layout found, (x, top, bottom), each where its
    white channel runs (a title above the columns does not cross it)."""
    seps = page.diagnostics.get("layout", {}).get("separators") or []
    return [(float(x), int(t), int(b)) for x, t, b, *_ in seps]


def gutter_crossing(page: Page) -> str | None:
    """Most lines run across one of the page's column separators, at its
    height, with at least a character's width of text on either side."""
    gutters, lines = _gutters(page), _text_lines(page)
    if not gutters or len(lines) < MIN_LINES:
        return None

    def crosses(ln: Line) -> bool:
        h = max(1, ln.bbox.height)
        return any(ln.bbox.x0 < x - h and ln.bbox.x1 > x + h and min(ln.bbox.y1, b) - max(ln.bbox.y0, t) > 0
                   for x, t, b in gutters)

    n = sum(crosses(ln) for ln in lines)
    if n > MOST * len(lines):
        return f"{FLAG_IMPLAUSIBLE}: {n} of {len(lines)} lines run across a column gutter"
    return None


def _weighted_quantile(pairs: list[tuple[float, int]], q: float) -> float:
    """The value below which a share `q` of the weight lies (a line counts by
    its characters, so a few short lines do not set the page's level)."""
    pairs = sorted(pairs)
    total, acc = sum(w for _, w in pairs), 0
    for v, w in pairs:
        acc += w
        if acc >= q * total:
            return v
    return pairs[-1][0]


def confidence_shortfall(page: Page) -> str | None:
    """Most of the text (by characters) reads far below the page's good lines."""
    lines = _text_lines(page)
    if len(lines) < MIN_LINES:
        return None
    good = _weighted_quantile([(ln.conf, len(ln.text.strip())) for ln in lines], GOOD_QUANTILE)
    chars = sum(len(ln.text.strip()) for ln in lines)
    low = sum(len(ln.text.strip()) for ln in lines if ln.conf < good - CONF_GAP)
    if chars and low > MOST * chars:
        return (f"{FLAG_IMPLAUSIBLE}: {low / chars:.0%} of the text reads more than "
                f"{CONF_GAP:.0f} points below the page's good lines (confidence {good:.0f})")
    return None


def text_missed(page: Page) -> str | None:
    """The page gave back less text than one crop of it read.

    Orientation (orientation.py) reads a crop of the page's densest ink and
    counts the words it read with confidence; the page's own reading covers
    that crop, so it cannot hold fewer characters than that crop's confident
    words unless its layout took text for a picture (handwriting on ruled
    paper reads as one line-art figure) or left it out. Whole pages only: a
    spread's crop may lie on the other half."""
    seen = (page.diagnostics.get("orientation") or {}).get("confident_words")
    if page.part or seen is None or seen < MIN_SEEN_WORDS:
        return None
    chars = sum(len(ln.text.strip()) for ln in _text_lines(page))
    if chars < seen:
        return (f"{FLAG_IMPLAUSIBLE}: the page reads {chars} character(s) where one crop of it "
                f"read {seen} confident words (text taken for a picture?)")
    return None


def implausibility(page: Page) -> list[str]:
    """Flags for a recognised page whose text looks wrong by its own measure."""
    found = [gutter_crossing(page), confidence_shortfall(page), text_missed(page)]
    return [f for f in found if f]

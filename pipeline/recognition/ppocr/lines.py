"""Split a block crop into text-line bands by horizontal projection.

PP-OCR's recogniser reads one line at a time. Our layout analysis has
already found each block and how many lines it holds, so for the common
case (a column of evenly set lines) cutting at the empty rows between lines
is far cheaper than running PP-OCR's own detector over the block. When the
projection does not give a clean set of lines (touching lines, mixed sizes,
bands that disagree with the layout's line count) the band set is marked
irregular and the engine may send the block to the detector instead.

Pure functions over numpy arrays; coordinates are crop pixels, half-open.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Band", "LineSplit", "ink_mask", "split_lines"]


@dataclass(frozen=True)
class Band:
    """One text line: ink extent plus padding, in crop pixels."""
    x0: int
    y0: int
    x1: int
    y1: int
    ink_y0: int   # the ink rows alone, for character boxes
    ink_y1: int
    # paper margin the crop could not give (ink at its edge), to add when reading
    short_l: int = 0
    short_r: int = 0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0


@dataclass(frozen=True)
class LineSplit:
    bands: list[Band]
    regular: bool        # False: the projection is not trustworthy here
    line_height: float   # median ink height of the bands (0 when none)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Ink = True. Otsu, but a crop without contrast has no ink at all.

    Ruling lines (frames of sidebars, rules under headings) are removed: a
    full-width rule would otherwise join two lines into one band.
    """
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:
        return np.zeros(gray.shape, bool)
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = gray <= min(t, 215)  # cv2 puts pixels above t on the paper side
    h, w = ink.shape
    u8 = ink.astype(np.uint8)
    # Han strokes are at most about one character long (150 px for a 36 pt
    # title at 300 dpi); a run longer than that over most of the crop is a rule.
    kw, kh = max(200, int(w * 0.6)), max(200, int(h * 0.8))
    hrule = cv2.morphologyEx(u8, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 1)))
    vrule = cv2.morphologyEx(u8, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kh)))
    return ink & ~(hrule.astype(bool) | vrule.astype(bool))


def _runs(on: np.ndarray) -> list[tuple[int, int]]:
    """Half-open [start, end) runs of True."""
    d = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _merge_small(runs: list[tuple[int, int]], ref: float) -> list[tuple[int, int]]:
    """Join slivers (a row gap inside a glyph row: 二, 三, a line of "……")
    to the nearer neighbour when the result is still one line tall."""
    runs = list(runs)
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (a, b) in enumerate(runs):
            if b - a >= 0.5 * ref:
                continue
            gaps = []
            if i > 0:
                gaps.append((a - runs[i - 1][1], i - 1))
            if i + 1 < len(runs):
                gaps.append((runs[i + 1][0] - b, i + 1))
            gap, j = min(gaps)
            lo, hi = min(i, j), max(i, j)
            if runs[hi][1] - runs[lo][0] <= 1.3 * ref and gap < 0.6 * ref:
                runs[lo:hi + 1] = [(runs[lo][0], runs[hi][1])]
                changed = True
                break
    return runs


def _split_tall(runs: list[tuple[int, int]], profile: np.ndarray, ref: float) -> list[tuple[int, int]]:
    """Cut bands that hold several touching lines at their thinnest rows."""
    out = []
    for a, b in runs:
        # every line is at least about one line height tall, whatever the gaps
        k = int(1.15 * (b - a) / ref) if (b - a) > 1.6 * ref else 1
        if k <= 1:
            out.append((a, b))
            continue
        cuts = [a]
        for m in range(1, k):
            c = a + (b - a) * m / k
            lo, hi = int(c - ref * 0.3), int(c + ref * 0.3) + 1
            lo, hi = max(lo, cuts[-1] + 1), min(hi, b - 1)
            cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else int(c))
        cuts.append(b)
        out.extend(zip(cuts[:-1], cuts[1:]))
    return out


def split_lines(gray: np.ndarray, n_lines: int = 0) -> LineSplit:
    """The text lines of a block crop, top to bottom.

    ``n_lines`` is the layout's count (0: unknown); it only judges whether the
    split is regular, it never forces one.
    """
    ink = ink_mask(gray)
    h, w = ink.shape
    profile = ink.sum(axis=1)
    # Noise specks, and a descender or a blurred stroke that reaches the next
    # line, put a little ink into the gap rows; text rows hold far more.
    typical = float(np.median(profile[profile > 0])) if profile.any() else 0.0
    rows = profile >= max(2.0, 0.004 * w, 0.05 * typical)
    runs = [r for r in _runs(rows) if r[1] - r[0] >= 2]
    if not runs:
        return LineSplit([], n_lines <= 0, 0.0)
    heights = np.array([b - a for a, b in runs], float)
    # slivers (half a glyph row) must not set the scale, even when a short
    # block has as many of them as it has whole lines
    ref = float(np.median(heights[heights >= 0.5 * np.percentile(heights, 75)]))
    runs = _merge_small(runs, ref)
    runs = _split_tall(runs, profile, ref)
    heights = np.array([b - a for a, b in runs], float)
    ref = float(np.median(heights))
    bands = []
    for a, b in runs:
        cols = np.flatnonzero(ink[a:b].any(axis=0))
        if cols.size == 0:
            continue
        hb = b - a
        px, py = max(4, int(0.3 * max(hb, ref))), max(3, int(0.15 * max(hb, ref)))
        x0, x1 = int(cols[0]) - px, int(cols[-1]) + 1 + px
        bands.append(Band(max(0, x0), max(0, a - py), min(w, x1), min(h, b + py), a, b,
                          max(0, -x0), max(0, x1 - w)))
    # The layout's count is only a check: it counts a line broken by a wide
    # space twice, so a few bands less is normal. Half as many means every
    # band holds two lines side by side (a block across a gutter).
    uniform = bool(np.all((heights > 0.45 * ref) & (heights < 1.6 * ref))) or len(bands) == 1
    regular = bool(bands) and uniform and (n_lines <= 0 or 0.7 * n_lines <= len(bands) <= n_lines + 1)
    return LineSplit(bands, regular, ref)

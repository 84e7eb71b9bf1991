"""What a vertical column is, and the columns of one type size found as bars.

The glyphs of a size are smeared a third of a character down (``SMEAR``):
the characters of a vertical column merge into one tall narrow bar, while
horizontal lines stay apart and the characters of a line merge, if at all,
into a wide block. Each bar is grown down and up over the wider gaps a flat
character or a corner mark leaves, and dropped when it is characters of
horizontal lines that happen to line up (``in_lines``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..layout import geometry as geo
from ..model import BBox

TTB = "ttb-rtl"
# the smear down a column, in body character heights: more than the gap
# between the characters of a column (about 0.15), less than the leading of
# horizontal lines (0.4 and up)
SMEAR = 0.35
MIN_CHARS = 3          # a bar at least this many characters tall is a column
MAX_WIDTH = 1.6        # a column is at most this many of its glyphs wide
# most of the page's text in vertical columns: a vertical page
VERTICAL_PAGE_SHARE = 0.5


@dataclass
class Column:
    bbox: BBox
    char_w: float            # the width of its glyphs (the em of its type)


@dataclass
class Region:
    bbox: BBox
    columns: list[Column] = field(default_factory=list)   # right to left

    @property
    def char_w(self) -> float:
        return float(np.median([c.char_w for c in self.columns]))


@dataclass
class VerticalLayout:
    regions: list[Region]
    share: float             # of the page's glyph ink in vertical columns
    body_ch: float

    @property
    def page_is_vertical(self) -> bool:
        return self.share >= VERTICAL_PAGE_SHARE


def columns_at(comps: geo.Components, glyph: np.ndarray, shape, ch: float,
               scale: float) -> list[Column]:
    """Columns of glyphs of about ``scale`` body heights: seeded by tall narrow
    bars of stacked glyphs, then grown down and up their own width over the
    wider gaps a flat character (一) or a mark in the corner of its cell leaves."""
    s = ch * scale
    b = comps.boxes
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    # by width: bold characters of a column may touch and make one tall mark
    pick = glyph & (w <= 1.3 * s) & (h <= 6 * s) & (np.maximum(w, h) >= 0.15 * s)
    if pick.sum() < MIN_CHARS:
        return []
    out: list[Column] = []
    for x0, y0, x1, y1 in _stack(_bars(b, pick, shape, s), s):
        col = _grow(b, pick, s, x0, y0, x1, y1)
        if col is None or in_lines(col.bbox, col.char_w, b, glyph):
            continue
        box, cw = col.bbox, col.char_w
        same = next((o for o in out if o.bbox.x_overlap(box) >= 0.5 * min(o.bbox.width, box.width)
                     and max(box.y0 - o.bbox.y1, o.bbox.y0 - box.y1) <= 1.2 * s), None)
        if same is not None:
            same.bbox = same.bbox.union(box)
            same.char_w = max(same.char_w, cw)
        else:
            out.append(col)
    return out


def _bars(b: np.ndarray, pick: np.ndarray, shape, s: float) -> list[list[int]]:
    """The tall narrow bars the picked glyphs (``pick``, of size ``s``) make
    when smeared down, as boxes [x0, y0, x1, y1] on the page."""
    # the bars are found on a copy scaled so that these glyphs are about 12 px:
    # no finer detail is needed, and it is several times faster
    f = min(1.0, 12.0 / s)
    mask = np.zeros((int(shape[0] * f) + 1, int(shape[1] * f) + 1), np.uint8)
    for x0, y0, x1, y1 in (b[pick] * f).astype(np.int64):
        mask[y0:y1 + 1, x0:x1 + 1] = 255
    k = max(2, int(round(SMEAR * s * f)))
    smeared = cv2.dilate(mask, np.ones((k, 1), np.uint8), anchor=(0, 0))
    _n, _lab, st, _c = geo.component_stats(smeared, 4)
    st = st.astype(np.float64)
    st[:, :4] /= f
    k = int(round(k / f))
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    seeds: list[list[int]] = []
    for x, y, bw, bh, _area in st[1:]:
        if bh >= MIN_CHARS * s and 0.5 * s <= bw <= MAX_WIDTH * s and bh >= 2.5 * bw:
            inside = pick & (cx >= x) & (cx < x + bw) & (cy >= y) & (cy < y + bh)
            if inside.sum() >= MIN_CHARS and np.percentile(_row_widths(b[inside]), 90) >= 0.6 * s:
                seeds.append([int(x), int(y), int(x + bw), int(y + bh - k + 1)])
    return seeds


def _stack(seeds: list[list[int]], s: float) -> list[list[int]]:
    """Seeds one above the other on one column: one column."""
    seeds.sort(key=lambda c: (c[0], c[1]))
    cols: list[list[int]] = []
    for sd in seeds:
        for c in cols:
            ov = min(c[2], sd[2]) - max(c[0], sd[0])
            if ov >= 0.6 * min(c[2] - c[0], sd[2] - sd[0]) and \
                    max(sd[1] - c[3], c[1] - sd[3]) <= 2.5 * s:
                c[:] = [min(c[0], sd[0]), min(c[1], sd[1]), max(c[2], sd[2]), max(c[3], sd[3])]
                break
        else:
            cols.append(list(sd))
    return cols


def _grow(b: np.ndarray, pick: np.ndarray, s: float, x0: int, y0: int, x1: int, y1: int) -> Column | None:
    """The column seeded at (x0, y0, x1, y1), grown down and up over the
    picked glyphs of its width, and of its type (smaller type below a vertical
    title is other text); None when fewer than ``MIN_CHARS`` are in it."""
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    idx = np.nonzero(pick & (cx >= x0) & (cx < x1))[0]
    seed = idx[(cy[idx] >= y0) & (cy[idx] < y1)]
    size = float(np.percentile(np.maximum(w[seed], h[seed]), 75)) if len(seed) else s
    idx = idx[np.maximum(w[idx], h[idx]) >= 0.6 * size]
    idx = idx[np.argsort(b[idx, 1])]
    # over gaps of up to a character and a bit of its own type (not of the
    # scale it was found at: a column of small type found at a larger
    # scale would reach over the margin into the text above its box)
    em = float(np.percentile(_row_widths(b[seed]), 75)) if len(seed) else s
    reach = 1.2 * min(s, max(size, em))
    for i in idx:
        if b[i, 1] >= y0 and b[i, 1] <= y1 + reach:
            y1 = max(y1, int(b[i, 3]))
    for i in idx[::-1]:
        if b[i, 3] <= y1 and b[i, 3] >= y0 - reach:
            y0 = min(y0, int(b[i, 1]))
    # the small strokes atop its first character and under its last (the
    # dots of 说, of 点) are not among the glyphs it grew over
    mine = pick & (cx >= x0) & (cx < x1)
    above = mine & (b[:, 1] < y0) & (b[:, 3] >= y0 - 0.15 * size) & (b[:, 1] >= y0 - 0.5 * size)
    below = mine & (b[:, 3] > y1) & (b[:, 1] <= y1 + 0.15 * size) & (b[:, 3] <= y1 + 0.5 * size)
    y0 = int(b[above, 1].min()) if above.any() else y0
    y1 = int(b[below, 3].max()) if below.any() else y1
    idx = np.nonzero(pick & (cx >= x0) & (cx < x1))[0]
    inside = idx[(cy[idx] >= y0) & (cy[idx] < y1)]
    if len(inside) < MIN_CHARS:
        return None
    box = BBox(int(min(x0, b[inside, 0].min())), y0, int(max(x1, b[inside, 2].max())), y1)
    return Column(box, float(np.percentile(w[inside], 90)))


def _row_widths(boxes: np.ndarray) -> np.ndarray:
    """The widths of the characters of a stack of marks: marks on the same
    rows, close beside each other (the strokes of one character, 思 as 田
    over three dots and a hook), as one; marks a column's gap apart stay
    apart. A column of characters that fall apart into narrow strokes is as
    wide as its characters; a stack of the middles of larger glyphs is not,
    nor are columns side by side wider than one."""
    boxes = boxes[np.argsort(boxes[:, 1])]
    done: list[float] = []
    active: list[list[float]] = []   # x0, x1, y0, y1 of the characters being built
    for bx0, by0, bx1, by1 in boxes.astype(np.float64):
        done += [c[1] - c[0] for c in active if c[3] <= by0]
        active = [c for c in active if c[3] > by0]
        for c in active:
            if max(bx0 - c[1], c[0] - bx1) <= 0.25 * max(c[3] - c[2], by1 - by0):
                c[:] = [min(c[0], bx0), max(c[1], bx1), min(c[2], by0), max(c[3], by1)]
                break
        else:
            active.append([bx0, bx1, by0, by1])
    done += [c[1] - c[0] for c in active]
    return np.asarray(done, dtype=np.float64)


def in_lines(box: BBox, cw: float, b: np.ndarray, glyph: np.ndarray) -> bool:
    """Whether the stack is characters of horizontal lines that happen to line
    up (a title over a subtitle, text set on a grid): glyphs close beside it,
    nearer than vertical columns ever stand, along much of its height."""
    # ... or marks reaching into it from the side: the stack is the middle of
    # bigger characters (the parts of a display glyph like 壁 stack up)
    # (type of another size beside it is other text: a newspaper's columns
    # run right up to its vertical title)
    big = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) >= 0.5 * cw
    near = glyph & big & (b[:, 3] > box.y0) & (b[:, 1] < box.y1) & (
        ((b[:, 0] < box.x0 - 2) & (b[:, 2] > box.x0 - 0.3 * cw)) |
        ((b[:, 2] > box.x1 + 2) & (b[:, 0] < box.x1 + 0.3 * cw)))
    if not near.any():
        return False
    rows = np.zeros(box.height, bool)
    for y0, y1 in b[near][:, [1, 3]]:
        rows[max(0, y0 - box.y0):max(0, min(box.height, y1 - box.y0))] = True
    return rows.mean() > 0.3

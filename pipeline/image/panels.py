"""Panels: large areas that are not paper (dark or tinted boxes, photos, dark
page backgrounds), and the text set on them.

A global threshold takes such an area for one blot of ink: white text on a
dark photo, the white title in a grey banner of a report, dark text in a mid
grey box all disappear into it, and the specks of a photo pass for glyphs.
So each panel gets a threshold of its own, and inside it rows of glyphs of
either polarity are looked for: components of one height, side by side on a
line. Where there are such rows, that part of the panel is text: the layout
sees its glyphs as ink and the recogniser gets it as dark text on white.
The rest of the panel stays what it was, a picture to the layout.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..disjoint import DisjointSets
from ..model import BBox
from .ink import component_stats

SCALE = 0.25
# share of a text area's pixels that may be glyph-coloured outside its lines
MAX_STRAY = 0.06


@dataclass
class TextPart:
    bbox: BBox                # page pixels
    on_dark: bool             # its ground is darker than its glyphs (white text)
    lines: float = 1.0        # about how many text lines high it is


@dataclass
class Panel:
    bbox: BBox                # the panel, page pixels
    parts: list[TextPart]     # parts of it holding rows of glyphs

    @property
    def text(self) -> list[BBox]:
        return [p.bbox for p in self.parts]


def _ground_is_dark(g: np.ndarray) -> tuple[float, bool]:
    """(threshold, whether the larger class of ``g`` is the darker one)."""
    t = _otsu(g)
    return t, int((g < t).sum()) >= g.size / 2


def _otsu(values: np.ndarray) -> float:
    v = values.astype(np.uint8).reshape(-1, 1)
    t, _ = cv2.threshold(v, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(t)


def find_panels(gray: np.ndarray, ink_threshold: float) -> list[BBox]:
    """Boxes of large, mostly filled areas darker than ``ink_threshold`` (what
    the global threshold takes for ink), white holes such as text closed."""
    h, w = gray.shape
    small = cv2.resize(gray, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    # the median tone round a point: paper inside a block of text (its ink is
    # a fraction of it), the ground inside a panel, even under white text
    k = max(3, int(round(0.012 * max(h, w) * SCALE)) | 1)
    closed = (cv2.medianBlur(small, k) < ink_threshold).astype(np.uint8)
    n, _, st, _ = component_stats(closed)
    out = []
    min_side = 0.04 * min(h, w) * SCALE
    for x, y, bw, bh, area in st[1:]:
        if bw < min_side or bh < min_side or area < 0.6 * bw * bh or area < 0.002 * small.size:
            continue
        s = 1 / SCALE
        out.append(BBox(int(x * s), int(y * s), min(w, int((x + bw) * s)), min(h, int((y + bh) * s))))
    return out


def glyph_rows(mask: np.ndarray, min_h: int = 6, strict: bool = True,
               max_h: float | None = None) -> list[BBox]:
    """Rows of glyphs in a binary mask (255 = candidate ink): components of
    about one height side by side, at most a glyph apart; four or more in a
    row make a text line. ``strict``: their tops and bottoms line up, as the
    glyphs of a line of Han text do and the blots of a photo's texture do
    not; otherwise overlapping by half their height is enough (punctuation,
    flat characters). Glyphs are ``min_h`` to ``max_h`` high (by default,
    half the mask's height). Boxes in mask pixels."""
    n, _, st, _ = component_stats(mask)
    st = st[1:]
    if not len(st):
        return []
    x0, y0, bw, bh, area = (st[:, i] for i in range(5))
    top = 0.5 * mask.shape[0] + min_h if max_h is None else max_h
    keep = (bh >= min_h) & (bh <= top) & (bw <= 3 * bh) & (area >= 0.1 * bw * bh) \
        & (area <= 0.9 * bw * bh)
    idx = np.nonzero(keep)[0]
    if len(idx) < 4:
        return []
    idx = idx[np.argsort(x0[idx], kind="stable")]
    sets = DisjointSets(int(idx.max()) + 1)
    for a_i, a in enumerate(idx):
        for b in idx[a_i + 1:]:
            gap = x0[b] - (x0[a] + bw[a])
            if gap > 1.2 * max(bh[a], bh[b]):
                break
            lo, hi = min(bh[a], bh[b]), max(bh[a], bh[b])
            # glyphs of one line share their top and bottom (a Han character
            # fills its em box); blots of a photo's texture do not
            level = max(abs(int(y0[a]) - int(y0[b])), abs(int(y0[a] + bh[a]) - int(y0[b] + bh[b])))
            ov = min(y0[a] + bh[a], y0[b] + bh[b]) - max(y0[a], y0[b])
            if (hi <= 1.5 * lo and level <= 0.4 * hi) if strict else (hi <= 1.8 * lo and ov >= 0.5 * lo):
                sets.union(int(a), int(b))
    rows = []
    for g in sets.groups(int(i) for i in idx):
        if len(g) < 4:
            continue
        box = BBox(int(min(x0[g])), int(min(y0[g])), int(max(x0[g] + bw[g])), int(max(y0[g] + bh[g])))
        if box.width >= 3 * box.height:
            rows.append(box)
    return rows


def _text_parts(rows: list[BBox], pad: int) -> list[tuple[BBox, int]]:
    """Rows joined into text areas where they stack (a paragraph, a caption),
    with the number of rows in each."""
    boxes = [(BBox(r.x0 - pad, r.y0 - pad, r.x1 + pad, r.y1 + pad), 1) for r in rows]
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                (a, na), (b, nb) = boxes[i], boxes[j]
                if a.x_overlap(b) > 0 and (a.y_overlap(b) > 0 or max(a.y0, b.y0) - min(a.y1, b.y1) <= pad):
                    boxes[i] = (a.union(b), na + nb)
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def read_panel(gray: np.ndarray, box: BBox) -> Panel:
    """The text rows on one panel, in whichever polarity shows more of them."""
    crop = gray[box.y0:box.y1, box.x0:box.x1]
    # the panel's ground is its larger class; text is the other one
    t, on_dark = _ground_is_dark(crop)
    mask = ((crop >= t) if on_dark else (crop < t)).astype(np.uint8) * 255
    # text areas are grown from rows of any glyphs, but only kept where one
    # row at least is clearly a line of text
    sure = glyph_rows(mask)
    rows = glyph_rows(mask, strict=False)
    if not sure or not rows:
        return Panel(box, [])
    pad = int(np.median([r.height for r in rows]) * 0.4)
    parts = []
    row_h = float(np.median([r.height for r in rows]))
    in_rows = np.zeros(mask.shape, bool)
    for r in rows:
        in_rows[r.y0:r.y1, r.x0:r.x1] = True
    for p, _n in _text_parts(rows, pad):
        if not any(r.x_overlap(p) > 0 and r.y_overlap(p) > 0 for r in sure):
            continue
        # text leaves its ground clean between and around its lines; a photo's
        # texture, where rows of blots line up by chance, has ink everywhere
        sl = (slice(max(0, p.y0), p.y1), slice(max(0, p.x0), p.x1))
        stray = float(((mask[sl] > 0) & ~in_rows[sl]).mean()) if mask[sl].size else 1.0
        if stray > MAX_STRAY:
            continue
        bb = BBox(max(0, p.x0) + box.x0, max(0, p.y0) + box.y0,
                  min(box.width, p.x1) + box.x0, min(box.height, p.y1) + box.y0)
        # each part decides for itself: a dark panel may hold a light box of dark text
        parts.append(TextPart(bb, _ground_is_dark(gray[bb.y0:bb.y1, bb.x0:bb.x1])[1],
                              round(bb.height / (1.5 * row_h), 1)))
    return Panel(box, _join_stacked(parts, row_h))


# Parts of one polarity this many row heights apart, one above the other, are
# one text area: a line whose characters break into pieces (星 is 日 over 生)
# is no row of glyphs, and without the join the strip between the parts would
# keep its dark ground, a bar of ink across the column that swallows the line.
JOIN_ROWS = 2.0


def _join_stacked(parts: list[TextPart], row_h: float) -> list[TextPart]:
    sets = DisjointSets(len(parts))
    for i, a in enumerate(parts):
        for j in range(i + 1, len(parts)):
            b = parts[j]
            gap = max(a.bbox.y0, b.bbox.y0) - min(a.bbox.y1, b.bbox.y1)
            if a.on_dark == b.on_dark and gap <= JOIN_ROWS * row_h and \
                    a.bbox.x_overlap(b.bbox) >= 0.5 * min(a.bbox.width, b.bbox.width):
                sets.union(i, j)
    out = []
    for g in sets.groups(range(len(parts))):
        if len(g) == 1:
            out.append(parts[g[0]])
            continue
        box = BBox.enclosing(parts[i].bbox for i in g)
        out.append(TextPart(box, parts[g[0]].on_dark, round(box.height / (1.5 * row_h), 1)))
    return out


def apply_panels(gray: np.ndarray, binary: np.ndarray, panels: list[Panel]) -> None:
    """In place: each panel's text parts binarised on their own threshold and,
    for the recogniser, turned to dark text on white."""
    for p in panels:
        for part in p.parts:
            tb = part.bbox
            g = gray[tb.y0:tb.y1, tb.x0:tb.x1].astype(np.float32)
            t = _otsu(g)
            ground = g < t if part.on_dark else g >= t
            text = ~ground
            if not text.any() or not ground.any():
                continue
            b, f = float(np.median(g[ground])), float(np.median(g[text]))
            # ground -> white, text -> black, linearly between the two levels
            ink = np.clip((g - b) / (f - b), 0.0, 1.0)
            gray[tb.y0:tb.y1, tb.x0:tb.x1] = (255 * (1 - ink)).astype(np.uint8)
            binary[tb.y0:tb.y1, tb.x0:tb.x1] = np.where(text, 255, 0).astype(np.uint8)

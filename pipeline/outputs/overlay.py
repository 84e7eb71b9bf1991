"""QA overlay: the page with blocks outlined by kind, numbered in reading
order, arrows from each block to the next, column gutters, low-confidence
lines shaded red, and a legend.

Pure drawing (no I/O); it runs for every converted page, so everything is
plain OpenCV on one downscaled image.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..model import BBox, Page
from ..vertical.columns import TTB
from . import LOW_CONF

# BGR, chosen to stay apart from each other and from gray page content.
# Header and footer share a colour: both are running heads to a reviewer.
KIND_COLOURS = {
    "title": (40, 40, 220), "heading": (200, 40, 200), "body": (40, 160, 40),
    "caption": (0, 140, 255), "header": (140, 140, 0), "footer": (140, 140, 0),
    "figure": (220, 80, 20), "sidebar": (0, 170, 190),
    "table": (120, 60, 160), "equation": (220, 80, 20), "footnote": (140, 140, 0),
}
GUTTER_COLOUR = (230, 150, 110)   # light blue band
GUTTER_LINE = (200, 110, 60)      # its dashed centre line
LOW_CONF_COLOUR = (40, 40, 235)   # red shading
ARROW_COLOUR = (50, 50, 50)
DIRECTION_COLOUR = (40, 120, 200)   # BGR: orange-brown, apart from the kinds' colours
# The page is faded so that outlines and shading stand out against text.
FADE = 0.55
SHADE_ALPHA = 0.45

_COLUMN_KINDS = ("body", "figure", "caption", "sidebar")
_FONT = cv2.FONT_HERSHEY_DUPLEX
_SMALL = cv2.FONT_HERSHEY_SIMPLEX


def low_conf_lines(page: Page, threshold: float = LOW_CONF):
    """Recognised lines below the confidence threshold (lines without text
    carry no confidence and are not counted)."""
    return [ln for b in page.blocks for ln in b.lines if ln.text and ln.conf < threshold]


def gutters(page: Page) -> list[tuple[int, int]]:
    """x ranges of the white channels between body columns.

    Page.columns are contiguous ranges (each boundary sits in a gutter), so
    the channel itself is taken from the blocks on either side: the right
    edge of what ends in the left column to the left edge of what starts in
    the right one. Where that is not a gap, the boundary alone is returned.
    """
    out = []
    # running heads and titles may straddle a gutter; only column content bounds it
    inner = [b for b in page.blocks if b.span and b.kind in _COLUMN_KINDS]
    for i in range(len(page.columns) - 1):
        boundary = page.columns[i][1]
        left = [b.bbox.x1 for b in inner if b.span[1] == i + 1]
        right = [b.bbox.x0 for b in inner if b.span[0] == i + 1]
        g0 = max(left) if left else boundary
        g1 = min(right) if right else boundary
        if page.columns[i + 1][0] > page.columns[i][1]:  # ranges with a real gap between them
            g0, g1 = page.columns[i][1], page.columns[i + 1][0]
        if not g0 < g1 or not g0 - 2 <= boundary <= g1 + 2:
            g0 = g1 = boundary
        out.append((g0, g1))
    return out


def _gutter_rows(page: Page, i: int) -> tuple[int, int]:
    """y range of gutter i: the column blocks on either side of it (titles and
    headings over several columns sit above the gutter, not in it)."""
    beside = [b for b in page.blocks if b.span and i + 1 in (b.span[0], b.span[1])]
    rows = [b.bbox for b in beside if b.kind in _COLUMN_KINDS] or [b.bbox for b in beside]
    if not rows:
        return 0, page.height
    return min(b.y0 for b in rows), max(b.y1 for b in rows)


def _corner(blocks: list[BBox], w: int, h: int, lw: int, lh: int) -> tuple[int, int]:
    """Top-left of the corner where the legend hides the least of the blocks."""
    m = 6
    corners = [(w - lw - m, m), (m, m), (w - lw - m, h - lh - m), (m, h - lh - m)]

    def hidden(c):
        box = BBox(c[0], c[1], c[0] + lw, c[1] + lh)
        return sum(box.x_overlap(b) * box.y_overlap(b) for b in blocks)

    return min(corners, key=hidden)  # min keeps the first (top-right) on ties


def _legend(img: np.ndarray, blocks: list[BBox], u: float, low_conf: float = LOW_CONF) -> None:
    names = {"header": "header/footer/note", "figure": "figure/equation"}
    kinds = [k for k in KIND_COLOURS if k not in ("footer", "footnote", "equation")]
    entries = [(names.get(k, k), "box", KIND_COLOURS[k]) for k in kinds]
    entries += [("gutter", "fill", GUTTER_COLOUR), (f"conf < {low_conf:g}", "fill", LOW_CONF_COLOUR),
                ("reading order", "arrow", ARROW_COLOUR)]
    fs, row, sw = 0.5 * u, int(round(20 * u)), int(round(26 * u))
    tw = max(cv2.getTextSize(t, _SMALL, fs, 1)[0][0] for t, _, _ in entries)
    lw, lh = sw + tw + int(20 * u), row * len(entries) + int(10 * u)
    h, w = img.shape[:2]
    x, y = _corner(blocks, w, h, lw, lh)
    roi = img[max(0, y): y + lh, max(0, x): x + lw]
    roi[:] = (roi.astype(np.uint16) // 8 + 224).astype(np.uint8)  # white, a hint of the page
    cv2.rectangle(img, (x, y), (x + lw - 1, y + lh - 1), (120, 120, 120), 1)
    for i, (text, style, c) in enumerate(entries):
        cy = y + int(5 * u) + i * row + row // 2
        x0, x1, y0, y1 = x + int(6 * u), x + sw, cy - row // 3, cy + row // 3
        if style == "box":
            cv2.rectangle(img, (x0, y0), (x1, y1), c, max(2, int(round(2 * u))))
        elif style == "fill":
            cv2.rectangle(img, (x0, y0), (x1, y1), c, -1)
        else:
            cv2.arrowedLine(img, (x0, cy), (x1, cy), c, max(1, int(round(2 * u))), tipLength=0.4)
        cv2.putText(img, text, (x + sw + int(8 * u), cy + int(5 * u)), _SMALL, fs, (30, 30, 30), 1,
                    cv2.LINE_AA)


def _badge(img: np.ndarray, label: str, bb: BBox, others: list[BBox], c, u: float,
           inset: int) -> None:
    """The block's number in a filled tag: left of the block where that covers
    no other block (a margin), else on its top-left corner. A short block's
    tag always goes beside or above it, never on its one line of text."""
    fs, th = 0.95 * u, max(1, int(round(2 * u)))
    (tw, tht), base = cv2.getTextSize(label, _FONT, fs, th)
    pad = int(round(5 * u))
    bw, bh = tw + 2 * pad, tht + base + 2 * pad
    h, w = img.shape[:2]
    short = bb.y1 - bb.y0 < 2.5 * bh or bb.x1 - bb.x0 < 3 * bw
    left = (bb.x0 - bw - inset, max(0, int(bb.cy) - bh // 2) if short else bb.y0)
    above = (bb.x0, bb.y0 - bh - inset)

    def fits(p) -> bool:
        tag = BBox(p[0], p[1], p[0] + bw, p[1] + bh)
        return (p[0] >= 0 and p[1] >= 0 and tag.x1 < w and tag.y1 < h
                and not any(tag.x_overlap(o) and tag.y_overlap(o) for o in others))

    inside = (bb.x0 + inset, bb.y0 + inset)
    if fits(left):
        x, y = left
    elif not short:
        x, y = inside
    elif fits(above):
        x, y = above
    else:  # crowded: beside it anyway, as long as it stays on the image
        x, y = left if left[0] >= 0 else above if above[1] >= 0 else inside
    cv2.rectangle(img, (x, y), (x + bw, y + bh), c, -1)
    cv2.rectangle(img, (x, y), (x + bw, y + bh), (255, 255, 255), 1)
    cv2.putText(img, label, (x + pad, y + pad + tht), _FONT, fs, (255, 255, 255), th, cv2.LINE_AA)


def draw_direction(img: np.ndarray, page: Page, box, u: float) -> None:
    """On the overlay: each vertical block's columns outlined thinly, an arrow
    down its first (right-most) column and one right to left over its top."""
    t = max(1, int(round(1.5 * u)))
    for b in page.blocks:
        if b.direction != TTB or not b.lines:
            continue
        for ln in b.lines:
            lb = box(ln.bbox)
            cv2.rectangle(img, (lb.x0, lb.y0), (lb.x1, lb.y1), DIRECTION_COLOUR, max(1, t // 2))
        bb, first = box(b.bbox), box(b.lines[0].bbox)
        x = int(first.cx)
        down = min(first.y1 - first.y0, max(int(40 * u), (first.y1 - first.y0) // 3))
        cv2.arrowedLine(img, (x, first.y0), (x, first.y0 + down), DIRECTION_COLOUR, t + 1, cv2.LINE_AA,
                        tipLength=min(0.5, 10 * u / max(1, down)))
        y = max(0, bb.y0 - int(6 * u))
        if bb.x1 - bb.x0 > 20 * u:
            cv2.arrowedLine(img, (bb.x1, y), (bb.x0, y), DIRECTION_COLOUR, t + 1, cv2.LINE_AA,
                            tipLength=min(0.5, 10 * u / max(1, bb.x1 - bb.x0)))


def draw_overlay(page: Page, gray: np.ndarray, width: int = 1200,
                 low_conf: float = LOW_CONF) -> np.ndarray:
    """BGR image of the page, at most `width` pixels wide, annotated for review.

    `gray` is the page image in page pixel coordinates (after deskew).
    Reading-order numbers are 1-based positions in Page.ordered_blocks().
    """
    scale = min(1.0, width / max(gray.shape[1], 1))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else gray
    # scanner noise on the paper is most of an overlay PNG's bytes: paper goes
    # to plain white (halves the file), ink and figures keep their tone
    paper = float(np.percentile(small[::4, ::4], 90))
    small = np.where(small >= 0.92 * paper, 255, small)
    faded = (255 - (255 - small.astype(np.float32)) * FADE).astype(np.uint8)
    img = cv2.cvtColor(faded, cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    sx, sy = w / max(page.width, 1), h / max(page.height, 1)
    u = max(w, 400) / 1200  # drawing unit: sizes below are for a 1200 px wide overlay

    def box(b: BBox) -> BBox:
        return BBox(int(round(b.x0 * sx)), int(round(b.y0 * sy)),
                    int(round(b.x1 * sx)) - 1, int(round(b.y1 * sy)) - 1)

    blocks = page.ordered_blocks()
    boxes = [box(b.bbox) for b in blocks]

    shade = img.copy()
    gutter_boxes = []
    for i, (g0, g1) in enumerate(gutters(page)):
        y0, y1 = _gutter_rows(page, i)
        gb = box(BBox(g0, y0, g1, y1))
        cx = (gb.x0 + gb.x1) // 2
        if gb.x1 - gb.x0 < 4:  # a bare boundary: give it a visible width
            gb = BBox(cx - 2, gb.y0, cx + 2, gb.y1)
        cv2.rectangle(shade, (gb.x0, gb.y0), (gb.x1, gb.y1), GUTTER_COLOUR, -1)
        gutter_boxes.append(gb)
    for b in page.blocks:
        for ln in b.lines:
            if ln.text and ln.conf < low_conf:
                # clipped to its block: Tesseract's boxes for some Han glyphs
                # overshoot the line by half a line height
                lb = box(BBox(max(ln.bbox.x0, b.bbox.x0), max(ln.bbox.y0, b.bbox.y0),
                              min(ln.bbox.x1, b.bbox.x1), min(ln.bbox.y1, b.bbox.y1)))
                cv2.rectangle(shade, (lb.x0, lb.y0), (lb.x1, lb.y1), LOW_CONF_COLOUR, -1)
    img = cv2.addWeighted(shade, SHADE_ALPHA, img, 1 - SHADE_ALPHA, 0)
    # a narrow gutter's band hides under the outlines beside it; its dashed
    # centre line still shows between them
    dash = max(4, int(round(10 * u)))
    for gb in gutter_boxes:
        cx = int(gb.cx)
        for y in range(gb.y0, gb.y1, 2 * dash):
            cv2.line(img, (cx, y), (cx, min(y + dash, gb.y1)), GUTTER_LINE, max(1, int(round(2 * u))))

    thick = max(2, int(round(3 * u)))
    for b, bb in zip(blocks, boxes):
        cv2.rectangle(img, (bb.x0, bb.y0), (bb.x1, bb.y1), KIND_COLOURS.get(b.kind, (0, 0, 0)), thick)

    at = max(1, int(round(2 * u)))
    for a, b in zip(boxes, boxes[1:]):
        p, q = (int(a.cx), int(a.cy)), (int(b.cx), int(b.cy))
        length = max(1.0, float(np.hypot(q[0] - p[0], q[1] - p[1])))
        tip = min(0.5, 16 * u / length)  # a fixed-size head, whatever the arrow's length
        cv2.arrowedLine(img, p, q, (255, 255, 255), at + 2, cv2.LINE_AA, tipLength=tip)
        cv2.arrowedLine(img, p, q, ARROW_COLOUR, at, cv2.LINE_AA, tipLength=tip)
        cv2.circle(img, p, at + 2, ARROW_COLOUR, -1)

    for i, (b, bb) in enumerate(zip(blocks, boxes), start=1):
        others = boxes[:i - 1] + boxes[i:]
        _badge(img, str(i), bb, others, KIND_COLOURS.get(b.kind, (0, 0, 0)), u, thick)

    draw_direction(img, page, box, u)   # vertical blocks: columns and reading direction
    _legend(img, boxes, u, low_conf)
    return img


"""Marks Tesseract's ``chi_sim`` cannot read: line-opening markers □ ■ ▲ ● ◎
and the Chinese dash ——.

Chinese magazines open bylines with □ or ◎ ("□龚惠文", "◎本刊记者 孙鹏娜"),
captions with ▲ and run-in headings with ■ or ●. None of these is in the
character set of Tesseract's ``chi_sim`` model, so it reads □ as 口 or D and
often garbles the name next to it. They are simple shapes, told apart here by
geometry (fill, holes, how much of the top and bottom rows is inked), then
painted out before recognition and put back in front of the line's text.

The dash —— (two em dashes, set as one unbroken rule two characters long) is
not in that character set either: Tesseract reads it as 一一, the numeral
"one" twice, which is also a word (一一列举). The rule is found by its shape,
painted out, and put back between the words on either side of it.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..kinds import RUNNING_KINDS
from ..model import BBox, Block, Line, Word

MARKERS = "□■▲●◎"


def _holes(g: np.ndarray) -> list[int]:
    """Areas of the enclosed background regions of a boolean glyph."""
    bg = np.pad(~g, 1, constant_values=True).astype(np.uint8)
    n, _, st, _ = cv2.connectedComponentsWithStats(bg, connectivity=4)
    # label 1 holds the padded border: the outside
    return [int(s[4]) for s in st[2:]] if n > 2 else []


def _corners_empty(g: np.ndarray) -> bool:
    """No ink in the corner patches of the box: a round shape (● ◎), not a
    character, whose strokes reach its corners."""
    h, w = g.shape
    a, b = max(1, round(0.15 * h)), max(1, round(0.15 * w))
    # a few pixels of blur may reach in; a stroke fills a good part of the patch
    return max(float(c.mean()) for c in (g[:a, :b], g[:a, -b:], g[-a:, :b], g[-a:, -b:])) <= 0.1


def _solid_rows(g: np.ndarray) -> bool:
    """Every row is one unbroken run of ink: a filled convex shape (▲), not
    strokes with paper between them (业, 生)."""
    runs = 0
    for row in g:
        xs = np.nonzero(row)[0]
        if len(xs) and len(xs) >= 0.9 * (xs[-1] - xs[0] + 1):
            runs += 1
    return runs >= 0.9 * g.shape[0]


def _concentric(g: np.ndarray) -> bool:
    """Two round pieces, one inside the other's hole, sharing a centre (the
    rings of ◎)."""
    n, lab, st, cen = cv2.connectedComponentsWithStats(g.astype(np.uint8), connectivity=8)
    if n != 3:
        return False
    outer, inner = sorted((1, 2), key=lambda i: -int(st[i, 2]) * int(st[i, 3]))
    # the outer ring with its hole filled must cover the inner ring
    ring = np.pad(lab == outer, 1).astype(np.uint8)
    outside = ring.copy()
    cv2.floodFill(outside, None, (0, 0), 1)
    covered = (1 - outside[1:-1, 1:-1]) | ring[1:-1, 1:-1]
    if not covered[lab == inner].all():
        return False
    iw, ih = int(st[inner, 2]), int(st[inner, 3])
    d = float(np.hypot(*(cen[outer] - cen[inner])))
    return d <= 0.12 * max(int(st[outer, 2]), int(st[outer, 3])) and 0.8 <= iw / max(ih, 1) <= 1.25


def classify(g: np.ndarray, line_h: float | None = None) -> str | None:
    """The marker a boolean glyph image (ink True, cropped to its ink) is, or None.

    The thresholds sit between the markers and the Han characters that look
    most like them (口 has a smaller hole and, in serif faces, a bottom stroke
    set in; 日 and 回 have two holes and fill their top row), measured on the
    CJK faces of Noto, AR PL and WenQuanYi. Some faces draw □ at half the
    em; blurred at that size its outline is relatively thick, but no 口 is
    that small beside its line (``line_h``: the line's height).
    """
    h, w = g.shape
    if h < 6 or w < 6 or not 0.75 <= w / h <= 1.4:
        return None
    fill = float(g.mean())
    band = max(1, h // 8)
    top, bot = float(g[:band].any(0).mean()), float(g[-band:].any(0).mean())
    holes = [a / (w * h) for a in _holes(g)]
    n_comp = cv2.connectedComponents(g.astype(np.uint8), connectivity=8)[0] - 1
    square = w / h <= 1.18
    # a solid square's edge rows may be ragged (JPEG): two rows for its top and bottom
    band2 = max(2, band)
    if square and not holes and fill >= 0.88 and \
            min(float(g[:band2].any(0).mean()), float(g[-band2:].any(0).mean())) >= 0.9:
        return "■"
    small = line_h is not None and h <= 0.6 * line_h
    if not holes and fill < 0.5:
        # a thin outline broken by a worn scan: close pixel-wide gaps
        closed = cv2.morphologyEx(g.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)) > 0
        holes = [a / (w * h) for a in _holes(closed)]
        n_comp = cv2.connectedComponents(closed.astype(np.uint8), connectivity=8)[0] - 1
    if square and len(holes) == 1 and holes[0] >= (0.45 if small else 0.64) \
            and min(top, bot) >= 0.85 and n_comp == 1:
        return "□"
    if square and not holes and 0.7 <= fill <= 0.86 and max(top, bot) <= 0.72 and _corners_empty(g):
        return "●"
    if not holes and 0.42 <= fill <= 0.64 and top <= 0.35 and bot >= 0.85 and w >= h and _solid_rows(g):
        return "▲"
    if square and n_comp == 2 and holes and 0.08 <= fill <= 0.62 and max(top, bot) <= 0.75 \
            and _corners_empty(g) and _concentric(g):
        return "◎"
    return None


def find_marker(binary: np.ndarray, line: BBox) -> tuple[str, BBox] | None:
    """The marker opening a text line of the layout (``binary``: ink 255), if any."""
    h = line.height
    if h < 8:
        return None
    x0, y0, y1 = max(0, line.x0 - 2), max(0, line.y0 - 2), min(binary.shape[0], line.y1 + 2)
    strip = binary[y0:y1, x0:min(binary.shape[1], line.x0 + int(1.6 * h))] > 0
    cols = np.nonzero(strip.any(0))[0]
    if not len(cols):
        return None
    n, lab, st, _ = cv2.connectedComponentsWithStats(strip.astype(np.uint8), connectivity=8)
    xs = int(cols[0])
    # the first glyph: pieces starting within half an em of the first ink
    # (the inner ring of ◎); the next character starts about an em further on
    first = [i for i in range(1, n) if st[i, 0] < xs + 0.5 * h and st[i, 4] > 2]
    if not first:
        return None
    bx0 = int(min(st[i, 0] for i in first))
    by0 = int(min(st[i, 1] for i in first))
    bx1 = int(max(st[i, 0] + st[i, 2] for i in first))
    by1 = int(max(st[i, 1] + st[i, 3] for i in first))
    if by1 - by0 < 0.4 * h or bx1 - bx0 > 1.2 * h:
        return None
    # nothing else may reach into the glyph's box (it would be part of a character)
    others = [i for i in range(1, n) if i not in first and st[i, 0] < bx1 and st[i, 4] > 2]
    if others:
        return None
    g = np.isin(lab[by0:by1, bx0:bx1], first)
    mark = classify(g, h)
    if mark is None:
        return None
    return mark, BBox(x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def attach_lone_markers(blocks: list[Block], binary: np.ndarray) -> list[Block]:
    """``blocks`` with each marker that the layout left as a block of its own
    (a ■ hung in the margin before a paragraph, an em or more from its text)
    made part of the first line of the paragraph it opens, where recognition
    finds it as it finds any line-opening marker. Alone, the recogniser reads
    it as a character (■ as 国), and the one-glyph block sits in the gap
    between the page's columns, where it spoils their reading order."""
    text = [b for b in blocks if b.is_text and b.direction == "ltr" and b.lines]
    gone: set[int] = set()
    for m in text:
        if m.kind in RUNNING_KINDS:
            continue
        # a line that is one marker: a block of its own, or a line the layout
        # gave to the column on its left where the gutter is narrow (a broker
        # report's ■ 44 px from the sidebar's text; the sidebar's block then
        # reached into the main column and was read after its heading)
        for ln in [ln for ln in m.lines if all(ln.bbox.x0 >= o.bbox.x1 for o in m.lines if o is not ln)]:
            h = ln.bbox.height
            found = find_marker(binary, ln.bbox)
            if found is None or found[1].width < 0.6 * ln.bbox.width:
                continue
            box = found[1]
            opens = [b for b in text if b is not m and id(b) not in gone
                     and 0 < b.lines[0].bbox.x0 - box.x1 <= 3 * h
                     and b.lines[0].bbox.y_overlap(box) >= 0.5 * box.height]
            if not opens:
                continue
            b = min(opens, key=lambda b: b.lines[0].bbox.x0)
            first = b.lines[0]
            b.lines[0] = Line(bbox=BBox.enclosing([first.bbox, box]), text=first.text,
                              conf=first.conf, words=first.words)
            b.bbox = BBox.enclosing([b.bbox, box])
            m.lines.remove(ln)
            if not m.lines:
                gone.add(id(m))
            else:
                m.bbox = BBox.enclosing([x.bbox for x in m.lines])
    return [b for b in blocks if id(b) not in gone]


def paint_out(gray: np.ndarray, box: BBox) -> None:
    """Whiten a marker in the image the engine will read, in place."""
    gray[max(0, box.y0 - 2):box.y1 + 2, max(0, box.x0 - 2):box.x1 + 2] = 255


def _beside(lines: list[Line], box: BBox, reach: int, least: float) -> Line | None:
    """The recognised line that overlaps ``box`` (grown by ``reach`` up and
    down) the most, if by at least ``least`` pixels."""
    def overlap(ln: Line) -> int:
        return min(ln.bbox.y1, box.y1 + reach) - max(ln.bbox.y0, box.y0 - reach)
    best = max(lines, key=overlap, default=None)
    return best if best is not None and overlap(best) >= least else None


def _alone(lines: list[Line], box: BBox, text: str) -> list[Line]:
    """``lines`` with a line of its own holding ``text`` at ``box``, in order."""
    return sorted(lines + [Line(bbox=box, text=text, conf=99.0, words=[Word(box, text, 99.0)])],
                  key=lambda ln: (ln.bbox.y0 + ln.bbox.y1) / 2)


def put_back(lines: list[Line], mark: str, box: BBox) -> list[Line]:
    """The recognised lines with ``mark`` in front of the one beside its box
    (a new line of its own when the engine found nothing there)."""
    best = _beside(lines, box, 0, 0.3 * box.height)
    if best is None:
        return _alone(lines, box, mark)
    best.text = mark + best.text
    best.words.insert(0, Word(box, mark, 99.0))
    best.bbox = BBox.enclosing([best.bbox, box])
    return lines


def find_dashes(binary: np.ndarray, line: BBox) -> list[BBox]:
    """The —— rules in a text line: one unbroken thin stroke at least 1.6
    characters long, near the middle of the line (a 一 is at most one
    character long, and two of them leave a gap)."""
    h = line.height
    if h < 8:
        return []
    y0, y1 = max(0, line.y0 - 2), min(binary.shape[0], line.y1 + 2)
    x0, x1 = max(0, line.x0 - 2), min(binary.shape[1], line.x1 + 2)
    strip = (binary[y0:y1, x0:x1] > 0).astype(np.uint8)
    n, _, st, _ = cv2.connectedComponentsWithStats(strip, connectivity=8)
    out = []
    mid = (line.y0 + line.y1) / 2
    for x, y, w, hh, area in st[1:].tolist():
        cy = y0 + y + hh / 2
        if w >= 1.6 * h and hh <= 0.2 * h and area >= 0.7 * w * hh and abs(cy - mid) <= 0.25 * h:
            out.append(BBox(int(x0 + x), int(y0 + y), int(x0 + x + w), int(y0 + y + hh)))
    return out


def put_dash(lines: list[Line], box: BBox) -> list[Line]:
    """``lines`` (text not yet cleaned) with a —— word where ``box`` is."""
    best = _beside(lines, box, 4 * box.height, 1)   # boxes are whole pixels: overlap > 0
    if best is None:
        return _alone(lines, box, "——")
    i = sum(1 for w in best.words if (w.bbox.x0 + w.bbox.x1) / 2 < box.cx)
    best.words.insert(i, Word(box, "——", 99.0))
    best.text = " ".join(w.text for w in best.words)
    best.bbox = BBox.enclosing([best.bbox, box])
    return lines

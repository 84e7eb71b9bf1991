"""Vertical text: columns of characters stacked top to bottom, read right to left.

Found before the horizontal layout and kept out of it. What tells vertical
from horizontal Chinese is spacing: in horizontal type the characters of a
line nearly touch and lines are a good part of an em apart; in vertical type
it is the other way round. So the glyphs are smeared a third of a character
down: the characters of a vertical column merge into one tall narrow bar,
while horizontal lines stay apart (their leading is wider than the smear)
and the characters of a line merge, if at all, into a wide block, no bar.
Bars of glyph-sized marks, at least three characters tall, are the columns;
neighbouring columns of one type size form a region.

The regions are painted out of the binary image the horizontal layout works
on (``hide``), and come back as blocks of direction "ttb-rtl" after it
(``add_blocks``): a column of display type is a title, columns inside a box
are a sidebar, the rest body text; each block's lines are its columns, right
to left. The page is a vertical page when most of its text is in vertical
columns; its blocks are then ordered by the same resolver as any page, on the
page mirrored left to right, so that right comes before left.

Recognition (``read_block``) cuts each column into its character cells and
sets them side by side into a horizontal line (the marks printed in the upper
right of a vertical cell, ，。、, moved to the lower left where horizontal
type has them), so the page's own engine and model read vertical text as they
read horizontal text; with a ``*_vert`` language Tesseract's vertical model
reads the columns as they stand (``--psm 5``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .layout import geometry as geo
from .model import BBox, Block, Line, Word
from .options import split_lang

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


def _columns(comps: geo.Components, glyph: np.ndarray, shape, ch: float,
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
    # the bars are found on a copy scaled so that these glyphs are about 12 px:
    # no finer detail is needed, and it is several times faster
    f = min(1.0, 12.0 / s)
    mask = np.zeros((int(shape[0] * f) + 1, int(shape[1] * f) + 1), np.uint8)
    for x0, y0, x1, y1 in (b[pick] * f).astype(np.int64):
        mask[y0:y1 + 1, x0:x1 + 1] = 255
    k = max(2, int(round(SMEAR * s * f)))
    smeared = cv2.dilate(mask, np.ones((k, 1), np.uint8), anchor=(0, 0))
    _n, _lab, st, _c = cv2.connectedComponentsWithStats(smeared, connectivity=4)
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
    # seeds one above the other on one column: one column
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
    out: list[Column] = []
    for x0, y0, x1, y1 in cols:
        # grow down and up over the glyphs of the column's width, and of its
        # type: smaller type below a vertical title is other text
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
            continue
        box = BBox(int(min(x0, b[inside, 0].min())), y0, int(max(x1, b[inside, 2].max())), y1)
        cw = float(np.percentile(w[inside], 90))
        if _in_lines(box, cw, b, glyph):
            continue
        same = next((o for o in out if o.bbox.x_overlap(box) >= 0.5 * min(o.bbox.width, box.width)
                     and max(box.y0 - o.bbox.y1, o.bbox.y0 - box.y1) <= 1.2 * s), None)
        if same is not None:
            same.bbox = same.bbox.union(box)
            same.char_w = max(same.char_w, cw)
        else:
            out.append(Column(box, cw))
    return out


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


def _in_lines(box: BBox, cw: float, b: np.ndarray, glyph: np.ndarray) -> bool:
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


def find_vertical(binary: np.ndarray, frames: list[BBox] | None = None) -> VerticalLayout | None:
    """The vertical text regions of a page (binary: ink 255), or None when it has none."""
    comps = geo.components(binary)
    if len(comps.boxes) < MIN_CHARS:
        return None
    ch = geo.char_height(comps)
    if not ch or ch < 4:
        return None
    b = comps.boxes
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    glyph = (w < 8 * ch) & (h < 8 * ch)
    cols: list[Column] = []
    # display type first: a bold title's radicals stack into a narrower bar
    # at a smaller scale, which must not stand for the whole column
    for scale in (9.0, 6.0, 4.0, 2.5, 1.6, 1.0):
        for c in _columns(comps, glyph, binary.shape, ch, scale):
            box = c.bbox
            if not any(box.x_overlap(o.bbox) > 0.5 * min(box.width, o.bbox.width)
                       and box.y_overlap(o.bbox) > 0.5 * min(box.height, o.bbox.height) for o in cols):
                cols.append(c)
    if not cols:
        return None
    # pieces of one column found at neighbouring scales: one column
    cols.sort(key=lambda c: (c.bbox.x0, c.bbox.y0))
    merged: list[Column] = []
    for c in cols:
        m = next((o for o in merged if o.bbox.x_overlap(c.bbox) >= 0.5 * min(o.bbox.width, c.bbox.width)
                  and 0.8 <= c.char_w / o.char_w <= 1.25
                  and max(c.bbox.y0 - o.bbox.y1, o.bbox.y0 - c.bbox.y1) <= 1.2 * max(c.char_w, o.char_w)),
                 None)
        if m is None:
            merged.append(c)
        else:
            m.bbox = m.bbox.union(c.bbox)
    # the bars were found on a scaled-down copy: each column's sides again
    # from its own marks (a loose side takes slivers of the next column)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    for c in merged:
        bb = c.bbox
        own = glyph & (cx >= bb.x0) & (cx < bb.x1) & (cy >= bb.y0) & (cy < bb.y1) & (w <= 1.5 * c.char_w)
        if own.sum() >= MIN_CHARS:
            c.bbox = BBox(int(b[own, 0].min()), bb.y0, int(b[own, 2].max()), bb.y1)
        _foot_mark(c, b, glyph)
    regions = _regions(merged)
    for r in regions:
        _short_columns(r, comps, glyph)
    # regions over one another (columns of one block found at two scales): one
    merged_r: list[Region] = []
    for r in sorted(regions, key=lambda r: -r.bbox.area):
        o = next((m for m in merged_r if m.bbox.x_overlap(r.bbox) * m.bbox.y_overlap(r.bbox)
                  >= 0.3 * min(m.bbox.area, r.bbox.area)), None)
        if o is None:
            merged_r.append(r)
        else:
            o.columns += r.columns
            o.bbox = o.bbox.union(r.bbox)
    regions = merged_r
    for r in regions:
        # one column found twice (at two scales, or in two pieces): one column
        uniq: list[Column] = []
        for c in r.columns:
            o = next((u for u in uniq if u.bbox.x_overlap(c.bbox) >= 0.5 * min(u.bbox.width, c.bbox.width)), None)
            if o is None:
                uniq.append(c)
            else:
                o.bbox = o.bbox.union(c.bbox)
        r.columns = sorted(uniq, key=lambda c: -c.bbox.x1)
    regions = _join_beside(regions)
    # a lone column is display type (a title); a lone column of body type is
    # as often a few marks that line up
    regions = [r for r in regions if len(r.columns) >= 2 or (r.columns[0].bbox.height >= 4 * r.char_w
                                                             and r.char_w >= 1.4 * ch)]
    # the share of the page's glyph ink in them
    ink_total = float(comps.area[glyph].sum()) or 1.0
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    inside = np.zeros(len(b), bool)
    for r in regions:
        rb = r.bbox
        inside |= (cx >= rb.x0) & (cx < rb.x1) & (cy >= rb.y0) & (cy < rb.y1)
    share = float(comps.area[glyph & inside].sum()) / ink_total
    return VerticalLayout(regions, share, float(ch))


def _foot_mark(c: Column, b: np.ndarray, glyph: np.ndarray) -> None:
    """A column ending in a mark (。，、 in the upper right of its last cell):
    the mark is too small to have grown the column down to it, and a column
    cut above it reads without it. Only a lone small mark just below the
    column, in its right half, with nothing larger under the column there."""
    bb, cw = c.bbox, c.char_w
    size = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    cx = (b[:, 0] + b[:, 2]) / 2
    band = glyph & (b[:, 2] > bb.x0) & (b[:, 0] < bb.x1) & (b[:, 1] >= bb.y1 - 1) & (b[:, 1] < bb.y1 + cw)
    if not band.any():
        return
    mark = band & (size <= 0.45 * cw) & (size >= 0.1 * cw) & (cx >= bb.cx) & (b[:, 1] <= bb.y1 + 0.6 * cw)
    if mark.sum() != 1 or (band & ~mark & (size > 0.2 * cw)).any():
        return
    c.bbox = BBox(bb.x0, bb.y0, max(bb.x1, int(b[mark, 2].max())), int(b[mark, 3].max()))


def _regions(cols: list[Column]) -> list[Region]:
    """Neighbouring columns of one type size, side by side: one region each."""
    cols = sorted(cols, key=lambda c: -c.bbox.x1)
    regions: list[Region] = []
    for c in cols:
        for r in regions:
            last = r.columns[-1]
            same = 0.8 <= c.char_w / last.char_w <= 1.25
            gap = last.bbox.x0 - c.bbox.x1
            overlap = c.bbox.y_overlap(r.bbox) >= 0.5 * min(c.bbox.height, r.bbox.height)
            if same and -0.2 * c.char_w <= gap <= 1.6 * c.char_w and overlap:
                r.columns.append(c)
                r.bbox = r.bbox.union(c.bbox)
                break
        else:
            regions.append(Region(c.bbox, [c]))
    return regions


def _join_beside(regions: list[Region]) -> list[Region]:
    """Regions side by side, a column's pitch apart once their short columns
    are in, of one type size: one region (a paragraph's last column, too
    short to be found as a bar, had kept its neighbours apart)."""
    regions = sorted(regions, key=lambda r: -r.bbox.x1)
    out: list[Region] = []
    for r in regions:
        o = next((o for o in out if 0.85 <= r.char_w / o.char_w <= 1.18
                  and -0.2 * r.char_w <= o.columns[-1].bbox.x0 - r.columns[0].bbox.x1 <= 1.6 * r.char_w
                  and r.bbox.y_overlap(o.bbox) >= 0.5 * min(r.bbox.height, o.bbox.height)), None)
        if o is None:
            out.append(r)
        else:
            o.columns += r.columns
            o.bbox = o.bbox.union(r.bbox)
    return out


def _short_columns(r: Region, comps: geo.Components, glyph: np.ndarray) -> None:
    """Columns too short to be found as bars (the last character or two of a
    paragraph) beside or between the region's columns."""
    cw = r.char_w
    b = comps.boxes
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    rb = r.bbox
    # from two characters above the region: a region found as the indented
    # first column of a paragraph starts two characters below the short
    # column that ends the paragraph
    cand = glyph & (w <= 1.3 * cw) & (np.maximum(w, h) >= 0.15 * cw) & (h <= 2.5 * cw) \
        & (cx >= rb.x0 - 2 * cw) & (cx < rb.x1 + 0.5 * cw) & (cy >= rb.y0 - 2.2 * cw) & (cy < rb.y1)
    for c in r.columns:
        cb = c.bbox
        cand &= ~((cx >= cb.x0) & (cx < cb.x1) & (cy >= cb.y0 - 0.5 * cw) & (cy < cb.y1 + 0.5 * cw))
    added = False
    # above the region, only a column of its own, standing clear (not the
    # characters of a line of text over the region, nor more of a column)
    for part, above in ((cand & (cy >= rb.y0), False), (cand & (cy < rb.y0), True)):
        found: list[list[int]] = []
        for i in np.nonzero(part)[0][np.argsort(cx[part])]:
            x0, y0, x1, y1 = map(int, b[i])
            g = next((f for f in found if min(f[2], x1) - max(f[0], x0) > 0.3 * cw), None)
            if g is None:
                found.append([x0, y0, x1, y1])
            else:
                g[:] = [min(g[0], x0), min(g[1], y0), max(g[2], x1), max(g[3], y1)]
        for f in found:
            box = BBox(*f)
            if box.width < 0.5 * cw or box.width > 1.5 * cw:
                continue
            same = next((c for c in r.columns if c.bbox.x_overlap(box) >= 0.5 * min(c.bbox.width, box.width)), None)
            if same is not None:   # the rest of a column (below a gap the bars did not cross)
                if not above:
                    same.bbox = same.bbox.union(box)
                    added = True
                continue
            if above and _in_lines(box, cw, b, glyph):
                continue
            near = min(abs(box.cx - c.bbox.cx) for c in r.columns)
            if near <= 2.2 * cw:
                r.columns.append(Column(box, float(box.width)))
                added = True
    if added:
        r.columns.sort(key=lambda c: -c.bbox.x1)
        r.bbox = BBox.enclosing(c.bbox for c in r.columns)


def hide(binary: np.ndarray, vl: VerticalLayout) -> None:
    """Paint the vertical regions out of the binary image the horizontal layout sees."""
    for r in vl.regions:
        pad = int(0.2 * r.char_w)
        binary[max(0, r.bbox.y0 - pad):r.bbox.y1 + pad, max(0, r.bbox.x0 - pad):r.bbox.x1 + pad] = 0


def _kind(r: Region, vl: VerticalLayout, frames: list[BBox], page_w: int) -> str:
    if any(f.x0 <= r.bbox.cx <= f.x1 and f.y0 <= r.bbox.cy <= f.y1 for f in frames):
        return "sidebar"
    if r.char_w >= 1.6 * _body_w(vl):
        return "title" if len(r.columns) <= 2 else "heading"
    return "body"


def _body_w(vl: VerticalLayout) -> float:
    ws = [c.char_w for r in vl.regions for c in r.columns]
    return float(np.median(ws)) if vl.page_is_vertical and ws else vl.body_ch


def add_blocks(page, vl: VerticalLayout, frames: list[BBox]) -> None:
    """The vertical regions as blocks of the page (after the horizontal layout).
    Regions inside one box (a sidebar's heading and text) are one block."""
    groups: dict[int, list[Region]] = {}
    for i, r in enumerate(vl.regions):
        f = next((j for j, fr in enumerate(frames)
                  if fr.x0 <= r.bbox.cx <= fr.x1 and fr.y0 <= r.bbox.cy <= fr.y1), None)
        groups.setdefault(-1 - i if f is None else f, []).append(r)
    # a region right beside a boxed one, as tall, is in the box too (a heading
    # column set close to the box's rule, where the rule was not found round it)
    for key in [k for k in groups if k < 0]:
        r = groups[key][0]
        box = next((k for k, rs in groups.items() if k >= 0 and any(
            max(r.bbox.x0 - o.bbox.x1, o.bbox.x0 - r.bbox.x1) <= 2 * r.char_w
            and r.bbox.y_overlap(o.bbox) >= 0.7 * min(r.bbox.height, o.bbox.height) for o in rs)), None)
        if box is not None:
            groups[box] += groups.pop(key)
    if not vl.page_is_vertical:
        _join_side_by_side(groups)
    next_id = max((b.id for b in page.blocks), default=-1) + 1
    for rs in groups.values():
        cols: list[Column] = []
        for c in sorted((c for r in rs for c in r.columns), key=lambda c: -c.bbox.x1):
            o = next((u for u in cols if u.bbox.x_overlap(c.bbox) >= 0.5 * min(u.bbox.width, c.bbox.width)), None)
            if o is None:   # regions of one box may share a column
                cols.append(c)
            else:
                o.bbox = o.bbox.union(c.bbox)
        bbox = BBox.enclosing(r.bbox for r in rs)
        kind = _kind(max(rs, key=lambda r: len(r.columns)), vl, frames, page.width)
        # the horizontal layout's blocks inside the region are its leftovers
        page.blocks = [b for b in page.blocks if not (b.bbox.x_overlap(bbox) > 0.5 * b.bbox.width
                                                      and b.bbox.y_overlap(bbox) > 0.5 * b.bbox.height
                                                      and b.kind != "figure" and b.direction != TTB)]
        # on a vertical page each paragraph is a block (the mirrored resolver
        # orders them); inside a horizontal page a vertical part stays one
        # block, its columns in order, as the resolver would read side by
        # side blocks left to right
        for run in (_paragraphs(cols) if vl.page_is_vertical else [cols]):
            page.blocks.append(Block(id=next_id, kind=kind, bbox=BBox.enclosing(c.bbox for c in run),
                                     direction=TTB, lines=[Line(bbox=c.bbox) for c in run]))
            next_id += 1
    if vl.page_is_vertical:
        page.direction = TTB
    page.diagnostics["vertical"] = {"regions": len(vl.regions), "share": round(vl.share, 3),
                                    "columns": sum(len(r.columns) for r in vl.regions)}


def _join_side_by_side(groups: dict[int, list[Region]]) -> None:
    """Groups side by side, columns of one type size a column's pitch apart,
    are one flow read right to left: one block. (A box found only by its top
    and bottom rules is a frame round each of its regions; the resolver of a
    horizontal page would read the two blocks left to right.)"""
    def beside(a: list[Region], b: list[Region]) -> bool:
        return any(max(r.bbox.x0 - o.bbox.x1, o.bbox.x0 - r.bbox.x1) <= 1.6 * min(r.char_w, o.char_w)
                   and 0.8 <= r.char_w / o.char_w <= 1.25
                   and r.bbox.y_overlap(o.bbox) >= 0.7 * min(r.bbox.height, o.bbox.height)
                   for r in a for o in b)
    joined = True
    while joined:
        joined = False
        keys = list(groups)
        pair = next(((k1, k2) for i, k1 in enumerate(keys) for k2 in keys[i + 1:]
                     if beside(groups[k1], groups[k2])), None)
        if pair is not None:
            groups[pair[0]] += groups.pop(pair[1])
            joined = True


def _paragraphs(cols: list[Column]) -> list[list[Column]]:
    """Columns (right to left) in runs that each start a paragraph: a column
    set lower than the columns beside it (the two-character indent)."""
    if not cols:
        return []
    top = min(c.bbox.y0 for c in cols)
    runs: list[list[Column]] = []
    for c in cols:
        if not runs or c.bbox.y0 - top >= 1.5 * c.char_w:
            runs.append([c])
        else:
            runs[-1].append(c)
    return runs


def resolve(page, resolve_order):
    """``resolve_order`` on the page's blocks; on a vertical page, on the page
    mirrored left to right (columns and blocks read right to left)."""
    if page.direction != TTB:
        return resolve_order(page.blocks)
    saved = {id(b): b.bbox for b in page.blocks}
    for b in page.blocks:
        b.bbox = BBox(page.width - b.bbox.x1, b.bbox.y0, page.width - b.bbox.x0, b.bbox.y1)
    try:
        return resolve_order(page.blocks)
    finally:
        for b in page.blocks:
            b.bbox = saved[id(b)]


def find_and_hide(pimg) -> VerticalLayout | None:
    """The page's vertical regions, painted out of ``pimg.binary``; None if none."""
    vl = find_vertical(pimg.binary)
    if vl is None or not vl.regions:
        return None
    pimg.binary_full = pimg.binary.copy()
    hide(pimg.binary, vl)
    return vl


def add_to_layout(pimg, vl: VerticalLayout | None) -> None:
    """After the horizontal layout: the vertical regions become blocks."""
    if vl is None:
        return
    frames = list(getattr(pimg.geometry, "frames", None) or [])
    if pimg.rule_ink is not None:
        for r in vl.regions:
            box = _enclosing_box(r, pimg.rule_ink)
            if box is None:
                continue
            # one box's regions side by side (a heading column, paragraphs) make one frame
            same = [f for f in frames if box.y_overlap(f) >= 0.8 * min(box.height, f.height)
                    and max(box.x0 - f.x1, f.x0 - box.x1) <= 3 * r.char_w]
            for f in same:
                frames.remove(f)
                box = box.union(f)
            frames.append(box)
    page = pimg.page
    if vl.page_is_vertical:
        # display type over the columns of a vertical page is its title (the
        # horizontal layout, seeing only it, takes it for a running head, or
        # the region detector for a caption: there is no figure)
        body = _body_w(vl)
        top = min(r.bbox.y0 for r in vl.regions)
        regions = [r.bbox for r in vl.regions]
        kinds = ("header", "heading", "body") + (() if any(
            b.kind == "figure" and not _text_figure(b, regions) for b in page.blocks) else ("caption",))
        for b in page.blocks:
            if b.kind in kinds and b.lines and b.bbox.y1 <= top + body \
                    and float(np.median([ln.bbox.height for ln in b.lines])) >= 1.5 * body:
                b.kind = "title"
    add_blocks(page, vl, frames)
    # a "figure" made of vertical text (dense columns look like a picture to
    # the detector) is that text
    vert = [b.bbox for b in page.blocks if b.direction == TTB]
    page.blocks = [b for b in page.blocks if not (b.kind == "figure" and _text_figure(b, vert))]


def _text_figure(b: Block, vert: list[BBox]) -> bool:
    """Whether a block is mostly vertical text."""
    return sum(b.bbox.x_overlap(v) * b.bbox.y_overlap(v) for v in vert) >= 0.5 * max(1, b.bbox.area)
    for i, b in enumerate(sorted(page.blocks, key=lambda bl: (bl.bbox.y0, bl.bbox.x0))):
        b.id = i


def _enclosing_box(r: Region, rule_ink: np.ndarray) -> BBox | None:
    """The ruled box round a region (a sidebar's frame), or None: rules on at
    least three sides within a few characters of it, each along most of it."""
    h, w = rule_ink.shape
    reach = int(3 * r.char_w)
    b = r.bbox
    found = {}
    top = rule_ink[max(0, b.y0 - reach):b.y0, b.x0:b.x1]
    bot = rule_ink[b.y1:min(h, b.y1 + reach), b.x0:b.x1]
    left = rule_ink[b.y0:b.y1, max(0, b.x0 - reach):b.x0]
    right = rule_ink[b.y0:b.y1, b.x1:min(w, b.x1 + reach)]
    for side, strip, axis, length in (("top", top, 1, b.width), ("bottom", bot, 1, b.width),
                                      ("left", left, 0, b.height), ("right", right, 0, b.height)):
        if strip.size == 0:
            continue
        cover = strip.sum(axis=axis)
        i = int(np.argmax(cover))
        if cover[i] >= 0.8 * length:
            found[side] = i
    if len(found) < 3 and not ("top" in found and "bottom" in found):
        return None
    x0 = max(0, b.x0 - reach) + found["left"] if "left" in found else b.x0
    x1 = b.x1 + found["right"] + 1 if "right" in found else b.x1
    y0 = max(0, b.y0 - reach) + found["top"] if "top" in found else b.y0
    y1 = b.y1 + found["bottom"] + 1 if "bottom" in found else b.y1
    return BBox(int(x0), int(y0), int(x1), int(y1))


# --- recognition ---------------------------------------------------------------

def pitch(profiles: list[np.ndarray], cw: float, lo_f: float = 0.85, hi_f: float = 1.6) -> float:
    """The distance from one character to the next down the columns (vertical
    type is set on a fixed pitch), between ``lo_f`` and ``hi_f`` character
    widths, to a quarter of a pixel: the grid whose lines cross the least of
    the columns' ink, each column at its own phase, each weighing alike.
    (The columns' autocorrelation, tried first, is weak on type set solid and
    drifts a pixel or two on a column of a few characters; a grid a pixel off
    its pitch cuts the characters of a column a few characters down.)"""
    lo, hi = lo_f * cw, hi_f * cw
    sms = []
    for prof in profiles:
        # the characters, not the paper round them: a column's box may reach
        # past its ink, and grid lines on blank rows cost nothing
        nz = np.flatnonzero(prof)
        if len(nz) == 0:
            continue
        prof = prof[nz[0]:nz[-1] + 1].astype(np.float64)
        # in pieces of a dozen characters, each at its own phase: a column
        # with a mark squeezed in is a little tighter than the others, and
        # over a long column the grid of the block's pitch drifts off it
        piece = int(12 * cw)
        for at in range(0, len(prof), piece):
            part = prof[at:at + piece]
            if len(part) < 2 * lo or not part.any():
                continue
            sm = np.convolve(part, np.ones(3), mode="same")
            sms.append(sm / sm.mean())
    if not sms:
        return float(cw * 1.05)
    best, got = None, float(cw * 1.05)
    for q in np.arange(lo, hi, 0.25):
        cost = sum(_grid_cost(sm, q) for sm in sms)
        if best is None or cost < best - 1e-9:
            best, got = cost, float(q)
    return got


def _grid_cost(sm: np.ndarray, q: float) -> float:
    """The ink a grid of pitch ``q`` crosses per line, at its best phase
    (``sm``: a column's ink profile, smoothed)."""
    n = len(sm)
    rows = np.arange(0, q, 1.0)[:, None] + q * np.arange(int(np.ceil(n / q)) + 1)[None, :]
    inside = rows < n
    on = np.where(inside, sm[np.where(inside, rows, 0).astype(int)], 0.0)
    return float((on.sum(axis=1) / np.maximum(1, inside.sum(axis=1))).min())


def _grid(phase: float, n: int, p: float) -> np.ndarray:
    """Rows phase, phase + p, ... below ``n`` (a float range can step past its end)."""
    rows = np.arange(phase, n, p).astype(int)
    return rows[rows < n]


def _fine_pitch(prof: np.ndarray, p: float) -> float:
    """The column's own pitch near the block's ``p``, to a hundredth of a
    pixel (on a column of seventy characters a tenth is seven pixels at its
    foot): the repeat whose grid lines cross the least ink. A mark hung at a
    column's foot squeezes one more cell into the column: on a short column
    that is a good deal tighter than on a long one."""
    n = len(prof)
    if n < 3 * p:
        return p
    k = max(1, int(round(n / p)))
    lo = min(0.93, k / (k + 1) - 0.01)
    sm = np.convolve(prof.astype(np.float64), np.ones(3), mode="same")
    got = p
    for qs in (np.arange(lo * p, 1.02 * p, 0.1), None):
        if qs is None:   # then finer, round the best
            qs = np.arange(got - 0.1, got + 0.1, 0.01)
        costs = [_grid_cost(sm, q) for q in qs]
        got = float(qs[int(np.argmin(costs))])
    return got


def cells(ink: np.ndarray, p: float) -> list[tuple[int, int]]:
    """The character cells of one column: (top, bottom) rows of ``ink`` (the
    column's binary crop, ink True), on the grid of pitch ``p`` whose lines
    cross the least ink (a mark in the corner of its cell can touch the
    character above: no blank row parts them, the grid does)."""
    prof = ink.sum(axis=1).astype(np.float64)
    n = len(prof)
    if n == 0 or not prof.any():
        return []
    sm = np.convolve(prof, np.ones(3), mode="same")
    best, phase = None, 0.0
    for ph in np.arange(0, p, 1.0):
        rows = _grid(ph, n, p)
        cost = float(sm[rows].sum())
        if best is None or cost < best:
            best, phase = cost, ph
    edges = [int(round(e)) for e in np.arange(phase - p, n + p, p)]
    out = []
    for a, b in zip(edges, edges[1:]):
        a, b = max(0, a), min(n, b)
        if b > a and prof[a:b].any():
            out.append((a, b))
    return out


def _restack(gray: np.ndarray, binary: np.ndarray, col: BBox, cw: float, p: float):
    """One column as a horizontal line image: its cells side by side, each
    centred in a square slot, a mark in the upper right of its cell (，。、 in
    vertical setting) put in the lower left as horizontal type has it.
    Returns (image, slots) with slots [(x0, x1, page box of the cell)]."""
    x0, x1 = col.x0, col.x1
    ink = binary[col.y0:col.y1, x0:x1] > 0
    _n, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    # an em a character, set solid with a little space, as horizontal body type
    side = int(round(max(cw, col.width) * 1.05))
    gap = max(1, int(0.04 * side))
    parts, slots, x = [], [], gap
    col_gray = gray[col.y0:col.y1, x0:x1]
    paper = int(np.percentile(col_gray, 90)) if col_gray.size else 255
    for top, bot in cells(ink, p):
        piece = ink[top:bot]
        ys, xs = np.nonzero(piece)
        if len(ys) == 0:
            continue
        py0, py1, px0, px1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        g = gray[col.y0 + top + py0:col.y0 + top + py1, x0 + px0:x0 + px1]
        slot = np.full((side, side), paper, np.uint8)
        gh, gw = min(g.shape[0], side), min(g.shape[1], side)
        small = gh < 0.5 * cw and gw < 0.5 * cw
        corner = small and px0 >= 0.35 * col.width and py1 <= 0.6 * p
        if corner:   # lower left of the em, its foot on the characters' foot, as horizontal type sets it
            oy = max(0, min(side - gh, int((side + 0.9 * cw) / 2) - gh))
            ox = max(0, int((side - cw) / 2 + 0.08 * cw))
        elif small:
            oy, ox = (side - gh) // 2, (side - gw) // 2
        else:
            oy, ox = (side - gh) // 2, (side - gw) // 2
        slot[oy:oy + gh, ox:ox + gw] = g[:gh, :gw]
        parts.append(slot)
        box = BBox(x0 + int(px0), col.y0 + top + int(py0), x0 + int(px1), col.y0 + top + int(py1))
        slots.append((x, x + side, box, _whole_mark(labels, top, piece, py0, py1, px0, px1) if corner else None))
        x += side + gap
    if not parts:
        return None, []
    sep = np.full((side, gap), paper, np.uint8)
    row = np.hstack([sep] + [p for s in parts for p in (s, sep)])
    return row, slots


_VERT_APIS: dict = {}


def _read_vertical_model(gray: np.ndarray, col: BBox, vert_lang: str, timeout: float) -> Line | None:
    """One column read as it stands by Tesseract's vertical model (--psm 5)."""
    from .recognition import tesseract
    from .recognition.crops import _line

    pad = max(8, col.width // 2)
    h, w = gray.shape
    x0, y0, x1, y1 = max(0, col.x0 - pad), max(0, col.y0 - pad), min(w, col.x1 + pad), min(h, col.y1 + pad)
    crop = np.ascontiguousarray(gray[y0:y1, x0:x1])
    words: list[Word] = []
    if tesseract.api_available():
        if vert_lang not in _VERT_APIS:
            _VERT_APIS[vert_lang] = tesseract.TessApi(vert_lang)
        for _box, ws in _VERT_APIS[vert_lang].recognize(crop, 5, timeout):
            words += [Word(BBox(*box).shift(x0, y0), t.strip(), c) for box, t, c in ws if t.strip()]
    else:
        d = tesseract.image_to_data(crop, vert_lang, 5, timeout)
        for i, t in enumerate(d["text"]):
            t = (t or "").strip()
            if t and float(d["conf"][i]) >= 0:
                bx, by, bw, bh = (int(d[k][i]) for k in ("left", "top", "width", "height"))
                words.append(Word(BBox(bx + x0, by + y0, bx + bw + x0, by + bh + y0), t, float(d["conf"][i])))
    if not words:
        return None
    ln = _line(words)
    ln.text = "".join(wd.text for wd in words)
    ln.bbox = col
    return ln


CORNER_READS = set("，。、,.`\\'")


def corner_mark(ink: np.ndarray) -> str:
    """Which of ，。、 a mark in the upper right of a vertical cell is, by its
    shape: a ring (paper at its middle) is 。, a mark clearly taller than wide
    is ，, the slanting stroke 、. chi_sim reads these small marks, set apart
    from their characters, as full stops more often than not."""
    h, w = ink.shape
    if h == 0 or w == 0:
        return "。"
    m = np.pad(ink.astype(np.uint8) * 255, 1)
    _c, hier = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is not None and (hier[0][:, 3] >= 0).any():   # a hole: the ring
        return "。"
    if h >= 1.25 * w:
        return "，"
    # the ring's middle is paper; the slanting stroke of 、 runs through its middle
    mid = ink[h // 3:h - h // 3, w // 3:w - w // 3]
    return "。" if mid.size and mid.mean() < 0.3 else "、"


def _whole_mark(labels: np.ndarray, top: int, piece: np.ndarray, py0, py1, px0, px1) -> str:
    """``corner_mark`` of the whole marks in a cell: the grid between cells
    may cut a thin ring in two, the marks' own pixels do not."""
    ids = np.unique(labels[top + py0:top + py1, px0:px1][piece[py0:py1, px0:px1]])
    ids = ids[ids > 0]
    if not len(ids):
        return corner_mark(piece[py0:py1, px0:px1])
    m = np.isin(labels, ids)
    ys, xs = np.nonzero(m)
    return corner_mark(m[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def _put_marks(text: str, kinds: list[str | None]) -> str:
    """The engine's reading of a column with its corner marks told by shape:
    where it read as many of them as there are, each in its place; else the
    marks it read or dropped are put back after as many characters as stand
    before them in the column (``kinds``: each cell's mark, None for a character)."""
    marks = [k for k in kinds if k]
    if not marks:
        return text
    at = [i for i, c in enumerate(text) if c in CORNER_READS]
    if len(at) == len(marks):
        chars = list(text)
        for i, m in zip(at, marks):
            chars[i] = m
        return "".join(chars)
    rest = [c for c in text if c not in CORNER_READS]
    out, i = [], 0
    for k in kinds:
        if k:
            out.append(k)
        elif i < len(rest):
            out.append(rest[i])
            i += 1
    return "".join(out) + "".join(rest[i:])


def type_width(binary: np.ndarray, col: BBox) -> float:
    """The width of a column's glyphs: the span of its ink across, leaving out
    what only a few of its rows have (marks hung beside the column)."""
    xp = (binary[col.y0:col.y1, col.x0:col.x1] > 0).sum(axis=0)
    if not xp.any():
        return float(col.width)
    k = np.flatnonzero(xp >= 0.15 * xp.max())
    return float(k[-1] - k[0] + 1)


def read_block(gray: np.ndarray, binary: np.ndarray, block: Block, engine, lang: str,
               timeout: float, others: list[Block] = ()) -> list[Line]:
    """The columns of a vertical block read by the page's engine as horizontal
    lines (see the module's note); lines in reading order, boxes on the page.
    ``others``: the page's other vertical blocks; the pitch is measured over
    every column of the block's type size (a paragraph of one column says little)."""
    from .recognition.crops import _fit_line_height, _line

    _hor, vert_lang = split_lang(lang)
    if vert_lang:   # --lang *_vert: Tesseract's vertical model reads the columns
        return [ln for ln in (_read_vertical_model(gray, c.bbox, vert_lang, timeout)
                              for c in block.lines) if ln is not None]
    siblings = [ln for b in [block, *others] if b.direction == TTB for ln in b.lines]

    def profile(ln: Line) -> np.ndarray:
        return (binary[ln.bbox.y0:ln.bbox.y1, ln.bbox.x0:ln.bbox.x1] > 0).sum(axis=1)

    # type sizes compared by the columns' glyph widths, not their boxes: a
    # mark hung beside a column (，in the corner of its last cell) widens its
    # box by half a character, as much as a heading's larger type does
    tw = {id(ln): type_width(binary, ln.bbox) for ln in siblings}
    block_w = float(np.median([tw[id(ln)] for ln in block.lines])) if block.lines else 20.0
    sizes: dict[bool, tuple[float, float]] = {}
    out: list[Line] = []
    for col in block.lines:
        # the columns of this column's type size: a sidebar's heading column
        # is set larger than its text
        large = tw[id(col)] > 1.18 * block_w
        if large not in sizes:
            own = [ln for ln in block.lines if (tw[id(ln)] > 1.18 * block_w) == large]
            cw = float(np.median([ln.bbox.width for ln in own]))
            own_tw = float(np.median([tw[id(ln)] for ln in own]))
            like = [ln for ln in siblings if 0.92 <= tw[id(ln)] / own_tw <= 1.09] or own
            sizes[large] = (cw, pitch([profile(ln) for ln in like], cw))
        cw, p = sizes[large]
        # a column with a mark hung at its foot is set a little tighter: its own pitch
        img, slots = _restack(gray, binary, col.bbox, cw, _fine_pitch(profile(col), p))
        if img is None:
            continue
        side = img.shape[0]
        pad = max(8, side // 3)
        img = np.pad(img, pad, constant_values=255)
        scaled, f = _fit_line_height(img, side, getattr(engine, "max_line_px", None),
                                     getattr(engine, "min_line_px", None))
        lines = engine.recognize(scaled, block.kind, 1)
        words = []
        for ln in lines:
            for w in ln.words or [Word(ln.bbox, ln.text, ln.conf)]:
                wx0, wx1 = w.bbox.x0 / f - pad, w.bbox.x1 / f - pad
                hit = [s[2] for s in slots if s[1] > wx0 and s[0] < wx1] or [slots[0][2]]
                words.append(Word(BBox.enclosing(hit), w.text, w.conf))
        if words:
            ln = _line(words)
            ln.text = _put_marks("".join(w.text for w in words), [s[3] for s in slots])
            ln.bbox = BBox.enclosing(s[2] for s in slots)
            out.append(ln)
    return out


def assemble(page) -> None:
    """A vertical block's text: its columns joined, a new paragraph where a
    column starts lower than the block's columns do (the two-character indent)."""
    for b in page.blocks:
        if b.direction != TTB or not b.lines:
            continue
        top = min(ln.bbox.y0 for ln in b.lines)
        cw = float(np.median([ln.bbox.width for ln in b.lines]))
        paras: list[str] = []
        for ln in b.lines:
            if not paras or ln.bbox.y0 - top >= 1.5 * cw:
                paras.append(ln.text)
            else:
                paras[-1] += ln.text
        b.text = "\n".join(p for p in paras if p)


# --- review overlay -------------------------------------------------------------

DIRECTION_COLOUR = (40, 120, 200)   # BGR: orange-brown, apart from the kinds' colours


def draw_direction(img: np.ndarray, page, box, u: float) -> None:
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

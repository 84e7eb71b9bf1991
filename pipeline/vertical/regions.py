"""A page's vertical text: columns found at every type size (``columns_at``),
gathered into regions of neighbouring columns of one size (``find_vertical``),
and painted out of the binary image the horizontal layout sees
(``find_and_hide``)."""
from __future__ import annotations

import numpy as np

from ..layout import geometry as geo
from ..model import BBox
from .columns import MIN_CHARS, Column, Region, VerticalLayout, columns_at, in_lines


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
    cols = _every_scale(comps, glyph, binary.shape, ch)
    if not cols:
        return None
    merged = _join_pieces(cols)
    _fit_sides(merged, b, glyph)
    regions = _regions(merged)
    for r in regions:
        _short_columns(r, comps, glyph)
    regions = _join_overlapping(regions)
    for r in regions:
        _one_each(r)
    regions = _join_beside(regions)
    # a lone column is display type (a title); a lone column of body type is
    # as often a few marks that line up
    regions = [r for r in regions if len(r.columns) >= 2 or (r.columns[0].bbox.height >= 4 * r.char_w
                                                             and r.char_w >= 1.4 * ch)]
    return VerticalLayout(regions, _share(comps, glyph, regions), float(ch))


def _every_scale(comps: geo.Components, glyph: np.ndarray, shape, ch: float) -> list[Column]:
    """The columns found at each type size, largest first; a column over one
    found at a larger size is left out."""
    cols: list[Column] = []
    # display type first: a bold title's radicals stack into a narrower bar
    # at a smaller scale, which must not stand for the whole column
    for scale in (9.0, 6.0, 4.0, 2.5, 1.6, 1.0):
        for c in columns_at(comps, glyph, shape, ch, scale):
            box = c.bbox
            if not any(box.x_overlap(o.bbox) > 0.5 * min(box.width, o.bbox.width)
                       and box.y_overlap(o.bbox) > 0.5 * min(box.height, o.bbox.height) for o in cols):
                cols.append(c)
    return cols


def _join_pieces(cols: list[Column]) -> list[Column]:
    """Pieces of one column found at neighbouring scales: one column."""
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
    return merged


def _fit_sides(cols: list[Column], b: np.ndarray, glyph: np.ndarray) -> None:
    """The bars were found on a scaled-down copy: each column's sides again
    from its own marks (a loose side takes slivers of the next column), and
    the mark at its foot (``_foot_mark``)."""
    w = b[:, 2] - b[:, 0]
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    for c in cols:
        bb = c.bbox
        own = glyph & (cx >= bb.x0) & (cx < bb.x1) & (cy >= bb.y0) & (cy < bb.y1) & (w <= 1.5 * c.char_w)
        if own.sum() >= MIN_CHARS:
            c.bbox = BBox(int(b[own, 0].min()), bb.y0, int(b[own, 2].max()), bb.y1)
        _foot_mark(c, b, glyph)


def _join_overlapping(regions: list[Region]) -> list[Region]:
    """Regions over one another (columns of one block found at two scales): one."""
    return _absorb(sorted(regions, key=lambda r: -r.bbox.area),
                   lambda m, r: m.bbox.x_overlap(r.bbox) * m.bbox.y_overlap(r.bbox)
                   >= 0.3 * min(m.bbox.area, r.bbox.area))


def _absorb(regions: list[Region], joins) -> list[Region]:
    """``regions`` in turn, each taken into the first region kept so far that
    ``joins(kept, it)``, else kept."""
    out: list[Region] = []
    for r in regions:
        o = next((o for o in out if joins(o, r)), None)
        if o is None:
            out.append(r)
        else:
            o.columns += r.columns
            o.bbox = o.bbox.union(r.bbox)
    return out


def _one_each(r: Region) -> None:
    """One column found twice (at two scales, or in two pieces): one column;
    the region's columns right to left."""
    uniq: list[Column] = []
    for c in r.columns:
        o = next((u for u in uniq if u.bbox.x_overlap(c.bbox) >= 0.5 * min(u.bbox.width, c.bbox.width)), None)
        if o is None:
            uniq.append(c)
        else:
            o.bbox = o.bbox.union(c.bbox)
    r.columns = sorted(uniq, key=lambda c: -c.bbox.x1)


def _share(comps: geo.Components, glyph: np.ndarray, regions: list[Region]) -> float:
    """The share of the page's glyph ink in the regions."""
    b = comps.boxes
    ink_total = float(comps.area[glyph].sum()) or 1.0
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    inside = np.zeros(len(b), bool)
    for r in regions:
        rb = r.bbox
        inside |= (cx >= rb.x0) & (cx < rb.x1) & (cy >= rb.y0) & (cy < rb.y1)
    return float(comps.area[glyph & inside].sum()) / ink_total


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
    return _absorb(sorted(regions, key=lambda r: -r.bbox.x1),
                   lambda o, r: 0.85 <= r.char_w / o.char_w <= 1.18
                   and -0.2 * r.char_w <= o.columns[-1].bbox.x0 - r.columns[0].bbox.x1 <= 1.6 * r.char_w
                   and r.bbox.y_overlap(o.bbox) >= 0.5 * min(r.bbox.height, o.bbox.height))


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
            if above and in_lines(box, cw, b, glyph):
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


def find_and_hide(pimg) -> VerticalLayout | None:
    """The page's vertical regions, painted out of ``pimg.binary``; None if none."""
    vl = find_vertical(pimg.binary)
    if vl is None or not vl.regions:
        return None
    pimg.binary_full = pimg.binary.copy()
    hide(pimg.binary, vl)
    return vl
